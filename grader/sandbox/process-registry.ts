import { rmSync } from 'node:fs';
import { isProcNetAvailable, livePidsOfRun, type RunIdentity } from './proc-net.ts';

/**
 * Process groups the grader started and has not yet killed. If the grader itself is
 * interrupted (Ctrl-C, SIGTERM from CI) or exits unexpectedly, every group is killed (and
 * every temporary workspace removed) on the way out, so no submission outlives the grader.
 * A SIGKILL of the grader cannot be caught: its servers then outlive it (see issue 6).
 */
export const liveGroups = new Map<number, RunIdentity>();

/** Temporary workspaces not yet removed: removed on the way out too. */
export const liveWorkspaces = new Set<string>();

/** How many submission processes this grader has started (for the benchmark). */
export const spawnStats = { count: 0 };

/**
 * SIGKILL to a run's group and to every live process of the run outside it (found in
 * /proc where there is one). Returns how many live processes of the run it found and
 * signalled: 0 once the run is gone (always 0 without /proc, where only the group is killed).
 */
export function killRun(run: RunIdentity): number {
  killGroup(run.pgid);
  if (!isProcNetAvailable()) return 0;
  const live = livePidsOfRun(run);
  for (const pid of live) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already, or not ours to kill
    }
  }
  return live.length;
}

/** SIGKILL to a process group; a group that is gone already is fine. */
export function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

function killAll(): void {
  for (const run of liveGroups.values()) {
    try {
      killRun(run);
    } catch {
      // on the way out: kill what can be killed
    }
  }
  liveGroups.clear();
  for (const dir of liveWorkspaces) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort on the way out
    }
  }
  liveWorkspaces.clear();
}

let installed = false;

/** Installs exit and signal handlers once; called by the sandbox before the first spawn. */
export function installCleanupHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      // Re-raise with the default behaviour so the exit status tells the caller what happened.
      process.kill(process.pid, signal);
    });
  }
}
