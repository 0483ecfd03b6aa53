// VARIANT single-worker: one worker prints the numbers and the letters (trivially in order): the two roles are not split over two workers
// Output helper for the printing worker.

import * as fs from 'node:fs';

/**
 * Writes one line to the process's stdout (fd 1) synchronously. (console.log in a worker would
 * only post the text to the main thread, which writes it later.)
 */
export function writeLine(text: string): void {
  const bytes = Buffer.from(`${text}\n`, 'utf8');
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += fs.writeSync(1, bytes, offset, bytes.length - offset);
    } catch (err) {
      // A non-blocking pipe that is full: wait a moment for the reader, then write the rest.
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}
