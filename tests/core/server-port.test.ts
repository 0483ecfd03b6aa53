/**
 * Server ports come from outside the kernel's ephemeral range, so that no outgoing
 * connection (the readiness probe's own connect among them) can hold or be given that port,
 * and each is reserved against every other grader on the machine until its server has ended:
 * two graders side by side (batch workers, test files) never start servers on one port.
 */
import { describe, expect, test } from 'vitest';
import { execa } from 'execa';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { ephemeralRange, reserveServerPort, serverPortRange, type PortRange, type ServerProtocol } from '../../grader/sandbox/server-port.ts';
import { InfrastructureError } from '../../grader/model/errors.ts';

const MODULE = fileURLToPath(new URL('../../grader/sandbox/server-port.ts', import.meta.url));

/** Whether another process (a second grader) can reserve a port in `range` for `protocol`. */
async function otherProcessReserves(protocol: ServerProtocol, range: PortRange): Promise<string> {
  const script = `
    const { reserveServerPort } = await import(${JSON.stringify(MODULE)});
    try { const r = await reserveServerPort(${JSON.stringify(protocol)}, ${JSON.stringify(range)}); console.log('got ' + r.port); }
    catch (e) { console.log(e.code ?? e.message); }
    process.exit(0);`;
  const { stdout } = await execa(process.execPath, ['--input-type=module', '-e', script]);
  return stdout.trim();
}

/**
 * A room of two ports that nothing held a moment ago: its one server port (`range.low`) and
 * that port's lock (`range.high`).
 */
async function onePortRange(protocol: ServerProtocol): Promise<{ range: PortRange }> {
  const reservation = await reserveServerPort(protocol);
  reservation.release();
  await new Promise((resolve) => setImmediate(resolve));
  return { range: { low: reservation.port, high: reservation.port + 1 } };
}

async function listenOn(port: number): Promise<() => Promise<void>> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('server ports', () => {
  test('Linux default range: ports are drawn from below it', () => {
    expect(serverPortRange({ low: 32768, high: 60999 })).toEqual({ low: 10000, high: 32767 });
  });

  test('macOS and Windows range: ports are drawn from below it too', () => {
    expect(serverPortRange({ low: 49152, high: 65535 })).toEqual({ low: 10000, high: 49151 });
  });

  test('a range that starts low leaves the ports above it', () => {
    expect(serverPortRange({ low: 1024, high: 40000 })).toEqual({ low: 40001, high: 65535 });
  });

  test('no room outside the range: any free port', () => {
    expect(serverPortRange({ low: 1024, high: 65000 })).toBeUndefined();
  });

  test('the port reserved is outside this machine\'s ephemeral range, in the lower half of the room, and free for the server', async () => {
    const ephemeral = ephemeralRange();
    const range = serverPortRange(ephemeral)!;
    const half = Math.floor((range.high - range.low + 1) / 2);
    for (let i = 0; i < 20; i++) {
      const reservation = await reserveServerPort('tcp', range);
      const port = reservation.port;
      expect(port).toBeGreaterThanOrEqual(range.low);
      expect(port).toBeLessThan(range.low + half);
      expect(port < ephemeral.low || port > ephemeral.high).toBe(true);
      const close = await listenOn(port);
      await close();
      reservation.release();
    }
  });

  for (const protocol of ['tcp', 'udp'] as const) {
    test(`the lock never touches the server's own port: a ${protocol.toUpperCase()} server may bind both TCP and UDP on PORT`, async () => {
      const reservation = await reserveServerPort(protocol);
      const closeTcp = await listenOn(reservation.port);
      const socket = createSocket('udp4');
      await new Promise<void>((resolve, reject) => socket.once('error', reject).bind(reservation.port, '127.0.0.1', () => resolve()));
      await new Promise<void>((resolve) => socket.close(() => resolve()));
      await closeTcp();
      reservation.release();
    });
  }

  test('while a port is reserved, another grader process gets neither a TCP nor a UDP server on it; once released, it does', async () => {
    const { range } = await onePortRange('tcp');
    const reservation = await reserveServerPort('tcp', range);
    expect(reservation.port).toBe(range.low);
    // The server has not started yet: the port itself is still free, only reserved.
    expect(await otherProcessReserves('tcp', range)).toBe('PORT_IN_USE');
    expect(await otherProcessReserves('udp', range)).toBe('PORT_IN_USE');
    reservation.release();
    reservation.release(); // idempotent
    expect(await otherProcessReserves('tcp', range)).toBe(`got ${range.low}`);
  });

  test('a UDP reservation holds off TCP servers too', async () => {
    const { range } = await onePortRange('udp');
    const reservation = await reserveServerPort('udp', range);
    expect(await otherProcessReserves('tcp', range)).toBe('PORT_IN_USE');
    reservation.release();
  });

  test('a port some other program listens on is never reserved', async () => {
    const { range } = await onePortRange('tcp');
    const close = await listenOn(range.low);
    try {
      await expect(reserveServerPort('tcp', range)).rejects.toSatisfy((e) => e instanceof InfrastructureError && e.code === 'PORT_IN_USE');
    } finally {
      await close();
    }
    const reservation = await reserveServerPort('tcp', range);
    expect(reservation.port).toBe(range.low);
    reservation.release();
  });
});
