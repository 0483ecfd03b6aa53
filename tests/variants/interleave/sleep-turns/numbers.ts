// VARIANT sleep-turns: the workers take turns by sleeping (letters start half a turn later) instead of coordinating: usually right, out of turn when the machine is busy
// Worker: prints the numbers 1..52, two per turn.

import { once } from 'node:events';
import { parentPort } from 'node:worker_threads';
import { sleep, TURN_MS, writeLine } from './turns.ts';

await once(parentPort!, 'message'); // main says go to both workers at the same moment
for (let n = 1; n <= 52; n += 2) {
  writeLine(String(n));
  writeLine(String(n + 1));
  await sleep(TURN_MS); // the letters worker prints in the middle of this pause
}
process.exit(0); // parentPort keeps the worker alive otherwise
