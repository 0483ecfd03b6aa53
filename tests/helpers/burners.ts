/**
 * CPU burners: the busy machine the reference solutions are graded on (`npm run test:busy`:
 * each reference ten times in a row beside two CPU-burning processes). vitest may run several
 * test files at once, so the pair is machine-wide, not per file: vitest's global setup starts a
 * coordinator (`startBurnerCoordinator`), and each reference describe leases the burners
 * (`leaseBurners`) for as long as its runs last. The burners spin while at least one lease is
 * held, and stop when the last is released (or its test process dies: a lease is a socket).
 *
 * Hand-written rather than a library: the whole protocol is "connect, read one byte, close".
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The word in every burner's command line (tests find them by it). */
export const BURNER_MARKER = 'netgrade-test-burner';

/**
 * Env NETGRADE_TEST_BURNERS: how many CPU-burning processes run beside the reference runs
 * (default 0; `npm run test:busy` sets 2). Off in `npm test` until a CI run has measured what
 * they cost there: on this project's slower 2-core machine, whose CPUs the suite keeps busy
 * anyway, a whole run beside them was about 5 % slower (ftp's file 936 s against 887 s,
 * stage-exam's 634 s against 606 s), but on CI's machine the suite leaves much of a core idle
 * (32 minutes), and the CPU-pressure gate holds gradings to one check at a time while the
 * burners fill it.
 */
export function burnerCount(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.NETGRADE_TEST_BURNERS?.trim();
  if (!raw) return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new Error(`NETGRADE_TEST_BURNERS must be a whole number from 0 to 64 (got "${raw}")`);
  return n;
}

/**
 * `count` processes that each spin one core (a busy loop, no I/O), started before and killed
 * after the runs they load; never left behind: killed also when this process exits.
 */
export function cpuBurners(count: number): { start(): Promise<void>; stop(): Promise<void>; readonly pids: number[] } {
  let children: ChildProcess[] = [];
  const killAll = () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  return {
    get pids() {
      return children.flatMap((c) => (c.pid === undefined ? [] : [c.pid]));
    },
    async start() {
      children = Array.from({ length: count }, () => spawn(process.execPath, ['-e', 'for (;;) {}', BURNER_MARKER], { stdio: 'ignore' }));
      process.once('exit', killAll);
      await Promise.all(children.map((c) => new Promise<void>((resolve, reject) => c.once('spawn', resolve).once('error', reject))));
    },
    async stop() {
      const exited = children.map((c) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => c.once('exit', () => resolve()))));
      killAll();
      await Promise.all(exited);
      process.off('exit', killAll);
      children = [];
    },
  };
}

export interface BurnerCoordinator {
  /** The Unix socket a lease connects to (passed to the test files with vitest's `provide`). */
  readonly address: string;
  /** The burners' pids while they run, else []. */
  readonly pids: number[];
  /** How many leases are held now. */
  readonly leases: number;
  /** Resolves once no lease is held and the burners have stopped. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the burners on the first lease and stops them after the last; one pair for the whole machine. */
export async function startBurnerCoordinator(count: number, address = join(tmpdir(), `netgrade-burners-${process.pid}.sock`)): Promise<BurnerCoordinator> {
  const burners = cpuBurners(count);
  // Starts and stops run one after another, so a lease taken while the last one's stop is under
  // way waits for it and then starts the burners again.
  let chain: Promise<void> = Promise.resolve();
  const serially = (step: () => Promise<void>) => (chain = chain.then(step, step));
  const idleWaiters: Array<() => void> = [];
  // The leases held now: one open socket each.
  const sockets = new Set<Socket>();

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    void serially(async () => {
      if (burners.pids.length === 0 && sockets.size > 0) await burners.start();
      if (!socket.destroyed) socket.write('1');
    });
    socket.once('close', () => {
      sockets.delete(socket);
      void serially(async () => {
        if (sockets.size === 0 && burners.pids.length > 0) await burners.stop();
        if (sockets.size === 0) for (const resolve of idleWaiters.splice(0)) resolve();
      });
    });
    socket.resume();
  });
  await rm(address, { force: true });
  server.listen(address);
  await once(server, 'listening');
  return {
    address,
    get pids() {
      return burners.pids;
    },
    get leases() {
      return sockets.size;
    },
    idle: () => (sockets.size === 0 && burners.pids.length === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await chain;
      await burners.stop();
      await rm(address, { force: true });
    },
  };
}

/** Holds the machine's burners until `release`; resolves once they are spinning. */
export async function leaseBurners(address: string, deadlineMs = 30_000): Promise<{ release(): Promise<void> }> {
  const socket = connect(address);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the CPU burners at ${address} did not start within ${deadlineMs} ms`)), deadlineMs);
      socket.once('data', () => (clearTimeout(timer), resolve()));
      socket.once('error', (error) => (clearTimeout(timer), reject(error)));
      socket.once('close', () => (clearTimeout(timer), reject(new Error(`the CPU burner coordinator at ${address} closed the lease`))));
    });
  } catch (error) {
    socket.destroy();
    throw error;
  }
  return {
    async release() {
      if (socket.destroyed) return;
      const closed = once(socket, 'close');
      socket.end();
      await closed;
    },
  };
}
