/**
 * The file-upload wire protocol as the probes speak it, and the expectations shared by its
 * checks. Conventions (see checks.md):
 * - the header line is sent in its own segment and read by the server before any data
 *   (paced), except in the framing checks, so only they judge how the header is cut;
 * - test data avoids `#` (only `data.hash-marker` and `data.binary` contain `##`, never at
 *   the end of a segment) and is valid UTF-8 (only `data.binary` is not);
 * - pieces are paced (`send(x, { paced: true })`): the next is written once the server has
 *   read the previous one, observed in the kernel; fixed waits only assert absence.
 */
import { createHash } from 'node:crypto';
import type { CheckContext } from '../../grader/exercise/define.ts';
import { CheckFailure } from '../../grader/model/errors.ts';
import { ABSENCE_MS, expectClosed, expectLine, expectSilence, show } from '../../grader/probes/expect.ts';
import { waitForFile } from '../../grader/probes/files.ts';
import type { Random } from '../../grader/probes/segmentation.ts';
import type { TcpProbe } from '../../grader/probes/tcp.ts';
import type { RunningServer } from '../../grader/sandbox/sandbox.ts';
import { text as messages } from './messages.ts';

const { t } = messages;

export const UPLOADS = 'uploads';
/** How long a reply may take after the FIN. A correct server answers in milliseconds. */
export const REPLY_MS = 1500;
/** How long the checks watch for something that must not happen (see grader/probes/expect.ts). */
export { ABSENCE_MS };

export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export function sha256hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function okLine(body: Uint8Array): string {
  return `OK ${body.length} ${sha256hex(body)}`;
}

const TEXT_ALPHABET = Buffer.from('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \n.,;:!?-_=+*/()[]{}<>');

const POOL_BYTES = 256 * 1024;

/**
 * n pseudo-random bytes of printable ASCII (no `#`): valid UTF-8, no end marker. Large
 * amounts are pieced together from random slices of a random pool (generating every byte
 * costs seconds for 20 MiB).
 */
export function text(random: Random, n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  const direct = Math.min(n, POOL_BYTES);
  for (let i = 0; i < direct; i++) out[i] = TEXT_ALPHABET[Math.floor(random.next() * TEXT_ALPHABET.length)]!;
  const pool = out.subarray(0, direct);
  let at = direct;
  while (at < n) {
    const length = Math.min(n - at, random.int(1024, 64 * 1024));
    const from = random.int(0, POOL_BYTES - length);
    pool.copy(out, at, from, from + length);
    at += length;
  }
  return out;
}

/** n pseudo-random bytes 0–255 except `#` (0x23), so that `##` only appears where placed. */
export function randomBytes(random: Random, n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) {
    const b = Math.floor(random.next() * 256);
    out[i] = b === 0x23 ? 0x24 : b;
  }
  return out;
}

/** Sends the header line in its own segment and waits until the server has read it. */
export async function sendHeader(probe: TcpProbe, name: string | Uint8Array): Promise<void> {
  const bytes = typeof name === 'string' ? Buffer.from(`${name}\n`) : Buffer.concat([name, Buffer.from('\n')]);
  await probe.send(bytes, { paced: true });
}

function describeBody(body: Uint8Array): string {
  return body.length <= 60 ? t('body.short', { n: body.length, shown: show(body) }) : t('body.long', { n: body.length });
}

/** Why an `OK` line for `body` is not the one expected, in one sentence (or ''). */
function replyHint(body: Uint8Array, line: string | undefined): string {
  if (line === undefined) return '';
  const m = /^OK (\d+) ([0-9a-f]{64})$/.exec(line);
  if (m && Number(m[1]) !== body.length) return t('hint.countOff', { diff: Number(m[1]) - body.length });
  if (m) return t('hint.hashDiffers');
  if (line.startsWith('FAIL')) return t('hint.nameValid');
  return '';
}

/**
 * Whether an `actual` of the shared expectations says that nothing came back in time
 * ("nothing within 1,500 ms" / "1,500毫秒内什么也没收到"), in either language.
 */
function saysNothingWithin(actual: string): boolean {
  // The shared expectations' `expect.nothingWithin` (grader/i18n/messages.ts), as rendered in en and zh-CN.
  return /^nothing within [\d,.]+ ms$/.test(actual) || /^[\d,.]+毫秒内什么也没收到$/.test(actual);
}

/**
 * Reads `OK <bytes> <sha256>` for `body` and requires the server to close afterwards.
 * `what` says what was sent, for the message.
 */
export async function expectOkReply(probe: TcpProbe, ctx: CheckContext, body: Uint8Array, what: string, timeoutMs = REPLY_MS): Promise<void> {
  const expected = okLine(body);
  try {
    await expectLine(probe, expected, { after: t('after.upload', { what, body: describeBody(body) }), timeoutMs: ctx.ms(timeoutMs) });
  } catch (error) {
    if (!(error instanceof CheckFailure)) throw error;
    const got = error.actual?.endsWith('\n') ? error.actual.slice(0, -1) : undefined; // a line came back
    const hint = got !== undefined
      ? replyHint(body, got)
      : error.actual !== undefined && saysNothingWithin(error.actual)
        ? t('hint.halfOpen')
        : '';
    throw new CheckFailure(hint ? t('withHint', { message: error.message, hint }) : error.message, {
      ...(error.expected === undefined ? {} : { expected: error.expected }),
      ...(error.actual === undefined ? {} : { actual: error.actual }),
    });
  }
  await expectClosed(probe, { after: t('after.reply', { reply: show(expected) }), timeoutMs: ctx.ms(REPLY_MS), hint: t('hint.closeAfterOk') });
}

function renderContent(content: Buffer | undefined): string {
  if (content === undefined) return t('content.none');
  const values = { n: content.length, hash: sha256hex(content) };
  return content.length <= 60 ? t('content.short', { ...values, shown: show(content) }) : t('content.long', values);
}

/** Requires the file `rel` (relative to the sandbox) to hold exactly `body`. */
export async function expectStored(server: RunningServer, ctx: CheckContext, rel: string, body: Uint8Array, why: string): Promise<void> {
  const wait = await waitForFile(server, rel, (content) => content !== undefined && content.equals(body), ctx.ms(REPLY_MS));
  if (wait.accepted) return;
  const message = wait.content === undefined
    ? t('stored.missing', { why, rel, n: body.length })
    : t('stored.differs', { why, rel, n: body.length, m: wait.content.length });
  throw new CheckFailure(message, {
    expected: renderContent(Buffer.from(body)),
    actual: renderContent(wait.content),
  });
}

/** Files in the upload folder whose names do not start with `.` (temporary files are allowed). */
export async function visibleNames(server: RunningServer, dir = UPLOADS): Promise<string[]> {
  const files = await server.listFiles(dir);
  return files.filter((f) => !f.split('/').some((part) => part.startsWith('.')));
}

/** Requires that no reply arrived (yet) and that the connection is still open. */
export async function expectNoReplyYet(probe: TcpProbe, ms: number, after: string, hint: string): Promise<void> {
  await expectSilence(probe, { after, ms, hint, open: true, meaning: t('noReply.meaning', { ms: { ms } }) });
}
