/**
 * The port a student's server is given: free, and outside the kernel's ephemeral range.
 *
 * A port inside that range can also be handed to an outgoing connection as its local port.
 * Two things then go wrong that are the grader's fault, not the student's: the readiness
 * probe's connect to the not-yet-listening port can be given that very port as its local
 * port and connect to itself (TCP simultaneous open: "ready" with no server, then
 * ECONNREFUSED), and any outgoing connection holding the port makes the server's listen
 * fail with EADDRINUSE. Ports below the range never take part in either.
 */
import { readFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import getPort from 'get-port';

/** Linux's default ephemeral range; macOS and Windows use 49152-65535. */
const FALLBACK_EPHEMERAL = { low: 32768, high: 65535 };
/** Lowest port handed out: below it live many well-known services. */
const LOWEST = 10000;
/** How many random candidates get-port tries before it falls back to any free port. */
const CANDIDATES = 40;

export interface PortRange {
  low: number;
  high: number;
}

/** The kernel's ephemeral (outgoing) port range, from /proc on Linux, a safe guess elsewhere. */
export function ephemeralRange(): PortRange {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low !== undefined && high !== undefined && low > 0 && high >= low) return { low, high };
  } catch {
    // not Linux
  }
  return FALLBACK_EPHEMERAL;
}

/** The range server ports are drawn from: the larger gap below or above the ephemeral range. */
export function serverPortRange(ephemeral: PortRange = ephemeralRange()): PortRange | undefined {
  const below = { low: LOWEST, high: ephemeral.low - 1 };
  const above = { low: Math.max(LOWEST, ephemeral.high + 1), high: 65535 };
  const size = (r: PortRange) => r.high - r.low + 1;
  const best = size(below) >= size(above) ? below : above;
  return size(best) >= 1000 ? best : undefined;
}

/**
 * A free port for a server, drawn at random from `serverPortRange()` so that graders running
 * side by side (batch workers, parallel lanes) rarely pick the same one. Falls back to any
 * free port when the host leaves no room outside the ephemeral range.
 */
export async function chooseServerPort(range: PortRange | undefined = serverPortRange()): Promise<number> {
  if (!range) return getPort({ host: '127.0.0.1' });
  const candidates = Array.from({ length: CANDIDATES }, () => randomInt(range.low, range.high + 1));
  return getPort({ host: '127.0.0.1', port: candidates });
}
