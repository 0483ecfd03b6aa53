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
import { text as messages } from './messages.ts';

const { t } = messages;

/** Header in its own segment, body in one paced segment, FIN, then the OK reply and the stored file. */
async function upload(ctx: CheckContext, server: RunningServer, name: string, body: Uint8Array, what: string, dir = UPLOADS): Promise<void> {
  const probe = await ctx.connect(server);
  await sendHeader(probe, name);
  if (body.length > 0) await probe.send(body, { paced: true });
  probe.end();
  await expectOkReply(probe, ctx, body, what);
  await expectStored(server, ctx, `${dir}/${name}`, body, t('why.afterUploading', { what }));
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
    throw new CheckFailure(t('connect.refused', { after }), {
      expected: t('connect.expected'),
      actual: t('connect.actual'),
    });
  }
}

const BAD_NAMES: { name: Buffer; label: () => string }[] = [
  { name: Buffer.from('../canary.txt'), label: () => '../canary.txt' },
  { name: Buffer.from('../escape.txt'), label: () => '../escape.txt' },
  { name: Buffer.from('a/b.txt'), label: () => 'a/b.txt' },
  { name: Buffer.from('a\\b.txt'), label: () => 'a\\b.txt' },
  { name: Buffer.from('.hidden'), label: () => '.hidden' },
  { name: Buffer.from('.'), label: () => '.' },
  { name: Buffer.from('..'), label: () => '..' },
  { name: Buffer.alloc(0), label: () => t('label.emptyName') },
  { name: Buffer.from('nul\0.txt'), label: () => 'nul\\0.txt' },
  { name: Buffer.from('a'.repeat(256)), label: () => t('label.256a') },
  { name: Buffer.from('中'.repeat(86)), label: () => t('label.86zhong') },
];

/** Valid names at the edges, each stored under exactly this name. */
const EXACT_NAMES: { name: string; header?: string; label: string; shown?: () => string }[] = [
  { name: ' leading space.txt', label: '" leading space.txt"' },
  { name: 'trailing space.txt ', label: '"trailing space.txt "' },
  { name: ' ', label: '" " (one space)', shown: () => t('label.oneSpace') },
  { name: '   ', label: '"   " (three spaces)', shown: () => t('label.threeSpaces') },
  { name: ' .not-hidden', label: '" .not-hidden" (a space, then a dot)', shown: () => t('label.notHidden') },
  { name: '\ttab\t.txt', label: '"\\ttab\\t.txt"' },
  { name: 'cr\rinside.txt', label: '"cr\\rinside.txt" (a \\r that is not before the \\n)', shown: () => t('label.crInside') },
  { name: 'cr at end\r', header: 'cr at end\r\r\n', label: '"cr at end\\r" (sent as "cr at end\\r\\r\\n": only the last \\r is dropped)', shown: () => t('label.crAtEnd') },
  { name: 'name with spaces.txt', label: '"name with spaces.txt"' },
  { name: 'a..b', label: '"a..b"' },
  { name: '中'.repeat(85), label: '85 × "中" (255 bytes, the longest valid name)', shown: () => t('label.85zhong') },
  { name: 'b'.repeat(255), header: `${'b'.repeat(255)}\r\n`, label: '255 × "b" sent with "\\r\\n" (the \\r is not part of the 255 bytes)', shown: () => t('label.255b') },
];

/** store.reset: the upload reset right after its FIN, whose fate is not judged. */
const FINISHED_NAME = 'reset-after-fin.txt';

const CANARY = 'canary.txt';
const CANARY_CONTENT = 'netgrade canary: this file lies outside the upload folder and must never change\n';

export const checks: CheckDefinition[] = [
  {
    id: 'upload.basic',
    get title() { return t('upload.basic.title'); },
    points: 10,
    async run(ctx) {
      const server = await ctx.startServer();
      const body = Buffer.from('你好, world\n第二行\n');
      const probe = await ctx.connect(server);
      await sendHeader(probe, 'hello.txt');
      await probe.send(body, { paced: true });
      await expectNoReplyYet(probe, ctx.ms(100), t('after.helloData'), t('hint.replyAfterFin'));
      probe.end();
      await expectOkReply(probe, ctx, body, 'hello.txt');
      await expectStored(server, ctx, 'uploads/hello.txt', body, t('why.hello'));
    },
  },
  {
    id: 'upload.empty',
    get title() { return t('upload.empty.title'); },
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      await sendHeader(probe, 'empty.bin');
      probe.end();
      await expectOkReply(probe, ctx, Buffer.alloc(0), t('what.empty'));
      await expectStored(server, ctx, 'uploads/empty.bin', Buffer.alloc(0), t('why.empty'));
    },
  },
  {
    id: 'upload.dir-env',
    get title() { return t('upload.dir-env.title'); },
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer({ env: { UPLOAD_DIR: 'store/inbox' } });
      const body = Buffer.from('into the inbox\n');
      await upload(ctx, server, 'x.txt', body, t('what.dirEnv'), 'store/inbox');
      if ((await server.readFile('uploads/x.txt')) !== undefined) {
        throw new CheckFailure(t('dirEnv.alsoUploads'));
      }
    },
  },
  {
    id: 'data.binary',
    get title() { return t('data.binary.title'); },
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
      await withContext('', t('hint.binary'), async () => {
        await expectOkReply(probe, ctx, body, 'binary.bin');
        await expectStored(server, ctx, 'uploads/binary.bin', body, t('why.binary'));
      });
    },
  },
  {
    id: 'data.hash-marker',
    get title() { return t('data.hash-marker.title'); },
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      await sendHeader(probe, 'marker.txt');
      for (const piece of ['part1\n', '##', 'part2 ## end##']) await probe.send(piece, { paced: true });
      await expectNoReplyYet(probe, ctx.ms(ABSENCE_MS), t('after.markerPieces'), t('hint.marker'));
      probe.end();
      const body = Buffer.from('part1\n##part2 ## end##');
      await expectOkReply(probe, ctx, body, 'marker.txt');
      await expectStored(server, ctx, 'uploads/marker.txt', body, t('why.marker'));
    },
  },
  {
    id: 'framing.header-with-data',
    get title() { return t('framing.header-with-data.title'); },
    points: 10,
    async run(ctx) {
      const server = await ctx.startServer();
      const hint = t('hint.together');
      const body = text(ctx.random, 370);
      const a = await ctx.connect(server);
      await a.send(Buffer.concat([Buffer.from('together.txt\n'), body]));
      a.end();
      const b = await ctx.connect(server);
      await b.send('tiny.txt\nx');
      b.end();
      await withContext('', hint, async () => {
        await expectOkReply(a, ctx, body, t('what.together'));
        await expectStored(server, ctx, 'uploads/together.txt', body, t('why.together'));
        await expectOkReply(b, ctx, Buffer.from('x'), t('what.tiny'));
        await expectStored(server, ctx, 'uploads/tiny.txt', Buffer.from('x'), t('why.tiny'));
      });
    },
  },
  {
    id: 'framing.header-split',
    get title() { return t('framing.header-split.title'); },
    points: 10,
    async run(ctx) {
      const server = await ctx.startServer();
      const hint = t('hint.headerSplit');
      await withContext('', hint, async () => {
        const name = '分段 名字.txt';
        const a = await ctx.connect(server);
        await a.send(`${name}\n`, { segmentation: bytewise, paced: true });
        const body = Buffer.from('split body');
        await a.send(body, { paced: true });
        a.end();
        await expectOkReply(a, ctx, body, t('what.bytewiseHeader', { name }));
        await expectStored(server, ctx, `uploads/${name}`, body, t('why.bytewiseHeader'));
        const b = await ctx.connect(server);
        await b.send('crlf.txt\r', { paced: true });
        await b.send('\n', { paced: true });
        const crlfBody = Buffer.from('body after crlf');
        await b.send(crlfBody, { paced: true });
        b.end();
        await expectOkReply(b, ctx, crlfBody, t('what.crlf'));
        await expectStored(server, ctx, 'uploads/crlf.txt', crlfBody, t('why.crlf'));
      });
    },
  },
  {
    id: 'data.slow-sender',
    get title() { return t('data.slow-sender.title'); },
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      await sendHeader(probe, 'slow.txt');
      await probe.send('first half, ', { paced: true });
      await expectNoReplyYet(probe, ctx.ms(1000), t('after.pause'), t('hint.pause'));
      await probe.send('second half', { paced: true });
      probe.end();
      const body = Buffer.from('first half, second half');
      await expectOkReply(probe, ctx, body, t('what.slow'));
      await expectStored(server, ctx, 'uploads/slow.txt', body, t('why.pause'));
    },
  },
  {
    id: 'data.large',
    get title() { return t('data.large.title'); },
    points: 5,
    timeoutMs: 45_000,
    async run(ctx) {
      const server = await ctx.startServer();
      const body = text(ctx.random, 20 * 1024 * 1024);
      const probe = await ctx.connect(server);
      await sendHeader(probe, 'large.txt');
      ctx.note(t('note.large', { seed: String(ctx.seed) }));
      await probe.send(body, { segmentation: randomSplits(200), paced: false });
      probe.end();
      await withContext('', t('hint.large'), async () => {
        await expectOkReply(probe, ctx, body, t('what.large'), 15_000);
        await expectStored(server, ctx, 'uploads/large.txt', body, t('why.large'));
      });
    },
  },
  {
    id: 'names.bad',
    get title() { return t('names.bad.title'); },
    points: 5,
    timeoutMs: 30_000,
    async run(ctx) {
      const server = await ctx.startServer({ fixtures: { [CANARY]: CANARY_CONTENT } });
      // First the presence: an ordinary name is stored, so refusals below are the server's judgement.
      await upload(ctx, server, 'plain.txt', Buffer.from('an ordinary name\n'), t('what.plain'));
      const wrong: string[] = [];
      for (const { name, label } of BAD_NAMES) {
        const probe = await ctx.connect(server);
        await sendHeader(probe, name);
        await probe.send('payload');
        probe.end();
        const got = await probe.readUntilClosed(ctx.ms(REPLY_MS));
        const received = got.kind === 'ok' ? got.value : got.partial;
        if (got.kind !== 'ok' || received.toString('latin1') !== 'FAIL bad name\n') {
          const item = { label: show(label()), got: received.length > 0 ? show(received) : describeOutcome(got) };
          wrong.push(got.kind === 'timeout' && received.length > 0 ? t('bad.gotOpen', item) : t('bad.got', item));
        }
      }
      const canary = await server.readFile(CANARY);
      const outside = (await server.listFiles('.')).filter((f) => f !== CANARY && !f.startsWith(`${UPLOADS}/`));
      const inside = (await visibleNames(server)).filter((f) => f !== 'plain.txt');
      const damage = [
        ...(canary?.toString('utf8') === CANARY_CONTENT
          ? []
          : [canary === undefined ? t('bad.canaryDeleted', { canary: CANARY }) : t('bad.canaryOverwritten', { canary: CANARY, content: show(canary) })]),
        ...(outside.length > 0 ? [t('bad.outside', { files: outside.join(t('list.separator')) })] : []),
        ...(inside.length > 0 ? [t('bad.inside', { files: inside.join(t('list.separator')) })] : []),
      ];
      if (wrong.length > 0 || damage.length > 0) {
        const wrongText = wrong.length > 0 ? wrong.join(t('list.itemSeparator')) : t('bad.allRefused');
        throw new CheckFailure(
          damage.length > 0
            ? t('bad.failDamage', { fail: show('FAIL bad name\n'), wrong: wrongText, damage: damage.join(t('list.itemSeparator')) })
            : t('bad.fail', { fail: show('FAIL bad name\n'), wrong: wrongText }),
          {
            expected: t('bad.expected', { n: BAD_NAMES.length, canary: CANARY }),
            actual: [...wrong, ...damage].join('\n'),
          },
        );
      }
    },
  },
  {
    id: 'names.exact',
    get title() { return t('names.exact.title'); },
    points: 5,
    timeoutMs: 30_000,
    async run(ctx) {
      const server = await ctx.startServer();
      for (const { name, header, label, shown } of EXACT_NAMES) {
        const body = Buffer.from(`stored under the name ${label}\n`);
        const probe = await ctx.connect(server);
        await probe.send(header ?? `${name}\n`, { paced: true });
        await probe.send(body, { paced: true });
        probe.end();
        await withContext(
          '',
          t('hint.exactNames'),
          async () => {
            await expectOkReply(probe, ctx, body, t('what.theName', { label: shown?.() ?? label }));
            await expectStored(server, ctx, `${UPLOADS}/${name}`, body, t('why.theName', { label: shown?.() ?? label }));
          },
        );
      }
    },
  },
  {
    id: 'store.atomic',
    get title() { return t('store.atomic.title'); },
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const rel = 'uploads/atomic.bin';
      const part1 = text(ctx.random, 1024 * 1024);
      const part2 = text(ctx.random, 1024 * 1024);
      const hint = t('hint.atomic');
      const a = await ctx.connect(server);
      await sendHeader(a, 'atomic.bin');
      await a.send(part1, { paced: true, paceDeadlineMs: 2000 });
      // The server has read the first half: watch the folder for a moment.
      const early = await waitForFile(server, rel, (content) => content !== undefined, ctx.ms(ABSENCE_MS));
      if (early.accepted) {
        throw new CheckFailure(t('atomic.early', { rel, hint }), {
          expected: t('atomic.earlyExpected', { rel }),
          actual: t('file.withBytes', { rel, n: early.content?.length ?? 0 }),
        });
      }
      await a.send(part2, { paced: true, paceDeadlineMs: 2000 });
      a.end();
      const whole = Buffer.concat([part1, part2]);
      await expectOkReply(a, ctx, whole, t('what.atomic'));
      await expectStored(server, ctx, rel, whole, t('why.atomic'));
      // Replace it: while the new upload runs, the old file must stay complete.
      const b = await ctx.connect(server);
      await sendHeader(b, 'atomic.bin');
      await b.send(part2, { paced: true, paceDeadlineMs: 2000 });
      const changed = await waitForFile(server, rel, (content) => content === undefined || !content.equals(whole), ctx.ms(ABSENCE_MS));
      if (changed.accepted) {
        throw new CheckFailure(t(changed.content === undefined ? 'atomic.removed' : 'atomic.changed', { rel, hint }), {
          expected: t('atomic.oldExpected', { n: whole.length }),
          actual: changed.content === undefined ? t('file.none') : t('file.differs', { n: changed.content.length }),
        });
      }
      b.end();
      await expectOkReply(b, ctx, part2, t('what.atomicAgain'));
      await expectStored(server, ctx, rel, part2, t('why.atomicReplaced'));
    },
  },
  {
    id: 'store.reset',
    get title() { return t('store.reset.title'); },
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const rel = 'uploads/reset.bin';
      // Resets at every stage of a connection, each once the server has read what came before.
      const silent = await ctx.connect(server);
      silent.reset();
      const midHeader = await connectAfter(ctx, server, t('connect.resetAtOnce'));
      await midHeader.send('half-a-na', { paced: true });
      midHeader.reset();
      const afterHeader = await connectAfter(ctx, server, t('connect.resetMidHeader'));
      await sendHeader(afterHeader, 'header-only.bin');
      afterHeader.reset();
      const probe = await connectAfter(ctx, server, t('connect.resetAfterHeader'));
      await sendHeader(probe, 'reset.bin');
      await probe.send(text(ctx.random, 512 * 1024), { paced: true, paceDeadlineMs: 2000 });
      probe.reset();
      // After the last byte: the whole file, then FIN and reset at once, before any reply.
      // Whether that upload is kept is not judged (the contract leaves it open; the reference
      // keeps it: the file was complete); only that the server lives on.
      const finished = await connectAfter(ctx, server, t('connect.resetMidUpload'));
      await sendHeader(finished, FINISHED_NAME);
      await finished.send('complete before the reset', { paced: true });
      finished.end();
      finished.reset();
      const left = await waitForFile(server, rel, (content) => content !== undefined, ctx.ms(ABSENCE_MS));
      if (left.accepted) {
        throw new CheckFailure(t('reset.left', { rel, n: left.content?.length ?? 0 }), {
          expected: t('reset.leftExpected', { rel }),
          actual: t('file.withBytes', { rel, n: left.content?.length ?? 0 }),
        });
      }
      const visible = (await visibleNames(server)).filter((name) => name !== FINISHED_NAME);
      if (visible.length > 0) {
        throw new CheckFailure(t('reset.visible', { files: visible.join(t('list.separator')) }), { expected: t('reset.visibleExpected'), actual: visible.join('\n') });
      }
      const after = await connectAfter(ctx, server, t('connect.resetAll'));
      await sendHeader(after, 'after.txt');
      const body = Buffer.from('still serving');
      await after.send(body, { paced: true });
      after.end();
      await expectOkReply(after, ctx, body, t('what.afterResets'));
      await expectStored(server, ctx, 'uploads/after.txt', body, t('why.afterResets'));
      // Looked at once more, a whole upload later: a server that finishes a cut-off upload
      // late (renaming its temporary file on 'close', say) has had every chance to by now.
      const late = (await visibleNames(server)).filter((name) => name !== FINISHED_NAME);
      if (late.some((name) => name !== 'after.txt')) {
        throw new CheckFailure(t('reset.late', { files: late.join(t('list.separator')) }), {
          expected: 'after.txt',
          actual: late.join('\n'),
        });
      }
    },
  },
  {
    id: 'store.last-wins',
    get title() { return t('store.last-wins.title'); },
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
      await withContext('', t('hint.sameName'), () =>
        expectOkReply(b, ctx, bodyB, t('what.sameFromB')),
      );
      await expectStored(server, ctx, rel, bodyB, t('why.bFirst'));
      a.end();
      await expectOkReply(a, ctx, bodyA, t('what.sameFromA'));
      await expectStored(server, ctx, rel, bodyA, t('why.aLast'));
    },
  },
  {
    id: 'concurrency.parallel',
    get title() { return t('concurrency.parallel.title'); },
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
        await expectOkReply(probe, ctx, bodies[i]!, t('what.parallel', { name: names[i]! }), 10_000);
      }
      for (const [i, name] of names.entries()) {
        await expectStored(server, ctx, `uploads/${name}`, bodies[i]!, t('why.parallel'));
      }
    },
  },
  {
    id: 'concurrency.stalled',
    /** Needs the machine to itself (timing): another upload acknowledged within the reply deadline while three clients stall. */
    exclusive: true,
    get title() { return t('concurrency.stalled.title'); },
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
      await withContext('', t('hint.stalled'), () =>
        expectOkReply(quick, ctx, body, t('what.quick')),
      );
      await expectStored(server, ctx, 'uploads/quick.txt', body, t('why.stalled'));
    },
  },
];
