// VARIANT done-without-notify: main blocks in Atomics.wait until the letters worker sets a "done" flag, but the worker never calls Atomics.notify: all 78 lines, then the program hangs
// Worker: prints the letters A..Z, one per turn.

import { workerData } from 'node:worker_threads';
import { DONE, LETTERS, NUMBERS, passTurn, turnCell, waitForTurn, writeLine } from './turns.ts';

const cell = turnCell(workerData as SharedArrayBuffer);

for (let code = 'A'.charCodeAt(0); code <= 'Z'.charCodeAt(0); code++) {
  waitForTurn(cell, LETTERS);
  writeLine(String.fromCharCode(code));
  passTurn(cell, NUMBERS);
}

// Tell main we are done. (Missing: Atomics.notify(cell, DONE), so main never wakes up.)
Atomics.store(cell, DONE, 1);
