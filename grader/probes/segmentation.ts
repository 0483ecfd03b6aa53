/**
 * How a probe cuts the bytes it sends into TCP segments. Every random choice comes from a
 * seeded generator, so a failure replays exactly with the same seed.
 */
import { messages } from '../i18n/messages.ts';

/** A small, fast, seedable PRNG (mulberry32). Hand-written: 6 lines, no dependency needed. */
export class Random {
  #state: number;
  readonly seed: number;
  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.#state = this.seed;
  }
  /** A float in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
  /** A derived generator, independent of how much of this one is used later. */
  fork(label: string): Random {
    return new Random(deriveSeed(this.seed, label));
  }
}

/** A stable 32-bit seed from a base seed and a label (FNV-1a over both). */
export function deriveSeed(base: number, label: string): number {
  let hash = 0x811c9dc5 ^ (base >>> 0);
  for (const byte of Buffer.from(label)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * A way of cutting bytes into segments:
 * - `whole`: one write.
 * - `bytewise`: one byte per segment.
 * - `random`: random cut points (from the probe's seeded generator), at most `maxSegments`.
 * - `utf8-split`: a cut inside every multi-byte UTF-8 character.
 * - `at`: cuts at the given offsets (e.g. inside a length header).
 */
export type Segmentation =
  | { kind: 'whole' }
  | { kind: 'bytewise' }
  | { kind: 'random'; maxSegments?: number }
  | { kind: 'utf8-split' }
  | { kind: 'at'; offsets: number[] };

export const whole: Segmentation = { kind: 'whole' };
export const bytewise: Segmentation = { kind: 'bytewise' };
export const randomSplits = (maxSegments = 12): Segmentation => ({ kind: 'random', maxSegments });
export const utf8Split: Segmentation = { kind: 'utf8-split' };
export const splitAt = (...offsets: number[]): Segmentation => ({ kind: 'at', offsets });

const { t } = messages;

export function describeSegmentation(plan: Segmentation): string {
  switch (plan.kind) {
    case 'whole':
      return t('segmentation.whole');
    case 'bytewise':
      return t('segmentation.bytewise');
    case 'random':
      return t('segmentation.random');
    case 'utf8-split':
      return t('segmentation.utf8');
    case 'at':
      return t('segmentation.at', { offsets: plan.offsets.map(String) });
  }
}

/** Offsets (exclusive ends) where `bytes` is cut under `plan`. */
export function cutPoints(bytes: Uint8Array, plan: Segmentation, random: Random): number[] {
  const n = bytes.length;
  let cuts: number[] = [];
  switch (plan.kind) {
    case 'whole':
      break;
    case 'bytewise':
      cuts = Array.from({ length: Math.max(0, n - 1) }, (_, i) => i + 1);
      break;
    case 'random': {
      const count = Math.min(n - 1, random.int(1, Math.max(1, (plan.maxSegments ?? 12) - 1)));
      const set = new Set<number>();
      while (set.size < count) set.add(random.int(1, n - 1));
      cuts = [...set];
      break;
    }
    case 'utf8-split':
      for (let i = 0; i < n; i++) {
        const b = bytes[i]!;
        // Lead byte of a multi-byte sequence: cut right after it.
        if (b >= 0xc0 && i + 1 < n) cuts.push(i + 1);
      }
      break;
    case 'at':
      cuts = plan.offsets.filter((o) => o > 0 && o < n);
      break;
  }
  return [...new Set(cuts)].sort((a, b) => a - b);
}

export function segment(bytes: Uint8Array, plan: Segmentation, random: Random): Uint8Array[] {
  const cuts = cutPoints(bytes, plan, random);
  const segments: Uint8Array[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    if (cut > start) segments.push(bytes.subarray(start, cut));
    start = cut;
  }
  if (segments.length === 0) segments.push(bytes);
  return segments;
}

/** A 4-byte big-endian length header followed by the payload. */
export function lengthPrefixed(payload: Uint8Array | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length);
  return Buffer.concat([header, body]);
}
