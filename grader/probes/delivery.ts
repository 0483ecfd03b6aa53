/**
 * Makes segmentation real. Bytes written to a loopback socket in two writes can still be
 * read by the server in one read if it was busy. So after each segment the probe waits
 * until the server's process has read it: on Linux, the receive queue of the server's end
 * of the connection (in the kernel's socket table) is empty. This observes an event; it is
 * not a sleep. Where the table is unavailable a short pacing gap is used instead.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { isProcNetAvailable, readSocketTable } from '../sandbox/proc-net.ts';

export interface Endpoint {
  /** The probe's local port. */
  localPort: number;
  /** The server's port. */
  serverPort: number;
}

const POLL_MS = 1;
const PACING_MS = 15;

/**
 * Bytes not yet read by the server on this connection: our unacknowledged bytes (still on
 * their way into the server's kernel) plus the server's receive queue. Zero when the
 * connection is gone from the table (closed: nothing more will be read).
 */
function bytesNotYetRead(endpoint: Endpoint): number {
  let pending = 0;
  for (const table of ['tcp', 'tcp6'] as const) {
    for (const entry of readSocketTable(table)) {
      if (entry.localPort === endpoint.serverPort && entry.remotePort === endpoint.localPort) pending += entry.rxQueue;
      if (entry.localPort === endpoint.localPort && entry.remotePort === endpoint.serverPort) pending += entry.txQueue;
    }
  }
  return pending;
}

/**
 * Resolves true once the server has read everything sent so far on this connection, or
 * false when `deadlineMs` passed first (the server is not reading: busy or blocked).
 */
export async function waitUntilConsumed(endpoint: Endpoint, deadlineMs: number): Promise<boolean> {
  if (!isProcNetAvailable()) {
    await delay(PACING_MS);
    return true;
  }
  const started = performance.now();
  while (true) {
    if (bytesNotYetRead(endpoint) === 0) return true;
    if (performance.now() - started >= deadlineMs) return false;
    // Polling the kernel's table: the interval bounds the latency of noticing, nothing more.
    await delay(POLL_MS);
  }
}
