// All the windows, in one worker thread: each window is an async loop that sells a ticket,
// then waits SALE_MS (a timer, so the other windows sell meanwhile). The windows share the
// next ticket as a plain variable: they all run in this one thread, so a sale cannot be
// interrupted between taking the ticket and printing it.

import { workerData } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeLine } from './office.ts';

const { windows, tickets, saleMs } = workerData as { windows: number; tickets: number; saleMs: number };

let next = 1;

async function sellAt(window: number): Promise<void> {
  for (;;) {
    if (next > tickets) return;
    const ticket = next++;
    writeLine(`W${window} --- T${ticket}`);
    await sleep(saleMs);
  }
}

// The windows open together.
await Promise.all(Array.from({ length: windows }, (_, i) => sellAt(i + 1)));
