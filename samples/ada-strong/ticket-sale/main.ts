// ticket-sale — 卖票: TICKETS tickets T1…TN sold by WINDOWS windows W1…WK, one worker thread each.
//
// The course's version kept the tickets in a list shared by ten threads. Worker threads share
// nothing unless asked to, so the state the windows share (the lock, the next ticket, how many
// windows are open) lives in a SharedArrayBuffer (see office.ts). The main thread sells nothing:
// it opens the windows, waits until every one has closed, and announces 票已售罄.

import { Worker } from 'node:worker_threads';
import { CELLS, NEXT, numberFromEnv, writeLine, type WindowData } from './office.ts';

const tickets = numberFromEnv('TICKETS', 500);
const windows = numberFromEnv('WINDOWS', 10);
const saleMs = numberFromEnv('SALE_MS', 10);

const shared = new SharedArrayBuffer(CELLS * Int32Array.BYTES_PER_ELEMENT);
Atomics.store(new Int32Array(shared), NEXT, 1);

let open = windows;
let failed = false;
const workers: Worker[] = [];

function fail(message: string): void {
  if (failed) return;
  failed = true;
  process.exitCode = 1;
  console.error(`ticket-sale: ${message}`);
  // The other windows could wait forever for the lock or for the failed window: stop them.
  for (const worker of workers) void worker.terminate();
}

for (let window = 1; window <= windows; window++) {
  const data: WindowData = { window, windows, tickets, saleMs, shared };
  const worker = new Worker(new URL('./window.ts', import.meta.url), { workerData: data });
  worker.on('error', (err) => fail(`window W${window} failed: ${err.stack ?? String(err)}`));
  worker.on('exit', (code) => {
    if (code !== 0) fail(`window W${window} exited with code ${code}`);
    open--;
    if (open === 0 && !failed) writeLine('票已售罄');
  });
  workers.push(worker);
}
