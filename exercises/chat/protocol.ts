/**
 * The chat protocol as the probes speak it. A `Room` is one check's server and its UDP
 * clients: it records what every client receives, logs users in, and judges what arrived.
 *
 * Knowing that everything has arrived: UDP has no replies to most datagrams, so the room logs
 * in an observer first (`observer`) and, to mark a point in time, sends `CHAT observer
 * mark-<k>` from it. The server handles datagrams in order and a loopback socket delivers
 * them in order, so once every logged-in client has received mark k, everything the server
 * sent to it before has arrived too. Marks are never part of what is judged. Where the
 * absence of something is the point, a short window (QUIET_MS) follows the mark, for servers
 * that send later (timers, async work) and for clients that are not logged in.
 */
import { setImmediate as nextTurn, setTimeout as delay } from 'node:timers/promises';
import type { CheckContext } from '../../grader/exercise/define.ts';
import { CheckFailure } from '../../grader/model/errors.ts';
import { ABSENCE_MS, show } from '../../grader/probes/expect.ts';
import type { UdpProbe } from '../../grader/probes/udp.ts';
import type { RunningServer } from '../../grader/sandbox/sandbox.ts';
import { text } from './messages.ts';

const { t } = text;

/** How long a reply may take. A correct server answers in milliseconds; this is the margin for loaded machines. */
export const REPLY_MS = 1500;
/**
 * The observation window after a mark, where the absence of a datagram is asserted. The mark
 * already proves that everything sent before it arrived; the window is only for servers that
 * send later (timers, async work).
 */
export const QUIET_MS = ABSENCE_MS;

export const OBSERVER = 'observer';
const MARK = /^observer : mark-(\d+)$/;

export const welcome = (name: string): string => `欢迎 ${name} 进入聊天室`;
export const chatLine = (name: string, content: string): string => `${name} : ${content}`;
export const exitLine = (name: string): string => `${name} 退出聊天室`;
export const announcement = (line: string): string => `管理员消息 : ${line}`;

const OK = Buffer.from('OK');
const FAIL = Buffer.from('FAIL');

/** One UDP socket of the check: its own address, the names it logged in with, what it received. */
export class Client {
  readonly letter: string;
  readonly probe: UdpProbe;
  /** Names currently logged in from this address (as the check expects them to be). */
  readonly names: string[] = [];
  readonly #everNames: string[] = [];
  /** Datagrams received since the last clear, marks left out. */
  got: Buffer[] = [];
  readonly marks = new Set<number>();

  constructor(letter: string, probe: UdpProbe) {
    this.letter = letter;
    this.probe = probe;
  }

  /** E.g. `A (alice, u2)`: the letter, the names it used, the socket's label in the transcript. */
  get label(): string {
    return `${this.letter} (${[...this.#everNames, this.probe.label].join(', ')})`;
  }

  addName(name: string): void {
    this.names.push(name);
    if (!this.#everNames.includes(name)) this.#everNames.push(name);
  }

  removeName(name: string): void {
    const at = this.names.indexOf(name);
    if (at >= 0) this.names.splice(at, 1);
  }

  send(data: string | Uint8Array): Promise<void> {
    return this.probe.send(data);
  }

  pull(): void {
    for (const datagram of this.probe.drain()) {
      const mark = MARK.exec(datagram.toString('utf8'));
      if (mark) this.marks.add(Number(mark[1]));
      else this.got.push(datagram);
    }
  }

  clear(): void {
    this.pull();
    this.got = [];
  }
}

export interface Expectation {
  client: Client;
  /** Exactly these datagrams (bytes compared), nothing more. */
  datagrams: string[];
  anyOrder?: boolean;
  /** Said when this client's record is wrong (the likely mistake). */
  why?: string;
}

export interface ExpectOptions {
  /** Also watch for a short window after the mark (the absence of something is the point). */
  quiet?: boolean;
  /** Said when a record is wrong and the expectation has no `why`. */
  hint: string;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** One datagram for a message: quoted text, also when it is not valid UTF-8 (shown with U+FFFD and said so). */
export function showDatagram(datagram: Uint8Array, max = 120): string {
  try {
    return show(strictUtf8.decode(datagram), max);
  } catch {
    const lossy = Buffer.from(datagram).toString('utf8');
    if (/[\x00-\x08\x0e-\x1f]/.test(lossy)) return show(datagram, max);
    return t('datagram.invalidUtf8', { shown: show(lossy, max) });
  }
}

/** Lists datagrams for a message: `"OK", "欢迎 bob 进入聊天室"` or `nothing`. */
export function listDatagrams(datagrams: readonly Uint8Array[], max = 8): string {
  if (datagrams.length === 0) return t('datagrams.nothing');
  const shown = datagrams.slice(0, max).map((d) => showDatagram(d)).join(t('list.separator'));
  return datagrams.length > max ? t('datagrams.more', { shown, n: datagrams.length }) : shown;
}

function sameDatagrams(got: readonly Buffer[], expected: readonly string[], anyOrder: boolean): boolean {
  if (got.length !== expected.length) return false;
  const a = got.map((d) => d.toString('hex'));
  const b = expected.map((e) => Buffer.from(e, 'utf8').toString('hex'));
  if (anyOrder) {
    a.sort();
    b.sort();
  }
  return a.every((hex, i) => hex === b[i]);
}

export class Room {
  readonly ctx: CheckContext;
  readonly server: RunningServer;
  readonly clients: Client[] = [];
  observer: Client | undefined;
  #mark = 0;

  private constructor(ctx: CheckContext, server: RunningServer) {
    this.ctx = ctx;
    this.server = server;
  }

  /** Starts a fresh server (stdin a pipe that stays open) and, unless told not to, logs the observer in. */
  static async open(ctx: CheckContext, options: { observer?: boolean } = {}): Promise<Room> {
    const server = await ctx.startServer({ stdin: true });
    const room = new Room(ctx, server);
    if (options.observer ?? true) {
      const observer = await room.client('O');
      await room.login(observer, OBSERVER, t('ctx.observer'));
      room.observer = observer;
    }
    return room;
  }

  get replyMs(): number {
    return this.ctx.ms(REPLY_MS);
  }

  /** "nothing within 1,500 ms", for a reply that did not come. */
  get nothingWithin(): string {
    return t('nothingWithin', { ms: { ms: this.replyMs } });
  }

  async client(letter: string): Promise<Client> {
    const client = new Client(letter, await this.ctx.udp(this.server));
    this.clients.push(client);
    return client;
  }

  pullAll(): void {
    for (const client of this.clients) client.pull();
  }

  clearAll(): void {
    for (const client of this.clients) client.clear();
  }

  /**
   * Waits until `done()` holds or `ms` passed. `done()` is looked at again whenever a datagram
   * arrives at one of the clients (was: every POLL_MS = 2 ms, which cost a few ms per step, and
   * a room check takes dozens of steps).
   */
  until(done: () => boolean, ms: number): Promise<boolean> {
    this.pullAll();
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      let settled = false;
      const stops: Array<() => void> = [];
      const finish = (value: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        for (const stop of stops) stop();
        resolve(value);
      };
      const look = () => {
        this.pullAll();
        if (done()) finish(true);
      };
      const timer = setTimeout(() => {
        this.pullAll();
        finish(done());
      }, ms);
      for (const client of this.clients) stops.push(client.probe.onDatagram(look));
    });
  }

  /** The next datagram this client receives (marks left out), or undefined after `ms`. */
  async next(client: Client, ms = this.replyMs): Promise<Buffer | undefined> {
    await this.until(() => client.got.length > 0, ms);
    return client.got.shift();
  }

  /**
   * `client` sends `LOGIN name` and must get `OK` (other datagrams that arrive meanwhile, such
   * as a welcome for another name at the same address, stay in its record).
   */
  async login(client: Client, name: string, context = '', hint = ''): Promise<void> {
    const before = client.got.length;
    await client.send(`LOGIN ${name}`);
    const fresh = () => client.got.slice(before);
    await this.until(() => fresh().some((d) => d.equals(OK) || d.equals(FAIL)), this.replyMs);
    const at = client.got.findIndex((d, i) => i >= before && d.equals(OK));
    if (at >= 0) {
      client.got.splice(at, 1);
      client.addName(name);
      return;
    }
    const got = fresh();
    const received = got.length === 0 ? this.nothingWithin : listDatagrams(got);
    let sentence = t('room.loginNotOk', { client: client.label, request: show(`LOGIN ${name}`), ok: show('OK'), got: received });
    if (context) sentence = t('room.withContext', { context, sentence });
    if (hint) sentence = t('room.withHint', { sentence, hint });
    throw new CheckFailure(sentence, { expected: 'OK', actual: received });
  }

  /** `client` sends `LOGIN name` without waiting; the name counts as logged in (its OK is judged by an expectation). */
  async sendLogin(client: Client, name: string): Promise<void> {
    await client.send(`LOGIN ${name}`);
    client.addName(name);
  }

  /**
   * Marks a point in time: the observer sends `CHAT observer mark-<k>` and the room waits
   * until every logged-in client has received it (or `abort()` holds, or the reply deadline
   * passed). Returns whether every mark arrived.
   */
  async mark(abort: () => boolean = () => false): Promise<boolean> {
    this.pullAll();
    let arrived = true;
    if (this.observer) {
      const k = ++this.#mark;
      const members = this.clients.filter((c) => c !== this.observer && c.names.length > 0);
      await this.observer.send(`CHAT ${OBSERVER} mark-${k}`);
      arrived = await this.until(() => abort() || members.every((c) => c.marks.has(k)), this.replyMs);
    }
    // Clients that are not logged in get no mark: let datagrams read in the same turn land.
    await nextTurn();
    this.pullAll();
    return arrived;
  }

  /** Mark, then forget everything received so far: the next step starts from empty records. */
  async settle(): Promise<void> {
    await this.mark();
    this.clearAll();
  }

  /**
   * Waits until every client has received its expected datagrams, marks a point in time
   * (and, when `quiet`, watches a short window more), then requires each record to be exactly
   * what was expected. Clears every record afterwards.
   */
  async expect(step: string, expectations: Expectation[], options: ExpectOptions): Promise<void> {
    const enough = () => expectations.every((e) => e.client.got.length >= e.datagrams.length);
    const over = () => expectations.some((e) => e.client.got.length > e.datagrams.length);
    await this.until(() => enough() || over(), this.replyMs);
    await this.mark(over);
    if (options.quiet && !over()) {
      await delay(this.ctx.ms(QUIET_MS));
      this.pullAll();
    }
    const wrong = expectations.find((e) => !sameDatagrams(e.client.got, e.datagrams, e.anyOrder ?? false));
    if (wrong) {
      const got = wrong.client.got;
      const list = listDatagrams(wrong.datagrams.map((d) => Buffer.from(d)));
      const expected =
        wrong.datagrams.length === 0
          ? t('expect.nothing')
          : wrong.anyOrder && wrong.datagrams.length > 1 ? t('expect.anyOrder', { list }) : t('expect.exactly', { list });
      const received = got.length === 0 ? this.nothingWithin : listDatagrams(got);
      const render = (pick: (e: Expectation) => string) => expectations.map((e) => `${e.client.label}: ${pick(e)}`).join('\n');
      throw new CheckFailure(t('expect.wrong', { step, client: wrong.client.label, expected, received, why: wrong.why ?? options.hint }), {
        expected: render((e) => listDatagrams(e.datagrams.map((d) => Buffer.from(d)))),
        actual: render((e) => listDatagrams(e.client.got)),
      });
    }
    this.clearAll();
  }

  /** Fails with how the server ended when it is no longer running: `The server <exited with code 1> <after>. <hint>` */
  assertRunning(after: string, hint = t('running.hint')): void {
    const exit = this.server.process.exitInfo;
    if (!exit) return;
    throw new CheckFailure(
      exit.signal ? t('running.killed', { signal: exit.signal, after, hint }) : t('running.exited', { code: String(exit.exitCode), after, hint }),
    );
  }
}

const CONTENT_POOL = ['中', '文', '聊', '天', '😀', '𝄞', '🀄', 'é', 'ж', 'ß', ' ', ' ', 'a', 'Z', '：', ':', '\u3000', 'ü', '£', '€', '!'];

/** Random Unicode content of exactly `bytes` UTF-8 bytes (spaces included), from the check's seed. */
export function randomContent(ctx: CheckContext, bytes: number): string {
  let text = '';
  let size = 0;
  while (true) {
    const piece = ctx.random.pick(CONTENT_POOL);
    const pieceBytes = Buffer.byteLength(piece);
    if (size + pieceBytes > bytes - 4) break;
    text += piece;
    size += pieceBytes;
  }
  return text + 'x'.repeat(bytes - size);
}
