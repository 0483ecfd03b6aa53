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
  sum: number;
}

const basePrimes = workerData.basePrimes as number[];

parentPort!.on('message', (chunk: Chunk) => {
  const result: ChunkResult = { id: chunk.id, sum: sumPrimesBetween(chunk.lo, chunk.hi, basePrimes) };
  parentPort!.postMessage(result);
});
