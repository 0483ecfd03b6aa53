// VARIANT main-prints-all: the workers only produce the text; the main thread asks them in turn and prints every line itself
// Worker: answers each request of the main thread with the next two numbers.

import { parentPort } from 'node:worker_threads';

let next = 1;
parentPort!.on('message', () => {
  parentPort!.postMessage([String(next), String(next + 1)]);
  next += 2;
  if (next > 52) parentPort!.close(); // done: let the worker exit
});
