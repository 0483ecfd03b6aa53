/**
 * Time a busy machine took away. The timing clauses of udp-dict (an answer within 5 s of the
 * start; 1,000 queries within 3 s) are about the server, but on a shared 2-core machine a
 * correct server can spend most of a second waiting for a CPU. The kernel counts that wait
 * per thread: /proc/<pid>/task/<tid>/schedstat holds the time the thread ran and the time it
 * waited, runnable, on a run queue (ns). The checks judge the wall time first; only when it is
 * over the limit do they subtract the time the server (and, for round trips, the grader)
 * waited for a CPU, and never count less than the time the server itself ran. A server that
 * is slow because it computes (reads the file per query, scans what it stored) is judged by
 * its own CPU time, which the load of other programs does not inflate.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { currentLanguage } from '../../grader/i18n/language.ts';
import { formatValue } from '../../grader/i18n/message-format.ts';
import type { RunningServer } from '../../grader/sandbox/sandbox.ts';

export interface Sched {
  /** Time on a CPU, ms. */
  runMs: number;
  /** Time runnable but waiting for a CPU, ms. */
  waitMs: number;
}

function readSched(path: string): Sched | undefined {
  try {
    const [run, wait] = readFileSync(path, 'latin1').trim().split(/\s+/).map(Number);
    if (!Number.isFinite(run) || !Number.isFinite(wait)) return undefined;
    return { runMs: run! / 1e6, waitMs: wait! / 1e6 };
  } catch {
    return undefined;
  }
}

function stat(pid: string): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * The pid of the process of the server's group that has used the most CPU (Node itself, not
 * a wrapper such as bwrap); undefined without /proc.
 */
export function busiestProcess(server: RunningServer): number | undefined {
  const pgid = server.process.pid;
  let names: string[];
  try {
    names = readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return undefined;
  }
  let best: { pid: number; cpu: number } | undefined;
  for (const name of names) {
    const fields = stat(name);
    if (!fields || Number(fields[2]) !== pgid) continue;
    const cpu = Number(fields[11]) + Number(fields[12]);
    if (!best || cpu > best.cpu) best = { pid: Number(name), cpu };
  }
  return best?.pid;
}

/** The main thread of process `pid` (where a Node server runs its JavaScript). */
export function mainThread(pid: number): Sched | undefined {
  return readSched(`/proc/${pid}/task/${pid}/schedstat`);
}

/** The grader's own thread (the one whose event loop reads the probes' sockets). */
export function ownThread(): Sched | undefined {
  return readSched('/proc/thread-self/schedstat');
}

export function difference(after: Sched | undefined, before: Sched | undefined): Sched | undefined {
  if (!after || !before) return undefined;
  return { runMs: after.runMs - before.runMs, waitMs: after.waitMs - before.waitMs };
}

/** A duration for messages, in the grading's language: "1,234 ms" / "1,234毫秒". */
export const ms = (value: number): string => formatValue(currentLanguage(), { ms: Math.round(value) });
