// VARIANT sleep-turns: the workers take turns by sleeping (letters start half a turn later) instead of coordinating: usually right, out of turn when the machine is busy
// Helpers shared by the two printing workers.

import * as fs from 'node:fs';

/** How long one turn lasts: the numbers print at 0, P, 2P, …; the letters half a turn later. */
export const TURN_MS = 120;

/** Waits `ms` milliseconds without blocking the thread. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Writes one line to stdout (fd 1) synchronously. */
export function writeLine(text: string): void {
  fs.writeSync(1, `${text}\n`);
}
