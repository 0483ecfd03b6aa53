// The arithmetic of process-pool, shared by the main thread (base primes) and the workers
// (one chunk each time): a segmented sieve of Eratosthenes.

/** Numbers per sieve segment: 2^18 bytes keeps a segment in the CPU's cache. */
const SEGMENT = 1 << 18;

/** The primes up to `limit` (a plain sieve: limit is at most √10^9 ≈ 31623). */
export function primesUpTo(limit: number): number[] {
  const composite = new Uint8Array(limit + 1);
  const primes: number[] = [];
  for (let i = 2; i <= limit; i++) {
    if (composite[i]) continue;
    primes.push(i);
    for (let j = i * i; j <= limit; j += i) composite[j] = 1;
  }
  return primes;
}

/**
 * The sum of the primes p with lo <= p <= hi (both ends included), given every prime up to √hi
 * in `basePrimes`: a segmented sieve over every number of the chunk, even ones included (the
 * textbook version; twice the work of an odd-only sieve, all of it in the one sieving worker,
 * which keeps this pipeline's imbalance far from the 75% line also on a busy machine). Within
 * one chunk the sum stays far below 2^53, so a `number` is exact here.
 */
export function sumPrimesBetween(lo: number, hi: number, basePrimes: readonly number[]): number {
  let sum = 0;
  const start = Math.max(lo, 2);
  const marks = new Uint8Array(SEGMENT);
  for (let segLo = start; segLo <= hi; segLo += SEGMENT) {
    const segHi = Math.min(hi, segLo + SEGMENT - 1);
    const count = segHi - segLo + 1;
    marks.fill(0, 0, count);
    for (const p of basePrimes) {
      if (p * p > segHi) break;
      // The first multiple of p in the segment, and never p itself.
      const m = Math.max(p * p, Math.ceil(segLo / p) * p);
      for (let i = m - segLo; i < count; i += p) marks[i] = 1;
    }
    for (let i = 0; i < count; i++) {
      if (marks[i] === 0) sum += segLo + i;
    }
  }
  return sum;
}
