// Stage 1 of the pipeline: sieves each chunk it receives and answers with the chunk's sum.

import { parentPort, workerData } from 'node:worker_threads';
import { sumPrimesBetween } from './sieve.ts';

const basePrimes = workerData.basePrimes as number[];

parentPort!.on('message', (chunk: { id: number; lo: number; hi: number }) => {
  parentPort!.postMessage({ id: chunk.id, sum: sumPrimesBetween(chunk.lo, chunk.hi, basePrimes) });
});
