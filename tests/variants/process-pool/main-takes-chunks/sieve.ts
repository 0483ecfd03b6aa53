// The arithmetic of process-pool, shared by the main thread (base primes) and the workers
// (one chunk each time): a segmented sieve of Eratosthenes over the odd numbers.

/** Odd numbers per sieve segment: 2^18 bytes keeps a segment in the CPU's cache. */
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
 * in `basePrimes`. Within one chunk the sum stays far below 2^53 (a chunk of 10^7 numbers near
 * 10^9 holds about 5·10^5 primes: a sum below 10^15), so a `number` is exact here; the main
 * thread adds the chunks up as a BigInt.
 */
export function sumPrimesBetween(lo: number, hi: number, basePrimes: readonly number[]): number {
  let sum = 0;
  if (lo <= 2 && hi >= 2) sum += 2;
  // Only odd numbers from here on: 1 is not a prime, 2 is counted above.
  let start = Math.max(lo, 3);
  if (start % 2 === 0) start++;
  const marks = new Uint8Array(SEGMENT);
  for (let segLo = start; segLo <= hi; segLo += 2 * SEGMENT) {
    const segHi = Math.min(hi, segLo + 2 * (SEGMENT - 1));
    const count = Math.floor((segHi - segLo) / 2) + 1;
    marks.fill(0, 0, count);
    for (const p of basePrimes) {
      if (p === 2) continue;
      if (p * p > segHi) break;
      // The first odd multiple of p in the segment, and never p itself.
      let m = Math.max(p * p, Math.ceil(segLo / p) * p);
      if (m % 2 === 0) m += p;
      for (let i = (m - segLo) / 2; i < count; i += p) marks[i] = 1;
    }
    for (let i = 0; i < count; i++) {
      if (marks[i] === 0) sum += segLo + 2 * i;
    }
  }
  return sum;
}
