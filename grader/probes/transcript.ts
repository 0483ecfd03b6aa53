/**
 * Everything the probes of one check sent and received, in order, with time offsets.
 * Rendered by the reporters (sent and received told apart, hex for binary).
 */
import type { TranscriptEntry } from '../model/results.ts';
import { messages } from '../i18n/messages.ts';

/** Bytes kept per connection and direction; past that only the byte counts are recorded. */
const BYTES_KEPT_PER_DIRECTION = 16 * 1024;
/** Entries per check; past this, events are counted, not recorded. */
const MAX_ENTRIES = 1500;

export class Transcript {
  readonly #start = performance.now();
  readonly #entries: TranscriptEntry[] = [];
  readonly #kept = new Map<string, number>();
  /** Per connection and direction: the summary entry past the budget, and the bytes it counts. */
  readonly #overflow = new Map<string, { entry: TranscriptEntry; bytes: number }>();
  #dropped = 0;
  #connections = 0;
  #datagramSockets = 0;

  /** A fresh label for a new TCP connection: c1, c2, ... */
  nextConnectionLabel(): string {
    return `c${++this.#connections}`;
  }

  /** A fresh label for a new UDP socket: u1, u2, ... */
  nextDatagramLabel(): string {
    return `u${++this.#datagramSockets}`;
  }

  get elapsedMs(): number {
    return performance.now() - this.#start;
  }

  #push(entry: TranscriptEntry): void {
    if (this.#entries.length >= MAX_ENTRIES) {
      this.#dropped++;
      return;
    }
    this.#entries.push(entry);
  }

  /**
   * Records bytes sent or received. `detail` says how they travelled (e.g. "3 segments: 1+1+2").
   * Past the per-direction budget the bytes are summarised in one growing entry.
   */
  data(conn: string, kind: 'sent' | 'received', bytes: Uint8Array, detail?: string): void {
    const key = `${conn}/${kind}`;
    const kept = this.#kept.get(key) ?? 0;
    if (kept >= BYTES_KEPT_PER_DIRECTION) {
      let summary = this.#overflow.get(key);
      if (!summary) {
        summary = { entry: { at: round(this.elapsedMs), conn, kind: 'note' }, bytes: 0 };
        this.#overflow.set(key, summary);
        this.#push(summary.entry);
      }
      summary.bytes += bytes.length;
      summary.entry.text = messages.t(kind === 'sent' ? 'transcript.moreSent' : 'transcript.moreReceived', { bytes: { bytes: summary.bytes } });
      return;
    }
    const take = bytes.subarray(0, BYTES_KEPT_PER_DIRECTION - kept);
    this.#kept.set(key, kept + take.length);
    const entry: TranscriptEntry = { at: round(this.elapsedMs), conn, kind, data: Buffer.from(take).toString('base64') };
    const notes = [detail, take.length < bytes.length ? messages.t('transcript.truncated', { total: bytes.length, shown: take.length }) : undefined].filter(Boolean);
    if (notes.length > 0) entry.text = notes.join('; ');
    this.#push(entry);
  }

  event(conn: string, kind: 'open' | 'end' | 'peer-end' | 'close' | 'reset', text?: string): void {
    this.#push({ at: round(this.elapsedMs), conn, kind, ...(text === undefined ? {} : { text }) });
  }

  note(text: string, conn = '*'): void {
    this.#push({ at: round(this.elapsedMs), conn, kind: 'note', text });
  }

  entries(): TranscriptEntry[] {
    const entries = this.#entries.map((e) => ({ ...e }));
    if (this.#dropped > 0) {
      entries.push({ at: round(this.elapsedMs), conn: '*', kind: 'note', text: messages.t('transcript.dropped', { count: this.#dropped }) });
    }
    return entries;
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
