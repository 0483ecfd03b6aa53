/**
 * Resource limits of every submission process, and how a process that hit one is named in
 * the verdict. Applied with util-linux `prlimit` (which sets the limits and execs the
 * program, so the pid and process group stay the same) and Node's own heap limit. Where
 * prlimit is missing (macOS) only the heap limit applies; the report's isolation line says so.
 */
import { existsSync } from 'node:fs';
import type { ExitInfo } from './process.ts';

export interface ResourceLimits {
  /** CPU seconds (RLIMIT_CPU): an endless loop is stopped even when no deadline is near. */
  cpuSeconds: number;
  /** Largest file the process may write (RLIMIT_FSIZE): a runaway writer never fills the disk. */
  fileSizeBytes: number;
  /** Open file descriptors (RLIMIT_NOFILE): thousands of sockets fail inside the program, not the machine. */
  openFiles: number;
  /** V8 old-space heap in MiB (--max-old-space-size). */
  heapMb: number;
}

export const DEFAULT_LIMITS: ResourceLimits = {
  cpuSeconds: 30,
  fileSizeBytes: 512 * 1024 * 1024,
  openFiles: 4096,
  heapMb: 512,
};

const PRLIMIT = ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => existsSync(p));

export function limitsAvailable(): boolean {
  return PRLIMIT !== undefined;
}

/** The command line that runs `node nodeArgs... script args...` under the limits. */
export function limitedCommand(
  nodePath: string,
  nodeArgs: string[],
  script: string,
  args: string[],
  limits: ResourceLimits,
): { command: string; args: string[] } {
  const node = [`--max-old-space-size=${limits.heapMb}`, ...nodeArgs, script, ...args];
  if (!PRLIMIT) return { command: nodePath, args: node };
  return {
    command: PRLIMIT,
    args: [
      `--cpu=${limits.cpuSeconds}:${limits.cpuSeconds + 1}`,
      `--fsize=${limits.fileSizeBytes}`,
      `--nofile=${limits.openFiles}`,
      '--',
      nodePath,
      ...node,
    ],
  };
}

/** Names the limit a process hit, from how it ended; undefined when it hit none. */
export function describeLimitHit(exit: ExitInfo, stderr: string, limits: ResourceLimits): string | undefined {
  if (exit.signal === 'SIGXCPU' || (exit.signal === 'SIGKILL' && !exit.killedByGrader && /SIGXCPU/.test(stderr))) {
    return `the CPU time limit (${limits.cpuSeconds} s): an endless loop, or busy-waiting instead of waiting for events`;
  }
  if (exit.signal === 'SIGXFSZ' || /EFBIG|File too large/.test(stderr)) {
    return `the file size limit (${Math.round(limits.fileSizeBytes / 1024 / 1024)} MiB): a file written without end`;
  }
  if (/heap out of memory|Allocation failed|ERR_WORKER_OUT_OF_MEMORY/.test(stderr)) {
    return `the memory limit (${limits.heapMb} MiB of heap): memory allocated without bound`;
  }
  if (/EMFILE/.test(stderr)) {
    return `the open files limit (${limits.openFiles}): sockets or files opened and never closed`;
  }
  return undefined;
}

/** One line for every report: how the submission's processes were contained. */
export function describeIsolation(limits: ResourceLimits): string {
  const base = 'own process group (killed with all descendants after each check), fresh empty working directory, copy of the code';
  if (!limitsAvailable()) return `${base}; heap ${limits.heapMb} MiB (no prlimit here: no CPU, file size or open-file limits)`;
  return `${base}; limits: CPU ${limits.cpuSeconds} s, files ${Math.round(limits.fileSizeBytes / 1024 / 1024)} MiB, ${limits.openFiles} open files, heap ${limits.heapMb} MiB; no network isolation`;
}
