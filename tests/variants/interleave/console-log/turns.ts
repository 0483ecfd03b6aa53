// VARIANT console-log: workers print with console.log, which the main thread relays later: lines of the two workers can reach stdout out of turn
// The turn-taking protocol shared by the two printing workers.
//
// One Int32 in a SharedArrayBuffer says whose turn it is. A worker blocks in Atomics.wait()
// until the value is its own, prints its lines synchronously, then stores the other worker's
// value and wakes it with Atomics.notify(). Nothing is timed: a worker waits exactly as long
// as the other one needs, however busy the machine is.

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

/** Prints one line. */
export function writeLine(text: string): void {
  console.log(text);
}
