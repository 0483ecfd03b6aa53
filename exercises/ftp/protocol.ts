/**
 * The ftp wire protocol as the probes speak it (LIST, GET, PUT, EXIT), and the expectations
 * shared by its checks. Every request is one write and the probe waits for its complete
 * reply before sending the next, unless a check is about segmentation.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { CheckContext } from '../../grader/exercise/define.ts';
import { CheckFailure } from '../../grader/model/errors.ts';
import { ABSENCE_MS, describeOutcome, expectLine, expectSilence, readReplyLine, show, withContext } from '../../grader/probes/expect.ts';
import type { Random } from '../../grader/probes/segmentation.ts';
import type { TcpProbe } from '../../grader/probes/tcp.ts';
import { isProcNetAvailable, receiveQueueOf } from '../../grader/sandbox/proc-net.ts';
import { waitUntilAccepted } from '../../grader/probes/delivery.ts';
import { currentLanguage } from '../../grader/i18n/language.ts';
import { text } from './messages.ts';

const { t } = text;

export { waitUntilAccepted };
import type { RunningServer } from '../../grader/sandbox/sandbox.ts';

export { ABSENCE_MS, withContext };

/** The library folder (FTP_ROOT is left unset: the default `./files`). */
export const ROOT = 'files';
/** The library of the one check that sets FTP_ROOT (relative to the server's working directory). */
export const OTHER_ROOT = 'library';
/** How long one reply line may take on loopback. */
export const REPLY_MS = 1500;
/** How long the bytes of a file (up to a few MiB) may take. */
export const DATA_MS = 5000;
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

/**
 * Reads one reply line (REPLY_MS) or fails saying what was sent. `sent` is what the probe
 * did, from the catalogue, e.g. `t('sent.line', { line: show('LIST\\n') })` (messages read
 * "After sending ... on c1, ..." / "在 c1 上发送 ... 之后，...").
 */
export function replyLine(probe: TcpProbe, ctx: CheckContext, sent: string, timeoutMs = REPLY_MS): Promise<string> {
  return readReplyLine(probe, { after: t('after', { sent }), timeoutMs: ctx.ms(timeoutMs) });
}

/** Requires the next reply line to be exactly `expected`. */
export async function expectReply(probe: TcpProbe, ctx: CheckContext, sent: string, expected: string, hint = '', timeoutMs = REPLY_MS): Promise<void> {
  await expectLine(probe, expected, { after: t('after', { sent }), timeoutMs: ctx.ms(timeoutMs), hint: hint || undefined });
}

/** Reads a LIST reply: `FAIL empty` is the empty list, `OK <n>` is followed by n names. */
export async function readList(probe: TcpProbe, ctx: CheckContext, sent: string): Promise<string[]> {
  const head = await replyLine(probe, ctx, sent);
  if (head === 'FAIL empty') return [];
  const match = /^OK (\d+)$/.exec(head);
  if (!match) {
    throw new CheckFailure(t('list.badHead', { sent, conn: probe.label, ok: show('OK <n>'), empty: show('FAIL empty'), got: show(head) }), {
      expected: t('list.badHeadExpected'),
      actual: head,
    });
  }
  const count = Number(match[1]);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const outcome = await probe.readLine(ctx.ms(REPLY_MS));
    if (outcome.kind !== 'ok') {
      throw new CheckFailure(t('list.short', { sent, conn: probe.label, head: show(head), i, got: describeOutcome(outcome) }), {
        expected: t('list.shortExpected', { count }),
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
  const names = await withContext(`${why}`, hint, () => readList(probe, ctx, t('sent.line', { line: show('LIST\n') })));
  const want = [...expected].sort();
  if (names.length === want.length && names.every((n, i) => n === want[i])) return;
  const params = { why, conn: probe.label, got: renderList(names), want: renderList(want) };
  throw new CheckFailure(hint ? t('list.wrongHint', { ...params, hint }) : t('list.wrong', params), {
    expected: want.length === 0 ? 'FAIL empty' : [`OK ${want.length}`, ...want].join('\n'),
    actual: names.length === 0 ? t('list.emptyActual') : [`OK ${names.length}`, ...names].join('\n'),
  });
}

export function renderList(names: string[]): string {
  // A plain enumeration, no "and" (Intl.ListFormat's 'unit' style drops the separator in zh-CN).
  return names.length === 0 ? t('list.none') : names.map((n) => show(n)).join(currentLanguage() === 'zh-CN' ? '、' : ', ');
}

/** Sends `GET <name>` and returns the head line and, for `OK <size>`, the data. */
export async function get(probe: TcpProbe, ctx: CheckContext, name: string): Promise<{ head: string; data?: Buffer }> {
  const sent = t('sent.line', { line: show(`GET ${name}\n`) });
  await probe.send(`GET ${name}\n`);
  const head = await replyLine(probe, ctx, sent);
  const match = /^OK (\d+)$/.exec(head);
  if (!match) return { head };
  const size = Number(match[1]);
  const data = await probe.readBytes(size, ctx.ms(DATA_MS));
  if (data.kind !== 'ok') {
    throw new CheckFailure(t('get.short', { sent, conn: probe.label, head: show(head), size, got: describeOutcome(data, (v: Buffer) => t('bytes', { n: v.length })) }), {
      expected: t('bytes', { n: size }),
      actual: describeOutcome(data, (v: Buffer) => t('bytes', { n: v.length })),
    });
  }
  return { head, data: data.value };
}

/** GET that must return exactly `expected`. */
export async function expectGet(probe: TcpProbe, ctx: CheckContext, name: string, expected: Buffer, why = ''): Promise<void> {
  const { head, data } = await get(probe, ctx, name);
  if (data === undefined) {
    throw new CheckFailure(t('get.refused', { why, name: show(name), conn: probe.label, head: show(head), ok: show(`OK ${expected.length}`), size: expected.length }), {
      expected: t('get.refusedExpected', { size: String(expected.length) }),
      actual: head,
    });
  }
  if (!data.equals(expected)) {
    const params = { why, name: show(name), conn: probe.label, got: data.length, size: expected.length };
    throw new CheckFailure(data.length === expected.length ? t('get.differsAt', { ...params, at: firstDifference(data, expected) }) : t('get.differs', params), {
      expected: `${head === `OK ${expected.length}` ? head : `OK ${expected.length}`}\\n + ${show(expected, 60)}`,
      actual: `${head}\\n + ${show(data, 60)}`,
    });
  }
}

/**
 * GET that must be refused (`FAIL not found`, or `FAIL bad name` when `badNameOk`). An
 * `OK <size>` is not followed by a wait for the data: what arrives within REPLY_MS is shown.
 * `folder`: the name is a folder in the check's fixture, and the message says so.
 */
export async function expectGetRefused(probe: TcpProbe, ctx: CheckContext, name: string, badNameOk: boolean, hint: string, options: { folder?: boolean } = {}): Promise<void> {
  const line = `GET ${name}\n`;
  await probe.send(line);
  const head = await replyLine(probe, ctx, t('sent.line', { line: show(line) }));
  const allowed = badNameOk ? ['FAIL not found', 'FAIL bad name'] : ['FAIL not found'];
  if (allowed.includes(head)) return;
  const announced = /^OK (\d+)$/.exec(head);
  let data: Buffer | undefined;
  let after = '';
  if (announced) {
    const size = Number(announced[1]);
    const outcome = await probe.readBytes(size, ctx.ms(REPLY_MS));
    data = outcome.kind === 'ok' ? outcome.value : outcome.partial;
    const why = outcome.kind === 'closed' ? t('get.whyClosed') : t('get.whyNothing', { ms: { ms: ctx.ms(REPLY_MS) } });
    after = outcome.kind === 'ok' ? t('get.servedAll', { size }) : data.length === 0 ? t('get.servedNone', { why }) : t('get.servedSome', { got: data.length, size, why });
  }
  const expected = allowed.length === 1 ? show(allowed[0]!) : t('or', { a: show(allowed[0]!), b: show(allowed[1]!) });
  const message =
    options.folder && announced
      ? t('get.notRefusedFolder', { name: show(name), conn: probe.label, head: show(head), after, notFound: show('FAIL not found') })
      : t('get.notRefused', { name: show(name), conn: probe.label, head: show(head), after, expected, hint });
  throw new CheckFailure(message, {
    expected: allowed.length === 1 ? allowed[0]! : t('or', { a: allowed[0]!, b: allowed[1]! }),
    actual: data ? `${head}\\n + ${data.length === 0 ? t('get.noBytes') : show(data, 60)}` : head,
  });
}

/** `PUT <len> <name>`, expect OK, send the data in a separate write (if any), expect DONE. */
export async function put(probe: TcpProbe, ctx: CheckContext, name: string, data: Buffer | string): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const line = `PUT ${bytes.length} ${name}\n`;
  await probe.send(line);
  await expectReply(probe, ctx, t('sent.line', { line: show(line) }), 'OK', t('put.okHint'));
  if (bytes.length > 0) {
    if (bytes.length > 256 * 1024) await probe.sendStream(bytes);
    else await probe.send(bytes);
  }
  await expectReply(
    probe,
    ctx,
    t('sent.lineAndData', { line: show(line), n: bytes.length }),
    'DONE',
    bytes.length === 0 ? t('put.zeroHint') : t('put.doneHint'),
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
  await expectSilence(probe, { after, ms: ctx.ms(ABSENCE_MS), hint, meaning: t('nothingMore') });
}


/** Without the kernel's socket table: how long bytes written on loopback may take to reach the server's queue. */
const QUEUED_FALLBACK_MS = 20;

/**
 * Delivers `line` on every probe so that the server reads them all in one turn of its
 * event loop: the server's processes are stopped (SIGSTOP), the lines written, and the
 * server resumed (SIGCONT) only once the kernel's socket table shows every line waiting in
 * its connection's receive queue. On waking, the server's poll reports all the connections
 * readable at once and runs their data handlers one after another, before any I/O it
 * starts for the first (a stat, an open) can complete: whatever a handler does before its
 * first await, the others see; whatever it does after, they do not. Not a sleep: the
 * resume waits for an event (the bytes queued), with a deadline.
 */
export async function deliverAtOnce(server: RunningServer, ctx: CheckContext, probes: TcpProbe[], line: string): Promise<void> {
  const bytes = Buffer.byteLength(line);
  server.process.signalGroup('SIGSTOP');
  try {
    await Promise.all(probes.map((p) => p.send(line)));
    if (!isProcNetAvailable()) {
      await delay(QUEUED_FALLBACK_MS);
      return;
    }
    const started = performance.now();
    const queued = (p: TcpProbe) =>
      (['tcp', 'tcp6'] as const).some((table) => {
        const { found, serverUnread } = receiveQueueOf(table, server.port, p.localPort);
        return found && serverUnread >= bytes;
      });
    let waiting = probes;
    while ((waiting = waiting.filter((p) => !queued(p))).length > 0 && performance.now() - started < ctx.ms(REPLY_MS)) {
      // Polling the kernel's table for bytes already on their way: bounds latency only.
      await delay(1);
    }
  } finally {
    server.process.signalGroup('SIGCONT');
  }
}
