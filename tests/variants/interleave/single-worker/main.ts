// VARIANT single-worker: one worker prints the numbers and the letters (trivially in order): the two roles are not split over two workers
// interleave — 交替打印: 1 2 A 3 4 B … 51 52 Z
//
// One worker thread (printer.ts) prints everything; the main thread prints nothing. With a
// single printer there is nothing to coordinate.

import { Worker } from 'node:worker_threads';

const worker = new Worker(new URL('./printer.ts', import.meta.url));
worker.on('error', (err) => {
  console.error(`interleave: the worker failed: ${err.stack ?? String(err)}`);
  process.exitCode = 1;
});
worker.on('exit', (code) => {
  if (code !== 0) process.exitCode = 1;
});
