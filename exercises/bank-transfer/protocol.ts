/**
 * The bank-transfer protocol as the probes speak it, and the expectations shared by its
 * checks: starting a bank, asking one request and judging its reply, sending requests on
 * several connections in the same tick, and the "deadlock suspected" verdict.
 */
import type { CheckContext } from '../../grader/exercise/define.ts';
import { CheckFailure } from '../../grader/model/errors.ts';
import { describeOutcome, expectLine, show, type LineExpectation } from '../../grader/probes/expect.ts';
import type { ReadOutcome, TcpProbe } from '../../grader/probes/tcp.ts';
import type { RunningServer } from '../../grader/sandbox/sandbox.ts';
import { currentLanguage } from '../../grader/i18n/language.ts';
import { text } from './messages.ts';

const { t } = text;

/** `a; b; c` in English, `a；b；c` in Chinese: items that hold commas of their own. */
function semicolons(items: string[]): string {
  return items.join(currentLanguage() === 'zh-CN' ? '；' : '; ');
}

/** The accounts of every check (unless it says otherwise): total 19500. */
export const ACCOUNTS: Readonly<Record<string, number>> = { Tom: 5000, Abby: 8000, Carl: 3000, Dora: 1000, Eve: 0, 李四: 2500 };
export const TOTAL = sum(Object.values(ACCOUNTS));
/** Small where timing is not the point, so the checks stay fast. */
export const DEFAULT_DELAY_MS = 100;
/** How long a reply may take on loopback (a transfer gets its delay on top). */
export const REPLY_MS = 2000;
/** Any line `ERR <reason>`: the expectation for a malformed request. */
export const ANY_ERR = 'ERR …';
/** Any line `ERR <reason>` or `FAIL <reason>`: a request refused, whichever way the server reads it. */
export const ANY_REFUSAL = 'ERR … or FAIL …';

export function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

export interface Bank {
  server: RunningServer;
  /** The TRANSFER_DELAY_MS the server was started with. */
  delayMs: number;
  accounts: Readonly<Record<string, number>>;
}

/** Starts a fresh server with `accounts.json` and env TRANSFER_DELAY_MS. */
export async function startBank(
  ctx: CheckContext,
  /** `delayMs: 'unset'` leaves TRANSFER_DELAY_MS out of the environment (the server's default, 100, applies). */
  options: { delayMs?: number | 'unset'; accounts?: Readonly<Record<string, number>> } = {},
): Promise<Bank> {
  const unset = options.delayMs === 'unset';
  const delayMs = options.delayMs === 'unset' ? DEFAULT_DELAY_MS : (options.delayMs ?? DEFAULT_DELAY_MS);
  const accounts = options.accounts ?? ACCOUNTS;
  const server = await ctx.startServer({
    fixtures: { 'accounts.json': JSON.stringify(accounts) },
    env: unset ? {} : { TRANSFER_DELAY_MS: String(delayMs) },
  });
  ctx.note(unset ? t('note.startedUnset', { accounts: JSON.stringify(accounts) }) : t('note.started', { accounts: JSON.stringify(accounts), delay: String(delayMs) }));
  return { server, delayMs, accounts };
}

/** Opens `n` connections (all before the check's first request). */
export function connectAll(ctx: CheckContext, bank: Bank, n: number): Promise<TcpProbe[]> {
  return Promise.all(Array.from({ length: n }, () => ctx.connect(bank.server)));
}

/** Deadline of a reply: a transfer gets its delay on top of the usual margin. */
export function replyMs(ctx: CheckContext, bank: Bank, request: string): number {
  return ctx.ms(REPLY_MS) + (request.startsWith('TRANSFER ') ? bank.delayMs : 0);
}

export function matches(expected: string, line: string): boolean {
  if (expected === ANY_ERR) return /^ERR ./.test(line);
  if (expected === ANY_REFUSAL) return /^(ERR|FAIL) ./.test(line);
  return line === expected;
}

function wanted(expected: string): string {
  if (expected === ANY_ERR) return t('wanted.err');
  if (expected === ANY_REFUSAL) return t('wanted.refusal');
  return show(expected);
}

/** `"BALANCE Tom"` for messages (without the line ending). */
export function quote(request: string): string {
  return show(request.replace(/\r?\n$/, ''));
}

/**
 * A CheckFailure for a reply already read (replies read together on several connections,
 * the storm) that is not the expected one, worded as `expectLine` words it. (expect.ts has no
 * helper that judges an outcome read elsewhere.)
 */
export function replyFailure(
  probe: TcpProbe,
  request: string,
  expected: string,
  outcome: ReadOutcome<string>,
  hint: string,
): CheckFailure {
  const got = outcome.kind === 'ok' ? show(outcome.value) : describeOutcome(outcome);
  const params = { request: quote(request), conn: probe.label, wanted: wanted(expected), got };
  return new CheckFailure(hint ? t('reply.wrongHint', { ...params, hint }) : t('reply.wrong', params), {
    expected: `${request.replace(/\r?\n$/, '')}  →  ${expected}`,
    actual: `${request.replace(/\r?\n$/, '')}  →  ${outcome.kind === 'ok' ? outcome.value : describeOutcome(outcome)}`,
  });
}

/** What `expected` means as a line expectation of grader/probes/expect.ts. */
export function lineExpectation(expected: string): LineExpectation {
  return expected === ANY_ERR || expected === ANY_REFUSAL ? { test: (line) => matches(expected, line), description: wanted(expected) } : expected;
}

/**
 * Reads the reply to `request` (already sent) and requires it to match `expected`
 * (`expectLine`: "Sending "BALANCE Tom" on c1, expected the reply "OK 5000" but got …").
 */
export function expectReply(
  probe: TcpProbe,
  request: string,
  expected: string,
  timeoutMs: number,
  hint = '',
): Promise<string> {
  return expectLine(probe, lineExpectation(expected), { after: t('sending', { request: quote(request) }), timeoutMs, hint: hint || undefined });
}

/** Sends one request (a `\n` is added) and requires its reply to match `expected`. */
export async function ask(
  ctx: CheckContext,
  bank: Bank,
  probe: TcpProbe,
  request: string,
  expected: string,
  hint = '',
): Promise<string> {
  await probe.send(`${request}\n`);
  return expectReply(probe, request, expected, replyMs(ctx, bank, request), hint);
}

/** Requests answered one by one on one connection: each is sent once the previous reply arrived. */
export async function conversation(
  ctx: CheckContext,
  bank: Bank,
  probe: TcpProbe,
  steps: Array<[request: string, expected: string]>,
  hint: (request: string, expected: string) => string = () => '',
): Promise<void> {
  for (const [request, expected] of steps) await ask(ctx, bank, probe, request, expected, hint(request, expected));
}

/** A request written on a connection, with the moment it was written. */
export interface Sent {
  probe: TcpProbe;
  request: string;
  sentAt: number;
}

/**
 * Writes each connection's requests (a `\n` is added to each; several requests of one
 * connection go in one write) on all connections in the same tick: no awaiting between the
 * writes, so the server receives them "at the same moment". With `paced`, resolves once the
 * server has read every connection's bytes (observed in the kernel's socket table).
 */
export async function sendTogether(
  items: Array<[TcpProbe, string | string[]]>,
  options: { paced?: boolean; paceDeadlineMs?: number } = {},
): Promise<Sent[]> {
  const sentAt = performance.now();
  const lists = items.map(([probe, requests]) => [probe, typeof requests === 'string' ? [requests] : requests] as const);
  // probe.send writes synchronously before its first await: all writes happen in this tick.
  await Promise.all(lists.map(([probe, requests]) => probe.send(requests.map((r) => `${r}\n`).join(''), options.paced ? { paced: true, ...(options.paceDeadlineMs === undefined ? {} : { paceDeadlineMs: options.paceDeadlineMs }) } : {})));
  return lists.flatMap(([probe, requests]) => requests.map((request) => ({ probe, request, sentAt })));
}

export interface Answer {
  sent: Sent;
  outcome: ReadOutcome<string>;
  /** When the reply arrived, in ms after the request was written. */
  ms: number;
}

/**
 * Reads the replies to requests sent on several connections (in the order sent on each
 * connection), all within `timeoutMs` of their sending.
 */
export async function awaitReplies(sent: Sent[], timeoutMs: number): Promise<Answer[]> {
  const byProbe = new Map<TcpProbe, Sent[]>();
  for (const item of sent) byProbe.set(item.probe, [...(byProbe.get(item.probe) ?? []), item]);
  const answers = new Map<Sent, Answer>();
  await Promise.all(
    [...byProbe.values()].map(async (items) => {
      for (const item of items) {
        const left = Math.max(1, timeoutMs - (performance.now() - item.sentAt));
        const outcome = await item.probe.readLine(left);
        answers.set(item, { sent: item, outcome, ms: Math.round(performance.now() - item.sentAt) });
      }
    }),
  );
  return sent.map((item) => answers.get(item)!);
}

/** `c1 TRANSFER Tom Abby 2000` for lists in messages. */
export function describeSent(item: { probe: TcpProbe; request: string }): string {
  return `${item.probe.label} ${quote(item.request)}`;
}

/**
 * The verdict when transfers were not answered in time: deadlock suspected, naming the
 * requests still pending and the ones that were answered.
 */
export function deadlockSuspected(
  pending: Array<{ probe: TcpProbe; request: string }>,
  waitedMs: number,
  delayMs: number,
  context: string,
  answered: Answer[] = [],
): CheckFailure {
  const times = Math.round(waitedMs / Math.max(1, delayMs));
  const done = answered.filter((a) => a.outcome.kind === 'ok');
  const params = { context, ms: { ms: waitedMs }, times, delay: String(delayMs), pending: semicolons(pending.map(describeSent)) };
  const answeredList = semicolons(done.map((a) => `${describeSent(a.sent)} → ${show((a.outcome as { value: string }).value)}`));
  const message =
    pending.length === 1
      ? done.length > 0
        ? t('deadlock.oneAnswered', { ...params, answered: answeredList })
        : t('deadlock.one', params)
      : done.length > 0
        ? t('deadlock.manyAnswered', { ...params, n: pending.length, answered: answeredList })
        : t('deadlock.many', { ...params, n: pending.length });
  return new CheckFailure(message, {
    expected: t('deadlock.expected', { ms: { ms: waitedMs } }),
    actual: t('deadlock.actual', { pending: semicolons(pending.map(describeSent)) }),
  });
}

/**
 * Sends transfers at the same moment and requires every one to be answered `OK` within
 * `timeoutMs`; unanswered ones give "deadlock suspected".
 */
export async function transfersTogether(
  bank: Bank,
  items: Array<[TcpProbe, string]>,
  timeoutMs: number,
  context: string,
): Promise<Answer[]> {
  const sent = await sendTogether(items);
  const answers = await awaitReplies(sent, timeoutMs);
  const pending = answers.filter((a) => a.outcome.kind === 'timeout').map((a) => a.sent);
  if (pending.length > 0) throw deadlockSuspected(pending, timeoutMs, bank.delayMs, context, answers);
  for (const answer of answers) {
    if (answer.outcome.kind !== 'ok' || answer.outcome.value !== 'OK') {
      throw replyFailure(answer.sent.probe, answer.sent.request, 'OK', answer.outcome, t('together.afford', { context: `${context[0]!.toUpperCase()}${context.slice(1)}` }));
    }
  }
  return answers;
}

/** Checks every balance and AUDIT against the expected ones, on one connection. */
export async function expectBalances(
  ctx: CheckContext,
  bank: Bank,
  probe: TcpProbe,
  expected: Readonly<Record<string, number>>,
  why: string,
): Promise<void> {
  for (const [name, balance] of Object.entries(expected)) {
    await ask(ctx, bank, probe, `BALANCE ${name}`, `OK ${balance}`, why);
  }
  await ask(ctx, bank, probe, 'AUDIT', `OK ${sum(Object.values(bank.accounts))}`, why);
}

/**
 * Reads the replies to `steps`, all sent already on `probe` (in one segment), and requires
 * them in the order sent. When the replies are those of the requests in another order (a
 * reply answers a later request), the failure says that replies came out of order rather
 * than that one reply was wrong.
 */
export async function expectInOrder(
  ctx: CheckContext,
  bank: Bank,
  probe: TcpProbe,
  steps: Array<[request: string, expected: string]>,
  hint: string,
): Promise<void> {
  const got: ReadOutcome<string>[] = [];
  for (const [request] of steps) {
    const outcome = await probe.readLine(replyMs(ctx, bank, request));
    got.push(outcome);
    if (outcome.kind !== 'ok') break;
  }
  const wrong = steps.findIndex(([, expected], i) => {
    const outcome = got[i];
    return outcome === undefined || outcome.kind !== 'ok' || !matches(expected, outcome.value);
  });
  if (wrong < 0) return;
  const lines = got.flatMap((o) => (o.kind === 'ok' ? [o.value] : []));
  const first = got[wrong]!;
  // Which request does the reply in place `wrong` answer? One later (or earlier) in the list.
  const answers = first.kind === 'ok' ? steps.findIndex(([, expected], j) => j !== wrong && matches(expected, first.value) && !matches(steps[wrong]![1], first.value)) : -1;
  const expectedLines = steps.map(([, expected]) => expected);
  const permutation =
    lines.length === steps.length && expectedLines.every((e) => lines.filter((l) => matches(e, l)).length === expectedLines.filter((x) => x === e).length);
  // Out of order: the replies are the requests' replies in another order, or this one answers
  // another request and this request's own reply came later.
  const ownLater = lines.slice(wrong + 1).some((line) => matches(steps[wrong]![1], line));
  if (permutation || (answers >= 0 && ownLater)) {
    const where =
      answers >= 0
        ? t('order.answersOther', { wrong: String(wrong + 1), reply: show(lines[wrong]!), answers: String(answers + 1), other: quote(steps[answers]![0]), own: quote(steps[wrong]![0]) })
        : t('order.permuted');
    throw new CheckFailure(
      t('order.failure', { n: steps.length, conn: probe.label, where }),
      {
        expected: steps.map(([request, expected]) => `${request}  →  ${expected}`).join('\n'),
        actual: t('order.actual', { replies: got.map((o) => (o.kind === 'ok' ? o.value : describeOutcome(o))).join('\n') }),
      },
    );
  }
  throw replyFailure(probe, steps[wrong]![0], steps[wrong]![1], first, hint);
}
