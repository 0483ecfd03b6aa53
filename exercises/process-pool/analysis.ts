/**
 * What the /proc samples and the tap of one run say about its pool: who used how much CPU
 * time, how many workers the run created and fed, and in how many 50 ms intervals two
 * workers ran at the same time. The rules are written down in checks.md.
 */
import type { ProcessReading, Sample } from './cpu.ts';
import { rootStart, type PoolRun, type TapRecord } from './runs.ts';
import { text } from './messages.ts';

const { t } = text;

/** Node 24 names its worker threads so (the main thread is "MainThread", or the process title). */
const WORKER_THREAD_NAME = 'WorkerThread';
/** The wrappers between the grader and the program: bwrap (and its PID-namespace init). */
const WRAPPERS = new Set(['bwrap']);
/** A worker counts as running in an interval when it was on a CPU or waiting for one this much of it. */
export const RUNNING_FRACTION = 0.55;

export interface WorkerUsage {
  /** "worker thread 1", "child process 4711". */
  name: string;
  kind: 'thread' | 'process';
  cpuMs: number;
  /** ms since the run started: first and last sample it was seen in. */
  firstAt: number;
  lastAt: number;
}

export interface HelperUsage {
  name: string;
  cpuMs: number;
}

export interface PoolAnalysis {
  sampled: boolean;
  schedstat: boolean;
  samples: number;
  /** Total CPU time of the run (every thread and process, ended ones included), ms. */
  totalMs: number;
  /**
   * The program's own CPU time: main thread + workers (+ ended between samples), without
   * Node's own helper threads (they compile and collect for whichever thread asked): the base
   * of the shares judged.
   */
  ownMs: number;
  /**
   * The main thread's time after Node's start-up: its whole time minus `startupMs`. Node's
   * start-up (start, load and strip the modules, print, exit) is not the program computing; on a
   * slow machine it alone came to 15% of the reference's time (CI, 2026-12-02: main thread 470 ms
   * of 3,040 ms; 80 ms of 1,480 ms on a fast one).
   */
  mainMs: number;
  /** Node's start-up, not counted: the main thread's time in the run of N = 1 (at most its time here). */
  startupMs: number;
  /** Worker threads + worker processes + threads/processes that ended between two samples. */
  workersMs: number;
  /** Node's own threads (V8 platform and GC workers, libuv pool, …) of the main process. */
  helpersMs: number;
  /** CPU time of threads and processes that ended between two samples (counted as the workers'). */
  endedMs: number;
  /** Σ of the threads' own times vs the process's total: the check that nothing was missed. */
  threadSumMs: number;
  workers: WorkerUsage[];
  helpers: HelperUsage[];
  /** Workers the run created: worker threads and child processes (tap and samples together). */
  created: number;
  /** The most workers alive in one sample. */
  maxAlive: number;
  /** Chunks handed to the workers (tap: posts, IPC messages received, atomic takes). */
  handouts: { post: number; recv: number; take: number; total: number; capped: boolean };
  /** Intervals from the first to the last in which a worker gained CPU time, and how many had ≥ 2 workers running. */
  phaseIntervals: number;
  overlapIntervals: number;
  /** Mean interval length (ms). */
  meanIntervalMs: number;
}

interface Entity {
  name: string;
  kind: 'thread' | 'process';
  /** Last seen CPU time, ms. */
  cpuMs: number;
  firstAt: number;
  lastAt: number;
  /** sample index → busy ns (run + wait) of the entity (its busiest thread, for a process), and its run ns. */
  busy: Map<number, { busyNs: number; runNs: number; cpuMs: number }>;
}

/**
 * The program's first process: the spawned one, or the first process below the bwrap wrappers
 * (bwrap and its PID-namespace init; setpriv and prlimit exec in place, keeping the pid). Found
 * in the first sample that shows it: at the end the program may be gone before its wrappers.
 */
function findRoot(samples: Sample[], spawnedPid: number): number {
  for (const { processes } of samples) {
    let pid = spawnedPid;
    for (let depth = 0; depth < 4; depth++) {
      const reading = processes.get(pid);
      if (!reading) break;
      if (!WRAPPERS.has(reading.comm)) return pid;
      const children = [...processes.values()].filter((p) => p.ppid === pid);
      if (children.length !== 1) break;
      pid = children[0]!.pid;
    }
  }
  return spawnedPid;
}

/** Whether `pid` descends from `root` in this sample's tree. */
function descendsFrom(processes: Map<number, ProcessReading>, pid: number, root: number): boolean {
  for (let p = processes.get(pid), depth = 0; p && depth < 64; p = processes.get(p.ppid), depth++) {
    if (p.ppid === root) return true;
  }
  return false;
}

/** `startupMs`: the main thread's CPU time in a run of N = 1 (Node's start-up), not counted as the main thread computing. */
export function analyse(run: PoolRun, startupMs = 0): PoolAnalysis {
  const { samples, tap } = run;
  const schedstat = samples.some((s) => [...s.processes.values()].some((p) => [...p.tasks.values()].some((t) => t.runNs !== undefined)));
  const root = findRoot(samples, run.spawnedPid);

  // The tap's view: worker threads (by namespace tid) and child processes it saw start.
  const rootNsPid = rootStart(tap)?.pid;
  const tapWorkerThreads = tap.filter((r) => r.e === 'start' && !r.main);
  const tapChildren = tap.filter((r) => r.e === 'start' && r.main && r.pid !== rootNsPid);
  const threadIdOf = new Map<string, number>(); // "nsPid/nsTid" → threadId
  for (const r of tapWorkerThreads) if (r.tid !== undefined) threadIdOf.set(`${r.pid}/${r.tid}`, r.thread);

  const entities = new Map<string, Entity>();
  const helpers = new Map<string, HelperUsage>();
  let mainMs = 0;
  let rootLast: ProcessReading | undefined;
  let rootThreadSum = 0;
  const lastTaskCpu = new Map<number, number>(); // root tid → last cpu
  const endedChildren = new Map<number, number>(); // child pid → last cpu
  let maxAlive = 0;

  samples.forEach((sample, index) => {
    const rootReading = sample.processes.get(root);
    if (rootReading) rootLast = rootReading;
    let alive = 0;
    for (const reading of sample.processes.values()) {
      if (reading.pid === root) {
        const rootNs = run.nsTids.get(`${root}/${root}`) ?? root;
        for (const [tid, task] of reading.tasks) {
          lastTaskCpu.set(tid, task.cpuMs);
          if (tid === root) continue;
          const name = reading.names.get(tid) ?? '';
          const nsTid = run.nsTids.get(`${root}/${tid}`) ?? tid;
          const threadId = threadIdOf.get(`${rootNs}/${nsTid}`);
          if (name === WORKER_THREAD_NAME || threadId !== undefined) {
            alive++;
            const key = `t${tid}`;
            const entity = entities.get(key) ?? { name: threadId !== undefined ? t('cpu.thread', { id: String(threadId) }) : t('cpu.threadTid', { tid: String(tid) }), kind: 'thread' as const, cpuMs: 0, firstAt: sample.at, lastAt: sample.at, busy: new Map() };
            entity.cpuMs = task.cpuMs;
            entity.lastAt = sample.at;
            entity.busy.set(index, { busyNs: (task.runNs ?? 0) + (task.waitNs ?? 0), runNs: task.runNs ?? 0, cpuMs: task.cpuMs });
            entities.set(key, entity);
          } else {
            const helperKey = `${tid}`;
            const helper = helpers.get(helperKey) ?? { name: `${name} (tid ${tid})`, cpuMs: 0 };
            helper.cpuMs = task.cpuMs;
            helpers.set(helperKey, helper);
          }
        }
      } else if (descendsFrom(sample.processes, reading.pid, root)) {
        alive++;
        const key = `p${reading.pid}`;
        const entity = entities.get(key) ?? { name: t('cpu.process', { pid: String(run.nsTids.get(`${reading.pid}/${reading.pid}`) ?? reading.pid) }), kind: 'process' as const, cpuMs: 0, firstAt: sample.at, lastAt: sample.at, busy: new Map() };
        entity.cpuMs = reading.cpuMs;
        entity.lastAt = sample.at;
        // Its main thread: the one that computes (what its other threads do is Node's own work).
        const own = reading.tasks.get(reading.pid);
        const best = { busyNs: (own?.runNs ?? 0) + (own?.waitNs ?? 0), runNs: own?.runNs ?? 0, cpuMs: own?.cpuMs ?? 0 };
        entity.busy.set(index, best);
        entities.set(key, entity);
        endedChildren.set(reading.pid, reading.cpuMs);
      }
    }
    maxAlive = Math.max(maxAlive, alive);
  });

  // Children still alive in the last sample did not end between samples.
  const last = samples.at(-1);
  if (last) for (const pid of last.processes.keys()) endedChildren.delete(pid);
  for (const [tid, cpu] of lastTaskCpu) if (tid === root) mainMs = cpu;
  for (const cpu of lastTaskCpu.values()) rootThreadSum += cpu;

  const rootTotal = rootLast?.cpuMs ?? 0;
  const threadsGap = Math.max(0, rootTotal - rootThreadSum);
  const seenEnded = [...endedChildren.values()].reduce((a, b) => a + b, 0);
  const childGap = Math.max(0, (rootLast?.childrenCpuMs ?? 0) - seenEnded);
  const workers: WorkerUsage[] = [...entities.values()].map(({ name, kind, cpuMs, firstAt, lastAt }) => ({ name, kind, cpuMs, firstAt, lastAt }));
  const helpersMs = [...helpers.values()].reduce((a, h) => a + h.cpuMs, 0);
  const childrenMs = workers.filter((w) => w.kind === 'process').reduce((a, w) => a + w.cpuMs, 0);
  const endedMs = threadsGap + childGap;
  const totalMs = rootTotal + childrenMs + childGap;
  const workersMs = workers.reduce((a, w) => a + w.cpuMs, 0) + endedMs;
  const startup = Math.max(0, Math.min(startupMs, mainMs));

  // Intervals: from the first to the last in which some worker gained CPU time.
  const gained: boolean[] = [];
  const running: number[] = [];
  const lengths: number[] = [];
  for (let i = 1; i < samples.length; i++) {
    const dtNs = (samples[i]!.at - samples[i - 1]!.at) * 1e6;
    lengths.push(dtNs / 1e6);
    let any = false;
    let count = 0;
    for (const entity of entities.values()) {
      const a = entity.busy.get(i - 1);
      const b = entity.busy.get(i);
      if (!a || !b) continue;
      const gainedCpu = schedstat ? b.runNs > a.runNs : b.cpuMs > a.cpuMs;
      if (gainedCpu) any = true;
      const isRunning = schedstat ? b.busyNs - a.busyNs >= RUNNING_FRACTION * dtNs : b.cpuMs > a.cpuMs;
      if (isRunning) count++;
    }
    gained.push(any);
    running.push(count);
  }
  const first = gained.indexOf(true);
  const lastGain = gained.lastIndexOf(true);
  let phaseIntervals = 0;
  let overlapIntervals = 0;
  if (first >= 0) {
    for (let i = first; i <= lastGain; i++) {
      phaseIntervals++;
      if (running[i]! >= 2) overlapIntervals++;
    }
  }

  const count = (e: TapRecord['e']) => tap.filter((r) => r.e === e).length;
  const post = count('post');
  const recv = count('recv');
  const take = count('take');
  const perThread = new Map<string, number>();
  for (const r of tap) if (r.e !== 'start' && r.e !== 'exit') perThread.set(`${r.e}/${r.pid}/${r.thread}`, (perThread.get(`${r.e}/${r.pid}/${r.thread}`) ?? 0) + 1);
  const capped = [...perThread.values()].some((n) => n >= 256);
  const sampledThreads = workers.filter((w) => w.kind === 'thread').length;
  const sampledProcesses = workers.filter((w) => w.kind === 'process').length;

  return {
    sampled: samples.length > 0,
    schedstat,
    samples: samples.length,
    totalMs,
    ownMs: mainMs - startup + workersMs,
    mainMs: mainMs - startup,
    startupMs: startup,
    workersMs,
    helpersMs,
    endedMs,
    threadSumMs: rootThreadSum,
    workers,
    helpers: [...helpers.values()],
    created: Math.max(tapWorkerThreads.length, sampledThreads) + Math.max(tapChildren.length, sampledProcesses),
    maxAlive,
    handouts: { post, recv, take, total: post + recv + take, capped },
    phaseIntervals,
    overlapIntervals,
    meanIntervalMs: lengths.length ? lengths.reduce((a, b) => a + b, 0) / lengths.length : 0,
  };
}

const pct = (part: number, whole: number) => (whole > 0 ? (100 * part) / whole : 0);
export const percent = (part: number, whole: number) => `${pct(part, whole).toFixed(1)}%`;

/** A text bar chart of the CPU time per thread, for the report's actual pane. */
export function cpuChart(a: PoolAnalysis): string {
  const rows: Array<[string, number]> = [[t('cpu.main'), a.mainMs], ...a.workers.map((w): [string, number] => [w.name, w.cpuMs])];
  if (a.endedMs > 0) rows.push([t('cpu.ended'), a.endedMs]);
  const apart = rows.length;
  if (a.startupMs > 0) rows.push([t('cpu.startup'), a.startupMs]);
  rows.push([t('cpu.helpers'), a.helpersMs]);
  // Columns in terminal cells: a Chinese character takes two (padEnd counts it as one).
  const cells = (label: string) => label.length + (label.match(/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/g)?.length ?? 0);
  const pad = (label: string, width: number) => label + ' '.repeat(Math.max(0, width - cells(label)));
  const width = Math.max(...rows.map(([n]) => cells(n)));
  const max = Math.max(1, ...rows.map(([, ms]) => ms));
  const lines = rows.map(([name, ms], i) => {
    const share = i >= apart ? t('cpu.apart') : percent(ms, a.ownMs);
    return `${pad(name, width)}  ${'█'.repeat(Math.round((30 * ms) / max)).padEnd(30)} ${String(Math.round(ms)).padStart(6)} ms ${share.padStart(7)}`;
  });
  lines.push(`${pad(t('cpu.total'), width)}  ${''.padEnd(30)} ${String(Math.round(a.ownMs)).padStart(6)} ms   100%`);
  return lines.join('\n');
}

/**
 * The same data as JSON on one transcript line, for a reporter to draw the bar chart from:
 * `cpu-per-thread {"unit":"ms","total":…,"own":…,"bars":[{"label":"main thread","role":"main","ms":…},…]}`.
 */
export function cpuChartData(a: PoolAnalysis): string {
  const bars = [
    { label: t('cpu.main'), role: 'main', ms: Math.round(a.mainMs) },
    ...a.workers.map((w) => ({ label: w.name, role: 'worker', ms: Math.round(w.cpuMs) })),
    ...(a.endedMs > 0 ? [{ label: t('cpu.ended'), role: 'worker', ms: Math.round(a.endedMs) }] : []),
    ...(a.startupMs > 0 ? [{ label: t('cpu.startupShort'), role: 'helper', ms: Math.round(a.startupMs) }] : []),
    { label: t('cpu.helpersShort'), role: 'helper', ms: Math.round(a.helpersMs) },
  ];
  return `cpu-per-thread ${JSON.stringify({ unit: 'ms', total: Math.round(a.totalMs), own: Math.round(a.ownMs), bars })}`;
}
