/**
 * What `netgrade doctor` looks at on this machine. The sandbox is judged by the grader's own
 * probe (sandbox/isolation.ts: it runs bwrap with the PID and network namespaces) and the limits
 * by limits.ts, so doctor says exactly what grading will do; only what no grading module reads
 * (the open-files limit of this process, Chromium) is read here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { exerciseIds } from '../exercise/registry.ts';
import { probeSandbox, type SandboxProbe } from '../sandbox/isolation.ts';
import { limitsAvailable } from '../sandbox/limits.ts';
import { DEFAULT_SANDBOX_CONFIG } from '../sandbox/sandbox.ts';

/** Exercises whose checks drive a browser (Chromium through playwright-core). */
export const BROWSER_EXERCISES = ['web-server'];

export interface MachineFacts {
  platform: NodeJS.Platform;
  /** The Node that runs the submissions (the grader's own: DEFAULT_SANDBOX_CONFIG.nodePath). */
  node: { path: string; version: string };
  sandbox: SandboxProbe;
  root: boolean;
  prlimit: boolean;
  /** This process's RLIMIT_NOFILE (inherited by the programs before prlimit sets theirs); undefined when unreadable. */
  openFiles?: { soft: number; hard: number } | undefined;
  /** Chromium when found; `version` from `--version`. */
  chromium?: { path: string; version: string } | undefined;
  /** Installed exercises that need Chromium. */
  browserExercises: string[];
}

/** Parses the "Max open files" row of /proc/<pid>/limits (Infinity for "unlimited"). */
export function parseOpenFiles(limits: string): { soft: number; hard: number } | undefined {
  const row = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits);
  if (!row) return undefined;
  const value = (v: string) => (v === 'unlimited' ? Infinity : Number(v));
  return { soft: value(row[1]!), hard: value(row[2]!) };
}

function findChromium(): { path: string; version: string } | undefined {
  const candidates = [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);
  const path = candidates.find((p) => existsSync(p));
  if (!path) return undefined;
  const run = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 15_000 });
  const version = /(\d+(?:\.\d+)+)/.exec(run.stdout ?? '')?.[1];
  return version ? { path, version } : undefined;
}

export async function gatherFacts(): Promise<MachineFacts> {
  let openFiles: MachineFacts['openFiles'];
  try {
    openFiles = parseOpenFiles(readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    openFiles = undefined;
  }
  const installed = await exerciseIds();
  const browserExercises = BROWSER_EXERCISES.filter((id) => installed.includes(id));
  return {
    platform: process.platform,
    node: { path: DEFAULT_SANDBOX_CONFIG.nodePath, version: process.version },
    sandbox: probeSandbox(),
    root: process.getuid?.() === 0,
    prlimit: limitsAvailable(),
    openFiles,
    chromium: browserExercises.length > 0 ? findChromium() : undefined,
    browserExercises,
  };
}
