// Worker: prints the letters A..Z, one per turn.

import { workerData } from 'node:worker_threads';
import { LETTERS, NUMBERS, passTurn, turnCell, waitForTurn, writeLine } from './turns.ts';

const cell = turnCell(workerData as SharedArrayBuffer);

for (let code = 'A'.charCodeAt(0); code <= 'Z'.charCodeAt(0); code++) {
  waitForTurn(cell, LETTERS);
  writeLine(String.fromCharCode(code));
  passTurn(cell, NUMBERS);
}
