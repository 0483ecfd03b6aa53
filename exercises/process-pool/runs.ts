/**
 * How the process-pool grader runs main.ts: with the pool tap preloaded, its processes and
 * threads sampled from /proc while it runs, stopped when it hangs; and the sums it must print.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckContext } from '../../grader/exercise/define.ts';
import { describeExit, diagnoseEarlyExit, findStripError, thrownError } from '../../grader/sandbox/diagnose.ts';
import { DEFAULT_LIMITS } from '../../grader/sandbox/limits.ts';
import type { SandboxProcess } from '../../grader/sandbox/process.ts';
import type { ProgramRun } from '../../grader/sandbox/sandbox.ts';
import { canSample, namespaceTid, readTree, type Sample } from './cpu.ts';
import { text } from './messages.ts';

const { t } = text;

/** The grader's preload: records thread starts and chunk hand-outs (see tap.mjs). */
export const TAP = fileURLToPath(new URL('./tap.mjs', import.meta.url));
export const TAP_FILE = '.netgrade-pool-tap.jsonl';

/** The contract's example and its largest N. */
export const EXAMPLE_N = 100_000;
export const EXAMPLE_SUM = 454396537n;
export const LARGE_N = 1_000_000_000;
export const LARGE_SUM = 24739512092254535n;

/**
 * Deadline of the N = 10^9 run: the contract's 60 s, counted as the run's own time: time in
 * which the machine made its threads wait for a CPU (schedstat) does not count, so a busy
 * machine does not cost a correct program its sum. LARGE_RUN_CAP_MS of wall time at most.
 */
export const LARGE_RUN_MS = 60_000;
export const LARGE_RUN_CAP_MS = 120_000;
/** Deadline of a run with a small N: a correct program needs well under a second. */
export const SMALL_RUN_MS = 20_000;
/** How often the threads of the N = 10^9 run are read (the contract's 50 ms). */
export const SAMPLE_MS = 50;
/** How often a small run is looked at (only to stop it when it hangs). */
const WATCH_MS = 200;
/** A run that has printed nothing and used no CPU time for this long is stopped: it waits for something that never comes. */
export const IDLE_MS = 5_000;
/** A run that has printed its line and then uses no CPU time for this long is stopped: it does not exit. */
export const LINGER_MS = 2_000;

export interface TapRecord {
  e: 'start' | 'post' | 'recv' | 'take' | 'exit';
  pid: number;
  thread: number;
  main?: boolean;
  ppid?: number;
  tid?: number;
  /** exit: the main thread's own CPU time (ms, 10 ms ticks). */
  cpuMs?: number;
}

export interface PoolRun {
  args: string[];
  program: ProgramRun;
  lines: string[];
  /** Why the grader stopped it, when it did: its deadline, or no CPU time (hung / not exiting). */
  stopped: 'timeout' | 'idle' | 'linger' | undefined;
  /** ms the watchdog waited before stopping it (for messages). */
  stoppedAfterMs: number;
  /** Sampled runs: ms of wall time in which the machine made the run wait for a CPU (not counted against its deadline). */
  starvedMs: number;
  /** /proc readings of its process tree (every SAMPLE_MS for a sampled run). */
  samples: Sample[];
  /** Namespace-local thread ids of the threads seen, by "pid/tid" (host ids), for matching the tap's. */
  nsTids: Map<string, number>;
  /** The pid the grader spawned (bwrap or node). */
  spawnedPid: number;
  tap: TapRecord[];
}

/** Splits stdout at \n, drops the empty piece after the last \n, strips a \r before the \n. */
export function linesOf(stdout: string): string[] {
  if (stdout.length === 0) return [];
  const lines = stdout.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((l) => l.replace(/\r$/, ''));
}

/**
 * Runs `node main.ts <args>` once. `sampled`: read every thread's CPU time every SAMPLE_MS
 * (the N = 10^9 run); otherwise the tree is looked at every WATCH_MS only to stop a hang.
 */
export async function runPool(ctx: CheckContext, args: string[], options: { sampled?: boolean; timeoutMs?: number; ownTimeMs?: number } = {}): Promise<PoolRun> {
  const samples: Sample[] = [];
  const nsTids = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let stopped: PoolRun['stopped'];
  let stoppedAfterMs = 0;
  let spawnedPid = 0;
  let starvedMs = 0;
  const ownTimeMs = options.ownTimeMs === undefined ? undefined : ctx.ms(options.ownTimeMs);
  const idleMs = ctx.ms(IDLE_MS);
  const lingerMs = ctx.ms(LINGER_MS);
  const onStart = (proc: SandboxProcess) => {
    spawnedPid = proc.pid;
    if (!canSample()) return;
    const started = performance.now();
    let lastCpu = -1;
    let lastProgress = started;
    const keepAll = options.sampled ?? false;
    timer = setInterval(
      () => {
        if (proc.hasExited) return;
        const now = performance.now();
        const processes = readTree(proc.pid);
        const sample: Sample = { at: now - started, processes };
        if (keepAll) {
          const previous = samples.at(-1);
          if (previous) starvedMs += (sample.at - previous.at) * starvedFraction(previous, sample);
          samples.push(sample);
          if (ownTimeMs !== undefined && sample.at - starvedMs >= ownTimeMs && !stopped) {
            stopped = 'timeout';
            stoppedAfterMs = Math.round(sample.at);
            void proc.kill();
            return;
          }
          for (const reading of processes.values()) {
            for (const tid of reading.tasks.keys()) {
              const key = `${reading.pid}/${tid}`;
              if (!nsTids.has(key)) nsTids.set(key, namespaceTid(reading.pid, tid) ?? tid);
            }
          }
        }
        let cpu = 0;
        for (const reading of processes.values()) cpu += reading.cpuMs + reading.childrenCpuMs;
        if (cpu > lastCpu) {
          lastCpu = cpu;
          lastProgress = now;
          return;
        }
        const printed = proc.stdout.text().length > 0;
        const quiet = now - lastProgress;
        if (quiet >= (printed ? lingerMs : idleMs)) {
          stopped ??= printed ? 'linger' : 'idle';
          stoppedAfterMs = Math.round(quiet);
          void proc.kill();
        }
      },
      keepAll ? SAMPLE_MS : WATCH_MS,
    );
  };
  let program: ProgramRun;
  try {
    program = await ctx.runProgram({
      args,
      nodeArgs: ['--import', TAP],
      env: { NETGRADE_POOL_TAP: TAP_FILE, NODE_OPTIONS: `--import=${JSON.stringify(TAP)}` },
      timeoutMs: options.timeoutMs ?? SMALL_RUN_MS,
      onStart,
    });
  } finally {
    clearInterval(timer);
  }
  if (program.killedFor === 'timeout') stopped ??= 'timeout';
  if (stopped === 'timeout') stoppedAfterMs = Math.round(program.exit.durationMs);
  if (stopped === undefined && program.exit.exitCode !== 0) await throwIfCodeError(ctx, program);
  return { args, program, lines: linesOf(program.stdout), stopped, stoppedAfterMs, starvedMs: Math.round(starvedMs), samples, nsTids, spawnedPid, tap: await readTap(program.workDir) };
}

/**
 * The share of the interval between two samples in which the run was kept waiting for a CPU:
 * of all the time its threads wanted a CPU (on one, or runnable and waiting), the part they
 * waited (schedstat). 0 without schedstat, or when no thread wanted a CPU.
 */
export function starvedFraction(a: Sample, b: Sample): number {
  let run = 0;
  let wait = 0;
  for (const [pid, reading] of b.processes) {
    const before = a.processes.get(pid);
    if (!before) continue;
    for (const [tid, task] of reading.tasks) {
      const old = before.tasks.get(tid);
      if (!old || task.runNs === undefined || old.runNs === undefined) continue;
      run += Math.max(0, task.runNs - old.runNs);
      wait += Math.max(0, (task.waitNs ?? 0) - (old.waitNs ?? 0));
    }
  }
  return run + wait > 0 ? wait / (run + wait) : 0;
}

/**
 * A run that failed because of the code itself (TypeScript Node cannot strip, a syntax error,
 * an import of a package or of a missing file) throws that SubmissionError: it repeats on every
 * run, and the runner reports it once for the exercise.
 */
async function throwIfCodeError(ctx: CheckContext, program: ProgramRun): Promise<void> {
  if (/ERR_(UNSUPPORTED|INVALID)_TYPESCRIPT_SYNTAX|SyntaxError/.test(program.stderr)) {
    const strip = await findStripError(ctx.codeDir, ctx.exercise.entryFiles);
    if (strip) throw strip;
  }
  if (/ERR_MODULE_NOT_FOUND|ERR_UNSUPPORTED_DIR_IMPORT/.test(program.stderr)) {
    const diagnosis = await diagnoseEarlyExit(program.exit, program.stderr, ctx.codeDir, ctx.exercise.entryFiles, DEFAULT_LIMITS);
    if (diagnosis.code === 'MODULE_NOT_FOUND') throw diagnosis;
  }
}

/**
 * The CPU time the main thread of the program's first process had used when it ended (the tap's
 * `exit` record): for the run of N = 1, Node's start-up. Undefined when the run left none
 * (killed, crashed before the tap loaded, no /proc).
 */
export function mainThreadCpuAtExit(tap: TapRecord[]): number | undefined {
  const root = rootStart(tap);
  const exit = tap.find((r) => r.e === 'exit' && r.pid === root?.pid && typeof r.cpuMs === 'number');
  return exit?.cpuMs;
}

/** The tap's start record of the program's first process: a main thread whose parent started no main thread. */
export function rootStart(tap: TapRecord[]): TapRecord | undefined {
  return tap.find((r) => r.e === 'start' && r.main && !tap.some((o) => o.e === 'start' && o.main && o.pid === r.ppid));
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
      // a record cut off by a kill
    }
  }
  return records;
}

/** Runs `one` for each item, at most `parallel` at a time; stops starting new ones once `stop` says so. Results in order (undefined: not run). */
export async function runEach<T, R>(items: T[], parallel: number, one: (item: T) => Promise<R>, stop: (result: R) => boolean): Promise<Array<R | undefined>> {
  const results: Array<R | undefined> = new Array<R | undefined>(items.length).fill(undefined);
  let next = 0;
  let halted = false;
  const lane = async () => {
    while (!halted && next < items.length) {
      const i = next++;
      const result = await one(items[i]!);
      results[i] = result;
      if (stop(result)) halted = true;
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, lane));
  return results;
}

// ---------------------------------------------------------------------------------------------
// Expected sums

let sieve: { limit: number; composite: Uint8Array } | undefined;

/** The sum of the primes p <= n, by the grader's own sieve (n up to a few times 10^7). */
export function expectedSum(n: number): bigint {
  if (n === EXAMPLE_N) return EXAMPLE_SUM;
  if (n === LARGE_N) return LARGE_SUM;
  if (n < 2) return 0n;
  if (!sieve || sieve.limit < n) {
    const limit = Math.max(n, 20_000_000);
    const composite = new Uint8Array(limit + 1);
    for (let i = 2; i * i <= limit; i++) {
      if (composite[i]) continue;
      for (let j = i * i; j <= limit; j += i) composite[j] = 1;
    }
    sieve = { limit, composite };
  }
  let sum = 0;
  for (let i = 2; i <= n; i++) if (sieve.composite[i] === 0) sum += i;
  return BigInt(sum);
}

export function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Describing a run

export function command(args: string[]): string {
  return `node main.ts${args.map((a) => (/^[0-9A-Za-z.+-]+$/.test(a) ? ` ${a}` : ` ${JSON.stringify(a)}`)).join('')}`;
}

/** How the run ended, as a phrase: "exited with code 0", "was stopped after 60000 ms", … */
export function describeEnd(run: PoolRun): string {
  const { program } = run;
  if (run.stopped === 'timeout') {
    return run.starvedMs > 0
      ? t('end.timeoutStarved', {
          own: { seconds: Math.round((run.stoppedAfterMs - run.starvedMs) / 1000) },
          wall: { seconds: Math.round(run.stoppedAfterMs / 1000) },
          starved: { seconds: Math.round(run.starvedMs / 1000) },
        })
      : t('end.timeout', { ms: { ms: run.stoppedAfterMs } });
  }
  if (run.stopped === 'idle') return t('end.idle', { ms: { ms: run.stoppedAfterMs } });
  if (run.stopped === 'linger') return t('end.linger', { ms: { ms: run.stoppedAfterMs } });
  const { exit } = program;
  if (exit.limit) return t('end.limit', { limit: exit.limit });
  const thrown = thrownError(program.stderr);
  return thrown ? t('end.thrown', { how: describeExit(exit), error: thrown }) : t('end.exit', { how: describeExit(exit) });
}

/** stdout for the report's actual pane. */
export function showStdout(run: PoolRun, max = 6): string {
  if (run.lines.length === 0) return t('stdout.nothing');
  const shown = run.lines.slice(0, max).map((l) => (l === '' ? t('stdout.empty') : l));
  if (run.lines.length > max) shown.push(t('stdout.more', { n: run.lines.length - max }));
  return shown.join('\n');
}

export function stderrExcerpt(run: PoolRun, lines = 4): string {
  const text = run.program.stderr.trim();
  if (text === '') return t('stderr.nothing');
  return text.split('\n').slice(-lines).join('\n');
}

/** The line of digits the run printed: the only line, or the only all-digit line among several. */
export function printedSum(run: PoolRun): { value: bigint; line: string } | undefined {
  const digits = run.lines.filter((l) => /^[0-9]+$/.test(l.trim()));
  if (digits.length !== 1) return undefined;
  const line = digits[0]!;
  return { value: BigInt(line.trim()), line };
}
