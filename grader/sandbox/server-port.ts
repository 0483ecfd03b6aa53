/**
 * The port a student's server is given: free, outside the kernel's ephemeral range, and
 * reserved against every other grader on the machine until the server has ended.
 *
 * Outside the ephemeral range: a port inside it can also be handed to an outgoing connection
 * as its local port. Two things then go wrong that are the grader's fault, not the student's:
 * the readiness probe's connect to the not-yet-listening port can be given that very port as
 * its local port and connect to itself (TCP simultaneous open: "ready" with no server, then
 * ECONNREFUSED), and any outgoing connection holding the port makes the server's listen fail
 * with EADDRINUSE. Ports below the range never take part in either.
 *
 * Reserved: a free port is only free at the moment it is checked. Between that check and the
 * student's listen (Node's start-up: 100 ms here, seconds on a loaded CI machine) another
 * grader (a batch worker, a test file running beside this one) could choose the same port.
 * Its server then listens first, our readiness probe connects to *it* and calls our server
 * ready, our server dies of EADDRINUSE, and a check is graded against another exercise's
 * server (seen on CI: "ERR unknown command" in reply to an upload). get-port only guards
 * against that within one process. So the room outside the ephemeral range is cut in two:
 * servers get ports from the lower half, and each server port P has a lock port in the upper
 * half (P + half the room). The grader holds a UDP socket bound to 127.0.0.1 on the lock
 * port for as long as the server runs. Every grader takes the lock before it checks the
 * server's port, and a bind is atomic in the kernel, so two graders cannot both hold a port;
 * the kernel drops the lock when the grader exits, so nothing goes stale. The lock never
 * touches the server's own port: a program may bind both TCP and UDP on PORT. Written by hand
 * because no library reserves a port across processes without a lock directory that a killed
 * grader would leave behind.
 */
import { readFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import getPort from 'get-port';
import { InfrastructureError } from '../model/errors.ts';

/** Linux's default ephemeral range; macOS and Windows use 49152-65535. */
const FALLBACK_EPHEMERAL = { low: 32768, high: 65535 };
/** Lowest port handed out: below it live many well-known services. */
const LOWEST = 10000;
/** How many ports are tried before the grader gives up (each try is a bind or two on loopback). */
const ATTEMPTS = 60;

export interface PortRange {
  low: number;
  high: number;
}

export type ServerProtocol = 'tcp' | 'udp';

/** A port held for one server; `release` (idempotent) lets other graders have it again. */
export interface PortReservation {
  readonly port: number;
  release(): void;
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
 * Reserves a free port for a server of `protocol`, drawn at random from the lower half of
 * `room` (by default `serverPortRange()`), locked by the port half the room above it. The
 * port stays reserved against other graders until `release()`: call it once the server has
 * ended. Where the host leaves no room outside the ephemeral range, any free port, unlocked.
 */
export async function reserveServerPort(protocol: ServerProtocol, room: PortRange | undefined = serverPortRange()): Promise<PortReservation> {
  const half = room ? Math.floor((room.high - room.low + 1) / 2) : 0;
  if (!room || half < 1) {
    const port = await getPort({ host: '127.0.0.1' });
    return { port, release() {} };
  }
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const candidate = randomInt(room.low, room.low + half);
    const lock = await bindExclusively('udp', candidate + half);
    if (!lock) continue;
    // The lock is ours: no other grader will now check or choose this port. Is the port itself
    // free too (nothing else on the machine listens there)?
    const probe = await bindExclusively(protocol, candidate);
    if (!probe) {
      await lock.close();
      continue;
    }
    await probe.close();
    let released = false;
    return {
      port: candidate,
      release() {
        if (released) return;
        released = true;
        void lock.close();
      },
    };
  }
  throw new InfrastructureError('PORT_IN_USE', `no free port for a ${protocol.toUpperCase()} server after ${ATTEMPTS} tries`);
}

/** A socket bound to 127.0.0.1:port, or undefined when the port is taken. Never keeps the grader alive. */
async function bindExclusively(protocol: ServerProtocol, port: number): Promise<{ close(): Promise<void> } | undefined> {
  if (protocol === 'udp') {
    const socket: UdpSocket = createSocket({ type: 'udp4', reuseAddr: false });
    const bound = await new Promise<boolean>((resolve) => {
      socket.once('error', () => resolve(false));
      socket.bind({ port, address: '127.0.0.1', exclusive: true }, () => resolve(true));
    });
    socket.on('error', () => {});
    const close = () =>
      new Promise<void>((resolve) => {
        try {
          socket.close(() => resolve());
        } catch {
          resolve(); // already closed (a failed bind closes it)
        }
      });
    if (!bound) {
      await close();
      return undefined;
    }
    socket.unref();
    return { close };
  }
  const server: Server = createServer();
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true, backlog: 1 }, () => resolve(true));
  });
  if (!listening) return undefined;
  server.unref();
  return { close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
