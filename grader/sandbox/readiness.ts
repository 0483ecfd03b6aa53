/**
 * Waits until a started server is ready, by observing it: its socket appears in the
 * kernel's tables (Linux), or a TCP connect succeeds (elsewhere). Never a fixed sleep.
 * Polling stops at the first of: ready, the process ended, the deadline.
 */
import { connect, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { SubmissionError } from '../model/errors.ts';
import { boundSocketsOfRun, findBound, isProcNetAvailable, reachableFromLoopback, type BoundSocket } from './proc-net.ts';
import type { SandboxProcess } from './process.ts';
import { verdicts } from '../i18n/verdicts.ts';

export type Readiness =
  | { kind: 'ready'; address: string }
  | { kind: 'exited' }
  | { kind: 'failed'; error: SubmissionError };

const POLL_MS = 2;
/** How often the kernel's tables are read to find a server bound to the wrong port. */
const WRONG_PORT_LOOK_MS = 100;
/** How long a server bound only to other ports gets to also bind PORT before we call it. */
const WRONG_PORT_GRACE_MS = 400;

/** How long a readiness connection may take to close gracefully before it is dropped. */
const READINESS_LINGER_MS = 2000;

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      // A connect to a port nobody listens on can be given that same port as its local port
      // and connect to itself (TCP simultaneous open). Server ports are chosen outside the
      // ephemeral range so this cannot happen there; this guards the fallback.
      if (socket.localPort === port && socket.localAddress === socket.remoteAddress) {
        socket.destroy();
        resolve(false);
        return;
      }
      resolve(true);
      closeGracefully(socket);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Closes the readiness connection the way a polite client does: FIN, then read and drop
 * whatever the server still sends until it closes too. Destroying it at once would leave
 * anything the server wrote on accept (a greeting) unread, and the kernel answers unread
 * data on close with a reset: a server without an 'error' handler on its sockets would
 * then crash because of the grader, not because of anything a check sent.
 */
function closeGracefully(socket: Socket): void {
  socket.on('error', () => {});
  socket.resume();
  socket.end();
  const timer = setTimeout(() => socket.destroy(), READINESS_LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

function describeBound(sockets: BoundSocket[]): string {
  return sockets.map((s) => `${s.protocol.toUpperCase()} ${s.address}:${s.port}`).join(', ');
}

export async function waitForServer(
  proc: SandboxProcess,
  protocol: 'tcp' | 'udp',
  port: number,
  deadlineMs: number,
): Promise<Readiness> {
  const started = performance.now();
  let wrongSince: number | undefined;
  const useProc = isProcNetAvailable();
  // The first look waits one interval: a server cannot have bound the wrong port before it started.
  let lastWrongPortLook = started;
  while (true) {
    if (proc.hasExited) return { kind: 'exited' };
    if (protocol === 'tcp') {
      // A connect attempt on loopback costs well under a millisecond; reading the kernel's TCP
      // table costs several (it walks the whole connection hash), so the table is only read
      // now and then, to tell a server on the wrong port or address from a slow one.
      if (await tryConnect(port)) return { kind: 'ready', address: '127.0.0.1' };
    } else if (useProc) {
      const bound = findBound('udp', port);
      if (bound) return reachableFromLoopback(bound.address) ? { kind: 'ready', address: bound.address } : wrongAddress(bound.address, port);
    }
    if (useProc && performance.now() - lastWrongPortLook >= WRONG_PORT_LOOK_MS) {
      lastWrongPortLook = performance.now();
      const bound = protocol === 'tcp' ? findBound('tcp', port) : undefined;
      if (bound && !reachableFromLoopback(bound.address)) return wrongAddress(bound.address, port);
      const others = boundSocketsOfRun(proc.run).filter((s) => s.protocol === protocol && s.port !== port);
      if (others.length > 0) {
        wrongSince ??= performance.now();
        if (performance.now() - wrongSince >= WRONG_PORT_GRACE_MS) {
          return { kind: 'failed', error: wrongPort(others, port, protocol) };
        }
      }
    }
    if (performance.now() - started >= deadlineMs) {
      // The server may have bound the right port between the last attempt and now (a loaded
      // machine): that is a server that listens, not one on the wrong port.
      const bound = useProc ? findBound(protocol, port) : undefined;
      if (bound && reachableFromLoopback(bound.address)) return { kind: 'ready', address: bound.address };
      const others = useProc ? boundSocketsOfRun(proc.run).filter((s) => s.protocol === protocol && s.port !== port) : [];
      if (others.length > 0) return { kind: 'failed', error: wrongPort(others, port, protocol) };
      return {
        kind: 'failed',
        error: new SubmissionError(
          'NEVER_LISTENS',
          verdicts.t('never.title', { port: String(port), ms: { ms: deadlineMs } }),
          verdicts.t(protocol === 'tcp' ? 'never.tcp' : 'never.udp', { port: String(port), ms: { ms: deadlineMs } }),
        ),
      };
    }
    // Polling the kernel's socket table, not waiting for the server: the interval only bounds latency.
    await delay(POLL_MS);
  }
}

function wrongAddress(address: string, port: number): Readiness {
  return {
    kind: 'failed',
    error: new SubmissionError(
      'WRONG_ADDRESS',
      verdicts.t('address.title', { address, port: String(port) }),
      verdicts.t('address.message', { address }),
    ),
  };
}

function wrongPort(others: BoundSocket[], port: number, protocol: 'tcp' | 'udp'): SubmissionError {
  const ports = [...new Set(others.map((s) => s.port))].join(', ');
  return new SubmissionError(
    'WRONG_PORT',
    verdicts.t('port.title', { ports: String(ports), port: String(port) }),
    verdicts.t(protocol === 'tcp' ? 'port.tcp' : 'port.udp', { bound: describeBound(others), port: String(port) }),
  );
}
