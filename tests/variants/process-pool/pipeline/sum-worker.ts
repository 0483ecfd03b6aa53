// Stage 2 of the pipeline: adds up the chunk sums (a BigInt) and answers "done" with the total.

import { parentPort } from 'node:worker_threads';

let total = 0n;
parentPort!.on('message', (message: { sum: number } | 'done') => {
  if (message === 'done') parentPort!.postMessage(total);
  else total += BigInt(message.sum);
});
