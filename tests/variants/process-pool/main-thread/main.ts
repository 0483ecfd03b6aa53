// process-pool — 进程池求质数和: the sum of all primes p <= N.
//
// The range is cut into chunks and every chunk is computed by an async task; Promise.all runs
// the tasks "in parallel" and the results are added up as a BigInt.

import { primesUpTo, sumPrimesBetween } from './sieve.ts';

const MAX_N = 1_000_000_000;
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

async function sumChunk(lo: number, hi: number, basePrimes: number[]): Promise<bigint> {
  return BigInt(sumPrimesBetween(lo, hi, basePrimes));
}

if (n < 2) {
  console.log('0');
} else {
  const basePrimes = primesUpTo(Math.floor(Math.sqrt(n)));
  const tasks: Promise<bigint>[] = [];
  for (let lo = 2; lo <= n; lo += CHUNK_SIZE) tasks.push(sumChunk(lo, Math.min(n, lo + CHUNK_SIZE - 1), basePrimes));
  const sums = await Promise.all(tasks);
  console.log(sums.reduce((a, b) => a + b, 0n).toString());
}
