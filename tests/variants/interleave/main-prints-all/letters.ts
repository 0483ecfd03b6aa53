// VARIANT main-prints-all: the workers only produce the text; the main thread asks them in turn and prints every line itself
// Worker: answers each request of the main thread with the next letter.

import { parentPort } from 'node:worker_threads';

let code = 'A'.charCodeAt(0);
parentPort!.on('message', () => {
  parentPort!.postMessage([String.fromCharCode(code)]);
  code++;
  if (code > 'Z'.charCodeAt(0)) parentPort!.close(); // done: let the worker exit
});
