// A worker of the pool: it receives chunks { id, lo, hi } one at a time and answers each with
// the sum of the primes in it. It lives as long as the pool and computes as many chunks as it
// is given; the main thread closes it when the work queue is empty.

import { parentPort, workerData } from 'node:worker_threads';
import { sumPrimesBetween } from './sieve.ts';

export interface Chunk {
  id: number;
  lo: number;
  hi: number;
}

export interface ChunkResult {
  id: number;
  sum: bigint;
}

const basePrimes = workerData.basePrimes as number[];

parentPort!.on('message', (chunk: Chunk) => {
  // A part is a quarter or half of the range: its sum goes above 2^53, so it is added up as a
  // BigInt, 10^7 numbers at a time.
  let sum = 0n;
  for (let lo = chunk.lo; lo <= chunk.hi; lo += 10_000_000) {
    sum += BigInt(sumPrimesBetween(lo, Math.min(chunk.hi, lo + 10_000_000 - 1), basePrimes));
  }
  const result: ChunkResult = { id: chunk.id, sum };
  parentPort!.postMessage(result);
});
