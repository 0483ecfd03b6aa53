// A worker of the pool: it receives chunks { id, lo, hi } one at a time, marks the composites
// of the chunk in the shared sieve of the whole range, and answers with the sum of its primes.

import { parentPort, workerData } from 'node:worker_threads';

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
// composite[i] = 1 when i is not a prime: one byte for every number up to N, shared by all workers.
const composite = new Uint8Array(workerData.sieve as SharedArrayBuffer);

parentPort!.on('message', (chunk: Chunk) => {
  for (const p of basePrimes) {
    if (p * p > chunk.hi) break;
    for (let m = Math.max(p * p, Math.ceil(chunk.lo / p) * p); m <= chunk.hi; m += p) composite[m] = 1;
  }
  let sum = 0;
  for (let i = Math.max(chunk.lo, 2); i <= chunk.hi; i++) if (composite[i] === 0) sum += i;
  const result: ChunkResult = { id: chunk.id, sum };
  parentPort!.postMessage(result);
});
