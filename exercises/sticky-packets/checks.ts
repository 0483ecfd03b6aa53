/**
 * The checks of sticky-packets, one per clause of the contract (../shared/EXERCISES.md).
 * Checks that are not about segmentation send one frame per segment (paced), and only
 * `reply.count` judges the number in `OK <n>`: one mistake costs points in one place.
 */
import type { CheckDefinition } from '../../grader/exercise/define.ts';
import { CheckFailure } from '../../grader/model/errors.ts';
import { describeOutcome, show } from '../../grader/probes/expect.ts';
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
  expectErrTooLarge,
  expectOk,
  expectStudentFile,
  linesOf,
  sendPaced,
} from './protocol.ts';

export const checks: CheckDefinition[] = [
  {
    id: 'batch.classic',
    title: 'The classic three records, one frame per segment, are stored as three lines',
    points: 10,
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      await sendPaced(probe, [...CLASSIC_RECORDS.map((r) => lengthPrefixed(r)), TERMINATOR]);
      await expectOk(probe, ctx, 'sending the three classic records and the zero-length frame, one frame per segment');
      await expectStudentFile(server, CLASSIC_RECORDS, ctx, 'After the classic batch,');
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
    points: 10,
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
      await expectStudentFile(server, ['r1', 'r2', 'r3', 'r4'], ctx, 'After batches of 3, 1 and 0 records,');
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
    title: 'A connection that ends (FIN or reset) before the zero-length frame writes nothing',
    points: 10,
    async run(ctx) {
      const server = await ctx.startServer();
      // The reset comes first: a server that writes a cut-off batch late (on 'close') has
      // then had the whole FIN round trip below to do so before the file is read.
      const reset = await ctx.connect(server);
      await sendPaced(reset, [lengthPrefixed('lost 3'), lengthPrefixed('lost 4')]);
      reset.reset();
      const finned = await ctx.connect(server);
      await sendPaced(finned, [lengthPrefixed('lost 1'), lengthPrefixed('lost 2')]);
      finned.end();
      await finned.readUntilClosed(ctx.ms(REPLY_MS));
      const last = await ctx.connect(server);
      await sendPaced(last, [lengthPrefixed('after'), TERMINATOR]);
      await expectOk(last, ctx, 'a complete batch of one record after two cut-off batches');
      await expectStudentFile(server, ['after'], ctx, 'Batches cut off before their zero-length frame (one by FIN, one by reset) must write nothing;');
    },
  },
  {
    id: 'concurrency.contiguous',
    title: 'Batches sent at the same time stay contiguous and in order',
    points: 10,
    async run(ctx) {
      const server = await ctx.startServer();
      // Part 1: two connections whose frames alternate in time.
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
      const short = (line: string) => (line.length > 24 ? `${line.slice(0, 24)}…` : line);
      const runs = [['a1', 'a2', 'a3'], ['b1', 'b2', 'b3'], ...batches];
      for (const run of runs) {
        const start = lines.indexOf(run[0]!);
        const slice = start < 0 ? [] : lines.slice(start, start + run.length);
        if (slice.join('\n') !== run.join('\n')) {
          throw new CheckFailure(
            `Batches sent at the same time were interleaved in student.txt: the batch starting ${show(short(run[0]!))} is not contiguous and in order. Write a batch only once it is complete, in one append, one append at a time.`,
            { expected: run.map(short).join('\n'), actual: (start < 0 ? lines.slice(0, run.length) : slice).map(short).join('\n') || '(missing)' },
          );
        }
      }
      if (lines.length !== expectedCount) {
        throw new CheckFailure(`student.txt should hold ${expectedCount} lines after ten concurrent batches, but holds ${lines.length}.`);
      }
    },
  },
  {
    id: 'concurrency.idle-client',
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
      const reply = await b.readLine(ctx.ms(REPLY_MS));
      if (reply.kind !== 'ok' || reply.value !== 'ERR too large') {
        throw new CheckFailure(`A header announcing 2 MiB got ${reply.kind === 'ok' ? show(reply.value) : describeOutcome(reply)} instead of ${show('ERR too large')}.`, {
          expected: 'ERR too large\\n',
          actual: reply.kind === 'ok' ? reply.value : describeOutcome(reply),
        });
      }
      const c = await ctx.connect(server).catch(() => {
        throw new CheckFailure('After refusing an oversize frame the server no longer accepts connections: it must keep serving others.');
      });
      await sendPaced(c, [lengthPrefixed('c1'), TERMINATOR]);
      await expectOk(c, ctx, 'a new client after another was refused');
      await sendPaced(a, [lengthPrefixed('a2'), TERMINATOR]);
      await expectOk(a, ctx, 'the batch of a client that was connected while another was refused');
      const wait = await waitForFile(server, STUDENT_FILE, (content) => linesOf(content).length >= 3, ctx.ms(REPLY_MS));
      const lines = linesOf(wait.content).sort();
      if (lines.join('\n') !== ['a1', 'a2', 'c1'].join('\n')) {
        throw new CheckFailure('After refusing an oversize frame, the other clients\' batches must be stored.', {
          expected: 'a1, a2, c1 (in any order of batches)',
          actual: lines.join(', ') || '(empty)',
        });
      }
    },
  },
];

