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
/** How long the checks watch for something that must not happen (see grader/probes/expect.ts). */
import { ABSENCE_MS } from '../../grader/probes/expect.ts';
export { ABSENCE_MS };

/** Frames for the records followed by the zero-length terminator. */
export function batchBytes(records: string[]): Buffer {
  return Buffer.concat([...records.map((r) => lengthPrefixed(r)), TERMINATOR]);
}


/** Sends each piece in its own segment, each read by the server before the next is sent. */
export async function sendPaced(probe: TcpProbe, pieces: Uint8Array[]): Promise<void> {
  for (const piece of pieces) await probe.send(piece, { paced: true });
}

/** Random ASCII records in the classic shape (name, age, height), from the check's seed. */
export function asciiRecords(random: Random, count: number): string[] {
  const names = ['Tom', 'Abby', 'Zhang San', 'Li Si', 'Wang Wu', 'Ada', 'Ben', 'Chen'];
  return Array.from({ length: count }, (_, i) => `${random.pick(names)}  ${random.int(16, 120)}   ${random.int(150, 199)} #${i + 1}`);
}

/**
 * Reads `OK <n>` and requires the server to close the connection afterwards. Only
 * `reply.count` passes `n`; other checks accept any count, so a wrong count costs once.
 */
export async function expectOk(probe: TcpProbe, ctx: CheckContext, what: string, n?: number): Promise<void> {
  const timeoutMs = ctx.ms(REPLY_MS);
  const outcome = await probe.readLine(timeoutMs);
  const ok = outcome.kind === 'ok' && (n === undefined ? /^OK \d+$/.test(outcome.value) : outcome.value === `OK ${n}`);
  const expected = n === undefined ? 'OK <n>' : `OK ${n}`;
  if (!ok) {
    const hint =
      n !== undefined && outcome.kind === 'ok' && /^OK \d+$/.test(outcome.value)
        ? ' n is the number of records in this batch; the zero-length frame is not a record.'
        : '';
    throw new CheckFailure(`After ${what} on ${probe.label}, expected the reply ${show(expected)} but got ${outcome.kind === 'ok' ? show(outcome.value) : describeOutcome(outcome)}.${hint}`, {
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

/** Requires exactly `ERR too large` and then the end of the connection. */
export async function expectErrTooLarge(probe: TcpProbe, ctx: CheckContext, what: string): Promise<void> {
  const timeoutMs = ctx.ms(REPLY_MS);
  const reply = await probe.readLine(timeoutMs);
  if (reply.kind !== 'ok' || reply.value !== 'ERR too large') {
    throw new CheckFailure(`After ${what}, expected ${show('ERR too large')} but got ${reply.kind === 'ok' ? show(reply.value) : describeOutcome(reply)}. Check the length as soon as its 4 bytes are in: never wait for (or allocate) a frame over 1 MiB.`, {
      expected: 'ERR too large\\n',
      actual: reply.kind === 'ok' ? reply.value : describeOutcome(reply),
    });
  }
  const closed = await probe.readUntilClosed(timeoutMs);
  if (closed.kind === 'timeout') {
    throw new CheckFailure(`After ${show('ERR too large')} the server must end the connection, but it was still open after ${closed.waitedMs} ms.`, {
      expected: 'the connection closed',
      actual: describeOutcome(closed),
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

