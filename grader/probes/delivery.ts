/**
 * Makes segmentation real. Bytes written to a loopback socket in two writes can still be
 * read by the server in one read if it was busy. So after each segment the probe waits
 * until the server's process has read it: on Linux, the receive queue of the server's end
 * of the connection (in the kernel's socket table) is empty. This observes an event; it is
 * not a sleep. Where the table is unavailable a short pacing gap is used instead.
 *
 * Cost: reading the kernel's table is what a paced segment pays. The kernel formats every
 * socket of the machine (TIME_WAIT ones included: a class graded at -j8 leaves thousands),
 * at several µs each, so a whole read of /proc/net/tcp costs milliseconds. Hence:
 * - one look per segment in the usual case: the look is made once the bytes have had
 *   SETTLED_MS to reach the server's queue, so an empty queue is conclusive at once;
 * - a look reads the table in chunks and stops at the server's entry (half the table on
 *   average), and parses only the lines that name the two ports.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { isProcNetAvailable, receiveQueueOf } from '../sandbox/proc-net.ts';

export interface Endpoint {
  /** The probe's local port. */
  localPort: number;
  /** The server's port. */
  serverPort: number;
  /**
   * Which table holds the connection (tcp, or tcp6 for a dual-stack server); learnt on the
   * first look and remembered, so that only one table is read per look.
   */
  table?: 'tcp' | 'tcp6';
}

/** Polling interval while the server has not read yet: bounds the latency of noticing, nothing more. */
const POLL_MS = 1;
/** Without the kernel's table: a gap between segments. */
const PACING_MS = 15;
/**
 * How long after our write the server's queue is looked at. On loopback the bytes are in
 * the peer's queue by the time our write returns (unless the kernel deferred the delivery to
 * its softirq thread, which this margin covers): an empty queue seen after this long means
 * the server has read them. (Before: an empty queue had to be seen twice, 2 ms apart, unless
 * our bytes were already acknowledged; the peer's delayed ACK made that two looks per
 * segment.)
 */
const SETTLED_MS = 2;
/** The table where each server port's connections were last found (a dual-stack server's are in tcp6). */
const tableOfServer = new Map<number, 'tcp' | 'tcp6'>();

/** The server's receive queue on this connection; `found` false when the connection is gone. */
function serverQueue(endpoint: Endpoint): { serverUnread: number; found: boolean } {
  const known = endpoint.table ?? tableOfServer.get(endpoint.serverPort);
  const tables: Array<'tcp' | 'tcp6'> = known === 'tcp6' ? ['tcp6', 'tcp'] : ['tcp', 'tcp6'];
  for (const table of endpoint.table ? [endpoint.table] : tables) {
    const { found, serverUnread } = receiveQueueOf(table, endpoint.serverPort, endpoint.localPort);
    if (found) {
      endpoint.table = table;
      if (tableOfServer.size > 1000) tableOfServer.clear();
      tableOfServer.set(endpoint.serverPort, table);
      return { serverUnread, found };
    }
  }
  return { serverUnread: 0, found: false };
}

/**
 * Resolves true once the server has read everything sent so far on this connection, or
 * false when `deadlineMs` passed first (the server is not reading: busy or blocked).
 *
 * Read means: the server's receive queue is empty, seen at least SETTLED_MS after our
 * write (by then the bytes were in that queue).
 */
export async function waitUntilConsumed(endpoint: Endpoint, deadlineMs: number): Promise<boolean> {
  if (!isProcNetAvailable()) {
    await delay(PACING_MS);
    return true;
  }
  const written = performance.now();
  // Meanwhile the server (another process, or this one's event loop in tests) reads.
  await delay(SETTLED_MS);
  while (true) {
    const { serverUnread, found } = serverQueue(endpoint);
    if (!found) return true; // the connection is gone: nothing more will be read
    if (serverUnread === 0) return true;
    if (performance.now() - written >= deadlineMs) return false;
    // Polling the kernel's table: the interval bounds the latency of noticing, nothing more.
    await delay(POLL_MS);
  }
}

/** Without the kernel's socket table: how long a loopback connection may take to be accepted. */
const ACCEPT_FALLBACK_MS = 20;

/**
 * Waits until the server has accepted every connection made to it so far: its listening
 * socket's accept queue (the rx_queue of the LISTEN entry in the kernel's socket table) is
 * empty. Node runs the server's 'connection' handler in the same turn as the accept, so
 * whatever that handler attaches to the socket is attached by then. An event with a
 * deadline, not a sleep; false when the queue did not empty in time.
 */
export async function waitUntilAccepted(server: { port: number }, timeoutMs: number): Promise<boolean> {
  if (!isProcNetAvailable()) {
    await delay(ACCEPT_FALLBACK_MS);
    return true;
  }
  const started = performance.now();
  for (;;) {
    const backlog = (['tcp', 'tcp6'] as const).map((table) => receiveQueueOf(table, server.port, 0)).find((q) => q.found);
    if (backlog !== undefined && backlog.serverUnread === 0) return true;
    if (performance.now() - started >= timeoutMs) return false;
    // Polling the kernel's table for a state the server reaches on its own: bounds latency only.
    await delay(1);
  }
}
