// A ticket window (one worker thread): opens together with the other windows, then asks the
// main thread (the ticket office) for tickets until it answers 0 (none left).

import { parentPort, workerData } from 'node:worker_threads';
import { openTogether, pause, writeLine, type WindowData } from './office.ts';

const { window, windows, saleMs, shared } = workerData as WindowData;
const port = parentPort!;

openTogether(new Int32Array(shared), windows);

port.on('message', (ticket: number) => {
  if (ticket === 0) {
    port.close();
    return;
  }
  writeLine(`W${window} --- T${ticket}`);
  // The sale takes SALE_MS; then this window reports that it is done and wants the next one.
  pause(saleMs);
  port.postMessage('next');
});
port.postMessage('next');
