// Worker: prints the numbers 1..52, two per turn.

import { workerData } from 'node:worker_threads';
import { LETTERS, NUMBERS, passTurn, turnCell, waitForTurn, writeLine } from './turns.ts';

const cell = turnCell(workerData as SharedArrayBuffer);

for (let n = 1; n <= 52; n += 2) {
  waitForTurn(cell, NUMBERS);
  writeLine(String(n));
  writeLine(String(n + 1));
  passTurn(cell, LETTERS);
}
