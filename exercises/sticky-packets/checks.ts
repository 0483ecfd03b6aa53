/**
 * The checks of sticky-packets, one per clause of the contract (../shared/EXERCISES.md).
 * Checks that are not about segmentation send one frame per segment (paced), only
 * `reply.count` judges the number in `OK <n>`, only `batch.classic` judges the line ends
 * byte for byte, and only `concurrency.contiguous` judges the order of the lines: one
 * mistake costs points in one place.
 */
import type { CheckDefinition } from '../../grader/exercise/define.ts';
import { CheckFailure } from '../../grader/model/errors.ts';
import { expectLine, show } from '../../grader/probes/expect.ts';
import { waitForFile } from '../../grader/probes/files.ts';
import { bytewise, lengthPrefixed, randomSplits, splitAt } from '../../grader/probes/segmentation.ts';
import {
  CLASSIC_RECORDS,
  ABSENCE_MS,
  MAX_RECORD,
  REPLY_MS,
  STUDENT_FILE,
  TERMINATOR,
  asciiRecords,
  batchBytes,
  connectAfter,
  expectErrTooLarge,
  expectOk,
  expectStudentFile,
  linesOf,
  lostBatches,
  lostLinesMessage,
  renderLines,
  sameLineSet,
  sendPaced,
} from './protocol.ts';
import { text } from './messages.ts';

const { t } = text;

/** A line shortened for messages. */
function short(line: string): string {
  return line.length > 24 ? `${line.slice(0, 24)}…` : line;
}

/**
 * Requires each run (one batch's records) to appear in `lines` contiguous and in order.
 * `batches` are the runs in the order they were answered, to tell lost lines (an
 * overwritten file) from interleaved ones.
 */
function expectRuns(lines: string[], runs: string[][], why: string): void {
  const missing = lostBatches(runs, lines);
  if (missing) {
    throw new CheckFailure(lostLinesMessage(missing, why), { expected: runs.map((run) => run.map(short).join('\n')).join('\n'), actual: lines.map(short).join('\n') || t('lines.empty') });
  }
  for (const run of runs) {
    const start = lines.indexOf(run[0]!);
    const slice = start < 0 ? [] : lines.slice(start, start + run.length);
    if (slice.join('\n') !== run.join('\n')) {
      throw new CheckFailure(
        t('runs.notContiguous', { why, first: show(short(run[0]!)) }),
        { expected: run.map(short).join('\n'), actual: (start < 0 ? lines.slice(0, run.length) : slice).map(short).join('\n') || t('lines.missing') },
      );
    }
  }
}

export const checks: CheckDefinition[] = [
  {
    id: 'batch.classic',
    get title() { return t('batch.classic.title'); },
    points: 10,
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      await sendPaced(probe, [...CLASSIC_RECORDS.map((r) => lengthPrefixed(r)), TERMINATOR]);
      await expectOk(probe, ctx, t('after.classic'));
      await expectStudentFile(server, CLASSIC_RECORDS, ctx, t('why.classic'));
      // The lines are right; now the bytes: each record followed by exactly "\n" (0x0a).
      const content = (await server.readFile(STUDENT_FILE)) ?? Buffer.alloc(0);
      const wanted = Buffer.from(linesOf(content).map((line) => `${line}\n`).join(''), 'utf8');
      if (!content.equals(wanted)) {
        const message = content.includes('\r\n')
          ? t('classic.crlf')
          : content.at(-1) !== 0x0a
            ? t('classic.noFinalNewline')
            : t('classic.notBytes');
        throw new CheckFailure(message, {
          expected: show(wanted, 200),
          actual: show(content, 200),
        });
      }
    },
  },
  {
    id: 'framing.coalesced',
    get title() { return t('framing.coalesced.title'); },
    points: 10,
    async run(ctx) {
      const server = await ctx.startServer();
      const records = ['alpha', 'beta gamma', 'δ', CLASSIC_RECORDS[0]!];
      const probe = await ctx.connect(server);
      await probe.send(batchBytes(records));
      await expectOk(probe, ctx, t('after.coalesced'));
      await expectStudentFile(server, records, ctx, t('why.coalesced'));
    },
  },
  {
    id: 'framing.split-header',
    get title() { return t('framing.split-header.title'); },
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const records = ['one', 'two two', 'x'.repeat(300)];
      const probe = await ctx.connect(server);
      for (const record of records) {
        // The 4 header bytes one per segment, then the body in two segments.
        await probe.send(lengthPrefixed(record), { segmentation: splitAt(1, 2, 3, 4, 6), paced: true });
      }
      await probe.send(TERMINATOR, { segmentation: splitAt(2), paced: true });
      await expectOk(probe, ctx, t('after.splitHeader'));
      await expectStudentFile(server, records, ctx, t('why.splitHeader'));
    },
  },
  {
    id: 'framing.bytewise',
    get title() { return t('framing.bytewise.title'); },
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const records = ['Tom  18   177', 'Abby  19   180'];
      const probe = await ctx.connect(server);
      await probe.send(batchBytes(records), { segmentation: bytewise });
      await expectOk(probe, ctx, t('after.bytewise'));
      await expectStudentFile(server, records, ctx, t('why.bytewise'));
    },
  },
  {
    id: 'framing.utf8-split',
    get title() { return t('framing.utf8-split.title'); },
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const big = '中文字符，'.repeat(20000);
      const probe = await ctx.connect(server);
      for (const record of CLASSIC_RECORDS) {
        // Cuts at bytes 5 and 9: inside 张 / 三 (the header stays whole).
        await probe.send(lengthPrefixed(record), { segmentation: splitAt(5, 9), paced: true });
      }
      const framed = lengthPrefixed(big);
      const cuts = [4];
      for (let at = 4 + 7001; at < framed.length; at += 7001) cuts.push(at);
      await probe.send(framed, { segmentation: splitAt(...cuts), paced: true });
      await probe.send(TERMINATOR, { paced: true });
      await expectOk(probe, ctx, t('after.utf8Split'));
      await expectStudentFile(server, [...CLASSIC_RECORDS, big], ctx, t('why.utf8Split'));
    },
  },
  {
    id: 'framing.random',
    get title() { return t('framing.random.title'); },
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const records = asciiRecords(ctx.random, 20);
      const probe = await ctx.connect(server);
      await probe.send(batchBytes(records), { segmentation: randomSplits(24) });
      await expectOk(probe, ctx, t('after.random', { seed: String(ctx.seed) }));
      await expectStudentFile(server, records, ctx, t('why.random'));
    },
  },
  {
    id: 'reply.count',
    get title() { return t('reply.count.title'); },
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      for (const records of [['r1', 'r2', 'r3'], ['r4'], []]) {
        const probe = await ctx.connect(server);
        await sendPaced(probe, [...records.map((r) => lengthPrefixed(r)), TERMINATOR]);
        await expectOk(probe, ctx, t('after.count', { n: records.length }), records.length);
      }
      await expectStudentFile(server, ['r1', 'r2', 'r3', 'r4'], ctx, t('why.count'), { batches: [['r1', 'r2', 'r3'], ['r4']] });
    },
  },
  {
    id: 'batch.trailing-bytes',
    get title() { return t('batch.trailing-bytes.title'); },
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      await sendPaced(probe, [lengthPrefixed('kept 1'), lengthPrefixed('kept 2')]);
      await probe.send(Buffer.concat([TERMINATOR, lengthPrefixed('ignored'), Buffer.from('garbage')]));
      await expectOk(probe, ctx, t('after.trailing'));
      await expectStudentFile(server, ['kept 1', 'kept 2'], ctx, t('why.trailing'));
    },
  },
  {
    id: 'batch.early-close',
    get title() { return t('batch.early-close.title'); },
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      // Resets at every stage of a connection, each once the server has read what came
      // before: before any data, in a length header, in a record, after whole records. The
      // resets come first: a server that writes a cut-off batch late (on 'close') has then
      // had the rest of the check to do so before the file is read.
      const silent = await ctx.connect(server);
      silent.reset();
      const midHeader = await connectAfter(ctx, server, t('connect.resetAtOnce'));
      await midHeader.send(lengthPrefixed('lost 1').subarray(0, 2), { paced: true });
      midHeader.reset();
      const midBody = await connectAfter(ctx, server, t('connect.resetMidHeader'));
      await midBody.send(lengthPrefixed('lost 2, cut in the middle').subarray(0, 4 + 8), { paced: true });
      midBody.reset();
      const reset = await connectAfter(ctx, server, t('connect.resetMidRecord'));
      await sendPaced(reset, [lengthPrefixed('lost 3'), lengthPrefixed('lost 4')]);
      reset.reset();
      const finned = await connectAfter(ctx, server, t('connect.resetAfterTwo'));
      await sendPaced(finned, [lengthPrefixed('lost 5'), lengthPrefixed('lost 6')]);
      finned.end();
      await finned.readUntilClosed(ctx.ms(REPLY_MS));
      // After the last byte: a whole batch, reset once the server has read its zero-length
      // frame. The batch is complete; whether it is stored is not judged (the reply cannot
      // arrive), only that the server lives on.
      const complete = await connectAfter(ctx, server, t('connect.finAfterTwo'));
      await sendPaced(complete, [lengthPrefixed('done 1'), lengthPrefixed('done 2'), TERMINATOR]);
      complete.reset();
      const last = await connectAfter(ctx, server, t('connect.resetAfterBatch'));
      await sendPaced(last, [lengthPrefixed('after'), TERMINATOR]);
      await expectOk(last, ctx, t('after.earlyClose'));
      const either = [['after'], ['done 1', 'done 2', 'after']];
      const wait = await waitForFile(server, STUDENT_FILE, (content) => either.some((lines) => sameLineSet(linesOf(content), lines)), ctx.ms(1500));
      if (!wait.accepted) {
        throw new CheckFailure(
          wait.content === undefined
            ? t('earlyClose.noFile', { after: show('after'), done1: show('done 1'), done2: show('done 2') })
            : t('earlyClose.lines', { after: show('after'), done1: show('done 1'), done2: show('done 2'), n: linesOf(wait.content).length }),
          { expected: renderLines(['after']), actual: renderLines(wait.content === undefined ? undefined : linesOf(wait.content)) },
        );
      }
    },
  },
  {
    id: 'batch.as-sent',
    get title() { return t('batch.as-sent.title'); },
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const records = ['  two spaces before', 'two spaces after  ', ' ', '   ', '\ttabs\taround\t', '##', 'ends with ##', '😀 four-byte UTF-8 😀', '\uFEFFstarts with U+FEFF', '张三  18   177  '];
      const probe = await ctx.connect(server);
      await sendPaced(probe, [...records.map((r) => lengthPrefixed(r)), TERMINATOR]);
      await expectOk(probe, ctx, t('after.asSent'));
      await expectStudentFile(server, records, ctx, t('why.asSent'));
    },
  },
  {
    id: 'batch.appends',
    get title() { return t('batch.appends.title'); },
    points: 5,
    async run(ctx) {
      const earlier = ['earlier line 1', 'earlier line 2'];
      const server = await ctx.startServer({ fixtures: { [STUDENT_FILE]: earlier.map((line) => `${line}\n`).join('') } });
      const records = ['new 1', 'new 2'];
      const probe = await ctx.connect(server);
      await sendPaced(probe, [...records.map((r) => lengthPrefixed(r)), TERMINATOR]);
      await expectOk(probe, ctx, t('after.appends'));
      await expectStudentFile(server, records, ctx, t('why.appends'), { before: earlier });
    },
  },
  {
    id: 'concurrency.contiguous',
    get title() { return t('concurrency.contiguous.title'); },
    points: 10,
    async run(ctx) {
      const server = await ctx.startServer();
      // Part 1: two connections whose frames alternate, each read by the server before the
      // next is sent: a server that writes records as they arrive interleaves them every time.
      const a = await ctx.connect(server);
      const b = await ctx.connect(server);
      for (let i = 1; i <= 3; i++) {
        await a.send(lengthPrefixed(`a${i}`), { paced: true });
        await b.send(lengthPrefixed(`b${i}`), { paced: true });
      }
      await b.send(TERMINATOR, { paced: true });
      await a.send(TERMINATOR, { paced: true });
      await expectOk(b, ctx, t('after.batchB'));
      await expectOk(a, ctx, t('after.batchA'));
      const first: string[][] = [['b1', 'b2', 'b3'], ['a1', 'a2', 'a3']];
      const settled = await waitForFile(server, STUDENT_FILE, (content) => linesOf(content).length >= 6, ctx.ms(REPLY_MS));
      expectRuns(linesOf(settled.content), first, t('why.alternate'));
      // Part 2: eight connections, each one write of 40 large records, all at once.
      const letters = 'abcdefgh';
      const batches = [...letters].map((letter, k) =>
        Array.from({ length: 40 }, (_, i) => `c${k + 1}-r${i + 1}-${letter.repeat(20000)}`),
      );
      const probes = await Promise.all(batches.map(() => ctx.connect(server)));
      await Promise.all(probes.map((probe, k) => probe.sendStream(batchBytes(batches[k]!))));
      await Promise.all(probes.map((probe, k) => expectOk(probe, ctx, t('after.batchK', { k: String(k + 1) }))));
      const expectedCount = 6 + 320;
      const wait = await waitForFile(server, STUDENT_FILE, (content) => linesOf(content).length >= expectedCount, ctx.ms(REPLY_MS));
      const lines = linesOf(wait.content);
      expectRuns(lines, [...first, ...batches], t('why.eight'));
      if (lines.length !== expectedCount) {
        throw new CheckFailure(t('contiguous.count', { expected: expectedCount, actual: lines.length }));
      }
    },
  },
  {
    id: 'concurrency.idle-client',
    /** Needs the machine to itself (timing): another client's batch answered within the reply deadline while two clients stall. */
    exclusive: true,
    get title() { return t('concurrency.idle-client.title'); },
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const stalled = await ctx.connect(server);
      await stalled.send(Buffer.from([0, 0]));
      await ctx.connect(server); // connected, silent
      const busy = await ctx.connect(server);
      await sendPaced(busy, [lengthPrefixed('busy'), TERMINATOR]);
      await expectOk(busy, ctx, t('after.idle'));
      await expectStudentFile(server, ['busy'], ctx, t('why.idle'));
    },
  },
  {
    id: 'limits.exactly-1mib',
    get title() { return t('limits.exactly-1mib.title'); },
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const alphabet = 'abcdefghijklmnopqrstuvwxyz';
      const big = alphabet.repeat(Math.ceil(MAX_RECORD / 26)).slice(0, MAX_RECORD);
      const probe = await ctx.connect(server);
      await probe.sendStream(batchBytes([big]));
      await expectOk(probe, ctx, t('after.exactly1mib', { bytes: MAX_RECORD }));
      await expectStudentFile(server, [big], ctx, t('why.exactly1mib'));
    },
  },
  {
    id: 'limits.too-large',
    get title() { return t('limits.too-large.title'); },
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      await sendPaced(probe, [lengthPrefixed('r1'), lengthPrefixed('r2')]);
      // Only the header and a few body bytes: the server must answer from the header, and a
      // server that dies right after answering must not turn its reply into a reset (which
      // unread bytes in its receive queue would).
      const header = Buffer.alloc(4);
      header.writeUInt32BE(MAX_RECORD + 1);
      await probe.send(Buffer.concat([header, Buffer.from('aaaa')]), { paced: true });
      await expectErrTooLarge(probe, ctx, t('after.tooLarge', { bytes: MAX_RECORD + 1 }));
      // Nothing of the rejected batch (r1, r2) may reach the file. The server has answered,
      // so it has handled the batch; give a write in flight a moment to land, then look.
      const wait = await waitForFile(server, STUDENT_FILE, (content) => linesOf(content).length > 0, ctx.ms(ABSENCE_MS));
      if (wait.accepted) {
        throw new CheckFailure(t('tooLarge.written'), {
          expected: t('tooLarge.expected'),
          actual: linesOf(wait.content).join('\n'),
        });
      }
    },
  },
  {
    id: 'limits.huge-length',
    get title() { return t('limits.huge-length.title'); },
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      await probe.send(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x61, 0x62, 0x63]));
      await expectErrTooLarge(probe, ctx, t('after.hugeLength'));
    },
  },
  {
    id: 'limits.keeps-serving',
    get title() { return t('limits.keeps-serving.title'); },
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const a = await ctx.connect(server);
      await a.send(lengthPrefixed('a1'), { paced: true });
      const b = await ctx.connect(server);
      await b.send(Buffer.from([0x00, 0x20, 0x00, 0x00, 1, 2, 3]));
      await expectLine(b, 'ERR too large', {
        after: t('after.twoMib'),
        timeoutMs: ctx.ms(REPLY_MS),
        hint: t('hint.refuseAtOnce'),
      });
      const c = await connectAfter(ctx, server, t('connect.afterRefusing'));
      await sendPaced(c, [lengthPrefixed('c1'), TERMINATOR]);
      await expectOk(c, ctx, t('after.newClient'));
      await sendPaced(a, [lengthPrefixed('a2'), TERMINATOR]);
      await expectOk(a, ctx, t('after.connectedWhileRefused'));
      await expectStudentFile(server, ['a1', 'a2', 'c1'], ctx, t('why.keepsServing'), { batches: [['c1'], ['a1', 'a2']] });
    },
  },
];

