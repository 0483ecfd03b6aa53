/**
 * The ftp wire protocol as the probes speak it (LIST, GET, PUT, EXIT), and the expectations
 * shared by its checks. Every request is one write and the probe waits for its complete
 * reply before sending the next, unless a check is about segmentation.
 */
import type { CheckContext } from '../../grader/exercise/define.ts';
import { CheckFailure } from '../../grader/model/errors.ts';
import { describeOutcome, show } from '../../grader/probes/expect.ts';
import type { Random } from '../../grader/probes/segmentation.ts';
import type { TcpProbe } from '../../grader/probes/tcp.ts';
import type { RunningServer } from '../../grader/sandbox/sandbox.ts';

/** The library folder (FTP_ROOT is left unset: the default `./files`). */
export const ROOT = 'files';
/** The library of the one check that sets FTP_ROOT (relative to the server's working directory). */
export const OTHER_ROOT = 'library';
/** How long one reply line may take on loopback. */
export const REPLY_MS = 1500;
/** How long the bytes of a file (up to a few MiB) may take. */
export const DATA_MS = 5000;
/** How long the checks watch for something that must not happen (see grader/probes/expect.ts). */
import { ABSENCE_MS } from '../../grader/probes/expect.ts';
export { ABSENCE_MS };
export const MAX_UPLOAD = 100 * 1024 * 1024;

/** Bytes 0..255 four times, then `##\n##` (the classic's end marker inside the data). */
export const BIN: Buffer = Buffer.concat([
  ...Array.from({ length: 4 }, () => Buffer.from(Array.from({ length: 256 }, (_, i) => i))),
  Buffer.from('##\n##'),
]);

/** `n` pseudo-random bytes from the check's generator (xorshift seeded from it: fast for MiBs). */
export function randomBytes(random: Random, n: number): Buffer {
  let x = random.int(1, 0x7fffffff) >>> 0;
  const out = Buffer.alloc(n);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.writeUInt32LE(x, i);
  }
  for (; i < n; i++) out[i] = random.int(0, 255);
  return out;
}

export function fixtureIn(files: Record<string, string | Uint8Array>): Record<string, string | Uint8Array> {
  return Object.fromEntries(Object.entries(files).map(([name, content]) => [`${ROOT}/${name}`, content]));
}

function got(outcome: { kind: string } & Parameters<typeof describeOutcome>[0]): string {
  return outcome.kind === 'ok' ? show(String((outcome as { value: unknown }).value)) : describeOutcome(outcome);
}

/** Reads one reply line (REPLY_MS) or fails saying what was sent. */
export async function replyLine(probe: TcpProbe, ctx: CheckContext, sent: string, timeoutMs = REPLY_MS): Promise<string> {
  const outcome = await probe.readLine(ctx.ms(timeoutMs));
  if (outcome.kind === 'ok') return outcome.value;
  throw new CheckFailure(`After ${sent} on ${probe.label}, expected a reply line but got ${describeOutcome(outcome)}.`, {
    expected: 'a reply line ending in \\n',
    actual: describeOutcome(outcome),
  });
}

/** Requires the next reply line to be exactly `expected`. */
export async function expectReply(probe: TcpProbe, ctx: CheckContext, sent: string, expected: string, hint = '', timeoutMs = REPLY_MS): Promise<void> {
  const outcome = await probe.readLine(ctx.ms(timeoutMs));
  if (outcome.kind === 'ok' && outcome.value === expected) return;
  throw new CheckFailure(`After ${sent} on ${probe.label}, expected ${show(expected)} but got ${got(outcome)}.${hint ? ` ${hint}` : ''}`, {
    expected: `${expected}\\n`,
    actual: outcome.kind === 'ok' ? `${outcome.value}\\n` : describeOutcome(outcome),
  });
}

/** Reads a LIST reply: `FAIL empty` is the empty list, `OK <n>` is followed by n names. */
export async function readList(probe: TcpProbe, ctx: CheckContext, sent: string): Promise<string[]> {
  const head = await replyLine(probe, ctx, sent);
  if (head === 'FAIL empty') return [];
  const match = /^OK (\d+)$/.exec(head);
  if (!match) {
    throw new CheckFailure(`After ${sent} on ${probe.label}, expected ${show('OK <n>')} or ${show('FAIL empty')} but got ${show(head)}.`, {
      expected: 'OK <n>\\n and n names, or FAIL empty\\n',
      actual: head,
    });
  }
  const count = Number(match[1]);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const outcome = await probe.readLine(ctx.ms(REPLY_MS));
    if (outcome.kind !== 'ok') {
      throw new CheckFailure(`After ${sent} on ${probe.label}, the reply announced ${show(head)} but only ${i} name line(s) followed (${describeOutcome(outcome)}). OK <n> must count exactly the lines that follow.`, {
        expected: `${count} name lines`,
        actual: [...names, describeOutcome(outcome)].join('\n'),
      });
    }
    names.push(outcome.value);
  }
  return names.sort();
}

/** Sends LIST and requires exactly `expected` (any order). */
export async function expectList(probe: TcpProbe, ctx: CheckContext, expected: string[], why: string, hint = ''): Promise<void> {
  await probe.send('LIST\n');
  const names = await withContext(`${why}`, hint, () => readList(probe, ctx, 'sending "LIST\\n"'));
  const want = [...expected].sort();
  if (names.length === want.length && names.every((n, i) => n === want[i])) return;
  throw new CheckFailure(`${why} LIST on ${probe.label} returned ${renderList(names)} but should list exactly ${renderList(want)}.${hint ? ` ${hint}` : ''}`, {
    expected: want.length === 0 ? 'FAIL empty' : [`OK ${want.length}`, ...want].join('\n'),
    actual: names.length === 0 ? 'FAIL empty (or OK 0)' : [`OK ${names.length}`, ...names].join('\n'),
  });
}

export function renderList(names: string[]): string {
  return names.length === 0 ? 'no files' : names.map((n) => show(n)).join(', ');
}

/** Sends `GET <name>` and returns the head line and, for `OK <size>`, the data. */
export async function get(probe: TcpProbe, ctx: CheckContext, name: string): Promise<{ head: string; data?: Buffer }> {
  const sent = `sending ${show(`GET ${name}\n`)}`;
  await probe.send(`GET ${name}\n`);
  const head = await replyLine(probe, ctx, sent);
  const match = /^OK (\d+)$/.exec(head);
  if (!match) return { head };
  const size = Number(match[1]);
  const data = await probe.readBytes(size, ctx.ms(DATA_MS));
  if (data.kind !== 'ok') {
    throw new CheckFailure(`After ${sent} on ${probe.label}, the reply announced ${show(head)} but the ${size} bytes did not all arrive: ${describeOutcome(data, (v: Buffer) => `${v.length} bytes`)}. Send exactly the announced number of bytes.`, {
      expected: `${size} bytes`,
      actual: describeOutcome(data, (v: Buffer) => `${v.length} bytes`),
    });
  }
  return { head, data: data.value };
}

/** GET that must return exactly `expected`. */
export async function expectGet(probe: TcpProbe, ctx: CheckContext, name: string, expected: Buffer, why = ''): Promise<void> {
  const { head, data } = await get(probe, ctx, name);
  if (data === undefined) {
    throw new CheckFailure(`${why}GET ${show(name)} on ${probe.label} got ${show(head)}; expected ${show(`OK ${expected.length}`)} and the file's ${expected.length} bytes.`, {
      expected: `OK ${expected.length}\\n + ${expected.length} bytes`,
      actual: head,
    });
  }
  if (!data.equals(expected)) {
    throw new CheckFailure(`${why}GET ${show(name)} on ${probe.label}: the data differs from the file (${data.length} bytes received vs ${expected.length} in the file${data.length === expected.length ? `, first difference at byte ${firstDifference(data, expected)}` : ''}). Send the file's raw bytes, without decoding or changing them, and announce its exact size.`, {
      expected: `${head === `OK ${expected.length}` ? head : `OK ${expected.length}`}\\n + ${show(expected, 60)}`,
      actual: `${head}\\n + ${show(data, 60)}`,
    });
  }
}

/** GET that must be refused (`FAIL not found`, or `FAIL bad name` when `badNameOk`). */
export async function expectGetRefused(probe: TcpProbe, ctx: CheckContext, name: string, badNameOk: boolean, hint: string): Promise<void> {
  const { head, data } = await get(probe, ctx, name);
  const allowed = badNameOk ? ['FAIL not found', 'FAIL bad name'] : ['FAIL not found'];
  if (data === undefined && allowed.includes(head)) return;
  throw new CheckFailure(`GET ${show(name)} on ${probe.label} got ${show(head)}${data ? ` and ${data.length} bytes of data` : ''}; expected ${allowed.map((a) => show(a)).join(' or ')}. ${hint}`, {
    expected: allowed.join(' or '),
    actual: data ? `${head}\\n + ${show(data, 60)}` : head,
  });
}

/** `PUT <len> <name>`, expect OK, send the data in a separate write (if any), expect DONE. */
export async function put(probe: TcpProbe, ctx: CheckContext, name: string, data: Buffer | string): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const line = `PUT ${bytes.length} ${name}\n`;
  await probe.send(line);
  await expectReply(probe, ctx, `sending ${show(line)}`, 'OK', 'A PUT of a new, valid name must be accepted with OK.');
  if (bytes.length > 0) {
    if (bytes.length > 256 * 1024) await probe.sendStream(bytes);
    else await probe.send(bytes);
  }
  await expectReply(
    probe,
    ctx,
    `sending ${show(line)} and its ${bytes.length} data bytes`,
    'DONE',
    bytes.length === 0 ? 'PUT of 0 bytes must answer OK then DONE at once.' : 'Reply DONE once all size bytes are stored.',
    DATA_MS,
  );
}

function firstDifference(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

/** Names in the library folder on disk (hidden ones included), sorted. */
export async function filesOnDisk(server: RunningServer, folder = ROOT): Promise<string[]> {
  return (await server.listFiles(folder)).sort();
}

/** Requires that nothing more arrives on the probe for a short while. */
export async function expectNothingMore(probe: TcpProbe, ctx: CheckContext, after: string, hint: string): Promise<void> {
  const extra = await probe.collectFor(ctx.ms(ABSENCE_MS));
  if (extra.length === 0) return;
  throw new CheckFailure(`${after} on ${probe.label}, the server sent ${extra.length} extra byte(s): ${show(extra)}. ${hint}`, {
    expected: '(nothing more)',
    actual: show(extra),
  });
}

/** Runs `work`; a CheckFailure it throws gets `prefix` before and `hint` after its message. */
export async function withContext<T>(prefix: string, hint: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof CheckFailure)) throw error;
    const body = prefix ? `${error.message.charAt(0).toLowerCase()}${error.message.slice(1)}` : error.message;
    const message = `${prefix ? `${prefix} ` : ''}${body}${hint ? ` ${hint}` : ''}`;
    throw new CheckFailure(message, {
      ...(error.expected === undefined ? {} : { expected: error.expected }),
      ...(error.actual === undefined ? {} : { actual: error.actual }),
    });
  }
}
