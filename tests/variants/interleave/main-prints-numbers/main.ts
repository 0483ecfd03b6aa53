// VARIANT main-prints-numbers: the main thread prints the numbers itself; only the letters come from a worker
// interleave — 交替打印: 1 2 A 3 4 B … 51 52 Z
//
// The main thread prints the numbers and one worker (letters.ts) the letters; they hand the
// turn to each other through shared memory with Atomics (see turns.ts). Node allows
// Atomics.wait on the main thread, so it can block until the letter has been printed.

import { Worker } from 'node:worker_threads';
import { LETTERS, NUMBERS, passTurn, turnCell, waitForTurn, writeLine } from './turns.ts';

const shared = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
const cell = turnCell(shared);
Atomics.store(cell, 0, NUMBERS);

const letters = new Worker(new URL('./letters.ts', import.meta.url), { workerData: shared });
letters.on('error', (err) => {
  console.error(`interleave: the letters worker failed: ${err.stack ?? String(err)}`);
  process.exit(1);
});

for (let n = 1; n <= 52; n += 2) {
  waitForTurn(cell, NUMBERS);
  writeLine(String(n));
  writeLine(String(n + 1));
  passTurn(cell, LETTERS);
}
