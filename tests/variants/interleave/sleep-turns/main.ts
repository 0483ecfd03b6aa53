// VARIANT sleep-turns: the workers take turns by sleeping (letters start half a turn later) instead of coordinating: usually right, out of turn when the machine is busy
// interleave — 交替打印: 1 2 A 3 4 B … 51 52 Z
//
// Two worker threads do the printing (numbers.ts prints every number, letters.ts every
// letter), each on its own clock: once both are running, main says "go"; the numbers print
// every TURN_MS, the letters half a turn later. The main thread prints nothing.

import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

const workers = [
  new Worker(new URL('./numbers.ts', import.meta.url)),
  new Worker(new URL('./letters.ts', import.meta.url)),
];

for (const worker of workers) {
  worker.on('error', (err) => {
    console.error(`interleave: a worker failed: ${err.stack ?? String(err)}`);
    process.exitCode = 1;
  });
}

await Promise.all(workers.map((worker) => once(worker, 'online')));
for (const worker of workers) worker.postMessage('go');
