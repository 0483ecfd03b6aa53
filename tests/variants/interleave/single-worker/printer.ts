// VARIANT single-worker: one worker prints the numbers and the letters (trivially in order): the two roles are not split over two workers
// Worker: prints 1 2 A 3 4 B … 51 52 Z by itself, so the order cannot go wrong.

import { writeLine } from './turns.ts';

for (let i = 0; i < 26; i++) {
  writeLine(String(2 * i + 1));
  writeLine(String(2 * i + 2));
  writeLine(String.fromCharCode('A'.charCodeAt(0) + i));
}
