/**
 * Resource limits of every submission process, and how a process that hit one is named in
 * the verdict. Applied with util-linux `prlimit` (which sets the limits and execs the
 * program, so the pid and process group stay the same) and Node's own heap limit. Where
 * prlimit is missing (macOS) only the heap limit applies; the report's isolation line says so.
 */
import { existsSync } from 'node:fs';
import type { IsolationLevel } from './isolation.ts';
import type { ExitInfo } from './process.ts';
import { verdicts } from '../i18n/verdicts.ts';
import { currentLanguage } from '../i18n/language.ts';

export interface ResourceLimits {
  /** CPU seconds (RLIMIT_CPU): an endless loop is stopped even when no deadline is near. */
  cpuSeconds: number;
  /** Largest file the process may write (RLIMIT_FSIZE): a runaway writer never fills the disk. */
  fileSizeBytes: number;
  /** Open file descriptors (RLIMIT_NOFILE): thousands of sockets fail inside the program, not the machine. */
  openFiles: number;
  /** V8 old-space heap in MiB (--max-old-space-size). */
  heapMb: number;
  /**
   * Resident memory of the whole run (every process of it), watched by the grader
   * (memory-watch.ts): bounds memory outside the V8 heap too (Buffers, typed arrays).
   * Not RLIMIT_AS: Node reserves far more address space than it uses, per worker thread
   * and for WebAssembly (type stripping runs in it), and fails at start in ways that do
   * not even grow with the limit (measured: a two-worker program fails with 6 GiB and with
   * 16 GiB but runs with 8 and 12 GiB).
   */
  memoryBytes: number;
  /**
   * Processes and threads (RLIMIT_NPROC) of the run's own user id: a fork loop fails inside
   * the program (spawn EAGAIN). The kernel counts this per user id and ignores it for root,
   * so it applies only where each process runs as an unprivileged uid of its own (bwrap level
   * as root). Node itself uses about 11 threads.
   */
  processes: number;
}

export const DEFAULT_LIMITS: ResourceLimits = {
  cpuSeconds: 30,
  fileSizeBytes: 512 * 1024 * 1024,
  openFiles: 4096,
  heapMb: 512,
  memoryBytes: 1024 ** 3,
  processes: 256,
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
  ownUid = false,
): { command: string; args: string[] } {
  const node = [`--max-old-space-size=${limits.heapMb}`, ...nodeArgs, script, ...args];
  if (!PRLIMIT) return { command: nodePath, args: node };
  return {
    command: PRLIMIT,
    args: [
      `--cpu=${limits.cpuSeconds}:${limits.cpuSeconds + 1}`,
      `--fsize=${limits.fileSizeBytes}`,
      `--nofile=${limits.openFiles}`,
      ...(ownUid ? [`--nproc=${limits.processes}`] : []),
      '--',
      nodePath,
      ...node,
    ],
  };
}

/** Names the limit a process hit, from how it ended; undefined when it hit none. */
export function describeLimitHit(exit: ExitInfo, stderr: string, limits: ResourceLimits): string | undefined {
  if (exit.signal === 'SIGXCPU' || (exit.signal === 'SIGKILL' && !exit.killedByGrader && /SIGXCPU/.test(stderr))) {
    return verdicts.t('limit.cpu', { seconds: limits.cpuSeconds });
  }
  if (exit.signal === 'SIGXFSZ' || /EFBIG|File too large/.test(stderr)) {
    return verdicts.t('limit.fileSize', { mib: Math.round(limits.fileSizeBytes / 1024 / 1024) });
  }
  if (exit.limit === 'memory') {
    return verdicts.t('limit.memory', { size: formatBytes(limits.memoryBytes) });
  }
  if (/heap out of memory|Allocation failed|ERR_WORKER_OUT_OF_MEMORY/.test(stderr)) {
    return verdicts.t('limit.heap', { mib: limits.heapMb });
  }
  if (/\bspawn (\S+ )?EAGAIN|fork: Resource temporarily unavailable|Resource temporarily unavailable \(os error 11\)|uv_thread_create/.test(stderr)) {
    return verdicts.t('limit.processes', { n: limits.processes });
  }
  if (/EMFILE/.test(stderr)) {
    return verdicts.t('limit.openFiles', { n: String(limits.openFiles) });
  }
  return undefined;
}

/** One line for every report: how the submission's processes were contained. */
export function describeIsolation(limits: ResourceLimits, isolation: IsolationLevel, privateNetwork: boolean): string {
  const parts: string[] = [];
  if (isolation.kind === 'bwrap') {
    parts.push(verdicts.t(isolation.setpriv ? 'isolation.bwrapUid' : 'isolation.bwrap'));
  } else {
    parts.push(isolation.fallbackReason ? verdicts.t('isolation.noneBecause', { reason: isolation.fallbackReason }) : verdicts.t('isolation.none'));
  }
  parts.push(verdicts.t(privateNetwork ? 'isolation.privateNetwork' : 'isolation.openNetwork'));
  parts.push(verdicts.t('isolation.workDir'));
  if (!limitsAvailable()) {
    parts.push(verdicts.t('isolation.heapOnly', { mib: limits.heapMb }));
  } else {
    const params = {
      seconds: limits.cpuSeconds,
      fileMib: Math.round(limits.fileSizeBytes / 1024 / 1024),
      openFiles: String(limits.openFiles),
      heapMib: limits.heapMb,
      memory: formatBytes(limits.memoryBytes),
    };
    parts.push(
      isolation.kind === 'bwrap' && isolation.setpriv
        ? verdicts.t('isolation.limits', { ...params, processes: limits.processes })
        : verdicts.t('isolation.limitsNoProcesses', params),
    );
  }
  return parts.join(currentLanguage() === 'zh-CN' ? '；' : '; ');
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 ** 3 && bytes % 1024 ** 3 === 0 ? `${bytes / 1024 ** 3} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}
