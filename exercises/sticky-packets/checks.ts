/**
 * The checks of sticky-packets, one per clause of the contract (../shared/EXERCISES.md).
 */
import type { CheckDefinition } from '../../grader/exercise/define.ts';
import { CheckFailure } from '../../grader/model/errors.ts';
import { describeOutcome, show } from '../../grader/probes/expect.ts';
import { waitForFile } from '../../grader/probes/files.ts';
import { bytewise, lengthPrefixed, randomSplits, splitAt, utf8Split } from '../../grader/probes/segmentation.ts';
import {
  CLASSIC_RECORDS,
  MAX_RECORD,
  TERMINATOR,
  batchBytes,
  expectOk,
  expectStudentFile,
  headerSplitOffsets,
  linesOf,
  randomRecords,
  sendBatch,
  REPLY_MS,
  STUDENT_FILE,
} from './protocol.ts';

export const checks: CheckDefinition[] = [
  {
    id: 'batch.classic',
    title: 'The classic three records, one frame per write, give OK 3 and three lines',
    points: 10,
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      // Each frame is read by the server before the next is sent: one frame per segment.
      for (const record of CLASSIC_RECORDS) await probe.send(lengthPrefixed(record), { paced: true });
      await probe.send(TERMINATOR);
      await expectOk(probe, 3, ctx, 'sending the three classic records and the zero-length frame');
      await expectStudentFile(server, CLASSIC_RECORDS, ctx, 'After the batch,');
    },
  },
  {
    id: 'framing.coalesced',
    title: 'Several frames arriving in one segment are separated',
    points: 10,
    async run(ctx) {
      const server = await ctx.startServer();
      const records = [...CLASSIC_RECORDS, ...randomRecords(ctx.random, 5)];
      await sendBatch(ctx, server, records);
      await expectStudentFile(server, records, ctx, `After ${records.length} frames and the terminator in a single segment,`);
    },
  },
  {
    id: 'framing.split-header',
    title: 'A length header split across segments is reassembled',
    points: 10,
    async run(ctx) {
      const server = await ctx.startServer();
      const records = [...CLASSIC_RECORDS, ...randomRecords(ctx.random, 3)];
      await sendBatch(ctx, server, records, (probe, bytes) =>
        probe.send(bytes, { segmentation: splitAt(...headerSplitOffsets(records, ctx.random)) }),
      );
      await expectStudentFile(server, records, ctx, 'After frames whose 4-byte headers were each split in two segments,');
    },
  },
  {
    id: 'framing.bytewise',
    title: 'A batch sent one byte at a time is decoded',
    points: 10,
    async run(ctx) {
      const server = await ctx.startServer();
      const records = CLASSIC_RECORDS;
      await sendBatch(ctx, server, records, (probe, bytes) => probe.send(bytes, { segmentation: bytewise }));
      await expectStudentFile(server, records, ctx, 'After a batch sent one byte per segment,');
    },
  },
  {
    id: 'framing.utf8-split',
    title: 'A record split inside a multi-byte character keeps its text',
    points: 10,
    async run(ctx) {
      const server = await ctx.startServer();
      const records = ['张三  18   177', '佐藤 🦊 Zoë', '李四  19   180'];
      await sendBatch(ctx, server, records, (probe, bytes) => probe.send(bytes, { segmentation: utf8Split }));
      await expectStudentFile(server, records, ctx, 'After records whose multi-byte characters were split across segments,');
    },
  },
  {
    id: 'framing.random',
    title: 'Twenty records cut at random points (seeded) are decoded',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const records = randomRecords(ctx.random, 20);
      await sendBatch(ctx, server, records, (probe, bytes) => probe.send(bytes, { segmentation: randomSplits(16) }));
      await expectStudentFile(server, records, ctx, 'After 20 records cut into random segments,');
    },
  },
  {
    id: 'batch.empty',
    title: 'A batch of no records gives OK 0 and writes nothing',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      await sendBatch(ctx, server, []);
      await expectStudentFile(server, [], ctx, 'After a batch with only the zero-length frame,');
    },
  },
  {
    id: 'batch.after-terminator',
    title: 'Bytes after the zero-length frame are ignored',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const records = CLASSIC_RECORDS.slice(0, 2);
      const probe = await ctx.connect(server);
      await probe.send(Buffer.concat([batchBytes(records), lengthPrefixed('不该写入 ignored'), Buffer.from('garbage')]));
      await expectOk(probe, 2, ctx, 'sending 2 records, the zero-length frame and then more bytes in one segment');
      await expectStudentFile(server, records, ctx, 'Bytes after the zero-length frame must be ignored:');
    },
  },
  {
    id: 'concurrency.batches',
    title: 'Five connections sending batches at once: each OK, each batch contiguous and in order',
    points: 10,
    async run(ctx) {
      const server = await ctx.startServer();
      const batches = Array.from({ length: 5 }, (_, i) => randomRecords(ctx.random, 6, `c${i + 1} `));
      const probes = await Promise.all(batches.map(() => ctx.connect(server)));
      // Interleave: every connection sends its frames in turns, so the batches overlap in time.
      const frames = batches.map((records) => records.map((r) => lengthPrefixed(r)));
      for (let i = 0; i < 6; i++) {
        await Promise.all(probes.map((probe, c) => probe.send(frames[c]![i]!)));
      }
      await Promise.all(probes.map((probe) => probe.send(TERMINATOR)));
      await Promise.all(probes.map((probe, c) => expectOk(probe, 6, ctx, `connection ${c + 1}'s batch of 6 records`)));
      // The file holds all 30 lines; each connection's 6 must be contiguous and in order.
      const everything = batches.flat();
      const sameSet = (lines: string[]) => lines.length === everything.length;
      const wait = await waitForFile(server, STUDENT_FILE, (content) => sameSet(linesOf(content)), ctx.ms(1500));
      const lines = linesOf(wait.content);
      for (const [c, records] of batches.entries()) {
        const start = lines.indexOf(records[0]!);
        const slice = start < 0 ? [] : lines.slice(start, start + records.length);
        if (slice.join('\n') !== records.join('\n')) {
          throw new CheckFailure(`Connection ${c + 1}'s records are not contiguous and in order in student.txt: records of concurrent batches must not interleave. Collect a batch's records and append them together once its zero-length frame arrives.`, {
            expected: records.join('\n'),
            actual: lines.length === 0 ? '(empty)' : lines.join('\n'),
          });
        }
      }
      if (lines.length !== everything.length) {
        throw new CheckFailure(`student.txt should hold the 30 records of the five batches, but holds ${lines.length} lines.`, {
          expected: `${everything.length} lines`,
          actual: `${lines.length} lines`,
        });
      }
    },
  },
  {
    id: 'concurrency.idle-client',
    title: 'A client stalled half-way through a frame does not delay another',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const stalled = await ctx.connect(server);
      // Half a header and half a record, then silence.
      await stalled.send(lengthPrefixed('这条永远不会完整').subarray(0, 9));
      await sendBatch(ctx, server, CLASSIC_RECORDS);
      await expectStudentFile(server, CLASSIC_RECORDS, ctx, 'While another client was stalled mid-frame,');
    },
  },
  {
    id: 'limits.too-large',
    title: 'A frame over 1 MiB gets ERR too large, writes nothing, and the server keeps serving',
    points: 10,
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      const header = Buffer.alloc(4);
      header.writeUInt32BE(MAX_RECORD + 1);
      await probe.send(Buffer.concat([lengthPrefixed(CLASSIC_RECORDS[0]!), lengthPrefixed(CLASSIC_RECORDS[1]!), header, Buffer.from('xxxx')]));
      const reply = await probe.readLine(ctx.ms(REPLY_MS));
      if (reply.kind !== 'ok' || reply.value !== 'ERR too large') {
        throw new CheckFailure(`After two records and a header announcing ${MAX_RECORD + 1} bytes (over 1 MiB), expected ${show('ERR too large')} but got ${reply.kind === 'ok' ? show(reply.value) : describeOutcome(reply)}. Check the length before buffering: never wait for (or allocate) a frame over the limit.`, {
          expected: 'ERR too large\\n',
          actual: reply.kind === 'ok' ? reply.value : describeOutcome(reply),
        });
      }
      const closed = await probe.readUntilClosed(ctx.ms(REPLY_MS));
      if (closed.kind === 'timeout') {
        throw new CheckFailure(`After ${show('ERR too large')} the server must end the connection, but it was still open after ${closed.waitedMs} ms.`);
      }
      // The server must still serve others, and nothing of the rejected batch may be written.
      await sendBatch(ctx, server, [CLASSIC_RECORDS[2]!]);
      await expectStudentFile(server, [CLASSIC_RECORDS[2]!], ctx, 'After a rejected batch (too large) and then a batch of one record,');
    },
  },
  {
    id: 'limits.exactly-1mib',
    title: 'A record of exactly 1 MiB is accepted',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const big = 'x'.repeat(MAX_RECORD - 6) + '粘包';
      const probe = await ctx.connect(server);
      await probe.sendStream(batchBytes([big]));
      await expectOk(probe, 1, ctx, `sending one record of exactly ${MAX_RECORD} bytes`);
      await expectStudentFile(server, [big], ctx, 'A record of exactly 1,048,576 bytes is allowed:');
    },
  },
  {
    id: 'abort.early-close',
    title: 'A connection that ends (FIN or reset) before the zero-length frame writes nothing',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const finned = await ctx.connect(server);
      await finned.send(Buffer.concat(CLASSIC_RECORDS.map((r) => lengthPrefixed(r))));
      finned.end();
      const reset = await ctx.connect(server);
      await reset.send(lengthPrefixed('重置 reset'));
      reset.reset();
      // Let the server see both ends: the FIN'd connection closes from its side when it is done.
      await finned.readUntilClosed(ctx.ms(2000));
      const last = ['最后 the only batch'];
      await sendBatch(ctx, server, last);
      await expectStudentFile(server, last, ctx, 'Batches cut off before their zero-length frame must write nothing;');
    },
  },
];
