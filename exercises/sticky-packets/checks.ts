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
    throw new CheckFailure(lostLinesMessage(missing, why), { expected: runs.map((run) => run.map(short).join('\n')).join('\n'), actual: lines.map(short).join('\n') || '(empty)' });
  }
  for (const run of runs) {
    const start = lines.indexOf(run[0]!);
    const slice = start < 0 ? [] : lines.slice(start, start + run.length);
    if (slice.join('\n') !== run.join('\n')) {
      throw new CheckFailure(
        `${why} the batch starting ${show(short(run[0]!))} is not contiguous and in order in student.txt (batches were interleaved, or records of one batch landed out of order). Write a batch only once it is complete, in one append, one append at a time (a promise chain used as a queue).`,
        { expected: run.map(short).join('\n'), actual: (start < 0 ? lines.slice(0, run.length) : slice).map(short).join('\n') || '(missing)' },
      );
    }
  }
}

export const checks: CheckDefinition[] = [
  {
    id: 'batch.classic',
    title: 'The classic three records, one frame per segment, are stored as three lines ending in \\n, byte for byte',
    points: 10,
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      await sendPaced(probe, [...CLASSIC_RECORDS.map((r) => lengthPrefixed(r)), TERMINATOR]);
      await expectOk(probe, ctx, 'sending the three classic records and the zero-length frame, one frame per segment');
      await expectStudentFile(server, CLASSIC_RECORDS, ctx, 'After the classic batch,');
      // The lines are right; now the bytes: each record followed by exactly "\n" (0x0a).
      const content = (await server.readFile(STUDENT_FILE)) ?? Buffer.alloc(0);
      const wanted = Buffer.from(linesOf(content).map((line) => `${line}\n`).join(''), 'utf8');
      if (!content.equals(wanted)) {
        const why = content.includes('\r\n')
          ? 'its lines end with "\\r\\n"; files a server writes use "\\n" (0x0a) line ends only: append each record followed by "\\n" alone.'
          : content.at(-1) !== 0x0a
            ? 'its last line has no "\\n": every record, the last included, is followed by "\\n".'
            : 'it is not the records, each followed by "\\n", byte for byte.';
        throw new CheckFailure(`After the classic batch student.txt holds the three records, but ${why}`, {
          expected: show(wanted, 200),
          actual: show(content, 200),
        });
      }
    },
  },
  {
    id: 'framing.coalesced',
    title: 'Several frames arriving in one segment are separated',
    points: 10,
    async run(ctx) {
      const server = await ctx.startServer();
      const records = ['alpha', 'beta gamma', 'δ', CLASSIC_RECORDS[0]!];
      const probe = await ctx.connect(server);
      await probe.send(batchBytes(records));
      await expectOk(probe, ctx, 'sending four frames and the zero-length frame in one segment');
      await expectStudentFile(server, records, ctx, 'Four frames and the terminator arrived in one segment (one data event can hold several frames);');
    },
  },
  {
    id: 'framing.split-header',
    title: 'Length headers split across segments are reassembled',
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
      await expectOk(probe, ctx, 'sending frames whose 4-byte length headers arrived one byte per segment');
      await expectStudentFile(server, records, ctx, 'Length headers arrived one byte per segment (collect 4 bytes before reading a length);');
    },
  },
  {
    id: 'framing.bytewise',
    title: 'A whole batch sent one byte per segment is decoded',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const records = ['Tom  18   177', 'Abby  19   180'];
      const probe = await ctx.connect(server);
      await probe.send(batchBytes(records), { segmentation: bytewise });
      await expectOk(probe, ctx, 'sending a batch one byte per segment');
      await expectStudentFile(server, records, ctx, 'After a batch sent one byte per segment,');
    },
  },
  {
    id: 'framing.utf8-split',
    title: 'Records whose characters are split across segments keep their bytes',
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
      await expectOk(probe, ctx, 'sending records whose multi-byte characters were split across segments');
      await expectStudentFile(server, [...CLASSIC_RECORDS, big], ctx, 'Characters split across segments were changed (U+FFFD appears when a chunk is decoded alone: keep bytes, decode whole records);');
    },
  },
  {
    id: 'framing.random',
    title: 'Twenty records cut at random points (seeded) are decoded',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const records = asciiRecords(ctx.random, 20);
      const probe = await ctx.connect(server);
      await probe.send(batchBytes(records), { segmentation: randomSplits(24) });
      await expectOk(probe, ctx, `sending 20 records cut into random segments (seed ${ctx.seed})`);
      await expectStudentFile(server, records, ctx, 'After 20 records cut into random segments,');
    },
  },
  {
    id: 'reply.count',
    title: 'OK <n> counts the records of this batch (3, 1, then 0)',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      for (const records of [['r1', 'r2', 'r3'], ['r4'], []]) {
        const probe = await ctx.connect(server);
        await sendPaced(probe, [...records.map((r) => lengthPrefixed(r)), TERMINATOR]);
        await expectOk(probe, ctx, `sending a batch of ${records.length} record(s)`, records.length);
      }
      await expectStudentFile(server, ['r1', 'r2', 'r3', 'r4'], ctx, 'After batches of 3, 1 and 0 records,', { batches: [['r1', 'r2', 'r3'], ['r4']] });
    },
  },
  {
    id: 'batch.trailing-bytes',
    title: 'Bytes after the zero-length frame are ignored',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      await sendPaced(probe, [lengthPrefixed('kept 1'), lengthPrefixed('kept 2')]);
      await probe.send(Buffer.concat([TERMINATOR, lengthPrefixed('ignored'), Buffer.from('garbage')]));
      await expectOk(probe, ctx, 'sending 2 records, then the zero-length frame followed by more bytes in one segment');
      await expectStudentFile(server, ['kept 1', 'kept 2'], ctx, 'Bytes after the zero-length frame must be ignored;');
    },
  },
  {
    id: 'batch.early-close',
    title: 'Connections cut off before the zero-length frame (reset at every stage, or FIN) write nothing, and the server keeps serving',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      // Resets at every stage of a connection, each once the server has read what came
      // before: before any data, in a length header, in a record, after whole records. The
      // resets come first: a server that writes a cut-off batch late (on 'close') has then
      // had the rest of the check to do so before the file is read.
      const silent = await ctx.connect(server);
      silent.reset();
      const midHeader = await connectAfter(ctx, server, 'After a client connected and reset at once');
      await midHeader.send(lengthPrefixed('lost 1').subarray(0, 2), { paced: true });
      midHeader.reset();
      const midBody = await connectAfter(ctx, server, 'After a client reset in the middle of a length header');
      await midBody.send(lengthPrefixed('lost 2, cut in the middle').subarray(0, 4 + 8), { paced: true });
      midBody.reset();
      const reset = await connectAfter(ctx, server, 'After a client reset in the middle of a record');
      await sendPaced(reset, [lengthPrefixed('lost 3'), lengthPrefixed('lost 4')]);
      reset.reset();
      const finned = await connectAfter(ctx, server, 'After a client reset after two whole records');
      await sendPaced(finned, [lengthPrefixed('lost 5'), lengthPrefixed('lost 6')]);
      finned.end();
      await finned.readUntilClosed(ctx.ms(REPLY_MS));
      // After the last byte: a whole batch, reset once the server has read its zero-length
      // frame. The batch is complete; whether it is stored is not judged (the reply cannot
      // arrive), only that the server lives on.
      const complete = await connectAfter(ctx, server, 'After a client closed (FIN) after two whole records');
      await sendPaced(complete, [lengthPrefixed('done 1'), lengthPrefixed('done 2'), TERMINATOR]);
      complete.reset();
      const last = await connectAfter(ctx, server, 'After a client reset right after its zero-length frame');
      await sendPaced(last, [lengthPrefixed('after'), TERMINATOR]);
      await expectOk(last, ctx, 'a complete batch of one record after connections reset before any data, mid-header, mid-record, after two records and after a whole batch, and one closed (FIN) after two records');
      const either = [['after'], ['done 1', 'done 2', 'after']];
      const wait = await waitForFile(server, STUDENT_FILE, (content) => either.some((lines) => sameLineSet(linesOf(content), lines)), ctx.ms(1500));
      if (!wait.accepted) {
        throw new CheckFailure(
          `Batches cut off before their zero-length frame (by a reset mid-header, mid-record or after two records, or by a FIN after two records) must write nothing: student.txt should hold only ${show('after')} (and perhaps ${show('done 1')}, ${show('done 2')}, the batch reset only after its zero-length frame), but it holds ${wait.content === undefined ? 'nothing (no file)' : `${linesOf(wait.content).length} line(s)`}. Collect a batch's records and append them only once its zero-length frame has arrived; a connection that ends first just drops them.`,
          { expected: renderLines(['after']), actual: renderLines(wait.content === undefined ? undefined : linesOf(wait.content)) },
        );
      }
    },
  },
  {
    id: 'batch.as-sent',
    title: 'Records are stored exactly as sent: spaces at either end, only spaces, tabs, ##, 4-byte characters',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const records = ['  two spaces before', 'two spaces after  ', ' ', '   ', '\ttabs\taround\t', '##', 'ends with ##', '😀 four-byte UTF-8 😀', '\uFEFFstarts with U+FEFF', '张三  18   177  '];
      const probe = await ctx.connect(server);
      await sendPaced(probe, [...records.map((r) => lengthPrefixed(r)), TERMINATOR]);
      await expectOk(probe, ctx, 'sending records with spaces at either end, only spaces, tabs, "##" and 4-byte characters, one frame per segment');
      await expectStudentFile(server, records, ctx, 'Records are stored exactly as sent, byte for byte (no trimming, no decoding that drops a U+FEFF):');
    },
  },
  {
    id: 'batch.appends',
    title: 'A student.txt that exists at start keeps its lines; the batch is appended after them',
    points: 5,
    async run(ctx) {
      const earlier = ['earlier line 1', 'earlier line 2'];
      const server = await ctx.startServer({ fixtures: { [STUDENT_FILE]: earlier.map((line) => `${line}\n`).join('') } });
      const records = ['new 1', 'new 2'];
      const probe = await ctx.connect(server);
      await sendPaced(probe, [...records.map((r) => lengthPrefixed(r)), TERMINATOR]);
      await expectOk(probe, ctx, 'sending a batch of 2 records to a server whose student.txt already held 2 lines');
      await expectStudentFile(server, records, ctx, 'student.txt held 2 lines when the server started;', { before: earlier });
    },
  },
  {
    id: 'concurrency.contiguous',
    title: 'Batches sent at the same time stay contiguous and in order',
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
      await expectOk(b, ctx, "connection B's batch of 3");
      await expectOk(a, ctx, "connection A's batch of 3");
      const first: string[][] = [['b1', 'b2', 'b3'], ['a1', 'a2', 'a3']];
      const settled = await waitForFile(server, STUDENT_FILE, (content) => linesOf(content).length >= 6, ctx.ms(REPLY_MS));
      expectRuns(linesOf(settled.content), first, 'Two connections sent their records alternately;');
      // Part 2: eight connections, each one write of 40 large records, all at once.
      const letters = 'abcdefgh';
      const batches = [...letters].map((letter, k) =>
        Array.from({ length: 40 }, (_, i) => `c${k + 1}-r${i + 1}-${letter.repeat(20000)}`),
      );
      const probes = await Promise.all(batches.map(() => ctx.connect(server)));
      await Promise.all(probes.map((probe, k) => probe.sendStream(batchBytes(batches[k]!))));
      await Promise.all(probes.map((probe, k) => expectOk(probe, ctx, `connection ${k + 1}'s batch of 40 records`)));
      const expectedCount = 6 + 320;
      const wait = await waitForFile(server, STUDENT_FILE, (content) => linesOf(content).length >= expectedCount, ctx.ms(REPLY_MS));
      const lines = linesOf(wait.content);
      expectRuns(lines, [...first, ...batches], 'Eight connections sent a batch of 40 records each at the same time;');
      if (lines.length !== expectedCount) {
        throw new CheckFailure(`student.txt should hold ${expectedCount} lines after ten concurrent batches, but holds ${lines.length}.`);
      }
    },
  },
  {
    id: 'concurrency.idle-client',
    /** Needs the machine to itself (timing): another client's batch answered within the reply deadline while two clients stall. */
    exclusive: true,
    title: 'Clients that stall mid-frame or send nothing do not hold up others',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const stalled = await ctx.connect(server);
      await stalled.send(Buffer.from([0, 0]));
      await ctx.connect(server); // connected, silent
      const busy = await ctx.connect(server);
      await sendPaced(busy, [lengthPrefixed('busy'), TERMINATOR]);
      await expectOk(busy, ctx, 'a batch sent while one client was stalled mid-header and another silent');
      await expectStudentFile(server, ['busy'], ctx, 'While other clients were stalled,');
    },
  },
  {
    id: 'limits.exactly-1mib',
    title: 'A record of exactly 1 MiB is accepted',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const alphabet = 'abcdefghijklmnopqrstuvwxyz';
      const big = alphabet.repeat(Math.ceil(MAX_RECORD / 26)).slice(0, MAX_RECORD);
      const probe = await ctx.connect(server);
      await probe.sendStream(batchBytes([big]));
      await expectOk(probe, ctx, `sending one record of exactly ${MAX_RECORD} bytes (the limit is over 1 MiB, not at it)`);
      await expectStudentFile(server, [big], ctx, 'A record of exactly 1,048,576 bytes is allowed;');
    },
  },
  {
    id: 'limits.too-large',
    title: 'A frame over 1 MiB gets ERR too large, the connection ends, nothing is written',
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
      await expectErrTooLarge(probe, ctx, `after two records, a frame of ${MAX_RECORD + 1} bytes`);
      // Nothing of the rejected batch (r1, r2) may reach the file. The server has answered,
      // so it has handled the batch; give a write in flight a moment to land, then look.
      const wait = await waitForFile(server, STUDENT_FILE, (content) => linesOf(content).length > 0, ctx.ms(ABSENCE_MS));
      if (wait.accepted) {
        throw new CheckFailure('A batch rejected as too large had records written to student.txt: write a batch only once its zero-length frame has arrived.', {
          expected: '(no student.txt, or empty)',
          actual: linesOf(wait.content).join('\n'),
        });
      }
    },
  },
  {
    id: 'limits.huge-length',
    title: 'A header announcing 4 GiB is refused from the header alone',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      await probe.send(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x61, 0x62, 0x63]));
      await expectErrTooLarge(probe, ctx, 'a length header of 4,294,967,295 bytes (and 3 bytes of body)');
    },
  },
  {
    id: 'limits.keeps-serving',
    title: 'After refusing an oversize frame the server keeps serving other clients',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const a = await ctx.connect(server);
      await a.send(lengthPrefixed('a1'), { paced: true });
      const b = await ctx.connect(server);
      await b.send(Buffer.from([0x00, 0x20, 0x00, 0x00, 1, 2, 3]));
      await expectLine(b, 'ERR too large', {
        after: 'sending a length header announcing 2 MiB (00 20 00 00) and 3 bytes',
        timeoutMs: ctx.ms(REPLY_MS),
        hint: 'Check the length as soon as its 4 bytes are in: a frame over 1 MiB is refused at once.',
      });
      const c = await connectAfter(ctx, server, 'After refusing an oversize frame');
      await sendPaced(c, [lengthPrefixed('c1'), TERMINATOR]);
      await expectOk(c, ctx, 'a new client after another was refused');
      await sendPaced(a, [lengthPrefixed('a2'), TERMINATOR]);
      await expectOk(a, ctx, 'the batch of a client that was connected while another was refused');
      await expectStudentFile(server, ['a1', 'a2', 'c1'], ctx, "After refusing an oversize frame, the other clients' batches must be stored;", { batches: [['c1'], ['a1', 'a2']] });
    },
  },
];

