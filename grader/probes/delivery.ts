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
  /**
   * Which table holds the connection (tcp, or tcp6 for a dual-stack server); learnt on the
   * first look and remembered: each read of a table costs milliseconds (the kernel walks its
   * whole connection hash), so only one is read per poll.
   */
  table?: 'tcp' | 'tcp6';
}

const POLL_MS = 1;
const PACING_MS = 15;

/** The server's receive queue and our unacknowledged bytes on this connection. */
function queues(endpoint: Endpoint): { serverUnread: number; ourUnacked: number; found: boolean } {
  let serverUnread = 0;
  let ourUnacked = 0;
  let found = false;
  for (const table of endpoint.table ? [endpoint.table] : (['tcp', 'tcp6'] as const)) {
    if (found) break;
    for (const entry of readSocketTable(table)) {
      if (entry.localPort === endpoint.serverPort && entry.remotePort === endpoint.localPort) {
        serverUnread += entry.rxQueue;
        found = true;
        endpoint.table = table;
      }
      if (entry.localPort === endpoint.localPort && entry.remotePort === endpoint.serverPort) ourUnacked += entry.txQueue;
    }
  }
  return { serverUnread, ourUnacked, found };
}

/** Once the server's queue has stayed empty this long, the bytes are taken as read even before the ACK. */
const SETTLED_MS = 2;

/**
 * Resolves true once the server has read everything sent so far on this connection, or
 * false when `deadlineMs` passed first (the server is not reading: busy or blocked).
 *
 * Read means: the server's receive queue is empty, and either our bytes are acknowledged
 * (so they did reach that queue) or the queue has stayed empty for a couple of
 * milliseconds (the peer's delayed ACK would otherwise cost up to 40 ms a segment; on
 * loopback the bytes are in the peer's queue by the time our write returns).
 */
export async function waitUntilConsumed(endpoint: Endpoint, deadlineMs: number): Promise<boolean> {
  if (!isProcNetAvailable()) {
    await delay(PACING_MS);
    return true;
  }
  const started = performance.now();
  let emptySince: number | undefined;
  while (true) {
    const { serverUnread, ourUnacked, found } = queues(endpoint);
    const now = performance.now();
    if (!found) return true; // the connection is gone: nothing more will be read
    if (serverUnread === 0) {
      if (ourUnacked === 0) return true;
      emptySince ??= now;
      if (now - emptySince >= SETTLED_MS) return true;
    } else {
      emptySince = undefined;
    }
    if (now - started >= deadlineMs) return false;
    // Polling the kernel's table: the interval bounds the latency of noticing, nothing more.
    await delay(POLL_MS);
  }
}
