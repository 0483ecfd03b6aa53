/**
 * The readiness check connects to the server before the checks do. It must leave the server
 * as it found it: a server that greets every connection and has no 'error' handler on its
 * sockets must not be reset (and crash) because of that connection.
 */
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { waitForServer } from '../../grader/sandbox/readiness.ts';
import type { SandboxProcess } from '../../grader/sandbox/process.ts';
import { reserveServerPort } from '../../grader/sandbox/server-port.ts';

/** Prints what happens to each connection: `error <code>` or `closed`. */
const GREETER = `
const net = require('node:net');
net.createServer((socket) => {
  socket.write('HELLO\\n');
  socket.on('error', (e) => console.log('error ' + e.code));
  socket.on('close', () => console.log('closed'));
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'));
`;

/** Blocks this thread: the kernel goes on accepting and delivering meanwhile. */
function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy on purpose
  }
}

describe('readiness', () => {
  test('a greeting that arrives before the readiness connection is closed does not get the server reset', async () => {
    const reservation = await reserveServerPort('tcp');
    const port = reservation.port;
    const server = execa(process.execPath, ['-e', GREETER], { env: { PORT: String(port) }, buffer: false, reject: false });
    const lines: string[] = [];
    const waiters = new Set<() => void>();
    server.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      lines.push(...chunk.split('\n').filter(Boolean));
      for (const w of waiters) w();
    });
    const seen = (line: string, deadlineMs: number) =>
      new Promise<boolean>((resolve) => {
        const check = () => {
          if (lines.some((l) => l.startsWith(line))) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(true);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          resolve(false);
        }, deadlineMs);
        waiters.add(check);
        check();
      });
    try {
      expect(await seen('listening', 10_000)).toBe(true);
      // Only hasExited is read before the first connect succeeds.
      const proc = { hasExited: false } as SandboxProcess;
      const ready = waitForServer(proc, 'tcp', port, 5000);
      // The connect is under way; while this thread is blocked the server accepts and its
      // greeting lands in the readiness socket's receive queue before 'connect' is handled.
      block(300);
      expect(await ready).toEqual({ kind: 'ready', address: '127.0.0.1' });
      expect(await seen('closed', 5000), lines.join(' | ')).toBe(true);
      expect(lines.filter((l) => l.startsWith('error'))).toEqual([]);
    } finally {
      server.kill('SIGKILL');
      await server;
      reservation.release();
    }
  });
});
