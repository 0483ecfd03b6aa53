// ticket-sale — 卖票: TICKETS tickets T1…TN sold by WINDOWS windows W1…WK.
//
// The windows run in one worker thread (windows.ts); the main thread sells nothing: it starts
// the worker, waits until it has closed, and announces 票已售罄.

import { Worker } from 'node:worker_threads';
import { numberFromEnv, writeLine } from './office.ts';

const tickets = numberFromEnv('TICKETS', 500);
const windows = numberFromEnv('WINDOWS', 10);
const saleMs = numberFromEnv('SALE_MS', 10);

const worker = new Worker(new URL('./windows.ts', import.meta.url), { workerData: { windows, tickets, saleMs } });
worker.on('error', (err) => {
  process.exitCode = 1;
  console.error(`ticket-sale: the windows failed: ${err.stack ?? String(err)}`);
});
worker.on('exit', (code) => {
  if (code !== 0) {
    process.exitCode = 1;
    console.error(`ticket-sale: the windows exited with code ${code}`);
    return;
  }
  writeLine('票已售罄');
});
