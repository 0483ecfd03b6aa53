// ticket-sale — 卖票: TICKETS tickets T1…TN sold by WINDOWS windows W1…WK, one worker thread each.
//
// The main thread is the ticket office: it keeps the next ticket and hands the tickets out by
// message, one sale at a time, to the windows in the order they asked (so every window gets its
// turn). A window prints its ticket itself. The windows open together (office.ts). Once every
// window has closed, the main thread announces 票已售罄.

import { Worker } from 'node:worker_threads';
import { CELLS, numberFromEnv, writeLine, type WindowData } from './office.ts';

const tickets = numberFromEnv('TICKETS', 500);
const windows = numberFromEnv('WINDOWS', 10);
const saleMs = numberFromEnv('SALE_MS', 10);

// Only the "open together" counter is shared memory here; the tickets stay in the office.
const shared = new SharedArrayBuffer(CELLS * Int32Array.BYTES_PER_ELEMENT);

let next = 1;
const waiting: Worker[] = [];
/** The window selling right now: the next ticket goes out once it reports that it is done. */
let selling: Worker | undefined;

function serve(): void {
  while (selling === undefined && waiting.length > 0) {
    const worker = waiting.shift()!;
    if (next > tickets) {
      worker.postMessage(0);
      continue;
    }
    selling = worker;
    worker.postMessage(next++);
  }
}

let open = windows;
let failed = false;
const workers: Worker[] = [];

function fail(message: string): void {
  if (failed) return;
  failed = true;
  process.exitCode = 1;
  console.error(`ticket-sale: ${message}`);
  for (const worker of workers) void worker.terminate();
}

for (let window = 1; window <= windows; window++) {
  const data: WindowData = { window, windows, tickets, saleMs, shared };
  const worker = new Worker(new URL('./window.ts', import.meta.url), { workerData: data });
  // "next": the window wants a ticket (after finishing its sale, if it had one).
  worker.on('message', () => {
    if (selling === worker) selling = undefined;
    waiting.push(worker);
    serve();
  });
  worker.on('error', (err) => fail(`window W${window} failed: ${err.stack ?? String(err)}`));
  worker.on('exit', (code) => {
    if (code !== 0) fail(`window W${window} exited with code ${code}`);
    open--;
    if (open === 0 && !failed) writeLine('票已售罄');
  });
  workers.push(worker);
}
