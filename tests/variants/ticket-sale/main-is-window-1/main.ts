// ticket-sale — 卖票: TICKETS tickets T1…TN sold by WINDOWS windows W1…WK.
//
// The state the windows share (the lock, the next ticket, how many windows are open) lives in a
// SharedArrayBuffer (see office.ts). Windows W2…WK are worker threads; the main thread has
// nothing else to do while they sell, so it serves W1 itself, then waits for the others and
// announces 票已售罄.

import { Worker } from 'node:worker_threads';
import { CELLS, NEXT, numberFromEnv, writeLine, type WindowData } from './office.ts';
import { sellAt } from './seller.ts';

const tickets = numberFromEnv('TICKETS', 500);
const windows = numberFromEnv('WINDOWS', 10);
const saleMs = numberFromEnv('SALE_MS', 10);

const shared = new SharedArrayBuffer(CELLS * Int32Array.BYTES_PER_ELEMENT);
Atomics.store(new Int32Array(shared), NEXT, 1);

let open = windows - 1;
let failed = false;
let mainDone = false;
const workers: Worker[] = [];

function fail(message: string): void {
  if (failed) return;
  failed = true;
  process.exitCode = 1;
  console.error(`ticket-sale: ${message}`);
  for (const worker of workers) void worker.terminate();
}

function closed(): void {
  if (open === 0 && mainDone && !failed) writeLine('票已售罄');
}

for (let window = 2; window <= windows; window++) {
  const data: WindowData = { window, windows, tickets, saleMs, shared };
  const worker = new Worker(new URL('./window.ts', import.meta.url), { workerData: data });
  worker.on('error', (err) => fail(`window W${window} failed: ${err.stack ?? String(err)}`));
  worker.on('exit', (code) => {
    if (code !== 0) fail(`window W${window} exited with code ${code}`);
    open--;
    closed();
  });
  workers.push(worker);
}

// W1: sold from the main thread (it blocks here until the tickets run out).
sellAt({ window: 1, windows, tickets, saleMs, shared });
mainDone = true;
closed();
