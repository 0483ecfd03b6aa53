// VARIANT prints-done: main prints a final `done` once both workers have exited (a 79th line on stdout)
// interleave — 交替打印: 1 2 A 3 4 B … 51 52 Z
//
// The classic exercise used two threads and two locks. Here two worker threads do the printing
// (numbers.ts prints every number, letters.ts every letter) and hand the turn to each other
// through shared memory with Atomics (see turns.ts). The main thread prints nothing: it starts
// the workers, waits for both to finish, and reports a failure through the exit code.

import { Worker } from 'node:worker_threads';
import { NUMBERS, turnCell } from './turns.ts';

// One shared Int32: whose turn it is. The numbers go first.
const shared = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
Atomics.store(turnCell(shared), 0, NUMBERS);

const workers = [
  new Worker(new URL('./numbers.ts', import.meta.url), { workerData: shared }),
  new Worker(new URL('./letters.ts', import.meta.url), { workerData: shared }),
];

let failed = false;
function fail(message: string): void {
  if (failed) return;
  failed = true;
  process.exitCode = 1;
  console.error(`interleave: ${message}`);
  // The other worker would wait for its turn forever: stop it too.
  for (const worker of workers) void worker.terminate();
}

let finished = 0;
for (const worker of workers) {
  worker.on('exit', () => {
    finished++;
    if (finished === workers.length) console.log('done');
  });
  worker.on('error', (err) => fail(`a worker failed: ${err.stack ?? String(err)}`));
  worker.on('exit', (code) => {
    if (code !== 0) fail(`a worker exited with code ${code}`);
  });
}
// When both workers have exited nothing keeps the event loop alive, and the process exits
// with process.exitCode (0 unless something failed).
