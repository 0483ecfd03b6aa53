// process-pool — 进程池求质数和: the sum of all primes p <= N, computed by a pool of workers.
//
//   node main.ts <N>      prints the sum (exact, a BigInt) and exits 0
//
// The course's version submits chunks of the range to a process pool (pool.submit) and adds up
// the results. Here the pool is a few node:worker_threads workers, created once; the main
// thread cuts [2, N] into chunks, keeps every worker busy with the next chunk of the queue,
// and adds the chunk sums together. It computes nothing itself.

import { Worker } from 'node:worker_threads';
import { primesUpTo } from './sieve.ts';

const MAX_N = 1_000_000_000;
/** Numbers per chunk: 100 chunks for N = 10^9, each a few tens of milliseconds of work. */
const CHUNK_SIZE = 10_000_000;

function usage(message: string): never {
  console.error(`process-pool: ${message}`);
  console.error('usage: node main.ts <N>   (N a decimal integer, 0 to 1000000000)');
  process.exit(2);
}

const args = process.argv.slice(2);
if (args.length !== 1) usage(args.length === 0 ? 'missing N' : `expected one argument, got ${args.length}`);
const text = args[0]!;
if (!/^[0-9]+$/.test(text)) usage(`N must be written with the digits 0-9 only, got ${JSON.stringify(text)}`);
const n = Number(text);
if (n > MAX_N) usage(`N must be at most ${MAX_N}, got ${text}`);

if (n < 2) {
  console.log('0');
} else {
  console.log((await sumWithPool(n)).toString());
}

async function sumWithPool(n: number): Promise<bigint> {
  // A pipeline of two workers: one sieves every chunk, the other adds up the chunk sums.
  const queue: Array<{ id: number; lo: number; hi: number }> = [];
  for (let lo = 2, id = 0; lo <= n; lo += CHUNK_SIZE, id++) {
    queue.push({ id, lo, hi: Math.min(n, lo + CHUNK_SIZE - 1) });
  }
  const basePrimes = primesUpTo(Math.floor(Math.sqrt(n)));
  const sieveWorker = new Worker(new URL('./sieve-worker.ts', import.meta.url), { workerData: { basePrimes } });
  const sumWorker = new Worker(new URL('./sum-worker.ts', import.meta.url));
  try {
    return await new Promise<bigint>((resolve, reject) => {
      sieveWorker.on('message', (result: { id: number; sum: number }) => {
        sumWorker.postMessage(result);
        const next = queue.shift();
        if (next) sieveWorker.postMessage(next);
        else sumWorker.postMessage('done');
      });
      sumWorker.on('message', (total: bigint) => resolve(total));
      sieveWorker.on('error', reject);
      sumWorker.on('error', reject);
      sieveWorker.postMessage(queue.shift()!);
    });
  } finally {
    await Promise.all([sieveWorker.terminate(), sumWorker.terminate()]);
  }
}
