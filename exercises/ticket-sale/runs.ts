/**
 * How the ticket-sale grader runs main.ts and reads what it printed: the settings of a run (env
 * TICKETS, WINDOWS, SALE_MS), one run with the stdout tap preloaded (optionally with worker
 * threads held back at start, writes delayed, the process paused and resumed), the tap's
 * records, each stdout line credited to the thread that wrote it, and the judgement of the
 * ticket sequence shared by the checks.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckContext } from '../../grader/exercise/define.ts';
import type { Random } from '../../grader/probes/segmentation.ts';
import { describeExit, diagnoseEarlyExit, findStripError, thrownError } from '../../grader/sandbox/diagnose.ts';
import { DEFAULT_LIMITS } from '../../grader/sandbox/limits.ts';
import type { SandboxProcess } from '../../grader/sandbox/process.ts';
import type { ProgramRun } from '../../grader/sandbox/sandbox.ts';
import { runMany, startLoad } from '../../grader/probes/load.ts';
import { text } from './messages.ts';

const { t } = text;

export { runMany, startLoad };

/**
 * The grader's preload, shared with interleave: records every write to stdout with the writing
 * thread and the time, and (options by env) when each thread started and ended, holds worker
 * threads back at start, delays writes. See the comment at its top.
 */
export const TAP = fileURLToPath(new URL('../interleave/tap.mjs', import.meta.url));
/** A busy loop, run in several copies to load the machine during sales.under-load. */
/** Starts Node with the tap and N idle worker threads: what starting a program costs right now. */
export const STARTUP = fileURLToPath(new URL('./startup.mjs', import.meta.url));
/** The tap's records go to this file of the run's working directory (env NETGRADE_TAP). */
export const TAP_FILE = '.netgrade-tap.jsonl';

export const SOLD_OUT = '票已售罄';
export const DEFAULTS = { tickets: 500, windows: 10, saleMs: 10 } as const;

/** At most this long the tap holds back every worker thread but the first (NETGRADE_TAP_HOLD_MS). */
export const HOLD_MS = 3000;

// ---------------------------------------------------------------------------------------------
// Settings

export interface Settings {
  tickets: number;
  windows: number;
  saleMs: number;
  /** The variables the grader sets; the others are unset (the program uses its defaults). */
  env: Record<string, string>;
}

/** Settings from the variables to set; unset ones take the contract's defaults. */
export function settingsOf(set: { TICKETS?: number; WINDOWS?: number; SALE_MS?: number }): Settings {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(set)) if (value !== undefined) env[name] = String(value);
  return {
    tickets: set.TICKETS ?? DEFAULTS.tickets,
    windows: set.WINDOWS ?? DEFAULTS.windows,
    saleMs: set.SALE_MS ?? DEFAULTS.saleMs,
    env,
  };
}

/** "TICKETS=0 (WINDOWS, SALE_MS unset)" or "TICKETS, WINDOWS, SALE_MS unset". */
export function describeSettings(s: Settings): string {
  const names = ['TICKETS', 'WINDOWS', 'SALE_MS'];
  const set = names.filter((n) => s.env[n] !== undefined).map((n) => `${n}=${s.env[n]}`);
  const unset = names.filter((n) => s.env[n] === undefined);
  if (set.length === 0) return t('settings.allUnset', { names: unset.join(t('list.sep')), tickets: s.tickets, windows: s.windows, ms: { ms: s.saleMs } });
  return unset.length === 0 ? set.join(' ') : t('settings.someUnset', { set: set.join(' '), names: unset.join(t('list.sep')) });
}

/** The contract's deadline: 10 s + 2 × TICKETS × SALE_MS / WINDOWS. */
export function contractDeadlineMs(s: Settings): number {
  return 10_000 + Math.ceil((2 * s.tickets * s.saleMs) / s.windows);
}

// ---------------------------------------------------------------------------------------------
// One run

export interface WriteRecord {
  thread: number;
  via: string;
  text: string;
  relay?: boolean;
  at?: number;
}

export interface ThreadEvent {
  kind: 'start' | 'end';
  thread: number;
  at: number;
  held?: number;
  /** Position in the tap file (the order in which the records were appended). */
  index: number;
}

/** A line a thread wrote (its own writes, concatenated), with the record that completed it. */
export interface WrittenLine {
  thread: number;
  text: string;
  /** Position of the completing record in the tap file. */
  index: number;
  at: number | undefined;
}

/** A stdout line that reads as a sale (`W<k> --- T<n>`, leniently: spacing and dashes aside). */
export interface Sale {
  /** 1-based stdout line. */
  line: number;
  text: string;
  window: number;
  ticket: number;
  /** Exactly `W<k> --- T<n>`. */
  exact: boolean;
  /** The thread whose own writes contain this line (undefined: no thread's writes do). */
  thread: number | undefined;
  /** When it landed (tap clock, ms) and the position of its record in the tap file. */
  at: number | undefined;
  index: number | undefined;
}

export interface Pause {
  /** ms after the previous event (the program's first output, or the previous SIGCONT). */
  after: number;
  /** how long the process group stays stopped. */
  length: number;
}

export interface RunOptions {
  /** How messages name this run, e.g. "the run with TICKETS=0". */
  label: string;
  settings: Settings;
  /** Hold back every worker thread but the first at start (NETGRADE_TAP_HOLD_MS). */
  hold?: boolean;
  /** Delay each write to stdout by up to this many ms (NETGRADE_TAP_JITTER_MS). */
  jitterMs?: number;
  pauses?: Pause[];
  /** A run beside busy loops: judged for its order only, so it gets a generous deadline. */
  loaded?: boolean;
  /** The start-up time measured for this run (see measureStartup); measured now when absent. */
  startupMs?: number;
  /**
   * Stop the run this long after a 票已售罄 that follows every ticket, if it has not exited by
   * then (loaded runs: always, 2 s; the other runs once the default run had to be stopped at its
   * deadline, when run.exit's verdict is in and the rest of a run is judged by its stdout only).
   */
  stopAfterSoldOutMs?: number;
  /** Stop the run when it prints nothing for the start-up allowance plus this many ms (same cases). */
  idleAfterStartupMs?: number;
}

/**
 * How long Node with the tap and `windows` idle worker threads takes to start and exit on this
 * machine right now (ms, as measured: already under the load, so not scaled again). Added to a
 * run's deadline: on an idle machine a few hundred ms, on a machine shared by many test suites
 * several seconds, which a correct program would otherwise lose to the machine.
 */
export async function measureStartup(ctx: CheckContext, windows: number): Promise<number> {
  const run = await ctx.runProgram({
    harness: STARTUP,
    args: [String(Math.max(1, windows))],
    nodeArgs: ['--import', TAP],
    env: { NETGRADE_TAP: TAP_FILE, NETGRADE_TAP_THREADS: '1' },
    timeoutMs: 60_000,
  });
  return Math.round(run.exit.durationMs);
}

export interface Run {
  label: string;
  settings: Settings;
  program: ProgramRun;
  lines: string[];
  sales: Sale[];
  writes: WriteRecord[];
  events: ThreadEvent[];
  /** Every thread's lines, from the tap. */
  written: WrittenLine[];
  /** The contract's deadline, and the time the grader's own hold and delays may add to it (ms, scaled). */
  deadlineMs: number;
  allowanceMs: number;
  /** What starting Node and the threads took on this machine just before the run (ms; see measureStartup). */
  startupMs: number;
  pauses: Pause[];
  pausesDone: number;
  /** A loaded run stopped by the grader 0.5 s after its first sale out of order. */
  stoppedEarly: boolean;
}

/** Splits stdout at \n, drops the empty piece after the last \n, strips a \r before the \n. */
export function linesOf(text: string): string[] {
  if (text.length === 0) return [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((l) => l.replace(/\r$/, ''));
}

const EXACT = /^W([1-9]\d*) --- T([1-9]\d*)$/;
const LENIENT = /^\s*W\s*(\d+)\s*-+\s*T\s*(\d+)\s*$/;

/** Window and ticket of a line that reads as a sale, or undefined. */
export function parseSale(text: string): { window: number; ticket: number; exact: boolean } | undefined {
  const exact = EXACT.exec(text);
  if (exact) return { window: Number(exact[1]), ticket: Number(exact[2]), exact: true };
  const lenient = LENIENT.exec(text);
  if (lenient) return { window: Number(lenient[1]), ticket: Number(lenient[2]), exact: false };
  return undefined;
}

/**
 * Two random pauses: each 100–300 ms after the previous event, 1100–1400 ms long: longer than a
 * second, so that a lock that gives up waiting after a second (a timeout standing in for the
 * lock) gives up every time, while nothing on a merely busy machine waits that long for a lock.
 */
export function planPauses(random: Random, count = 2): Pause[] {
  return Array.from({ length: count }, () => ({ after: random.int(100, 300), length: random.int(1100, 1400) }));
}

/**
 * Runs main.ts once with the tap. `pauses` stop and resume its process group (SIGSTOP/SIGCONT),
 * timed from the program's first output (when the windows sell: a pause while Node starts tests
 * nothing). The run is stopped at the contract's deadline plus what the grader's hold, delays and
 * pauses may add; a loaded run (judged for its order only) gets 60 s.
 */
export async function runOnce(ctx: CheckContext, options: RunOptions): Promise<Run> {
  const { settings } = options;
  const pauses = options.pauses ?? [];
  const pausedMs = pauses.reduce((sum, p) => sum + p.length, 0);
  const jitterMs = options.jitterMs ?? 0;
  const allowance = (options.hold ? HOLD_MS : 0) + Math.ceil(settings.tickets * jitterMs);
  const deadline = contractDeadlineMs(settings);
  const startupMs = options.loaded ? 0 : (options.startupMs ?? (await measureStartup(ctx, settings.windows)));
  const env: Record<string, string> = {
    ...settings.env,
    NETGRADE_TAP: TAP_FILE,
    NETGRADE_TAP_THREADS: '1',
    NETGRADE_TAP_SEED: String(ctx.random.int(1, 2 ** 31 - 1)),
  };
  if (options.hold) env.NETGRADE_TAP_HOLD_MS = String(ctx.ms(HOLD_MS));
  if (jitterMs > 0) env.NETGRADE_TAP_JITTER_MS = String(jitterMs);

  const timers: NodeJS.Timeout[] = [];
  let pausesDone = 0;
  let stoppedEarly = false;
  let stopped: SandboxProcess | undefined;
  let finished = false;
  let unwatch: (() => void) | undefined;
  const schedule = (proc: SandboxProcess) => {
    let at = 0;
    for (const pause of pauses) {
      at += pause.after;
      timers.push(
        setTimeout(() => {
          if (proc.hasExited) return;
          proc.signalGroup('SIGSTOP');
          stopped = proc;
          pausesDone++;
        }, at),
      );
      at += pause.length;
      timers.push(
        setTimeout(() => {
          proc.signalGroup('SIGCONT');
          stopped = undefined;
        }, at),
      );
    }
  };
  let unwatchEnd: (() => void) | undefined;
  const onStart = (proc: SandboxProcess) => {
    const afterSoldOut = options.loaded ? 2000 : options.stopAfterSoldOutMs;
    if (afterSoldOut !== undefined) {
      // A loaded run is judged for its order only: it is stopped 0.5 s after its first sale line
      // out of order (the verdict is in; the rest would only cost time). A run is stopped
      // `afterSoldOut` ms after a 票已售罄 that follows every ticket, if it has not exited by then.
      let scanned = 0;
      let expected = 1;
      const stop = (ms: number, early: boolean) => {
        unwatchEnd?.();
        timers.push(
          setTimeout(() => {
            stoppedEarly = early;
            void proc.kill();
          }, ms),
        );
      };
      unwatchEnd = proc.stdout.onData(() => {
        const text = proc.stdout.text();
        const end = text.lastIndexOf('\n');
        if (end < scanned) return;
        const lines = text.slice(scanned, end).split('\n');
        scanned = end + 1;
        for (const raw of lines) {
          const line = raw.replace(/\r$/, '');
          if (line === SOLD_OUT && expected > settings.tickets) return stop(afterSoldOut, false);
          const sale = parseSale(line);
          if (!sale) continue;
          if (sale.ticket !== expected) {
            if (options.loaded) return stop(500, true);
            // Out of order: count no further (only a run in order ends with the stop above).
            return unwatchEnd?.();
          }
          expected++;
        }
      });
    }
    if (pauses.length === 0) return;
    unwatch = proc.stdout.onData(() => {
      unwatch?.();
      if (!finished && !proc.hasExited) schedule(proc);
    });
  };
  let program: ProgramRun;
  try {
    program = await ctx.runProgram({
      nodeArgs: ['--import', TAP],
      env,
      timeoutMs: options.loaded ? 60_000 + pausedMs : deadline + allowance + pausedMs + startupMs,
      ...(options.idleAfterStartupMs === undefined ? {} : { idleTimeoutMs: startupMs + options.idleAfterStartupMs }),
      onStart,
    });
  } finally {
    finished = true;
    unwatch?.();
    unwatchEnd?.();
    for (const timer of timers) clearTimeout(timer);
    // Never leave a group stopped (it is killed anyway; SIGCONT first so it can die cleanly).
    stopped?.signalGroup('SIGCONT');
  }
  const { writes, events } = await readTap(program.workDir);
  const lines = linesOf(program.stdout);
  const written = linesWritten(writes);
  return {
    label: options.label,
    settings,
    program,
    lines,
    sales: salesOf(lines, written),
    writes: writes.map((w) => w.record),
    events,
    written,
    deadlineMs: ctx.ms(deadline),
    allowanceMs: ctx.ms(allowance + pausedMs),
    startupMs,
    pauses,
    pausesDone,
    stoppedEarly,
  };
}

/**
 * A program that cannot run at all (TypeScript Node cannot strip, a syntax error, an npm import)
 * is the same failure on every run: thrown as the SubmissionError that names it, so that the
 * runner reports it once and skips the checks that need the same run.
 */
export async function throwIfCodeError(ctx: CheckContext, run: Run): Promise<void> {
  const { program } = run;
  if (run.sales.length > 0 || program.killedFor !== undefined || program.exit.exitCode === 0) return;
  if (/ERR_(UNSUPPORTED|INVALID)_TYPESCRIPT_SYNTAX|SyntaxError/.test(program.stderr)) {
    const strip = await findStripError(ctx.codeDir, ctx.exercise.entryFiles);
    if (strip) throw strip;
  }
  if (/ERR_MODULE_NOT_FOUND|ERR_UNSUPPORTED_DIR_IMPORT/.test(program.stderr)) {
    const diagnosis = await diagnoseEarlyExit(program.exit, program.stderr, ctx.codeDir, ctx.exercise.entryFiles, DEFAULT_LIMITS);
    if (diagnosis.code === 'MODULE_NOT_FOUND') throw diagnosis;
  }
}

async function readTap(workDir: string): Promise<{ writes: Array<{ record: WriteRecord; index: number }>; events: ThreadEvent[] }> {
  let text: string;
  try {
    text = await readFile(join(workDir, TAP_FILE), 'utf8');
  } catch {
    return { writes: [], events: [] };
  }
  const writes: Array<{ record: WriteRecord; index: number }> = [];
  const events: ThreadEvent[] = [];
  let index = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue; // A record cut off by a kill.
    }
    const record = parsed as Partial<WriteRecord & ThreadEvent>;
    if (typeof record.thread !== 'number') continue;
    if (record.kind === 'start' || record.kind === 'end') {
      events.push({ kind: record.kind, thread: record.thread, at: record.at ?? 0, ...(record.held !== undefined ? { held: record.held } : {}), index });
    } else if (typeof record.text === 'string') {
      writes.push({ record: record as WriteRecord, index });
    }
    index++;
  }
  return { writes, events };
}

/**
 * Each thread's own writes (relays of a worker's console.log by the main thread excluded: the
 * worker's record of the same text credits the worker), concatenated in order and split into
 * lines; a line written in pieces counts once, with the record that ended it.
 */
function linesWritten(writes: Array<{ record: WriteRecord; index: number }>): WrittenLine[] {
  const pending = new Map<number, { text: string; index: number; at: number | undefined }>();
  const lines: WrittenLine[] = [];
  for (const { record, index } of writes) {
    if (record.relay) continue;
    const open = pending.get(record.thread) ?? { text: '', index, at: record.at };
    open.text += record.text;
    open.index = index;
    open.at = record.at;
    const parts = open.text.split('\n');
    const rest = parts.pop()!;
    for (const part of parts) lines.push({ thread: record.thread, text: part.replace(/\r$/, ''), index, at: record.at });
    open.text = rest;
    pending.set(record.thread, open);
  }
  for (const [thread, open] of pending) {
    if (open.text !== '') lines.push({ thread, text: open.text, index: open.index, at: open.at });
  }
  return lines.sort((a, b) => a.index - b.index);
}

/** The stdout lines that read as sales, each credited to the thread whose writes contain it. */
function salesOf(lines: string[], written: WrittenLine[]): Sale[] {
  const byText = new Map<string, WrittenLine[]>();
  for (const line of written) {
    const queue = byText.get(line.text);
    if (queue) queue.push(line);
    else byText.set(line.text, [line]);
  }
  const sales: Sale[] = [];
  lines.forEach((text, i) => {
    const parsed = parseSale(text);
    if (!parsed) return;
    const source = byText.get(text)?.shift();
    sales.push({ line: i + 1, text, ...parsed, thread: source?.thread, at: source?.at, index: source?.index });
  });
  return sales;
}


// ---------------------------------------------------------------------------------------------
// Describing

export function threadName(thread: number | undefined): string {
  if (thread === undefined) return t('thread.unknown');
  return thread === 0 ? t('thread.main') : t('thread.worker', { n: String(thread) });
}

export function list(items: string[], max = 6): string {
  // By hand rather than Intl.ListFormat: the list is cut after `max` items with a count of the rest.
  const shown = items.length > max ? [...items.slice(0, max), t('list.more', { n: items.length - max })] : items;
  if (shown.length <= 1) return shown[0] ?? t('list.none');
  return t('list.last', { head: shown.slice(0, -1).join(t('list.sep')), last: shown.at(-1)! });
}

export function threadList(threads: Iterable<number>): string {
  return list([...threads].sort((a, b) => a - b).map(threadName));
}

const quote = (line: string | undefined) => (line === undefined ? t('quote.nothing') : line === '' ? t('quote.empty') : `\`${line}\``);
export { quote };

/** What ended the run, when the grader stopped it or it failed: a sentence, or ''. */
export function describeEnd(run: Run): string {
  const { program } = run;
  const n = run.sales.length;
  if (program.killedFor !== undefined) {
    return t('end.killed', { ms: { ms: Math.round(program.exit.durationMs) }, n });
  }
  const { exit } = program;
  if (exit.signal !== null || exit.exitCode !== 0) {
    const thrown = thrownError(program.stderr);
    const stderr = program.stderr.trim().split('\n').slice(0, 3).join(' / ');
    if (exit.limit) {
      const limit = exit.limit;
      if (thrown) return t('end.limitThrown', { limit, n, error: thrown });
      return stderr ? t('end.limitStderr', { limit, n, stderr: stderr.slice(0, 300) }) : t('end.limit', { limit, n });
    }
    const how = describeExit(exit);
    if (thrown) return t('end.exitThrown', { how, n, error: thrown });
    return stderr ? t('end.exitStderr', { how, n, stderr: stderr.slice(0, 300) }) : t('end.exit', { how, n });
  }
  return '';
}

/** A short view of a run's stdout: its first and last lines, numbered, and how many. */
export function renderSummary(run: Run, head = 8, tail = 3): string {
  const { lines } = run;
  if (lines.length === 0) return t('view.noOutput');
  const row = (i: number) => `${String(i + 1).padStart(5)}  ${lines[i]}`;
  if (lines.length <= head + tail + 1) return lines.map((_, i) => row(i)).join('\n');
  return [...Array.from({ length: head }, (_, i) => row(i)), `  ${t('view.moreLines', { n: lines.length - head - tail })}`, ...Array.from({ length: tail }, (_, i) => row(lines.length - tail + i))].join('\n');
}

/** stdout lines around line `at` (1-based), numbered, `>` marking it. */
export function around(lines: string[], at: number, before = 5, after = 4): string {
  if (lines.length === 0) return t('view.noOutput');
  const from = Math.max(0, at - 1 - before);
  const to = Math.min(lines.length, at + after);
  const shown: string[] = [];
  if (from > 0) shown.push(t('view.linesBefore', { n: from }));
  for (let i = from; i < to; i++) shown.push(`${i === at - 1 ? '>' : ' '}${String(i + 1).padStart(5)}  ${lines[i]}`);
  if (to < lines.length) shown.push(t('view.moreLines', { n: lines.length - to }));
  if (at > lines.length) shown.push(`>${String(at).padStart(5)}  ${t('view.missing')}`);
  return shown.join('\n');
}

/** The expected lines around ticket `ticket` (W? for the window: any window may sell it). */
export function expectedAround(ticket: number, tickets: number, before = 5, after = 4): string {
  const from = Math.max(1, ticket - before);
  const to = Math.min(tickets, ticket + after);
  const shown: string[] = [];
  if (from > 1) shown.push(t('view.ticketsBefore', { last: String(from - 1) }));
  for (let n = from; n <= to; n++) shown.push(`${n === ticket ? '>' : ' '}${String(n).padStart(5)}  W<k> --- T${n}`);
  if (to < tickets) shown.push(t('view.ticketsAfter', { from: String(to + 1), to: String(tickets) }));
  else shown.push(`${' '.repeat(7)}${SOLD_OUT}`);
  return shown.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Judging the ticket sequence

export interface SequenceProblem {
  message: string;
  expected: string;
  actual: string;
}

const who = (sale: Sale) => t('seq.who', { window: String(sale.window), line: String(sale.line), thread: threadName(sale.thread) });

/**
 * Whether the sale lines (in stdout order; other lines are not this judgement's business) are
 * exactly T1, T2, …, TN, each once. The message starts at the first place where they are not,
 * names which window sold which ticket twice or out of turn, and sums up the rest.
 */
export function sequenceProblem(run: Run): SequenceProblem | undefined {
  const { sales } = run;
  const n = run.settings.tickets;
  const firstBad = (() => {
    for (let i = 0; i < Math.max(n, sales.length); i++) if (sales[i]?.ticket !== i + 1) return i;
    return -1;
  })();
  if (firstBad < 0) return undefined;

  const byTicket = new Map<number, Sale[]>();
  for (const sale of sales) {
    const list = byTicket.get(sale.ticket);
    if (list) list.push(sale);
    else byTicket.set(sale.ticket, [sale]);
  }
  const duplicated = [...byTicket.entries()].filter(([t, s]) => t <= n && s.length > 1).map(([t]) => t);
  const beyond = [...byTicket.keys()].filter((t) => t > n).sort((a, b) => a - b);
  const missing: number[] = [];
  for (let t = 1; t <= n; t++) if (!byTicket.has(t)) missing.push(t);
  let inversions = 0;
  for (let i = 1; i < sales.length; i++) if (sales[i]!.ticket < sales[i - 1]!.ticket) inversions++;

  const want = firstBad + 1;
  const got = sales[firstBad];
  let lead: string;
  let hint: string;
  const lineOf = got?.line ?? (sales.at(-1)?.line ?? 0) + 1;
  if (!got) {
    const end = describeEnd(run);
    const endClause = end ? t('brackets', { clause: end }) : '';
    lead =
      want < n
        ? t('seq.stoppedRange', { n: sales.length, tickets: n, want: String(want), last: String(n), end: endClause })
        : t('seq.stopped', { n: sales.length, tickets: n, want: String(want), end: endClause });
    hint = t('seq.stoppedHint');
  } else if (got.ticket > n) {
    const first = byTicket.get(got.ticket)![0]!;
    lead = t('seq.beyond', { who: who(first), ticket: String(got.ticket), tickets: n });
    hint = t('seq.beyondHint');
  } else if (got.ticket < want) {
    const earlier = byTicket.get(got.ticket)![0]!;
    const all = byTicket.get(got.ticket)!;
    // Nearly every ticket sold so far sold by several windows: each window has its own count
    // (a run stopped early, or still in progress, may end with a few tickets sold once).
    const sold = [...byTicket.keys()].filter((t) => t <= n).length;
    const everyTicketK = sold >= 2 && duplicated.length >= 0.9 * sold && all.length > 1;
    lead =
      all.length === 2
        ? t('seq.twice', { ticket: String(got.ticket), who: list(all.map(who), 4) })
        : t('seq.times', { ticket: String(got.ticket), n: all.length, who: list(all.map(who), 4) });
    if (earlier === got) lead = t('seq.outOfTurn', { ticket: String(got.ticket), who: who(got) });
    hint = everyTicketK ? t('seq.everyTicketHint') : t('seq.sameTicketHint');
  } else {
    // got.ticket > want: T<want> comes later, or never.
    const later = byTicket.get(want)?.[0];
    if (later) {
      lead = t('seq.order', { got: who(got), gotText: got.text, later: who(later), laterText: later.text });
      hint = t('seq.orderHint');
    } else {
      lead = t('seq.skipped', { want: String(want), line: String(got.line), text: got.text });
      hint = t('seq.skippedHint');
    }
  }
  const parts: string[] = [];
  if (duplicated.length > 0) parts.push(t('seq.duplicated', { n: duplicated.length }));
  if (beyond.length > 0) parts.push(t('seq.beyondCount', { n: beyond.length, tickets: String(n), list: list(beyond.map((b) => `T${b}`), 3) }));
  if (missing.length > 0 && !run.stoppedEarly) parts.push(t('seq.missing', { n: missing.length }));
  if (inversions > 0) parts.push(t('seq.inversions', { n: inversions }));
  const relayed = run.writes.some((w) => w.relay);
  const summary =
    parts.length > 0 ? t('seq.summaryParts', { n: sales.length, tickets: n, parts: parts.join(t('list.sep')) }) : t('seq.summary', { n: sales.length, tickets: n });
  return {
    message: relayed ? t('seq.message2', { lead, summary, hint, relayed: t('seq.relayedHint') }) : t('seq.message', { lead, summary, hint }),
    expected: expectedAround(Math.min(want, Math.max(n, 1)), n),
    actual: around(run.lines, lineOf),
  };
}
