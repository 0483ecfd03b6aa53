/**
 * A TCP test client that records everything into the check's transcript, sends with
 * controlled segmentation, and reads with deadlines. "Nothing arrived within N ms" and
 * "the server closed the connection" are outcomes, not exceptions.
 */
import { connect, type Socket } from 'node:net';
import { CheckFailure } from '../model/errors.ts';
import { waitUntilConsumed, type Endpoint } from './delivery.ts';
import { describeSegmentation, segment, whole, type Random, type Segmentation } from './segmentation.ts';
import type { Transcript } from './transcript.ts';
import { messages } from '../i18n/messages.ts';

const { t } = messages;

export type ReadOutcome<T> =
  | { kind: 'ok'; value: T }
  /** Nothing (or not enough) arrived before the deadline; `partial` is what did. */
  | { kind: 'timeout'; waitedMs: number; partial: Buffer }
  /** The server closed (or reset) the connection first; `partial` is what arrived before. */
  | { kind: 'closed'; partial: Buffer; reset: boolean };

export interface TcpProbeOptions {
  port: number;
  transcript: Transcript;
  random: Random;
  host?: string;
  /** How long a connect may take before it counts as refused. */
  connectTimeoutMs?: number;
}

export interface SendOptions {
  /** How the bytes are cut into segments (default: one write). */
  segmentation?: Segmentation;
  /**
   * Wait until the server has read each segment before sending the next, so that it really
   * sees them apart. Default: between segments when there are several. `true` also waits
   * after the last segment (so that the next send arrives apart from this one).
   */
  paced?: boolean;
  /** How long to wait for the server to read one segment before giving up pacing. */
  paceDeadlineMs?: number;
}

/** Once the server stops reading for this long, the rest of a paced send goes unpaced. */
const DEFAULT_PACE_DEADLINE_MS = 250;

export class TcpProbe {
  readonly label: string;
  readonly port: number;
  readonly #socket: Socket;
  readonly #transcript: Transcript;
  readonly #random: Random;
  /**
   * Received bytes not yet consumed: `#buffer`, then the chunks in `#later` (joined only when a
   * read needs to look inside them; joining on every chunk made a large reply cost O(n²) copies).
   */
  #buffer: Buffer = Buffer.alloc(0);
  #later: Buffer[] = [];
  /** Bytes in `#buffer` and `#later`. */
  #length = 0;
  #receivedTotal = 0;
  #peerEnded = false;
  #closed = false;
  #reset = false;
  #paceGaveUp = false;
  #endpoint: Endpoint | undefined;
  readonly #waiters = new Set<() => void>();

  private constructor(socket: Socket, options: TcpProbeOptions, label: string) {
    this.#socket = socket;
    this.port = options.port;
    this.#transcript = options.transcript;
    this.#random = options.random;
    this.label = label;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.#transcript.data(label, 'received', chunk);
      this.#later.push(chunk);
      this.#length += chunk.length;
      this.#receivedTotal += chunk.length;
      this.#notify();
    });
    socket.on('end', () => {
      this.#peerEnded = true;
      this.#transcript.event(label, 'peer-end', t('transcript.peerEnd'));
      this.#notify();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') {
        this.#reset = true;
        this.#transcript.event(label, 'reset', t('transcript.peerReset', { code: String(error.code) }));
      } else {
        this.#transcript.note(t('transcript.socketError', { error: error.code ?? error.message }), label);
      }
      this.#notify();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#transcript.event(label, 'close');
      this.#notify();
    });
  }

  /** Connects to the server; a refused or hanging connect fails the check with a clear message. */
  static connect(options: TcpProbeOptions): Promise<TcpProbe> {
    const label = options.transcript.nextConnectionLabel();
    const timeoutMs = options.connectTimeoutMs ?? 3000;
    return new Promise((resolve, reject) => {
      const socket = connect({ host: options.host ?? '127.0.0.1', port: options.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new CheckFailure(`Could not connect to the server on port ${options.port} within ${timeoutMs} ms.`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        options.transcript.event(label, 'open', t('transcript.connected', { port: String(socket.localPort) }));
        resolve(new TcpProbe(socket, options, label));
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new CheckFailure(`Could not connect to the server on port ${options.port}: ${error.code ?? error.message}.`));
      });
    });
  }

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  get localPort(): number {
    return this.#socket.localPort ?? 0;
  }
  get peerEnded(): boolean {
    return this.#peerEnded;
  }
  get isClosed(): boolean {
    return this.#closed;
  }
  get wasReset(): boolean {
    return this.#reset;
  }
  /** Bytes received and not yet consumed by a read. */
  get pending(): Buffer {
    return this.#joined();
  }

  /** The unconsumed bytes as one Buffer. */
  #joined(): Buffer {
    if (this.#later.length > 0) {
      this.#buffer = this.#buffer.length === 0 && this.#later.length === 1 ? this.#later[0]! : Buffer.concat([this.#buffer, ...this.#later]);
      this.#later = [];
    }
    return this.#buffer;
  }
  get receivedTotal(): number {
    return this.#receivedTotal;
  }

  #write(bytes: Uint8Array): Promise<void> {
    if (this.#socket.destroyed || this.#socket.writableEnded) return Promise.resolve();
    return new Promise((resolve) => {
      this.#socket.write(bytes, () => resolve());
    });
  }

  /**
   * Sends bytes, cut into segments as asked. With pacing (the default for several
   * segments) each segment is read by the server before the next is written.
   */
  async send(data: string | Uint8Array, options: SendOptions = {}): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const plan = options.segmentation ?? whole;
    const segments = segment(bytes, plan, this.#random);
    const paced = options.paced ?? segments.length > 1;
    const detail = segments.length > 1 ? t('transcript.segments', { n: segments.length, how: describeSegmentation(plan) }) : undefined;
    this.#transcript.data(this.label, 'sent', bytes, detail);
    for (const [index, seg] of segments.entries()) {
      await this.#write(seg);
      const last = index === segments.length - 1;
      if (paced && !this.#paceGaveUp && (!last || options.paced === true)) {
        this.#endpoint ??= { localPort: this.localPort, serverPort: this.port };
        const consumed = await waitUntilConsumed(this.#endpoint, options.paceDeadlineMs ?? DEFAULT_PACE_DEADLINE_MS);
        if (!consumed) {
          this.#paceGaveUp = true;
          this.#transcript.note(t('transcript.serverStoppedReading'), this.label);
        }
      }
    }
  }

  /** Sends a large payload as fast as the socket takes it, honouring backpressure. */
  async sendStream(bytes: Uint8Array, chunkSize = 64 * 1024): Promise<void> {
    this.#transcript.data(this.label, 'sent', bytes, t('transcript.chunks', { bytes: { bytes: bytes.length }, chunk: { bytes: chunkSize } }));
    for (let offset = 0; offset < bytes.length; offset += chunkSize) {
      if (this.#socket.destroyed) return;
      const ok = this.#socket.write(bytes.subarray(offset, offset + chunkSize));
      if (!ok) {
        await new Promise<void>((resolve) => {
          const done = () => {
            this.#socket.off('drain', done);
            this.#socket.off('close', done);
            resolve();
          };
          this.#socket.on('drain', done);
          this.#socket.on('close', done);
        });
      }
    }
  }

  /** Half-closes our side (FIN): the server sees the end of the stream and may still reply. */
  end(): void {
    if (this.#socket.writableEnded || this.#socket.destroyed) return;
    this.#transcript.event(this.label, 'end', t('transcript.weEnd'));
    this.#socket.end();
  }

  /** Aborts the connection with a reset (RST), like a client that crashed. */
  reset(): void {
    if (this.#socket.destroyed) return;
    this.#transcript.event(this.label, 'reset', t('transcript.weReset'));
    this.#socket.resetAndDestroy();
  }

  /**
   * Stops reading from the socket (like a client that never calls recv): the kernel's
   * buffers fill up and the server's writes to this connection block. Reads on this probe
   * then wait until `resume()`.
   */
  pause(): void {
    this.#transcript.note(t('transcript.stoppedReading'), this.label);
    this.#socket.pause();
  }

  /** Starts reading again after `pause()`. */
  resume(): void {
    this.#socket.resume();
  }

  /** Closes quietly (used at teardown). */
  destroy(): void {
    this.#socket.destroy();
  }

  /**
   * Waits until `take` returns a value from the received bytes, the connection closes, or
   * the deadline passes.
   */
  #read<T>(take: () => T | undefined, timeoutMs: number): Promise<ReadOutcome<T>> {
    const started = performance.now();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (outcome: ReadOutcome<T>) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(outcome);
      };
      const check = () => {
        const value = take();
        if (value !== undefined) return finish({ kind: 'ok', value });
        if (this.#peerEnded || this.#closed || this.#reset) finish({ kind: 'closed', partial: this.#joined(), reset: this.#reset });
      };
      timer = setTimeout(() => finish({ kind: 'timeout', waitedMs: Math.round(performance.now() - started), partial: this.#joined() }), timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }

  #consume(n: number): Buffer {
    const buffer = this.#joined();
    const taken = buffer.subarray(0, n);
    this.#buffer = buffer.subarray(n);
    this.#length -= taken.length;
    return taken;
  }

  /** Reads one line (without its `\n`, and without a `\r` before it). */
  readLine(timeoutMs: number): Promise<ReadOutcome<string>> {
    return this.#read(() => {
      if (this.#length === 0) return undefined;
      const newline = this.#joined().indexOf(0x0a);
      if (newline < 0) return undefined;
      const line = this.#consume(newline + 1).toString('utf8');
      return line.replace(/\r?\n$/, '');
    }, timeoutMs);
  }

  /** Reads exactly `n` bytes. */
  readBytes(n: number, timeoutMs: number): Promise<ReadOutcome<Buffer>> {
    return this.#read(() => (this.#length >= n ? Buffer.from(this.#consume(n)) : undefined), timeoutMs);
  }

  /** Reads one 4-byte big-endian length-prefixed frame; resolves with its payload. */
  readFrame(timeoutMs: number): Promise<ReadOutcome<Buffer>> {
    return this.#read(() => {
      if (this.#length < 4) return undefined;
      const length = this.#joined().readUInt32BE(0);
      if (this.#length < 4 + length) return undefined;
      return Buffer.from(this.#consume(4 + length).subarray(4));
    }, timeoutMs);
  }

  /** Waits for the server to close its side; resolves with everything that arrived before. */
  async readUntilClosed(timeoutMs: number): Promise<ReadOutcome<Buffer>> {
    const outcome = await this.#read<never>(() => undefined, timeoutMs);
    if (outcome.kind === 'closed') return { kind: 'ok', value: Buffer.from(this.#consume(this.#length)) };
    return outcome;
  }

  /**
   * Waits `ms` and reports whatever arrived meanwhile. Only for asserting that nothing
   * arrives (absence can only be observed over time); never for synchronisation.
   */
  async collectFor(ms: number): Promise<Buffer> {
    await this.#read<never>(() => undefined, ms);
    return Buffer.from(this.#consume(this.#length));
  }
}
