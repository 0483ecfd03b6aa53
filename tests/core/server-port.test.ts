/**
 * Server ports come from outside the kernel's ephemeral range, so that no outgoing
 * connection (the readiness probe's own connect among them) can hold or be given that port.
 */
import { describe, expect, test } from 'vitest';
import { createServer } from 'node:net';
import { chooseServerPort, ephemeralRange, serverPortRange } from '../../grader/sandbox/server-port.ts';

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

  test('the port chosen is free and outside this machine\'s ephemeral range', async () => {
    const ephemeral = ephemeralRange();
    const range = serverPortRange(ephemeral)!;
    for (let i = 0; i < 20; i++) {
      const port = await chooseServerPort(range);
      expect(port).toBeGreaterThanOrEqual(range.low);
      expect(port).toBeLessThanOrEqual(range.high);
      expect(port < ephemeral.low || port > ephemeral.high).toBe(true);
      await new Promise<void>((resolve, reject) => {
        const server = createServer().once('error', reject).listen(port, '127.0.0.1', () => server.close(() => resolve()));
      });
    }
  });
});
