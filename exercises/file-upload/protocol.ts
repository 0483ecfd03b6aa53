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
import { describeOutcome, show } from '../../grader/probes/expect.ts';
import { waitForFile } from '../../grader/probes/files.ts';
import type { Random } from '../../grader/probes/segmentation.ts';
import type { TcpProbe } from '../../grader/probes/tcp.ts';
import type { RunningServer } from '../../grader/sandbox/sandbox.ts';

export const UPLOADS = 'uploads';
/** How long a reply may take after the FIN. A correct server answers in milliseconds. */
export const REPLY_MS = 1500;
/** How long the checks watch for something that must not happen (see grader/probes/expect.ts). */
import { ABSENCE_MS } from '../../grader/probes/expect.ts';
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
  return body.length <= 60 ? `${body.length} bytes, ${show(body)}` : `${body.length} bytes`;
}

/**
 * Reads `OK <bytes> <sha256>` for `body` and requires the server to close afterwards.
 * `what` says what was sent, for the message.
 */
export async function expectOkReply(probe: TcpProbe, ctx: CheckContext, body: Uint8Array, what: string, timeoutMs = REPLY_MS): Promise<void> {
  const expected = okLine(body);
  const outcome = await probe.readLine(ctx.ms(timeoutMs));
  if (outcome.kind !== 'ok' || outcome.value !== expected) {
    let hint = '';
    if (outcome.kind === 'ok') {
      const m = /^OK (\d+) ([0-9a-f]{64})$/.exec(outcome.value);
      if (m && Number(m[1]) !== body.length) {
        hint = ` The byte count is off by ${Number(m[1]) - body.length}: count exactly the bytes after the header line's \\n up to the FIN.`;
      } else if (m) {
        hint = ' The size is right but the SHA-256 differs: hash exactly the bytes you store, as bytes.';
      } else if (outcome.value.startsWith('FAIL')) {
        hint = ' The name is valid and the file should have been stored.';
      }
    } else if (outcome.kind === 'timeout') {
      hint = ' After the client\'s FIN (the end of the file) the server must reply; is the server created with allowHalfOpen: true?';
    }
    throw new CheckFailure(`Uploading ${what} (${describeBody(body)}) on ${probe.label}, expected ${show(expected)} after the FIN but got ${outcome.kind === 'ok' ? show(outcome.value) : describeOutcome(outcome)}.${hint}`, {
      expected: `${expected}\\n, then the connection closes`,
      actual: outcome.kind === 'ok' ? outcome.value : describeOutcome(outcome),
    });
  }
  const closed = await probe.readUntilClosed(ctx.ms(REPLY_MS));
  if (closed.kind !== 'ok' || closed.value.length > 0) {
    throw new CheckFailure(`After replying ${show(expected)} on ${probe.label}, the server must close the connection${closed.kind === 'ok' ? `, but it sent ${show(closed.value)} more` : `, but it was still open after ${ctx.ms(REPLY_MS)} ms`}.`, {
      expected: 'the connection closed after the reply',
      actual: closed.kind === 'ok' ? `more bytes: ${show(closed.value)}` : describeOutcome(closed),
    });
  }
}

function renderContent(content: Buffer | undefined): string {
  if (content === undefined) return '(no such file)';
  return `${content.length} bytes, SHA-256 ${sha256hex(content)}${content.length <= 60 ? `: ${show(content)}` : ''}`;
}

/** Requires the file `rel` (relative to the sandbox) to hold exactly `body`. */
export async function expectStored(server: RunningServer, ctx: CheckContext, rel: string, body: Uint8Array, why: string): Promise<void> {
  const wait = await waitForFile(server, rel, (content) => content !== undefined && content.equals(body), ctx.ms(REPLY_MS));
  if (wait.accepted) return;
  throw new CheckFailure(`${why} ${rel} should hold exactly the ${body.length} bytes sent, but ${wait.content === undefined ? 'it does not exist' : `it holds ${wait.content.length} bytes that differ`}.`, {
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
  const got = await probe.collectFor(ms);
  if (got.length > 0 || probe.peerEnded || probe.isClosed) {
    throw new CheckFailure(`${after}, the server ${got.length > 0 ? `replied ${show(got)}` : 'closed the connection'} before the client's FIN. ${hint}`, {
      expected: `nothing within ${ms} ms (the client has not sent its FIN yet)`,
      actual: got.length > 0 ? show(got) : 'the connection closed',
    });
  }
}
