/**
 * Expectation helpers: each either returns what it read or throws a CheckFailure whose
 * message says what was sent, what was expected and what came back (or that nothing did).
 */
import { CheckFailure } from '../model/errors.ts';
import type { ReadOutcome, TcpProbe } from './tcp.ts';
import { messages } from '../i18n/messages.ts';
import { currentLanguage, withLanguage } from '../i18n/language.ts';

const { t } = messages;

/**
 * Builds a failure in the language of the caller's own words (`after`, `hint`): an exercise
 * whose messages are still English only (no catalogue yet) gets a whole English sentence,
 * never English clauses inside a Chinese one.
 */
function inCallersLanguage<T>(words: Array<string | undefined>, build: () => T): T {
  const english = (w: string | undefined) => w !== undefined && /[A-Za-z]{3,}/.test(w) && !/\p{Script=Han}/u.test(w);
  return currentLanguage() !== 'en' && words.some(english) ? withLanguage('en', build) : build();
}

/**
 * How long a check watches for something that must not happen (a reply, a datagram, a
 * write): absence can only be observed over time. Every check starts the window after a
 * positive event (the server has read our bytes, or answered, or a mark has come back), so
 * a reply or write made by mistake is already under way: 100 ms is the margin for a loaded
 * machine (it was 250-300 ms, paid in full by every correct server). Where absence itself
 * is the point (a server waiting for a pause), a check watches longer, under its own name.
 */
export const ABSENCE_MS = 100;

/** Quotes text for a message: escapes control characters, shortens long text. */
export function show(value: string | Uint8Array, max = 160): string {
  let text: string;
  if (typeof value === 'string') {
    text = value;
  } else {
    const buf = Buffer.from(value);
    const decoded = buf.toString('utf8');
    const printable = !decoded.includes('\uFFFD') && !/[\x00-\x08\x0e-\x1f]/.test(decoded);
    if (!printable) {
      const hex = buf.subarray(0, Math.ceil(max / 3)).toString('hex').replace(/(..)/g, '$1 ').trim();
      return t('expect.binary', { n: buf.length, hex: `${hex}${buf.length > max / 3 ? ' …' : ''}` });
    }
    text = decoded;
  }
  const escaped = JSON.stringify(text.length > max ? text.slice(0, max) : text);
  return text.length > max ? t('expect.longText', { quoted: `${escaped.slice(0, -1)}…"`, n: text.length }) : escaped;
}

/** "nothing within 2000 ms", "the connection closed after ...", for `actual` fields. */
export function describeOutcome<T>(outcome: ReadOutcome<T>, render: (value: T) => string = (v) => String(v)): string {
  switch (outcome.kind) {
    case 'ok':
      return render(outcome.value);
    case 'timeout':
      return outcome.partial.length === 0
        ? t('expect.nothingWithin', { ms: { ms: outcome.waitedMs } })
        : t('expect.onlyPartial', { partial: show(outcome.partial), ms: { ms: outcome.waitedMs } });
    case 'closed': {
      const how = outcome.reset ? t('expect.reset') : t('expect.closed');
      return outcome.partial.length === 0 ? how : t('expect.partialThen', { partial: show(outcome.partial), how });
    }
  }
}

export interface ExpectContext {
  /** What the probe did before, for the message: e.g. `after sending "PING\n"` or `sending "LIST\n"`. */
  after: string;
  timeoutMs: number;
  /** One sentence that tells the student what to fix; appended to the failure message. */
  hint?: string | undefined;
}

/** What a reply line must be: exactly a string, a pattern, or a test with a description for messages. */
export type LineExpectation = string | RegExp | { test(line: string): boolean; description: string };

function describeExpectation(expected: LineExpectation): string {
  if (typeof expected === 'string') return show(expected);
  if (expected instanceof RegExp) return t('expect.matching', { pattern: String(expected) });
  return expected.description;
}

function expectationText(expected: LineExpectation): string {
  if (typeof expected === 'string') return expected + '\n';
  if (expected instanceof RegExp) return String(expected);
  return expected.description;
}

function matchesLine(expected: LineExpectation, line: string): boolean {
  return typeof expected === 'string' ? line === expected : expected.test(line);
}

/** `After sending "LIST\n" on c1, <body> <hint>`: `after` is written as given, capitalised. */
function sentence(context: { after: string; hint?: string | undefined }, probe: TcpProbe, body: string): string {
  const lead = context.after ? capitalise(t('expect.lead', { after: context.after, conn: probe.label, body })) : t('expect.leadNoAfter', { conn: probe.label, body });
  return joinSentences(lead, context.hint);
}

const CJK = /[\p{Script=Han}\u3000-\u303f\uff00-\uffef]/u;

/**
 * Joins sentences as each language writes them: English with a space between, Chinese
 * (a sentence ending in 。, or beginning with a Han character) without one.
 */
export function joinSentences(...parts: Array<string | undefined>): string {
  return parts
    .filter((part): part is string => part !== undefined && part !== '')
    .reduce((text, part) => (text === '' ? part : CJK.test(text.at(-1)!) || CJK.test(part.charAt(0)) ? `${text}${part}` : `${text} ${part}`), '');
}

/**
 * Reads one reply line, whatever it says; fails (with what was sent and what came back
 * instead: nothing within N ms, a partial line, a close) when no complete line arrives.
 */
export async function readReplyLine(probe: TcpProbe, context: ExpectContext): Promise<string> {
  const outcome = await probe.readLine(context.timeoutMs);
  if (outcome.kind === 'ok') return outcome.value;
  throw inCallersLanguage([context.after, context.hint], () =>
    new CheckFailure(sentence(context, probe, t('expect.replyLine', { got: describeOutcome(outcome) })), {
      expected: t('expect.replyLineExpected'),
      actual: describeOutcome(outcome),
    }),
  );
}

/** Reads a line and requires it to equal `expected` (or match it). Returns the line. */
export async function expectLine(probe: TcpProbe, expected: LineExpectation, context: ExpectContext): Promise<string> {
  const outcome = await probe.readLine(context.timeoutMs);
  if (outcome.kind === 'ok' && matchesLine(expected, outcome.value)) return outcome.value;
  throw inCallersLanguage([context.after, context.hint, typeof expected === 'object' && !(expected instanceof RegExp) ? expected.description : undefined], () => {
    const wanted = describeExpectation(expected);
    if (outcome.kind === 'ok') {
      return new CheckFailure(sentence(context, probe, t('expect.reply', { wanted, got: show(outcome.value) })), {
        expected: expectationText(expected),
        actual: outcome.value + '\n',
      });
    }
    return new CheckFailure(sentence(context, probe, t('expect.reply', { wanted, got: describeOutcome(outcome) })), {
      expected: expectationText(expected),
      actual: describeOutcome(outcome),
    });
  });
}

/** Requires the server to close the connection (FIN or reset) within the deadline, sending nothing first. */
export async function expectClosed(probe: TcpProbe, context: ExpectContext): Promise<void> {
  const outcome = await probe.readUntilClosed(context.timeoutMs);
  if (outcome.kind === 'ok' && outcome.value.length === 0) return;
  throw inCallersLanguage([context.after, context.hint], () =>
    outcome.kind === 'ok'
      ? new CheckFailure(sentence(context, probe, t('expect.closeWithoutReply', { got: show(outcome.value) })), {
          expected: t('expect.closeNothingSent'),
          actual: show(outcome.value),
        })
      : new CheckFailure(sentence(context, probe, t('expect.stillOpen', { ms: { ms: context.timeoutMs } })), {
          expected: t('expect.connectionClosed'),
          actual: describeOutcome(outcome),
        }),
  );
}

export interface SilenceContext {
  /** What the probe did before, for the message (as in `ExpectContext`). */
  after: string;
  /** How long to watch; usually `ctx.ms(ABSENCE_MS)`. */
  ms: number;
  hint?: string | undefined;
  /** Also require the connection to be still open at the end (the server must not have closed it). */
  open?: boolean;
  /** What the silence means, for `expected`: e.g. "no reply before the client's FIN". */
  meaning?: string;
}

/**
 * Requires that nothing arrives for `ms` (and, with `open`, that the connection stays open).
 * A check of an absence must first have seen the presence it is about (the server read
 * the bytes, answered the legitimate request): call this only after that.
 */
export async function expectSilence(probe: TcpProbe, context: SilenceContext): Promise<void> {
  const got = await probe.collectFor(context.ms);
  const closed = context.open === true && (probe.peerEnded || probe.isClosed);
  if (got.length === 0 && !closed) return;
  throw inCallersLanguage([context.after, context.hint, context.meaning], () => {
    const ms = { ms: context.ms };
    const body = got.length > 0 ? t('expect.silenceSent', { ms, n: got.length, got: show(got) }) : t('expect.silenceClosed', { ms });
    return new CheckFailure(sentence(context, probe, body), {
      expected: context.meaning ?? (context.open ? t('expect.silenceExpectedOpen', { ms }) : t('expect.silenceExpected', { ms })),
      actual: got.length > 0 ? show(got) : t('expect.theConnectionClosed'),
    });
  });
}

/** Fails with expected/actual when `actual !== expected`. */
export function expectEqual<T>(actual: T, expected: T, message: string, render: (v: T) => string = (v) => String(v)): void {
  if (actual === expected) return;
  throw new CheckFailure(message, { expected: render(expected), actual: render(actual) });
}

export function fail(message: string, detail: { expected?: string; actual?: string } = {}): never {
  throw new CheckFailure(message, detail);
}

/** Runs `work`; a CheckFailure it throws gets `prefix` before and `hint` after its message. */
export async function withContext<T>(prefix: string, hint: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof CheckFailure)) throw error;
    const body = prefix ? `${error.message.charAt(0).toLowerCase()}${error.message.slice(1)}` : error.message;
    const message = joinSentences(prefix, body, hint);
    throw new CheckFailure(message, {
      ...(error.expected === undefined ? {} : { expected: error.expected }),
      ...(error.actual === undefined ? {} : { actual: error.actual }),
    });
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
