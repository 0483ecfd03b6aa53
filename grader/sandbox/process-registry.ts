import { rmSync } from 'node:fs';
import type { RunIdentity } from './proc-net.ts';

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

/** Set by process.ts (which imports this module) to kill a whole run; avoids an import cycle. */
export const killers: { killRun?: (run: RunIdentity) => void } = {};

function killAll(): void {
  for (const [pgid, run] of liveGroups) {
    try {
      process.kill(-pgid, 'SIGKILL');
      killers.killRun?.(run);
    } catch {
      // already gone
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
