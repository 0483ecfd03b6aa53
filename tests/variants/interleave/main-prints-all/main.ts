// VARIANT main-prints-all: the workers only produce the text; the main thread asks them in turn and prints every line itself
// interleave — 交替打印: 1 2 A 3 4 B … 51 52 Z
//
// Message passing: the main thread asks the numbers worker for two numbers, prints them, asks
// the letters worker for a letter, prints it, and so on. Only one thread ever prints, so the
// order is right on every run.

import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

const numbers = new Worker(new URL('./numbers.ts', import.meta.url));
const letters = new Worker(new URL('./letters.ts', import.meta.url));

for (const worker of [numbers, letters]) {
  worker.on('error', (err) => {
    console.error(`interleave: a worker failed: ${err.stack ?? String(err)}`);
    process.exit(1);
  });
}

/** Asks `worker` for its next lines and waits for the answer. */
async function ask(worker: Worker): Promise<string[]> {
  const answer = once(worker, 'message');
  worker.postMessage('next');
  const [lines] = (await answer) as [string[]];
  return lines;
}

for (let turn = 0; turn < 26; turn++) {
  for (const line of await ask(numbers)) process.stdout.write(`${line}\n`);
  for (const line of await ask(letters)) process.stdout.write(`${line}\n`);
}
