// What the windows share: the shared memory layout, the lock, and how a line is printed.
//
// One SharedArrayBuffer holds three Int32 cells that every window sees:
//   LOCK   0 = free, 1 = taken: whoever holds it may take the next ticket and print it;
//   NEXT   the number of the next ticket to sell (starts at 1);
//   READY  how many windows have opened (the windows start selling together once all are in).
// A module-level `let next = 1` would not do: every worker has its own copy of the module.

import * as fs from 'node:fs';

export const LOCK = 0;
export const NEXT = 1;
export const READY = 2;
export const CELLS = 3;

/** What main.ts hands to every window. */
export interface WindowData {
  /** 1-based window number: this window prints `W<window>`. */
  window: number;
  windows: number;
  tickets: number;
  saleMs: number;
  shared: SharedArrayBuffer;
}

/** Takes the lock, waiting (not spinning) while another window holds it. */
export function lock(cells: Int32Array): void {
  while (Atomics.compareExchange(cells, LOCK, 0, 1) !== 0) {
    // Sleeps only while the lock is still taken: a release in between is not missed.
    Atomics.wait(cells, LOCK, 1);
  }
}

/** Releases the lock and wakes one window waiting for it. */
export function unlock(cells: Int32Array): void {
  Atomics.store(cells, LOCK, 0);
  Atomics.notify(cells, LOCK, 1);
}

/** Waits until all `windows` windows have arrived here, then returns in every one of them. */
export function openTogether(cells: Int32Array, windows: number): void {
  if (Atomics.add(cells, READY, 1) + 1 === windows) {
    Atomics.notify(cells, READY);
    return;
  }
  for (;;) {
    const ready = Atomics.load(cells, READY);
    if (ready >= windows) return;
    Atomics.wait(cells, READY, ready);
  }
}

/** Blocks this thread for `ms` milliseconds, holding nothing. */
export function pause(ms: number): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Writes one line to the process's stdout (fd 1) synchronously: when this returns the line is
 * out, so releasing the lock afterwards keeps the lines in ticket order. (console.log in a worker
 * only posts the text to the main thread, which writes it later.)
 */
export function writeLine(text: string): void {
  const bytes = Buffer.from(`${text}\n`, 'utf8');
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += fs.writeSync(1, bytes, offset, bytes.length - offset);
    } catch (err) {
      // A non-blocking pipe that is full: give the reader a moment, then write the rest.
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      pause(1);
    }
  }
}

/** A whole number from the environment, or `fallback` when the variable is unset or empty. */
export function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, got ${JSON.stringify(raw)}`);
  return value;
}
