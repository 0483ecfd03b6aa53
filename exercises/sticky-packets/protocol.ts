/**
 * The sticky-packets wire protocol as the probes speak it, and the expectations shared by
 * its checks.
 */
import type { CheckContext } from '../../grader/exercise/define.ts';
import { CheckFailure } from '../../grader/model/errors.ts';
import { describeOutcome, show } from '../../grader/probes/expect.ts';
import { waitForFile } from '../../grader/probes/files.ts';
import { lengthPrefixed, type Random } from '../../grader/probes/segmentation.ts';
import type { TcpProbe } from '../../grader/probes/tcp.ts';
import type { RunningServer } from '../../grader/sandbox/sandbox.ts';

export const STUDENT_FILE = 'student.txt';
export const MAX_RECORD = 1024 * 1024;
export const CLASSIC_RECORDS = ['张三  18   177', '李四  19   180', '王五  120  183'];
export const TERMINATOR = Buffer.alloc(4);
/** How long a reply may take. A correct server answers in milliseconds; this is the margin for loaded machines. */
export const REPLY_MS = 1500;

/** Frames for the records followed by the zero-length terminator. */
export function batchBytes(records: string[]): Buffer {
  return Buffer.concat([...records.map((r) => lengthPrefixed(r)), TERMINATOR]);
}

/** Offsets inside every 4-byte length header of a batch (to split headers apart). */
export function headerSplitOffsets(records: string[], random: Random): number[] {
  const offsets: number[] = [];
  let at = 0;
  for (const record of [...records, '']) {
    offsets.push(at + random.int(1, 3));
    at += 4 + Buffer.byteLength(record);
  }
  return offsets;
}

const NAMES = ['张三', '李四', '王五', 'Zoë', 'Олег', 'Łucja', '佐藤', 'Émile', '🦊 Fox', 'Ana'];

/** Random records in the classic shape, with multi-byte characters, from the check's seed. */
export function randomRecords(random: Random, count: number, tag = ''): string[] {
  return Array.from({ length: count }, (_, i) => {
    const name = random.pick(NAMES);
    return `${tag}${name}  ${random.int(16, 120)}   ${random.int(150, 199)} #${i + 1}`;
  });
}

export interface BatchTiming {
  timeoutMs: number;
}

/** Reads `OK <n>` and then requires the server to close the connection. */
export async function expectOk(probe: TcpProbe, n: number, ctx: CheckContext, what: string): Promise<void> {
  const timeoutMs = ctx.ms(REPLY_MS);
  const outcome = await probe.readLine(timeoutMs);
  const expected = `OK ${n}`;
  if (outcome.kind !== 'ok' || outcome.value !== expected) {
    throw new CheckFailure(`After ${what} on ${probe.label}, expected the reply ${show(expected)} but got ${outcome.kind === 'ok' ? show(outcome.value) : describeOutcome(outcome)}.`, {
      expected: `${expected}\\n, then the connection closes`,
      actual: outcome.kind === 'ok' ? outcome.value : describeOutcome(outcome),
    });
  }
  const closed = await probe.readUntilClosed(timeoutMs);
  if (closed.kind !== 'ok' || closed.value.length > 0) {
    throw new CheckFailure(`After replying ${show(expected)} on ${probe.label}, the server must close the connection${closed.kind === 'ok' ? `, but it sent ${show(closed.value)} more` : `, but it was still open after ${timeoutMs} ms`}.`, {
      expected: 'the connection closed after the reply',
      actual: closed.kind === 'ok' ? `more bytes: ${show(closed.value)}` : describeOutcome(closed),
    });
  }
}

export function linesOf(content: Buffer | undefined): string[] {
  if (content === undefined || content.length === 0) return [];
  const text = content.toString('utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((l) => l.replace(/\r$/, ''));
}

function sameLines(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((line, i) => line === b[i]);
}

function renderLines(lines: string[] | undefined): string {
  if (lines === undefined) return '(no student.txt)';
  if (lines.length === 0) return '(empty)';
  const shown = lines.slice(0, 40).map((l) => (l.length > 120 ? `${l.slice(0, 120)}… (${l.length} characters)` : l));
  return shown.join('\n') + (lines.length > 40 ? `\n… ${lines.length - 40} more lines` : '');
}

/** Waits until student.txt holds exactly `expected` lines; fails with both listings otherwise. */
export async function expectStudentFile(server: RunningServer, expected: string[], ctx: CheckContext, why: string): Promise<void> {
  const wait = await waitForFile(server, STUDENT_FILE, (content) => sameLines(linesOf(content), expected), ctx.ms(1500));
  if (wait.accepted) return;
  const actual = wait.content === undefined ? undefined : linesOf(wait.content);
  throw new CheckFailure(`${why} student.txt should hold exactly ${expected.length} line(s), one per record in order, but it holds ${actual === undefined ? 'nothing (no file)' : `${actual.length} line(s) that differ`}.`, {
    expected: renderLines(expected),
    actual: renderLines(actual),
  });
}

/** Sends a batch (frames + terminator) on a fresh connection and expects OK <n>. */
export async function sendBatch(
  ctx: CheckContext,
  server: RunningServer,
  records: string[],
  send: (probe: TcpProbe, bytes: Buffer) => Promise<void> = (probe, bytes) => probe.send(bytes),
): Promise<TcpProbe> {
  const probe = await ctx.connect(server);
  await send(probe, batchBytes(records));
  await expectOk(probe, records.length, ctx, `sending ${records.length} record(s) and the zero-length frame`);
  return probe;
}
