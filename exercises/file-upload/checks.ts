/**
 * The checks of file-upload, one per clause of the contract (../shared/EXERCISES.md).
 * Every check starts its own server. Outside the framing checks the header line travels
 * in its own segment, read by the server before the data is sent; test data holds no `#`
 * and is valid UTF-8 except where that is the point (`data.hash-marker`, `data.binary`).
 */
import type { CheckContext, CheckDefinition } from '../../grader/exercise/define.ts';
import { CheckFailure } from '../../grader/model/errors.ts';
import { describeOutcome, show, withContext } from '../../grader/probes/expect.ts';
import { waitForFile } from '../../grader/probes/files.ts';
import { bytewise, randomSplits, splitAt } from '../../grader/probes/segmentation.ts';
import type { TcpProbe } from '../../grader/probes/tcp.ts';
import type { RunningServer } from '../../grader/sandbox/sandbox.ts';
import {
  ABSENCE_MS,
  REPLY_MS,
  UPLOADS,
  expectNoReplyYet,
  expectOkReply,
  expectStored,
  randomBytes,
  sendHeader,
  text,
  visibleNames,
} from './protocol.ts';

/** Header in its own segment, body in one paced segment, FIN, then the OK reply and the stored file. */
async function upload(ctx: CheckContext, server: RunningServer, name: string, body: Uint8Array, what: string, dir = UPLOADS): Promise<void> {
  const probe = await ctx.connect(server);
  await sendHeader(probe, name);
  if (body.length > 0) await probe.send(body, { paced: true });
  probe.end();
  await expectOkReply(probe, ctx, body, what);
  await expectStored(server, ctx, `${dir}/${name}`, body, `After uploading ${what},`);
}

/** Connects, turning a refused connection into a message about the server having died. */
async function connectAfter(ctx: CheckContext, server: RunningServer, after: string): Promise<TcpProbe> {
  try {
    return await ctx.connect(server);
  } catch (error) {
    if (!(error instanceof CheckFailure)) throw error;
    // A server that is dying: wait a moment for its end, and report the crash with what it threw.
    await Promise.race([server.process.exited, new Promise((resolve) => setTimeout(resolve, ctx.ms(REPLY_MS)).unref())]);
    server.assertAlive();
    throw new CheckFailure(`${after}, the server no longer accepts connections (did it crash?). Listen for 'error' on every socket: a client reset (ECONNRESET) must not stop the server.`, {
      expected: 'a new connection accepted',
      actual: 'connection refused',
    });
  }
}

const BAD_NAMES: { name: Buffer; label: string }[] = [
  { name: Buffer.from('../canary.txt'), label: '../canary.txt' },
  { name: Buffer.from('../escape.txt'), label: '../escape.txt' },
  { name: Buffer.from('a/b.txt'), label: 'a/b.txt' },
  { name: Buffer.from('a\\b.txt'), label: 'a\\b.txt' },
  { name: Buffer.from('.hidden'), label: '.hidden' },
  { name: Buffer.from('.'), label: '.' },
  { name: Buffer.from('..'), label: '..' },
  { name: Buffer.alloc(0), label: '(empty name)' },
  { name: Buffer.from('nul\0.txt'), label: 'nul\\0.txt' },
  { name: Buffer.from('a'.repeat(256)), label: '256 × "a" (256 bytes)' },
  { name: Buffer.from('中'.repeat(86)), label: '86 × "中" (258 bytes)' },
];

/** Valid names at the edges, each stored under exactly this name. */
const EXACT_NAMES: { name: string; header?: string; label: string }[] = [
  { name: ' leading space.txt', label: '" leading space.txt"' },
  { name: 'trailing space.txt ', label: '"trailing space.txt "' },
  { name: ' ', label: '" " (one space)' },
  { name: '   ', label: '"   " (three spaces)' },
  { name: ' .not-hidden', label: '" .not-hidden" (a space, then a dot)' },
  { name: '\ttab\t.txt', label: '"\\ttab\\t.txt"' },
  { name: 'cr\rinside.txt', label: '"cr\\rinside.txt" (a \\r that is not before the \\n)' },
  { name: 'cr at end\r', header: 'cr at end\r\r\n', label: '"cr at end\\r" (sent as "cr at end\\r\\r\\n": only the last \\r is dropped)' },
  { name: 'name with spaces.txt', label: '"name with spaces.txt"' },
  { name: 'a..b', label: '"a..b"' },
  { name: '中'.repeat(85), label: '85 × "中" (255 bytes, the longest valid name)' },
  { name: 'b'.repeat(255), header: `${'b'.repeat(255)}\r\n`, label: '255 × "b" sent with "\\r\\n" (the \\r is not part of the 255 bytes)' },
];

/** store.reset: the upload reset right after its FIN, whose fate is not judged. */
const FINISHED_NAME = 'reset-after-fin.txt';

const CANARY = 'canary.txt';
const CANARY_CONTENT = 'netgrade canary: this file lies outside the upload folder and must never change\n';

export const checks: CheckDefinition[] = [
  {
    id: 'upload.basic',
    title: 'A small text file is stored and acknowledged with its size and SHA-256 after the FIN',
    points: 10,
    async run(ctx) {
      const server = await ctx.startServer();
      const body = Buffer.from('你好, world\n第二行\n');
      const probe = await ctx.connect(server);
      await sendHeader(probe, 'hello.txt');
      await probe.send(body, { paced: true });
      await expectNoReplyYet(probe, ctx.ms(100), 'After the header and the data of hello.txt', 'Reply only once the client has half-closed (FIN): that is the end of the file.');
      probe.end();
      await expectOkReply(probe, ctx, body, 'hello.txt');
      await expectStored(server, ctx, 'uploads/hello.txt', body, 'After uploading hello.txt (UPLOAD_DIR unset, so the folder is ./uploads),');
    },
  },
  {
    id: 'upload.empty',
    title: 'An empty file (header, then FIN) is stored empty and acknowledged OK 0',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      await sendHeader(probe, 'empty.bin');
      probe.end();
      await expectOkReply(probe, ctx, Buffer.alloc(0), 'empty.bin (an empty file: the header, then FIN)');
      await expectStored(server, ctx, 'uploads/empty.bin', Buffer.alloc(0), 'After uploading an empty file,');
    },
  },
  {
    id: 'upload.dir-env',
    title: 'UPLOAD_DIR is honoured, and created with its parents when missing',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer({ env: { UPLOAD_DIR: 'store/inbox' } });
      const body = Buffer.from('into the inbox\n');
      await upload(ctx, server, 'x.txt', body, 'x.txt with UPLOAD_DIR=store/inbox (a folder that did not exist)', 'store/inbox');
      if ((await server.readFile('uploads/x.txt')) !== undefined) {
        throw new CheckFailure('With UPLOAD_DIR=store/inbox the file was also written to ./uploads/x.txt: use the folder from the environment, ./uploads only when UPLOAD_DIR is unset.');
      }
    },
  },
  {
    id: 'data.binary',
    title: 'Binary data (all byte values, NUL, ##, \\n, invalid UTF-8) is stored byte for byte',
    points: 10,
    async run(ctx) {
      const server = await ctx.startServer();
      const all = Buffer.from(Array.from({ length: 1024 }, (_, i) => i % 256));
      const body = Buffer.concat([all, Buffer.from('##\n##\0\0\n'), randomBytes(ctx.random, 100_000), Buffer.from([0xe4, 0xb8])]);
      const probe = await ctx.connect(server);
      await sendHeader(probe, 'binary.bin');
      // 4,093-byte pieces, each read by the server before the next: multi-byte sequences
      // are cut at the piece boundaries; no piece ends with "##".
      const cuts: number[] = [];
      for (let at = 4093; at < body.length; at += 4093) cuts.push(at);
      await probe.send(body, { segmentation: splitAt(...cuts), paced: true });
      probe.end();
      await withContext('', 'A binary file came back changed: never turn file data into strings (no toString, no setEncoding); hash and write the Buffers as they arrive.', async () => {
        await expectOkReply(probe, ctx, body, 'binary.bin');
        await expectStored(server, ctx, 'uploads/binary.bin', body, 'After uploading a binary file,');
      });
    },
  },
  {
    id: 'data.hash-marker',
    title: 'A "##" in the data is file data; only the FIN ends the file',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      await sendHeader(probe, 'marker.txt');
      for (const piece of ['part1\n', '##', 'part2 ## end##']) await probe.send(piece, { paced: true });
      await expectNoReplyYet(probe, ctx.ms(ABSENCE_MS), 'After the pieces "part1\\n", "##" and "part2 ## end##" (each read by the server before the next)', '"##" is file data like any other bytes (the classic end marker); only the client\'s FIN ends the file.');
      probe.end();
      const body = Buffer.from('part1\n##part2 ## end##');
      await expectOkReply(probe, ctx, body, 'marker.txt');
      await expectStored(server, ctx, 'uploads/marker.txt', body, '"##" is file data;');
    },
  },
  {
    id: 'framing.header-with-data',
    title: 'Data arriving in the same segment as the header line is kept',
    points: 10,
    async run(ctx) {
      const server = await ctx.startServer();
      const hint = 'The header line and file data arrived in one segment: only the bytes up to the first \\n are the header; keep the rest as the start of the file.';
      const body = text(ctx.random, 370);
      const a = await ctx.connect(server);
      await a.send(Buffer.concat([Buffer.from('together.txt\n'), body]));
      a.end();
      const b = await ctx.connect(server);
      await b.send('tiny.txt\nx');
      b.end();
      await withContext('', hint, async () => {
        await expectOkReply(a, ctx, body, 'together.txt (header and 370 bytes in one segment)');
        await expectStored(server, ctx, 'uploads/together.txt', body, 'After header and data in one segment,');
        await expectOkReply(b, ctx, Buffer.from('x'), 'tiny.txt (header, data and FIN together)');
        await expectStored(server, ctx, 'uploads/tiny.txt', Buffer.from('x'), 'After header, data and FIN together,');
      });
    },
  },
  {
    id: 'framing.header-split',
    title: 'A header line split across segments (inside a character, between \\r and \\n) is reassembled',
    points: 10,
    async run(ctx) {
      const server = await ctx.startServer();
      const hint = 'The header line arrived in pieces: collect bytes until the \\n, then decode the name (a multi-byte character may be split).';
      await withContext('', hint, async () => {
        const name = '分段 名字.txt';
        const a = await ctx.connect(server);
        await a.send(`${name}\n`, { segmentation: bytewise, paced: true });
        const body = Buffer.from('split body');
        await a.send(body, { paced: true });
        a.end();
        await expectOkReply(a, ctx, body, `${name} (its header sent one byte per segment)`);
        await expectStored(server, ctx, `uploads/${name}`, body, 'After a header sent one byte per segment,');
        const b = await ctx.connect(server);
        await b.send('crlf.txt\r', { paced: true });
        await b.send('\n', { paced: true });
        const crlfBody = Buffer.from('body after crlf');
        await b.send(crlfBody, { paced: true });
        b.end();
        await expectOkReply(b, ctx, crlfBody, 'crlf.txt (header "crlf.txt\\r" then "\\n" in separate segments)');
        await expectStored(server, ctx, 'uploads/crlf.txt', crlfBody, 'A "\\r" before the "\\n" is not part of the name;');
      });
    },
  },
  {
    id: 'data.slow-sender',
    title: 'A pause in the data is not the end of the file',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      await sendHeader(probe, 'slow.txt');
      await probe.send('first half, ', { paced: true });
      await expectNoReplyYet(probe, ctx.ms(1000), 'While the client paused for 1 s in the middle of the data', 'A pause is not the end of the file (the network may stall); wait for the FIN.');
      await probe.send('second half', { paced: true });
      probe.end();
      const body = Buffer.from('first half, second half');
      await expectOkReply(probe, ctx, body, 'slow.txt (with a 1 s pause in the middle)');
      await expectStored(server, ctx, 'uploads/slow.txt', body, 'After an upload with a pause,');
    },
  },
  {
    id: 'data.large',
    title: 'A 20 MiB file sent in random segments arrives intact',
    points: 5,
    timeoutMs: 45_000,
    async run(ctx) {
      const server = await ctx.startServer();
      const body = text(ctx.random, 20 * 1024 * 1024);
      const probe = await ctx.connect(server);
      await sendHeader(probe, 'large.txt');
      ctx.note(`20 MiB of text cut into random segments (seed ${ctx.seed})`);
      await probe.send(body, { segmentation: randomSplits(200), paced: false });
      probe.end();
      await withContext('', 'Stream the data to disk as it arrives, waiting for each write (backpressure).', async () => {
        await expectOkReply(probe, ctx, body, 'large.txt (20 MiB)', 15_000);
        await expectStored(server, ctx, 'uploads/large.txt', body, 'After a 20 MiB upload,');
      });
    },
  },
  {
    id: 'names.bad',
    title: 'Bad names get FAIL bad name and nothing is written outside the upload folder',
    points: 5,
    timeoutMs: 30_000,
    async run(ctx) {
      const server = await ctx.startServer({ fixtures: { [CANARY]: CANARY_CONTENT } });
      // First the presence: an ordinary name is stored, so refusals below are the server's judgement.
      await upload(ctx, server, 'plain.txt', Buffer.from('an ordinary name\n'), '"plain.txt" (an ordinary name, before the bad ones)');
      const wrong: string[] = [];
      for (const { name, label } of BAD_NAMES) {
        const probe = await ctx.connect(server);
        await sendHeader(probe, name);
        await probe.send('payload');
        probe.end();
        const got = await probe.readUntilClosed(ctx.ms(REPLY_MS));
        const received = got.kind === 'ok' ? got.value : got.partial;
        if (got.kind !== 'ok' || received.toString('latin1') !== 'FAIL bad name\n') {
          wrong.push(`${show(label)} got ${received.length > 0 ? show(received) : describeOutcome(got)}${got.kind === 'timeout' && received.length > 0 ? ' and the connection stayed open' : ''}`);
        }
      }
      const canary = await server.readFile(CANARY);
      const outside = (await server.listFiles('.')).filter((f) => f !== CANARY && !f.startsWith(`${UPLOADS}/`));
      const inside = (await visibleNames(server)).filter((f) => f !== 'plain.txt');
      const damage = [
        ...(canary?.toString('utf8') === CANARY_CONTENT ? [] : [`the file ${CANARY} beside the upload folder was ${canary === undefined ? 'deleted' : `overwritten with ${show(canary)}`}`]),
        ...(outside.length > 0 ? [`files appeared outside the upload folder: ${outside.join(', ')}`] : []),
        ...(inside.length > 0 ? [`files appeared in the upload folder: ${inside.join(', ')}`] : []),
      ];
      if (wrong.length > 0 || damage.length > 0) {
        throw new CheckFailure(
          `Names that must be refused with ${show('FAIL bad name\n')} (then the server closes): ${wrong.length > 0 ? wrong.join('; ') : 'all were refused'}${damage.length > 0 ? `; and ${damage.join('; ')}` : ''}. Refuse names that are empty, over 255 bytes, "." or "..", start with ".", or contain "/", "\\" or NUL: they could escape the upload folder or hide files.`,
          {
            expected: `FAIL bad name\\n for each of ${BAD_NAMES.length} bad names; ${CANARY} unchanged; no new files`,
            actual: [...wrong, ...damage].join('\n'),
          },
        );
      }
    },
  },
  {
    id: 'names.exact',
    title: 'Edge names are accepted and stored exactly as sent: spaces at either end, only spaces, \\r inside, 255 bytes',
    points: 5,
    timeoutMs: 30_000,
    async run(ctx) {
      const server = await ctx.startServer();
      for (const { name, header, label } of EXACT_NAMES) {
        const body = Buffer.from(`stored under the name ${label}\n`);
        const probe = await ctx.connect(server);
        await probe.send(header ?? `${name}\n`, { paced: true });
        await probe.send(body, { paced: true });
        probe.end();
        await withContext(
          '',
          'Names are taken exactly as sent: only a \\r right before the \\n is dropped; spaces, tabs and any other \\r are part of the name, and a name of spaces is a valid name.',
          async () => {
            await expectOkReply(probe, ctx, body, `the name ${label}`);
            await expectStored(server, ctx, `${UPLOADS}/${name}`, body, `After uploading the name ${label},`);
          },
        );
      }
    },
  },
  {
    id: 'store.atomic',
    title: 'During an upload nothing appears under the final name, and an older file stays whole',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const rel = 'uploads/atomic.bin';
      const part1 = text(ctx.random, 1024 * 1024);
      const part2 = text(ctx.random, 1024 * 1024);
      const hint = 'Write to a hidden temporary file (e.g. uploads/.upload-<random>.part) and rename it to the final name after the FIN.';
      const a = await ctx.connect(server);
      await sendHeader(a, 'atomic.bin');
      await a.send(part1, { paced: true, paceDeadlineMs: 2000 });
      // The server has read the first half: watch the folder for a moment.
      const early = await waitForFile(server, rel, (content) => content !== undefined, ctx.ms(ABSENCE_MS));
      if (early.accepted) {
        throw new CheckFailure(`While atomic.bin was being uploaded (1 MiB of 2 MiB sent and read by the server, no FIN yet), ${rel} already existed. ${hint}`, {
          expected: `no ${rel} before the upload completes`,
          actual: `${rel} with ${early.content?.length ?? 0} bytes`,
        });
      }
      await a.send(part2, { paced: true, paceDeadlineMs: 2000 });
      a.end();
      const whole = Buffer.concat([part1, part2]);
      await expectOkReply(a, ctx, whole, 'atomic.bin (2 MiB)');
      await expectStored(server, ctx, rel, whole, 'After uploading atomic.bin,');
      // Replace it: while the new upload runs, the old file must stay complete.
      const b = await ctx.connect(server);
      await sendHeader(b, 'atomic.bin');
      await b.send(part2, { paced: true, paceDeadlineMs: 2000 });
      const changed = await waitForFile(server, rel, (content) => content === undefined || !content.equals(whole), ctx.ms(ABSENCE_MS));
      if (changed.accepted) {
        throw new CheckFailure(`While a second upload of atomic.bin was running (1 MiB sent, no FIN yet), the complete older ${rel} was ${changed.content === undefined ? 'removed' : 'changed'}. ${hint}`, {
          expected: `the old ${whole.length} bytes until the new upload completes`,
          actual: changed.content === undefined ? '(no file)' : `${changed.content.length} bytes that differ`,
        });
      }
      b.end();
      await expectOkReply(b, ctx, part2, 'atomic.bin again (1 MiB)');
      await expectStored(server, ctx, rel, part2, 'After replacing atomic.bin,');
    },
  },
  {
    id: 'store.reset',
    title: 'Uploads cut off at any stage (reset before any data, mid-header, after the header, mid-data) leave no file, and the server keeps serving',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const rel = 'uploads/reset.bin';
      // Resets at every stage of a connection, each once the server has read what came before.
      const silent = await ctx.connect(server);
      silent.reset();
      const midHeader = await connectAfter(ctx, server, 'After a client connected and reset at once');
      await midHeader.send('half-a-na', { paced: true });
      midHeader.reset();
      const afterHeader = await connectAfter(ctx, server, 'After a client reset in the middle of its header line');
      await sendHeader(afterHeader, 'header-only.bin');
      afterHeader.reset();
      const probe = await connectAfter(ctx, server, 'After a client reset right after its header line');
      await sendHeader(probe, 'reset.bin');
      await probe.send(text(ctx.random, 512 * 1024), { paced: true, paceDeadlineMs: 2000 });
      probe.reset();
      // After the last byte: the whole file, then FIN and reset at once, before any reply.
      // Whether that upload is kept is not judged (the contract leaves it open; the reference
      // keeps it: the file was complete); only that the server lives on.
      const finished = await connectAfter(ctx, server, 'After a client reset in the middle of its upload');
      await sendHeader(finished, FINISHED_NAME);
      await finished.send('complete before the reset', { paced: true });
      finished.end();
      finished.reset();
      const left = await waitForFile(server, rel, (content) => content !== undefined, ctx.ms(ABSENCE_MS));
      if (left.accepted) {
        throw new CheckFailure(`After a client reset its connection in the middle of uploading reset.bin (512 KiB sent, no FIN), ${rel} exists (${left.content?.length ?? 0} bytes). An aborted upload must leave nothing under its name: write to a temporary file, delete it on 'error'/'close' without FIN.`, {
          expected: `no ${rel}`,
          actual: `${rel} with ${left.content?.length ?? 0} bytes`,
        });
      }
      const visible = (await visibleNames(server)).filter((name) => name !== FINISHED_NAME);
      if (visible.length > 0) {
        throw new CheckFailure(`After uploads cut off by resets (before any data, mid-header, after the header, mid-data), the upload folder holds ${visible.join(', ')}.`, { expected: '(no visible files)', actual: visible.join('\n') });
      }
      const after = await connectAfter(ctx, server, 'After clients reset their connections (before any data, mid-header, after the header line, mid-upload, after the last byte)');
      await sendHeader(after, 'after.txt');
      const body = Buffer.from('still serving');
      await after.send(body, { paced: true });
      after.end();
      await expectOkReply(after, ctx, body, 'after.txt (after other clients reset their uploads at every stage)');
      await expectStored(server, ctx, 'uploads/after.txt', body, 'After resets of other uploads,');
      // Looked at once more, a whole upload later: a server that finishes a cut-off upload
      // late (renaming its temporary file on 'close', say) has had every chance to by now.
      const late = (await visibleNames(server)).filter((name) => name !== FINISHED_NAME);
      if (late.some((name) => name !== 'after.txt')) {
        throw new CheckFailure(`After uploads cut off by resets and one more upload (after.txt), the upload folder holds ${late.join(', ')}: a cut-off upload must leave nothing, not even later.`, {
          expected: 'after.txt',
          actual: late.join('\n'),
        });
      }
    },
  },
  {
    id: 'store.last-wins',
    title: 'Two uploads of one name at once: the one that completes last wins',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const rel = 'uploads/same.txt';
      const bodyA = Buffer.from('from A, started first');
      const bodyB = Buffer.from('from B');
      const a = await ctx.connect(server);
      await sendHeader(a, 'same.txt');
      await a.send(bodyA, { paced: true });
      const b = await ctx.connect(server);
      await sendHeader(b, 'same.txt');
      await b.send(bodyB, { paced: true });
      b.end();
      await withContext('', 'Uploads must run at the same time, even of the same name: each into its own temporary file.', () =>
        expectOkReply(b, ctx, bodyB, 'same.txt from B while A was still uploading same.txt'),
      );
      await expectStored(server, ctx, rel, bodyB, 'B started after A and completed first;');
      a.end();
      await expectOkReply(a, ctx, bodyA, 'same.txt from A, completed after B');
      await expectStored(server, ctx, rel, bodyA, 'A completed after B, so A\'s content must win (rename each complete temporary file over the final name);');
    },
  },
  {
    id: 'concurrency.parallel',
    title: 'Five uploads sent at the same time all arrive intact',
    points: 5,
    timeoutMs: 30_000,
    async run(ctx) {
      const server = await ctx.startServer();
      const names = Array.from({ length: 5 }, (_, i) => `par-${i + 1}.bin`);
      const bodies = names.map((name) => text(ctx.random.fork(name), 1024 * 1024));
      const probes: TcpProbe[] = [];
      for (const name of names) {
        const probe = await ctx.connect(server);
        await sendHeader(probe, name);
        probes.push(probe);
      }
      // All five stream at once (their writes interleave), each with FIN when done.
      await Promise.all(
        probes.map(async (probe, i) => {
          await probe.sendStream(bodies[i]!, 16 * 1024);
          probe.end();
        }),
      );
      for (const [i, probe] of probes.entries()) {
        await expectOkReply(probe, ctx, bodies[i]!, `${names[i]} (one of five concurrent 1 MiB uploads)`, 10_000);
      }
      for (const [i, name] of names.entries()) {
        await expectStored(server, ctx, `uploads/${name}`, bodies[i]!, 'After five concurrent uploads (keep each connection\'s state, file and hash separate),');
      }
    },
  },
  {
    id: 'concurrency.stalled',
    /** Needs the machine to itself (timing): another upload acknowledged within the reply deadline while three clients stall. */
    exclusive: true,
    title: 'Stalled clients (silent, half a header, data without FIN) do not delay another upload',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      await ctx.connect(server); // connected, silent
      const half = await ctx.connect(server);
      await half.send('stall', { paced: true });
      const stalled = await ctx.connect(server);
      await sendHeader(stalled, 'stalled.bin');
      await stalled.send('some data', { paced: true });
      const quick = await ctx.connect(server);
      await sendHeader(quick, 'quick.txt');
      const body = Buffer.from('not blocked');
      await quick.send(body, { paced: true });
      quick.end();
      await withContext('', 'An upload must not wait for other, stalled clients: serve all connections concurrently.', () =>
        expectOkReply(quick, ctx, body, 'quick.txt while three other clients were stalled'),
      );
      await expectStored(server, ctx, 'uploads/quick.txt', body, 'While three other clients were stalled,');
    },
  },
];
