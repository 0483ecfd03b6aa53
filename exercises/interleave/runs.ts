/**
 * How the interleave grader runs main.ts and reads what it printed: the expected 78 lines,
 * one run (with the stdout tap preloaded, optionally paused and resumed at random moments),
 * the tap's records, and the messages shared by the checks.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckContext } from '../../grader/exercise/define.ts';
import type { Random } from '../../grader/probes/segmentation.ts';
import { SubmissionError } from '../../grader/model/errors.ts';
import { describeExit, diagnoseEarlyExit, thrownError } from '../../grader/sandbox/diagnose.ts';
import { DEFAULT_LIMITS } from '../../grader/sandbox/limits.ts';
import type { SandboxProcess } from '../../grader/sandbox/process.ts';
import type { ProgramRun } from '../../grader/sandbox/sandbox.ts';
import { runMany, startLoad } from '../../grader/probes/load.ts';
import { text } from './messages.ts';

const { t } = text;

export { runMany, startLoad };

/** The grader's preload: records every write to stdout with the writing thread (see tap.mjs). */
export const TAP = fileURLToPath(new URL('./tap.mjs', import.meta.url));
/** A busy loop, run in several copies to load the machine during output.under-load. */
/** The tap's records go to this file of the run's working directory (env NETGRADE_TAP). */
export const TAP_FILE = '.netgrade-tap.jsonl';

/** 1 2 A 3 4 B … 51 52 Z */
export const EXPECTED: string[] = Array.from({ length: 26 }, (_, i) => [String(2 * i + 1), String(2 * i + 2), String.fromCharCode(65 + i)]).flat();
const NUMBER_LINES = new Set(EXPECTED.filter((l) => /^\d+$/.test(l)));
const LETTER_LINES = new Set(EXPECTED.filter((l) => /^[A-Z]$/.test(l)));

/** Deadline of an unloaded run: a correct program needs well under a second. */
export const RUN_MS = 8000;
/** A run that has printed and then prints nothing more for this long is stopped as a hang. */
export const IDLE_MS = 4000;
/** On the loaded machine (busy loops, several runs at once) starting Node and its workers takes longer. */
export const LOADED_RUN_MS = 15000;
export const LOADED_IDLE_MS = 6000;

export interface TapRecord {
  thread: number;
  via: string;
  text: string;
  relay?: boolean;
}

export interface Pause {
  /** ms after the previous event (the program's first output, or the previous SIGCONT). */
  after: number;
  /** how long the process group stays stopped. */
  length: number;
}

export interface Run {
  /** 1-based, as named in messages. */
  n: number;
  program: ProgramRun;
  lines: string[];
  tap: TapRecord[];
  pauses: Pause[];
  /** Pauses actually delivered (the program may end before a planned pause). */
  pausesDone: number;
  /** The idle deadline this run had (ms, scaled). */
  idleMs: number;
}

/** Splits stdout at \n, drops the empty piece after the last \n, strips a \r before the \n. */
export function linesOf(stdout: string): string[] {
  if (stdout.length === 0) return [];
  const lines = stdout.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((l) => l.replace(/\r$/, ''));
}

/** Two random pauses: each 100–500 ms after the previous event, 100–200 ms long. */
export function planPauses(random: Random, count = 2): Pause[] {
  return Array.from({ length: count }, () => ({ after: random.int(100, 500), length: random.int(100, 200) }));
}

/**
 * Runs main.ts once with the tap; `pauses` stop and resume its process group (SIGSTOP/SIGCONT).
 * The pauses are timed from the program's first output: that is when the workers take turns,
 * which is what a pause puts to the test (a pause while Node starts tests nothing, and made
 * every run of a correct program wait for it). A program that prints its 78 lines and exits
 * before the first pause is due is never paused: it had no turn left to get wrong.
 */
export async function runOnce(ctx: CheckContext, n: number, options: { pauses?: Pause[]; loaded?: boolean } = {}): Promise<Run> {
  const pauses = options.pauses ?? [];
  const pausedMs = pauses.reduce((sum, p) => sum + p.length, 0);
  const timers: NodeJS.Timeout[] = [];
  let pausesDone = 0;
  let stopped: SandboxProcess | undefined;
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
  let finished = false;
  let unwatch: (() => void) | undefined;
  // The idle deadline counts from the program's last output, and only once it has printed:
  // starting Node and two workers on a loaded machine can take seconds, which is not a hang
  // (before the first line only the run's deadline applies).
  const idleMs = options.loaded ? LOADED_IDLE_MS : IDLE_MS;
  let idleTimer: NodeJS.Timeout | undefined;
  let stoppedIdle = false;
  let unwatchIdle: (() => void) | undefined;
  const onStart = (proc: SandboxProcess) => {
    unwatchIdle = proc.stdout.onData(() => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        if (finished || proc.hasExited) return;
        stoppedIdle = true;
        void proc.kill();
      }, ctx.ms(idleMs));
    });
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
      env: { NETGRADE_TAP: TAP_FILE },
      timeoutMs: (options.loaded ? LOADED_RUN_MS : RUN_MS) + pausedMs,
      onStart,
    });
  } finally {
    finished = true;
    unwatch?.();
    unwatchIdle?.();
    clearTimeout(idleTimer);
    for (const timer of timers) clearTimeout(timer);
    // Never leave a group stopped (it is killed anyway; SIGCONT first so it can die cleanly).
    stopped?.signalGroup('SIGCONT');
  }
  if (stoppedIdle && program.killedFor === undefined) program = { ...program, killedFor: 'idle' };
  const tap = await readTap(program.workDir);
  return { n, program, lines: linesOf(program.stdout), tap, pauses, pausesDone, idleMs: ctx.ms(idleMs) };
}

/**
 * The program could not even start: Node could not strip or load its code (a strip or syntax
 * error in any of its .ts files, an import that cannot be found). Then nothing it did can be
 * judged: the first check that meets this reports it once (an `error`), every other check is
 * skipped, 0 points. A program that started and then crashed is judged by the checks (run.exit
 * says how it ended).
 */
export async function cannotStart(ctx: CheckContext, run: Run): Promise<SubmissionError | undefined> {
  const { stderr } = run.program;
  if (!/ERR_(UNSUPPORTED|INVALID)_TYPESCRIPT_SYNTAX|ERR_MODULE_NOT_FOUND|ERR_UNSUPPORTED_DIR_IMPORT/.test(stderr)) return undefined;
  // The limits only matter to a process stopped at a limit, which these stderr patterns exclude.
  const error = await diagnoseEarlyExit(run.program.exit, stderr, ctx.codeDir, ctx.exercise.entryFiles, DEFAULT_LIMITS);
  return error.code === 'UNSUPPORTED_TYPESCRIPT' || error.code === 'SYNTAX_ERROR' || error.code === 'MODULE_NOT_FOUND' ? error : undefined;
}

async function readTap(workDir: string): Promise<TapRecord[]> {
  let text: string;
  try {
    text = await readFile(join(workDir, TAP_FILE), 'utf8');
  } catch {
    return [];
  }
  const records: TapRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line) as TapRecord);
    } catch {
      // A record cut off by a kill: ignore it.
    }
  }
  return records;
}


// ---------------------------------------------------------------------------------------------
// Judging

export interface Difference {
  /** 1-based line number of the first difference. */
  line: number;
  got: string | undefined;
  want: string | undefined;
}

export function firstDifference(lines: string[]): Difference | undefined {
  const n = Math.max(lines.length, EXPECTED.length);
  for (let i = 0; i < n; i++) {
    if (lines[i] !== EXPECTED[i]) return { line: i + 1, got: lines[i], want: EXPECTED[i] };
  }
  return undefined;
}

export const quote = (line: string | undefined) => (line === undefined ? t('line.nothing') : line === '' ? t('line.empty') : `\`${line}\``);

export function describeDifference(d: Difference, lines: string[]): string {
  if (d.got === undefined) return t('diff.short', { n: lines.length, line: d.line, want: quote(d.want) });
  if (d.want === undefined) return t('diff.long', { n: lines.length, line: d.line, got: quote(d.got) });
  return t('diff.line', { line: d.line, got: quote(d.got), want: quote(d.want) });
}

/** Lines around the difference, numbered, for the report's expected/actual panes. */
export function around(lines: string[], d: Difference): string {
  const from = Math.max(0, d.line - 6);
  const to = Math.min(Math.max(lines.length, d.line), d.line + 4);
  const shown: string[] = [];
  if (from > 0) shown.push(t('lines.before', { n: from }));
  for (let i = from; i < to; i++) {
    const marker = i === d.line - 1 ? '>' : ' ';
    shown.push(`${marker}${String(i + 1).padStart(3)}  ${i < lines.length ? lines[i] : t('line.missing')}`);
  }
  if (to < lines.length) shown.push(t('lines.more', { n: lines.length - to }));
  return shown.join('\n');
}

/** What killed the run, if the grader did: a sentence, or ''. */
export function describeEnd(run: Run): string {
  const { program } = run;
  const n = run.lines.length;
  if (program.killedFor === 'idle') return t('end.idle', { ms: { ms: run.idleMs }, n });
  if (program.killedFor === 'timeout') return t('end.timeout', { ms: { ms: Math.round(program.exit.durationMs) }, n });
  const { exit } = program;
  if (exit.signal !== null || exit.exitCode !== 0) {
    const thrown = thrownError(program.stderr);
    const stderr = program.stderr.trim().split('\n').slice(0, 3).join(' / ').slice(0, 300);
    // exit.limit is only ever 'memory' (the one limit the grader enforces itself).
    if (exit.limit) return thrown ? t('end.memoryThrown', { n, error: thrown }) : stderr ? t('end.memoryStderr', { n, stderr }) : t('end.memory', { n });
    const how = describeExit(exit);
    return thrown ? t('end.exitThrown', { how, n, error: thrown }) : stderr ? t('end.exitStderr', { how, n, stderr }) : t('end.exit', { how, n });
  }
  return '';
}

export function renderLines(lines: string[], max = 20): string {
  if (lines.length === 0) return t('lines.noOutput');
  const shown = lines.slice(0, max).map((l, i) => `${String(i + 1).padStart(3)}  ${l}`);
  if (lines.length > max) shown.push(t('lines.moreLast', { n: lines.length - max, last: lines.at(-1)! }));
  return shown.join('\n');
}

/** Which kinds of the 78 lines appear among `lines`: the presence every check first looks for. */
export function kindsPrinted(lines: Iterable<string>): { numbers: number; letters: number } {
  let numbers = 0;
  let letters = 0;
  for (const line of lines) {
    if (NUMBER_LINES.has(line)) numbers++;
    else if (LETTER_LINES.has(line)) letters++;
  }
  return { numbers, letters };
}

/** "none of the 78 lines" / "only numbers (52 lines), no letter" / "" when both kinds are there. */
export function missingKinds(kinds: { numbers: number; letters: number }): string {
  if (kinds.numbers === 0 && kinds.letters === 0) return t('kinds.none');
  if (kinds.letters === 0) return t('kinds.onlyNumbers', { n: kinds.numbers });
  if (kinds.numbers === 0) return t('kinds.onlyLetters', { n: kinds.letters });
  return '';
}

/** A line of stdout that is one of the 78, with its 1-based stdout line number. */
export interface TurnLine {
  line: string;
  at: number;
}

/** The lines of stdout that are among the 78 (others, such as a final `done`, are left out). */
export function turnLines(lines: string[]): TurnLine[] {
  const all = new Set(EXPECTED);
  return lines.flatMap((line, i) => (all.has(line) ? [{ line, at: i + 1 }] : []));
}

export interface TurnDifference {
  /** 0-based position among the turn lines. */
  index: number;
  got: TurnLine | undefined;
  want: string | undefined;
}

/**
 * Turn-taking only: the lines of the 78 that a run printed, compared with the expected order
 * of the lines `reference` printed (run 1 on the idle machine). Lines outside the 78 and lines
 * the program never prints at all are output.order's business, not this one's.
 */
export function turnDifference(lines: string[], reference: ReadonlySet<string>): TurnDifference | undefined {
  const got = turnLines(lines);
  const want = EXPECTED.filter((line) => reference.has(line));
  for (let i = 0; i < Math.max(got.length, want.length); i++) {
    if (got[i]?.line !== want[i]) return { index: i, got: got[i], want: want[i] };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Crediting lines to threads

export interface Credits {
  /** For each of the 78 expected lines: the threads (ids, 0 = main) whose own writes contain it. */
  byLine: Map<string, Set<number>>;
  /** Whether any relay (main thread writing a worker's console.log) was seen. */
  relays: number;
}

/**
 * A line of the 78 is credited to the thread(s) whose non-relay writes contain it. Each
 * thread's writes are concatenated in order before splitting into lines, so a line written
 * in pieces (`'1'`, then `'\n'`) still counts.
 */
export function credit(tap: TapRecord[]): Credits {
  const streams = new Map<number, string>();
  let relays = 0;
  for (const record of tap) {
    if (record.relay) {
      relays++;
      continue;
    }
    streams.set(record.thread, (streams.get(record.thread) ?? '') + record.text);
  }
  const byLine = new Map<string, Set<number>>(EXPECTED.map((l) => [l, new Set<number>()]));
  for (const [thread, text] of streams) {
    for (const line of linesOf(text)) byLine.get(line)?.add(thread);
  }
  return { byLine, relays };
}

export function threadName(thread: number): string {
  return thread === 0 ? t('thread.main') : t('thread.worker', { n: String(thread) });
}

export function threadList(threads: Iterable<number>): string {
  const names = [...threads].sort((a, b) => a - b).map(threadName);
  if (names.length <= 1) return names[0] ?? t('thread.none');
  return t('thread.list', { names });
}

export { NUMBER_LINES, LETTER_LINES };
