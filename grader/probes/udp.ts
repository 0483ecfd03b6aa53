/**
 * A UDP test client: its own socket and port, every datagram recorded in the transcript,
 * reads with deadlines.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { Transcript } from './transcript.ts';
import { messages } from '../i18n/messages.ts';

const { t } = messages;

export type DatagramOutcome =
  | { kind: 'ok'; value: Buffer }
  | { kind: 'timeout'; waitedMs: number };

export class UdpProbe {
  readonly label: string;
  readonly serverPort: number;
  readonly #socket: Socket;
  readonly #transcript: Transcript;
  readonly #queue: Buffer[] = [];
  readonly #waiters = new Set<() => void>();
  readonly #listeners = new Set<() => void>();
  #closed = false;

  private constructor(socket: Socket, serverPort: number, transcript: Transcript, label: string) {
    this.#socket = socket;
    this.serverPort = serverPort;
    this.#transcript = transcript;
    this.label = label;
    socket.on('message', (message, remote) => {
      // Only the server's datagrams count; anything else is noted.
      if (remote.port !== serverPort) {
        transcript.note(t('transcript.strayDatagram', { port: String(remote.port) }), label);
        return;
      }
      transcript.data(label, 'received', message);
      this.#queue.push(message);
      for (const waiter of [...this.#waiters]) waiter();
      for (const listener of [...this.#listeners]) listener();
    });
    socket.on('error', (error) => transcript.note(t('transcript.socketError', { error: error.message }), label));
  }

  static open(serverPort: number, transcript: Transcript): Promise<UdpProbe> {
    const label = transcript.nextDatagramLabel();
    return new Promise((resolve, reject) => {
      const socket = createSocket('udp4');
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => {
        socket.off('error', reject);
        transcript.event(label, 'open', t('transcript.udpOpen', { port: String(socket.address().port) }));
        resolve(new UdpProbe(socket, serverPort, transcript, label));
      });
    });
  }

  get localPort(): number {
    return this.#socket.address().port;
  }

  send(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
    this.#transcript.data(this.label, 'sent', bytes);
    return new Promise((resolve, reject) => {
      this.#socket.send(bytes, this.serverPort, '127.0.0.1', (error) => (error ? reject(error) : resolve()));
    });
  }

  /** The next datagram from the server, or a timeout. */
  receive(timeoutMs: number): Promise<DatagramOutcome> {
    const started = performance.now();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const check = () => {
        const next = this.#queue.shift();
        if (next === undefined) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve({ kind: 'ok', value: next });
      };
      timer = setTimeout(() => {
        this.#waiters.delete(check);
        resolve({ kind: 'timeout', waitedMs: Math.round(performance.now() - started) });
      }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }

  /**
   * Calls `listener` after each datagram from the server is queued (it stays queued for
   * `receive` / `drain`); returns a function that removes the listener. For waits on a
   * condition over several sockets, without polling.
   */
  onDatagram(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Datagrams already received and not yet read. */
  drain(): Buffer[] {
    return this.#queue.splice(0, this.#queue.length);
  }

  /**
   * Waits `ms` and returns what arrived. Only for asserting absence (that nothing more
   * arrives), which can only be observed over time; never for synchronisation.
   */
  async collectFor(ms: number): Promise<Buffer[]> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.drain();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
  }
}
