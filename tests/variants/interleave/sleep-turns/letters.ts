// VARIANT sleep-turns: the workers take turns by sleeping (letters start half a turn later) instead of coordinating: usually right, out of turn when the machine is busy
// Worker: prints the letters A..Z, one per turn.

import { once } from 'node:events';
import { parentPort } from 'node:worker_threads';
import { sleep, TURN_MS, writeLine } from './turns.ts';

await once(parentPort!, 'message'); // main says go to both workers at the same moment
await sleep(TURN_MS / 2); // let the numbers worker print its first pair
for (let code = 'A'.charCodeAt(0); code <= 'Z'.charCodeAt(0); code++) {
  writeLine(String.fromCharCode(code));
  await sleep(TURN_MS);
}
process.exit(0); // parentPort keeps the worker alive otherwise
