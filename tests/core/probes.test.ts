/** The probe library: seeded segmentation, transcript budgets, readers with deadlines. */
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { Random, bytewise, cutPoints, deriveSeed, lengthPrefixed, randomSplits, segment, splitAt, utf8Split } from '../../grader/probes/segmentation.ts';
import { TcpProbe } from '../../grader/probes/tcp.ts';
import { Transcript } from '../../grader/probes/transcript.ts';
import { OutputCapture } from '../../grader/sandbox/output-capture.ts';

describe('segmentation', () => {
  test('the same seed gives the same cuts; another seed other cuts', () => {
    const bytes = Buffer.alloc(200, 1);
    const a = cutPoints(bytes, randomSplits(10), new Random(7));
    expect(cutPoints(bytes, randomSplits(10), new Random(7))).toEqual(a);
    expect(cutPoints(bytes, randomSplits(10), new Random(8))).not.toEqual(a);
    expect(a.every((c) => c > 0 && c < 200)).toBe(true);
  });

  test('every plan keeps the bytes intact and in order', () => {
    const bytes = Buffer.concat([lengthPrefixed('张三  18   177'), lengthPrefixed('🦊')]);
    for (const plan of [bytewise, randomSplits(5), utf8Split, splitAt(2, 6)]) {
      expect(Buffer.concat(segment(bytes, plan, new Random(1)))).toEqual(bytes);
    }
    expect(segment(bytes, bytewise, new Random(1))).toHaveLength(bytes.length);
  });

  test('utf8-split cuts inside every multi-byte character', () => {
    const bytes = Buffer.from('a张b🦊');
    const segments = segment(bytes, utf8Split, new Random(1));
    expect(segments.map((s) => Buffer.from(s).toString('hex'))).toEqual(['61e5', 'bca062f0', '9fa68a']);
  });

  test('derived seeds are stable and differ per label', () => {
    expect(deriveSeed(42, 'sticky-packets/framing.random')).toBe(deriveSeed(42, 'sticky-packets/framing.random'));
    expect(deriveSeed(42, 'a')).not.toBe(deriveSeed(42, 'b'));
  });
});

describe('output capture', () => {
  test('keeps head and tail, counts what it dropped', () => {
    const capture = new OutputCapture(1000);
    for (let i = 0; i < 1000; i++) capture.push(Buffer.from(`line ${i}\n`));
    expect(capture.totalBytes).toBe(8890);
    expect(capture.droppedBytes).toBeGreaterThan(7800);
    expect(capture.text()).toMatch(/^line 0\n/);
    expect(capture.text()).toMatch(/line 999\n$/);
    expect(capture.text()).toContain('bytes of output dropped');
  });
});

describe('TCP probe readers', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  async function serve(onConnection: (socket: import('node:net').Socket) => void): Promise<number> {
    server = createServer(onConnection);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return (server.address() as import('node:net').AddressInfo).port;
  }

  test('"nothing within N ms" is an outcome, not an exception', async () => {
    const port = await serve(() => {});
    const probe = await TcpProbe.connect({ port, transcript: new Transcript(), random: new Random(1) });
    const outcome = await probe.readLine(50);
    expect(outcome).toMatchObject({ kind: 'timeout' });
    probe.destroy();
  });

  test('lines split across chunks and several lines in one chunk are read one by one', async () => {
    const port = await serve((socket) => {
      socket.write('OK 1\nOK');
      socket.end(' 2\r\n');
    });
    const transcript = new Transcript();
    const probe = await TcpProbe.connect({ port, transcript, random: new Random(1) });
    expect(await probe.readLine(1000)).toEqual({ kind: 'ok', value: 'OK 1' });
    expect(await probe.readLine(1000)).toEqual({ kind: 'ok', value: 'OK 2' });
    expect(await probe.readLine(1000)).toMatchObject({ kind: 'closed' });
    expect(transcript.entries().map((e) => e.kind)).toContain('peer-end');
  });

  test('frames are read by their 4-byte big-endian length', async () => {
    const port = await serve((socket) => socket.end(Buffer.concat([lengthPrefixed('粘包'), lengthPrefixed('')])));
    const probe = await TcpProbe.connect({ port, transcript: new Transcript(), random: new Random(1) });
    expect((await probe.readFrame(1000)) as unknown).toEqual({ kind: 'ok', value: Buffer.from('粘包') });
    expect((await probe.readFrame(1000)) as unknown).toEqual({ kind: 'ok', value: Buffer.alloc(0) });
  });

  test('paced segments reach a reading server as separate reads', async () => {
    const reads: number[] = [];
    const port = await serve((socket) => socket.on('data', (chunk) => reads.push(chunk.length)));
    const probe = await TcpProbe.connect({ port, transcript: new Transcript(), random: new Random(1) });
    await probe.send(Buffer.from('abcdef'), { segmentation: bytewise, paced: true });
    expect(reads).toEqual([1, 1, 1, 1, 1, 1]);
    probe.destroy();
  });
});

describe('transcript', () => {
  test('keeps a bounded number of bytes per direction and summarises the rest', () => {
    const transcript = new Transcript();
    for (let i = 0; i < 100; i++) transcript.data('c1', 'received', Buffer.alloc(1024, 65));
    const entries = transcript.entries();
    const kept = entries.filter((e) => e.kind === 'received').reduce((n, e) => n + Buffer.from(e.data!, 'base64').length, 0);
    expect(kept).toBe(16 * 1024);
    expect(entries.at(-1)).toMatchObject({ kind: 'note', text: `another ${(84 * 1024).toLocaleString('en-US')} bytes received (not shown)` });
  });
});
