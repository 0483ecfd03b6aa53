/**
 * The udp-dict protocol as the probes speak it: dictionaries written as fixtures, and a
 * `Client` (one UDP socket) that asks queries the way the contract says the grader does:
 * wait 500 ms for the reply, resend up to 3 times (UDP may drop), every resend noted in the
 * transcript.
 *
 * Replies carry no id, so a reply that arrives after its query was resent may be followed
 * by a late copy (the server answered both sends). A client remembers such answers and drops
 * one late copy of each before judging the next reply (noted in the transcript).
 *
 * Judging is lenient where another check is strict, so that one mistake costs in one place:
 * a trailing `\n` (or `\r\n`) on a reply is judged only by `reply.bare`, and the exact
 * spelling of `Not Found` only by `reply.not-found` (elsewhere any capitalisation passes).
 */
import type { CheckContext } from '../../grader/exercise/define.ts';
import { CheckFailure, SubmissionError } from '../../grader/model/errors.ts';
import { show } from '../../grader/probes/expect.ts';
import type { UdpProbe } from '../../grader/probes/udp.ts';
import type { RunningServer } from '../../grader/sandbox/sandbox.ts';
import { text as messages } from './messages.ts';

const { t } = messages;

export { ABSENCE_MS } from '../../grader/probes/expect.ts';

/** How long the grader waits for a reply before it resends (the contract's 500 ms). */
export const REPLY_WAIT_MS = 500;
/** Resends of a query that got no reply (the contract's 3): 4 sends in all. */
export const RESENDS = 3;
/** A server answers within 5 s of its start, even with the largest file. */
export const START_MS = 5000;
export const NOT_FOUND = 'Not Found';
export const MAX_QUERY_BYTES = 256;
export const DICT_FILE = 'dict.txt';

// ---------------------------------------------------------------------------------------------
// Dictionaries

export interface Entry {
  word: string;
  meaning: string;
}

/** The course's words table as dict.txt: one space between word and meaning, `\n` line ends. */
export function dictText(entries: readonly Entry[], eol = '\n'): string {
  return entries.map((e) => `${e.word} ${e.meaning}${eol}`).join('');
}

/** A meaning of exactly 1,000 UTF-8 bytes (the contract's maximum), single spaces only. */
function thousandByteMeaning(): string {
  const head = 'n. 词典里最长的释义 (the longest meaning in the dictionary):';
  let text = head;
  const words = ['网络', 'network', '编程', 'programming', '并发', 'concurrency', '数据报', 'datagram'];
  for (let i = 0; Buffer.byteLength(text) < 990; i++) text += ` ${words[i % words.length]}`;
  while (Buffer.byteLength(text) > 995) text = text.slice(0, -1);
  return text.trimEnd() + '.'.repeat(1000 - Buffer.byteLength(text.trimEnd()));
}

/** The dictionary of most checks: words from the course's words table, lower-case ASCII. */
export const BASIC: readonly Entry[] = [
  { word: 'abandon', meaning: 'v. go away from; forsake' },
  { word: 'ability', meaning: 'n. 能力; 才能' },
  { word: 'able', meaning: 'adj. 能够的; 有能力的' },
  { word: 'about', meaning: 'prep. 关于; adv. 大约' },
  { word: 'absent', meaning: 'adj. 缺席的; 不在的' },
  { word: 'academy', meaning: 'n. 学院; 研究院' },
  { word: 'accept', meaning: 'v. 接受; 认可' },
  { word: 'apple', meaning: 'n. 苹果; 苹果树' },
  { word: 'banana', meaning: 'n. 香蕉' },
  { word: 'cherry', meaning: 'n. 樱桃; adj. 樱桃色的' },
  { word: 'datagram', meaning: 'n. 数据报 (a self-contained packet, UDP)' },
  { word: 'dictionary', meaning: 'n. 词典; 字典' },
  { word: 'echo', meaning: 'n. 回声; v. 重复' },
  { word: 'forsake', meaning: 'v. 放弃; 抛弃' },
  { word: 'glossary', meaning: thousandByteMeaning() },
  { word: 'hello', meaning: 'int. 你好; 喂' },
  { word: 'internet', meaning: 'n. 互联网; 因特网' },
  { word: 'jar', meaning: 'n. 罐子; v. 震动' },
  { word: 'kernel', meaning: 'n. 内核; 核心' },
  { word: 'loopback', meaning: 'n. 回环 (127.0.0.1)' },
  { word: 'mysql', meaning: 'n. 一种关系数据库' },
  { word: 'network', meaning: 'n. 网络; 网状物' },
  { word: 'packet', meaning: 'n. 包; 小包裹; 数据包' },
  { word: 'query', meaning: 'n. 查询; 疑问 v. 询问' },
  { word: 'socket', meaning: 'n. 插座; 套接字' },
  { word: 'thread', meaning: 'n. 线; 线程' },
  { word: 'udp', meaning: 'abbr. User Datagram Protocol 用户数据报协议' },
  { word: 'word', meaning: 'n. 单词; 话语; 消息' },
  { word: 'zebra', meaning: 'n. 斑马' },
  { word: '单词', meaning: 'n. word (中文词条)' },
];

export function meaningOf(entries: readonly Entry[], word: string): string {
  const entry = entries.find((e) => e.word === word);
  if (!entry) throw new Error(`no entry ${word}`);
  return entry.meaning;
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'su', 'ta', 'ri', 'po', 've', 'du', 'xa', 'qi', 'zo', 'ba', 'he', 'gu'];
const FRAGMENTS = ['n.', 'v.', 'adj.', 'adv.', '网络', '编程', 'the', 'of', 'a', 'packet', '数据', '查询', 'word', '释义', 'server', '客户端', 'to', 'and', '并发', '线程'];

/** A unique lower-case word for entry `i` (a prefix of syllables and the index in base 36). */
export function syntheticWord(i: number, random: { pick<T>(items: readonly T[]): T }): string {
  return `${random.pick(SYLLABLES)}${random.pick(SYLLABLES)}${i.toString(36)}`;
}

/** A meaning of about `bytes` UTF-8 bytes, single spaces only. */
export function syntheticMeaning(bytes: number, random: { pick<T>(items: readonly T[]): T }): string {
  const parts: string[] = [];
  let size = -1;
  while (size < bytes - 6) {
    const fragment = random.pick(FRAGMENTS);
    parts.push(fragment);
    size += Buffer.byteLength(fragment) + 1;
  }
  return parts.join(' ');
}

// ---------------------------------------------------------------------------------------------
// What a reply must be

export type Expected = { kind: 'meaning'; text: string } | { kind: 'not-found' };
export const meaning = (text: string): { kind: 'meaning'; text: string } => ({ kind: 'meaning', text });
export const notFound: Expected = { kind: 'not-found' };

/** One trailing `\n` or `\r\n` removed (judged only by reply.bare). */
export function withoutLineEnd(reply: Buffer): Buffer {
  if (reply.at(-1) !== 0x0a) return reply;
  return reply.subarray(0, reply.length - (reply.at(-2) === 0x0d ? 2 : 1));
}

export interface Strictness {
  /** `Not Found` exactly (else any capitalisation of "not found"). */
  exactNotFound?: boolean;
  /** No trailing line end allowed. */
  bare?: boolean;
}

export function replyMatches(reply: Buffer, expected: Expected, strict: Strictness = {}): boolean {
  const body = strict.bare ? reply : withoutLineEnd(reply);
  if (expected.kind === 'meaning') return body.equals(Buffer.from(expected.text, 'utf8'));
  const text = body.toString('utf8');
  return strict.exactNotFound ? text === NOT_FOUND : /^not found$/i.test(text);
}

export function describeExpected(expected: Expected, strict: Strictness = {}): string {
  if (expected.kind === 'meaning') return t('expected.meaning', { text: show(expected.text, 100) });
  return strict.exactNotFound ? t('expected.exactNotFound', { text: show(NOT_FOUND) }) : show(NOT_FOUND);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A datagram for a message: quoted text, or hex when it is not valid UTF-8 or has control bytes. */
export function showDatagram(datagram: Uint8Array, max = 100): string {
  if (datagram.length === 0) return t('datagram.empty');
  try {
    const text = strictUtf8.decode(datagram);
    const shown = show(text, max);
    return Buffer.byteLength(text) > max ? t('datagram.long', { shown, n: datagram.length }) : shown;
  } catch {
    return show(Buffer.from(datagram), max);
  }
}

// ---------------------------------------------------------------------------------------------
// Clients

export type Answer =
  | { kind: 'reply'; value: Buffer; sends: number; ms: number }
  | { kind: 'none'; sends: number; waitedMs: number };

export interface AskOptions {
  /** Keep resending every 500 ms until this time (performance.now()), instead of 3 times. */
  until?: number;
}

/** One UDP socket of a check, named by a letter (`A (u1)` in messages). */
export class Client {
  readonly ctx: CheckContext;
  readonly letter: string;
  readonly probe: UdpProbe;
  /** Answers whose query was sent more than once: late copies of them may still come (hex → count). */
  readonly #late = new Map<string, number>();

  constructor(ctx: CheckContext, letter: string, probe: UdpProbe) {
    this.ctx = ctx;
    this.letter = letter;
    this.probe = probe;
  }

  get label(): string {
    return t('client.label', { letter: this.letter, probe: this.probe.label, port: String(this.probe.localPort) });
  }

  /** Sends a datagram without waiting for anything (a datagram that must be ignored). */
  async sendOnly(datagram: string | Uint8Array): Promise<void> {
    await this.probe.send(datagram);
  }

  /** True (and dropped) when `datagram` is a late copy of an answer to a resent query. */
  isLateCopy(datagram: Buffer): boolean {
    const key = datagram.toString('hex');
    const left = this.#late.get(key) ?? 0;
    if (left <= 0) return false;
    if (left === 1) this.#late.delete(key);
    else this.#late.set(key, left - 1);
    this.ctx.transcript.note(t('note.lateCopy'), this.probe.label);
    return true;
  }

  /** Records that `reply` answered a query sent `sends` times: up to sends - 1 late copies may follow. */
  expectLateCopies(reply: Buffer, sends: number): void {
    if (sends <= 1) return;
    const key = reply.toString('hex');
    this.#late.set(key, (this.#late.get(key) ?? 0) + sends - 1);
  }

  /** The next datagram that is not a late copy, or undefined after `ms`. */
  async receive(ms: number): Promise<Buffer | undefined> {
    const end = performance.now() + ms;
    while (true) {
      const left = end - performance.now();
      const outcome = await this.probe.receive(Math.max(0, left));
      if (outcome.kind === 'timeout') return undefined;
      if (!this.isLateCopy(outcome.value)) return outcome.value;
    }
  }

  /**
   * Sends `query` and waits 500 ms for a reply; without one, resends (up to 3 times, or until
   * `options.until`). Returns the first datagram that came back, whatever it says.
   */
  async ask(query: string | Uint8Array, options: AskOptions = {}): Promise<Answer> {
    const started = performance.now();
    const wait = this.ctx.ms(REPLY_WAIT_MS);
    for (let sends = 1; ; sends++) {
      if (sends > 1) {
        const note =
          options.until === undefined
            ? t('note.resend', { ms: { ms: wait }, n: sends - 1, total: RESENDS })
            : t('note.resendUntil', { ms: { ms: wait }, n: sends - 1 });
        this.ctx.transcript.note(note, this.probe.label);
      }
      await this.probe.send(query);
      const reply = await this.receive(wait);
      if (reply !== undefined) {
        this.expectLateCopies(reply, sends);
        return { kind: 'reply', value: reply, sends, ms: performance.now() - started };
      }
      const more = options.until === undefined ? sends <= RESENDS : performance.now() < options.until;
      if (!more) return { kind: 'none', sends, waitedMs: Math.round(performance.now() - started) };
    }
  }
}

/** "nothing within 500 ms, 4 times (sent, then resent 3 times)" */
export function describeNone(answer: { sends: number; waitedMs: number }, ctx: CheckContext): string {
  const wait = ctx.ms(REPLY_WAIT_MS);
  return answer.sends === 1
    ? t('none.once', { ms: { ms: wait } })
    : t('none.resent', { ms: { ms: wait }, sends: answer.sends, resends: answer.sends - 1, all: { ms: answer.waitedMs } });
}

export function describeAnswer(answer: Answer, ctx: CheckContext): string {
  if (answer.kind === 'none') return describeNone(answer, ctx);
  const shown = showDatagram(answer.value);
  return answer.sends > 1 ? t('answer.resent', { shown, n: answer.sends - 1 }) : shown;
}

/** A server and the clients of one check. */
export class Session {
  readonly ctx: CheckContext;
  readonly server: RunningServer;
  readonly clients: Client[] = [];

  constructor(ctx: CheckContext, server: RunningServer) {
    this.ctx = ctx;
    this.server = server;
  }

  /** Starts the server with `files` in its working directory (and `env`). */
  static async open(ctx: CheckContext, files: Record<string, string | Uint8Array>, env?: Record<string, string>): Promise<Session> {
    const server = await ctx.startServer({ fixtures: files, ...(env ? { env } : {}) });
    return new Session(ctx, server);
  }

  async client(letter: string): Promise<Client> {
    const client = new Client(this.ctx, letter, await this.ctx.udp(this.server));
    this.clients.push(client);
    return client;
  }

  /** Fails with how the server ended when it is no longer running. */
  assertRunning(after: string, hint = t('crash.hint')): void {
    const exit = this.server.process.exitInfo;
    if (!exit) return;
    throw new CheckFailure(
      exit.signal ? t('crash.killed', { signal: exit.signal, after, hint }) : t('crash.exited', { code: String(exit.exitCode), after, hint }),
    );
  }

  /**
   * `client` asks `query`; the reply must be `expected` (leniently unless `strict` says
   * otherwise). `what` describes the query for the message (default: the query quoted),
   * `hint` says how to fix it. Returns the reply.
   */
  async expectAnswer(
    client: Client,
    query: string | Uint8Array,
    expected: Expected,
    options: { what?: string; hint: string; strict?: Strictness; before?: string },
  ): Promise<Buffer> {
    const answer = await client.ask(query);
    if (answer.kind === 'reply' && replyMatches(answer.value, expected, options.strict)) return answer.value;
    const what = options.what ?? showDatagram(typeof query === 'string' ? Buffer.from(query) : query);
    if (answer.kind === 'none') {
      this.assertRunning(
        options.before ? t('crash.noReplyBefore', { before: options.before, client: client.label, what }) : t('crash.noReply', { client: client.label, what }),
      );
    }
    const got = describeAnswer(answer, this.ctx);
    const params = { client: client.label, what, expected: describeExpected(expected, options.strict), got, hint: options.hint };
    throw new CheckFailure(
      options.before ? t('answer.wrongBefore', { ...params, before: options.before }) : t('answer.wrong', params),
      {
        expected: expected.kind === 'meaning' ? expected.text : NOT_FOUND,
        actual: answer.kind === 'reply' ? showDatagram(answer.value, 400) : got,
      },
    );
  }
}

/** A SubmissionError for a server that did not bind in time, as a failure of a timing clause. */
export function isNeverBound(error: unknown): error is SubmissionError {
  return error instanceof SubmissionError && error.code === 'NEVER_LISTENS';
}
