// A ticket window (one worker thread): opens together with the other windows, then sells until
// the tickets run out. Taking the next ticket and printing its line is one step under the lock;
// the pause after a sale happens with the lock released, so the other windows sell meanwhile.

import { workerData } from 'node:worker_threads';
import { NEXT, lock, openTogether, pause, unlock, writeLine, type WindowData } from './office.ts';

const { window, windows, tickets, saleMs, shared } = workerData as WindowData;
const cells = new Int32Array(shared);

openTogether(cells, windows);

for (;;) {
  lock(cells);
  const ticket = Atomics.load(cells, NEXT);
  if (ticket > tickets) {
    unlock(cells);
    break;
  }
  Atomics.store(cells, NEXT, ticket + 1);
  writeLine(`W${window} --- T${ticket}`);
  unlock(cells);
  pause(saleMs);
}
