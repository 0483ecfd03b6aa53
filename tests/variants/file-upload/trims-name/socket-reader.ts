// Turns a TCP socket's 'data' events into awaitable reads: "give me exactly n bytes",
// "give me the next line", "give me whatever arrived". The protocol code can then be
// written as a straight loop, and never has to care how the bytes were cut into segments.
//
// Flow control: the socket is paused while enough unread bytes are queued, so a fast
// client cannot make us buffer without bound while we are busy (e.g. writing to disk).

import type { Socket } from 'node:net';
import { ByteQueue } from './byte-queue.ts';

/** Unread bytes we are willing to hold before pausing the socket. */
const HIGH_WATER = 256 * 1024;

export type LineResult =
  | { kind: 'line'; bytes: Buffer } // a complete line, without "\n" and a trailing "\r"
  | { kind: 'too-long' } // no "\n" within the allowed length; nothing consumed
  | { kind: 'eof'; rest: Buffer }; // the peer stopped sending; `rest` is an unterminated last line (maybe empty)

export class SocketReader {
  readonly #socket: Socket;
  readonly #queue = new ByteQueue();
  #ended = false; // the peer sent FIN
  #closed = false; // the socket is gone (after FIN + our end, or reset/destroyed)
  #discarding = false;
  #wanted = 0; // bytes the pending read needs; we never pause below that
  #wake: (() => void) | null = null;

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      if (this.#discarding) return;
      this.#queue.push(chunk);
      if (this.#queue.length >= Math.max(HIGH_WATER, this.#wanted)) socket.pause();
      this.#notify();
    });
    socket.on('end', () => {
      this.#ended = true;
      this.#notify();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#notify();
    });
  }

  /** True once the peer has half-closed (FIN) its side. */
  get ended(): boolean {
    return this.#ended;
  }

  /** True when the connection went away without a FIN (reset, error, destroyed). */
  get lost(): boolean {
    return this.#closed && !this.#ended;
  }

  /** Bytes received and not read yet. */
  get buffered(): number {
    return this.#queue.length;
  }

  /** Exactly `n` bytes, or null when the stream ends (FIN or reset) before that. */
  async readExactly(n: number): Promise<Buffer | null> {
    while (this.#queue.length < n) {
      if (this.#finished()) return null;
      await this.#waitFor(n);
    }
    return this.#queue.take(n);
  }

  /** Between 1 and `max` bytes, as soon as any are there; null at the end of the stream. */
  async readSome(max: number): Promise<Buffer | null> {
    while (this.#queue.length === 0) {
      if (this.#finished()) return null;
      await this.#waitFor(1);
    }
    return this.#queue.take(Math.min(max, this.#queue.length));
  }

  /**
   * The next line. `maxBytes` bounds the line's length before its "\n" (a "\r" included),
   * so a peer that never sends a newline cannot make us buffer without limit.
   */
  async readLine(maxBytes: number): Promise<LineResult> {
    let scanned = 0; // bytes already searched, so byte-by-byte input stays linear
    for (;;) {
      const newline = this.#queue.indexOf(0x0a, scanned);
      if (newline >= 0 && newline <= maxBytes) {
        const line = this.#queue.take(newline + 1);
        const end = newline > 0 && line[newline - 1] === 0x0d ? newline - 1 : newline;
        return { kind: 'line', bytes: line.subarray(0, end) };
      }
      if (newline > maxBytes || this.#queue.length > maxBytes) return { kind: 'too-long' };
      if (this.#finished()) return { kind: 'eof', rest: this.#queue.take(this.#queue.length) };
      scanned = this.#queue.length;
      await this.#waitFor(this.#queue.length + 1);
    }
  }

  /** Drops bytes up to and including the next "\n"; false if the stream ended first. */
  async skipLine(): Promise<boolean> {
    for (;;) {
      const newline = this.#queue.indexOf(0x0a);
      if (newline >= 0) {
        this.#queue.take(newline + 1);
        return true;
      }
      this.#queue.clear();
      if (this.#finished()) return false;
      await this.#waitFor(1);
    }
  }

  /** From now on, throw away everything the peer sends (but keep reading it, so the
   *  peer is not reset while our last reply is still on its way). */
  discardAll(): void {
    this.#discarding = true;
    this.#queue.clear();
    this.#socket.resume();
  }

  #finished(): boolean {
    return this.#ended || this.#closed;
  }

  #waitFor(bytes: number): Promise<void> {
    this.#wanted = bytes;
    return new Promise((resolve) => {
      this.#wake = resolve;
      if (this.#socket.isPaused()) this.#socket.resume();
    });
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    this.#wanted = 0;
    wake?.();
  }
}

/** Writes `data`; resolves once it may write more (true) or the socket is gone (false). */
export function writeAll(socket: Socket, data: Buffer | string): Promise<boolean> {
  if (socket.destroyed || socket.writableEnded) return Promise.resolve(false);
  if (socket.write(data)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      socket.off('drain', onDrain);
      socket.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    socket.on('drain', onDrain);
    socket.on('close', onClose);
  });
}
