/**
 * The sticky-packets wire protocol as the probes speak it, and the expectations shared by
 * its checks.
 */
import type { CheckContext } from '../../grader/exercise/define.ts';
import { CheckFailure } from '../../grader/model/errors.ts';
import { ABSENCE_MS, expectClosed, expectLine, show } from '../../grader/probes/expect.ts';
import { waitForFile } from '../../grader/probes/files.ts';
import { lengthPrefixed, type Random } from '../../grader/probes/segmentation.ts';
import type { TcpProbe } from '../../grader/probes/tcp.ts';
import type { RunningServer } from '../../grader/sandbox/sandbox.ts';
import { shownList, text } from './messages.ts';

const { t } = text;

export const STUDENT_FILE = 'student.txt';
export const MAX_RECORD = 1024 * 1024;
export const CLASSIC_RECORDS = ['张三  18   177', '李四  19   180', '王五  120  183'];
export const TERMINATOR = Buffer.alloc(4);
/** How long a reply may take. A correct server answers in milliseconds; this is the margin for loaded machines. */
export const REPLY_MS = 1500;
/** How long the checks watch for something that must not happen (see grader/probes/expect.ts). */
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
 * Connects; when the server no longer accepts connections, waits a moment for its process
 * to end and reports the crash (with what it threw) instead of a refused connection.
 */
export async function connectAfter(ctx: CheckContext, server: RunningServer, after: string): Promise<TcpProbe> {
  try {
    return await ctx.connect(server);
  } catch (error) {
    if (!(error instanceof CheckFailure)) throw error;
    await Promise.race([server.process.exited, new Promise((resolve) => setTimeout(resolve, ctx.ms(REPLY_MS)).unref())]);
    server.assertAlive(); // throws the crash, with the error it died of
    throw new CheckFailure(t('connect.refused', { after, error: error.message }), {
      expected: t('connect.expected'),
      actual: error.message,
    });
  }
}

/** Adds `hint` to a CheckFailure's message (keeping expected/actual); other errors pass. */
function withHint(error: unknown, hint: (failure: CheckFailure) => string): unknown {
  if (!(error instanceof CheckFailure)) return error;
  const extra = hint(error);
  if (!extra) return error;
  return new CheckFailure(t('withHint', { message: error.message, hint: extra }), {
    ...(error.expected === undefined ? {} : { expected: error.expected }),
    ...(error.actual === undefined ? {} : { actual: error.actual }),
  });
}

/**
 * Why a legitimate batch may have been answered `ERR too large`: every frame the checks send
 * outside the limits checks announces at most 1 MiB in big-endian, so the server read the
 * length some other way (little-endian, most likely).
 */

/**
 * Reads `OK <n>` and requires the server to close the connection afterwards. Only
 * `reply.count` passes `n`; other checks accept any count, so a wrong count costs once.
 * `what` says what was sent ("sending ...").
 */
export async function expectOk(probe: TcpProbe, ctx: CheckContext, what: string, n?: number): Promise<void> {
  const timeoutMs = ctx.ms(REPLY_MS);
  const expected = n === undefined ? { test: (line: string) => /^OK \d+$/.test(line), description: show('OK <n>') } : `OK ${n}`;
  let line: string;
  try {
    line = await expectLine(probe, expected, { after: what, timeoutMs });
  } catch (error) {
    throw withHint(error, (failure) => {
      const got = failure.actual?.replace(/\n$/, '');
      if (got === 'ERR too large') return t('hint.byteOrder');
      if (n !== undefined && got !== undefined && /^OK \d+$/.test(got)) return t('hint.countTerminator');
      return '';
    });
  }
  await expectClosed(probe, { after: t('after.reply', { reply: show(line) }), timeoutMs, hint: t('hint.closeAfterOk') });
}

/** Requires exactly `ERR too large` and then the end of the connection. */
export async function expectErrTooLarge(probe: TcpProbe, ctx: CheckContext, what: string): Promise<void> {
  const timeoutMs = ctx.ms(REPLY_MS);
  await expectLine(probe, 'ERR too large', {
    after: what,
    timeoutMs,
    hint: t('hint.checkLength'),
  });
  await expectClosed(probe, { after: t('after.reply', { reply: show('ERR too large') }), timeoutMs, hint: t('hint.closeAfterErr') });
}

/**
 * The lines of student.txt. A `\r` before a `\n` is dropped here: records never contain
 * `\r`, and the line ends themselves are judged once, byte for byte, by `batch.classic`.
 */
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

/** The same lines in any order. */
export function sameLineSet(a: string[], b: string[]): boolean {
  return sameLines([...a].sort(), [...b].sort());
}

export function renderLines(lines: string[] | undefined): string {
  if (lines === undefined) return t('lines.none');
  if (lines.length === 0) return t('lines.empty');
  const shown = lines.slice(0, 40).map((l) => (l.length > 120 ? t('lines.long', { quoted: show(l.slice(0, 120)), n: l.length }) : show(l)));
  return shown.join('\n') + (lines.length > 40 ? `\n${t('lines.more', { n: lines.length - 40 })}` : '');
}

/**
 * When student.txt holds some of the batches answered OK, each whole, and the others are
 * missing entirely, the file lost lines it had: it was overwritten or truncated. Returns
 * the missing batches then, else undefined.
 */
export function lostBatches(batches: string[][], lines: string[]): string[][] | undefined {
  const left = [...lines];
  const missing: string[][] = [];
  for (const batch of batches) {
    if (batch.length === 0) continue;
    const at = left.indexOf(batch[0]!);
    if (at >= 0 && sameLines(left.slice(at, at + batch.length), batch)) left.splice(at, batch.length);
    else if (batch.every((line) => !lines.includes(line))) missing.push(batch);
    else return undefined; // a batch cut in pieces: not the signature of truncation
  }
  return left.length === 0 && missing.length > 0 && lines.length > 0 ? missing : undefined;
}

/** The message for `lostBatches`: student.txt lost earlier lines. */
export function lostLinesMessage(missing: string[][], why: string): string {
  const lines = missing.flat();
  const listed = shownList(lines.map((l) => show(l.length > 24 ? `${l.slice(0, 24)}…` : l)));
  return missing.length === 1 ? t('file.lostOne', { why, lines: listed }) : t('file.lostMany', { why, lines: listed, n: missing.length });
}

export interface FileExpectation {
  /** Lines the file held before (a fixture): they must come first, unchanged. */
  before?: string[];
  /**
   * The batches answered OK so far, in the order answered: when whole batches are missing,
   * the message says that the file lost lines (it was overwritten) rather than that it differs.
   */
  batches?: string[][];
}

/**
 * Waits until student.txt holds exactly `expected` lines (after `before`). The order of the
 * lines is not judged here: records of one batch that land in another order are the
 * business of `concurrency.contiguous` alone (one mistake, one check), and a server whose
 * appends race would otherwise win or lose these checks by chance.
 */
export async function expectStudentFile(server: RunningServer, expected: string[], ctx: CheckContext, why: string, options: FileExpectation = {}): Promise<void> {
  const before = options.before ?? [];
  const accept = (lines: string[]) => sameLines(lines.slice(0, before.length), before) && sameLineSet(lines.slice(before.length), expected);
  const wait = await waitForFile(server, STUDENT_FILE, (content) => accept(linesOf(content)), ctx.ms(1500));
  if (wait.accepted) return;
  const actual = wait.content === undefined ? undefined : linesOf(wait.content);
  const detail = { expected: renderLines([...before, ...expected]), actual: renderLines(actual) };
  if (actual !== undefined && before.length > 0 && !before.every((line) => actual.includes(line))) {
    throw new CheckFailure(
      t('file.emptied', { why, lines: shownList(before.map((l) => show(l)), before.length) }),
      detail,
    );
  }
  const missing = actual === undefined ? undefined : lostBatches(options.batches ?? [], actual.slice(before.length));
  if (missing) throw new CheckFailure(lostLinesMessage(missing, why), detail);
  const n = before.length + expected.length;
  throw new CheckFailure(actual === undefined ? t('file.noFile', { why, n }) : t('file.differs', { why, n, actual: actual.length }), detail);
}
