// process-pool — 进程池求质数和: the sum of all primes p <= N, computed by a pool of workers.
//
//   node main.ts <N>      prints the sum (exact, a BigInt) and exits 0
//
// The course's version submits chunks of the range to a process pool (pool.submit) and adds up
// the results. Here the pool is a few node:worker_threads workers, created once; the main
// thread cuts [2, N] into chunks, keeps every worker busy with the next chunk of the queue,
// and adds the chunk sums together. It computes nothing itself.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { primesUpTo, sumPrimesBetween } from './sieve.ts';
import type { Chunk, ChunkResult } from './worker.ts';

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
  // The work queue: [2, N] in chunks, both ends of a chunk included, no number in two chunks.
  const queue: Chunk[] = [];
  for (let lo = 2, id = 0; lo <= n; lo += CHUNK_SIZE, id++) {
    queue.push({ id, lo, hi: Math.min(n, lo + CHUNK_SIZE - 1) });
  }
  const size = Math.min(Math.max(2, Math.min(4, availableParallelism())), queue.length);
  // Every worker needs the primes up to √N to sieve its chunks: computed once, here (tiny).
  const basePrimes = primesUpTo(Math.floor(Math.sqrt(n)));

  let total = 0n;
  const workers = Array.from({ length: size }, () => new Worker(new URL('./worker.ts', import.meta.url), { workerData: { basePrimes } }));
  try {
    // Each worker takes the next chunk as soon as it has answered the previous one, and the
    // main thread, rather than sit idle, takes chunks too (the mistake: it computes).
    await Promise.all([...workers.map((worker) => runWorker(worker)), mainTakesChunks()]);
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return total;

  async function mainTakesChunks(): Promise<void> {
    for (;;) {
      // Let the workers' answers in between, so that they are fed too.
      await new Promise((resolve) => setImmediate(resolve));
      const chunk = queue.shift();
      if (chunk === undefined) return;
      total += BigInt(sumPrimesBetween(chunk.lo, chunk.hi, basePrimes));
    }
  }

  function runWorker(worker: Worker): Promise<void> {
    return new Promise((resolve, reject) => {
      const next = () => {
        const chunk = queue.shift();
        if (chunk === undefined) {
          worker.off('error', reject);
          resolve();
          return;
        }
        worker.postMessage(chunk);
      };
      worker.on('message', (result: ChunkResult) => {
        total += BigInt(result.sum);
        next();
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`a worker exited early with code ${code}`)));
      next();
    });
  }
}
