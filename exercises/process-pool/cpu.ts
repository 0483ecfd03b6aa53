/**
 * CPU time of every thread and process of a run, read from /proc while it runs (Linux).
 *
 * Every SAMPLE_MS the sampler walks the run's process tree (from the process the grader
 * spawned, through /proc/<pid>/task/<tid>/children) and reads, for each process,
 * /proc/<pid>/stat (utime+stime of the whole process, threads that ended included; cutime+cstime
 * of its reaped children) and, for each of its threads, /proc/<pid>/task/<tid>/stat (the
 * thread's own utime+stime and its name) and /proc/<pid>/task/<tid>/schedstat (nanoseconds on a
 * CPU, and nanoseconds runnable but waiting for a CPU). CPU time is what a busy machine does not
 * distort: a thread that waits for a CPU gains no CPU time, it only takes longer.
 *
 * Hand-written for the same reason as grader/sandbox/proc-net.ts: the format is small and
 * stable, and no maintained package reads per-thread times.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of utime/stime in /proc: USER_HZ, 100 on every Linux architecture Node runs on. */
export const TICK_MS = 10;

export interface TaskReading {
  /** utime + stime of the thread, in ms (10 ms resolution). */
  cpuMs: number;
  /** From schedstat: ns on a CPU, and ns runnable but waiting for one; undefined without schedstat. */
  runNs?: number;
  waitNs?: number;
}

export interface ProcessReading {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime of the whole process (every thread it ever had), ms. */
  cpuMs: number;
  /** cutime + cstime: its children that ended and were reaped, ms. */
  childrenCpuMs: number;
  /** Thread id → reading; the thread's name in `names`. */
  tasks: Map<number, TaskReading>;
  names: Map<number, string>;
}

export interface Sample {
  /** ms since the run started (the grader's clock). */
  at: number;
  processes: Map<number, ProcessReading>;
}

/** The fields of a stat line after the command name: [0] state, [1] ppid, … [11] utime, [12] stime, [13] cutime, [14] cstime. */
function readStat(path: string): { comm: string; fields: string[] } | undefined {
  try {
    const stat = readFileSync(path, 'latin1');
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    return { comm: stat.slice(open + 1, close), fields: stat.slice(close + 2).split(' ') };
  } catch {
    return undefined;
  }
}

function readSchedstat(path: string): { runNs: number; waitNs: number } | undefined {
  try {
    const [run, wait] = readFileSync(path, 'latin1').trim().split(' ');
    const runNs = Number(run);
    const waitNs = Number(wait);
    return Number.isFinite(runNs) && Number.isFinite(waitNs) ? { runNs, waitNs } : undefined;
  } catch {
    return undefined;
  }
}

function listDir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

/** Child process ids of every thread of `pid` (needs CONFIG_PROC_CHILDREN, on in every distribution kernel). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const tid of listDir(`/proc/${pid}/task`)) {
    try {
      for (const child of readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1').trim().split(' ')) {
        if (child !== '') children.push(Number(child));
      }
    } catch {
      // the thread ended while we looked
    }
  }
  return children;
}

/** One process: its totals and every thread's own CPU time. */
export function readProcess(pid: number): ProcessReading | undefined {
  const stat = readStat(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  const ticks = (i: number) => Number(stat.fields[i]) || 0;
  const reading: ProcessReading = {
    pid,
    ppid: ticks(1),
    comm: stat.comm,
    cpuMs: (ticks(11) + ticks(12)) * TICK_MS,
    childrenCpuMs: (ticks(13) + ticks(14)) * TICK_MS,
    tasks: new Map(),
    names: new Map(),
  };
  for (const name of listDir(`/proc/${pid}/task`)) {
    const tid = Number(name);
    const task = readStat(`/proc/${pid}/task/${tid}/stat`);
    if (!task) continue;
    const own = (Number(task.fields[11]) || 0) + (Number(task.fields[12]) || 0);
    const sched = readSchedstat(`/proc/${pid}/task/${tid}/schedstat`);
    reading.tasks.set(tid, { cpuMs: own * TICK_MS, ...(sched ?? {}) });
    reading.names.set(tid, task.comm);
  }
  return reading;
}

/** The process the grader spawned and all its descendants, read now. */
export function readTree(rootPid: number): Map<number, ProcessReading> {
  const found = new Map<number, ProcessReading>();
  const pending = [rootPid];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    if (found.has(pid)) continue;
    const reading = readProcess(pid);
    if (!reading) continue;
    found.set(pid, reading);
    pending.push(...childrenOf(pid));
  }
  return found;
}

/** Whether this machine has what the sampler reads. */
export function canSample(): boolean {
  return process.platform === 'linux' && readStat('/proc/self/stat') !== undefined;
}

/** Whether per-thread schedstat (ns on a CPU and waiting for one) is available. */
export function hasSchedstat(): boolean {
  return readSchedstat('/proc/thread-self/schedstat') !== undefined;
}

/** The namespace-local thread id (last NSpid entry) of a host thread, as the tap recorded it. */
export function namespaceTid(pid: number, tid: number): number | undefined {
  try {
    const line = /^NSpid:\s*(.*)$/m.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'latin1'))?.[1];
    const ids = line?.trim().split(/\s+/).map(Number);
    return ids?.at(-1);
  } catch {
    return undefined;
  }
}
