// A ticket window (one worker thread): opens together with the other windows, then sells until
// the tickets run out. Taking the next ticket and printing its line is one step under the lock:
// the window hands its line to the main thread, which prints it, and releases the lock once the
// main thread says the line is out.

import { parentPort, workerData } from 'node:worker_threads';
import { NEXT, lock, openTogether, pause, unlock, type WindowData } from './office.ts';

const { window, windows, tickets, saleMs, shared, printed } = workerData as WindowData & { printed: SharedArrayBuffer };
const cells = new Int32Array(shared);
const done = new Int32Array(printed);

openTogether(cells, windows);

for (;;) {
  lock(cells);
  const ticket = Atomics.load(cells, NEXT);
  if (ticket > tickets) {
    unlock(cells);
    break;
  }
  Atomics.store(cells, NEXT, ticket + 1);
  // The main thread prints (one place writes to stdout); wait until it has.
  Atomics.store(done, 0, 0);
  parentPort!.postMessage(`W${window} --- T${ticket}`);
  Atomics.wait(done, 0, 0);
  unlock(cells);
  pause(saleMs);
}
