// The turn-taking protocol shared by the two printing workers.
//
// One Int32 in a SharedArrayBuffer says whose turn it is. A worker blocks in Atomics.wait()
// until the value is its own, prints its lines synchronously, then stores the other worker's
// value and wakes it with Atomics.notify(). Nothing is timed: a worker waits exactly as long
// as the other one needs, however busy the machine is.

import * as fs from 'node:fs';

/** Values of the turn cell. */
export const NUMBERS = 0;
export const LETTERS = 1;

/** Index of the turn cell in the shared Int32Array. */
const TURN = 0;

/** A view of the shared memory that main.ts creates and hands to both workers. */
export function turnCell(shared: SharedArrayBuffer): Int32Array {
  return new Int32Array(shared);
}

/** Blocks this worker thread until it is `me`'s turn. */
export function waitForTurn(cell: Int32Array, me: number): void {
  for (;;) {
    const now = Atomics.load(cell, TURN);
    if (now === me) return;
    // Sleeps only while the cell still holds `now`: a turn handed over in between is not missed.
    Atomics.wait(cell, TURN, now);
  }
}

/** Hands the turn to `next` and wakes the thread waiting for it. */
export function passTurn(cell: Int32Array, next: number): void {
  Atomics.store(cell, TURN, next);
  Atomics.notify(cell, TURN);
}

/**
 * Writes one line to the process's stdout (fd 1) synchronously: when this returns the bytes
 * are in the pipe or file, so handing over the turn afterwards keeps the order. (console.log in a
 * worker would only post the text to the main thread, which writes it later.)
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
