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
import { closeSync, openSync, readSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { isProcNetAvailable } from '../sandbox/proc-net.ts';

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
const CHUNK_BYTES = 16 * 1024;
const chunk = Buffer.allocUnsafe(CHUNK_BYTES);

function hexPort(port: number): string {
  return port.toString(16).toUpperCase().padStart(4, '0');
}

/**
 * Looks up the server's end of the connection in one table. `found` false: not in this
 * table. Reads the table in chunks and stops at the entry.
 */
function lookIn(table: 'tcp' | 'tcp6', serverTag: string, probeTag: string): { found: boolean; serverUnread: number } {
  let fd: number;
  try {
    fd = openSync(`/proc/net/${table}`, 'r');
  } catch {
    return { found: false, serverUnread: 0 };
  }
  try {
    let rest = '';
    for (;;) {
      const n = readSync(fd, chunk, 0, CHUNK_BYTES, null);
      if (n === 0) return { found: false, serverUnread: 0 };
      const text = rest + chunk.toString('latin1', 0, n);
      const lastNewline = text.lastIndexOf('\n');
      rest = text.slice(lastNewline + 1);
      // Only lines holding the server's port as "<address>:<port> " can be the entry.
      let at = text.indexOf(serverTag);
      while (at >= 0 && at < lastNewline) {
        const start = text.lastIndexOf('\n', at) + 1;
        const end = text.indexOf('\n', at);
        const fields = text.slice(start, end).trim().split(/\s+/);
        // sl, local_address, rem_address, st, tx_queue:rx_queue, ...
        if (fields.length >= 5 && fields[1]!.endsWith(serverTag.trimEnd()) && fields[2]!.endsWith(probeTag)) {
          const rx = parseInt(fields[4]!.split(':')[1] ?? '0', 16);
          return { found: true, serverUnread: Number.isNaN(rx) ? 0 : rx };
        }
        at = text.indexOf(serverTag, end);
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** The server's receive queue on this connection; `found` false when the connection is gone. */
/** The table where each server port's connections were last found (a dual-stack server's are in tcp6). */
const tableOfServer = new Map<number, 'tcp' | 'tcp6'>();

function serverQueue(endpoint: Endpoint): { serverUnread: number; found: boolean } {
  const serverTag = `:${hexPort(endpoint.serverPort)} `;
  const probeTag = `:${hexPort(endpoint.localPort)}`;
  const known = endpoint.table ?? tableOfServer.get(endpoint.serverPort);
  const tables: Array<'tcp' | 'tcp6'> = known === 'tcp6' ? ['tcp6', 'tcp'] : ['tcp', 'tcp6'];
  for (const table of endpoint.table ? [endpoint.table] : tables) {
    const { found, serverUnread } = lookIn(table, serverTag, probeTag);
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
