/**
 * Which isolation this machine allows, and the command line that runs one submission
 * process inside it.
 *
 * Two levels (the report's isolation line names the one used):
 * - `bwrap`: every submission process runs under bubblewrap (Debian's `bubblewrap`, the
 *   sandbox Flatpak uses: an audited tool, not a namespace setup of our own) in its own PID,
 *   IPC and UTS namespaces, as an unprivileged user id of its own (so the process-count
 *   limit applies), seeing only the system's /usr, Node, its code (read-only) and its
 *   working directory (writable). When the process ends or is killed, the kernel kills
 *   everything left in its PID namespace: a daemonised grandchild cannot escape.
 *   Network isolation is one level up: the grading of a submission runs inside
 *   `bwrap --unshare-net` (see `networkJailCommand`), so the server and the grader's probes
 *   share a private loopback and nothing else; the probes keep reading the kernel's socket
 *   tables of that namespace.
 * - `none`: process group and run cookie, resource limits (prlimit), fresh working
 *   directory. Where bwrap is missing or does not work (macOS, containers without
 *   namespaces), the grader falls back to this level with a warning.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../model/errors.ts';

export type IsolationMode = 'auto' | 'bwrap' | 'none';

export interface IsolationLevel {
  /** The level in use. */
  kind: 'bwrap' | 'none';
  /** Path of bwrap when kind is 'bwrap'. */
  bwrap?: string;
  /** Path of setpriv when processes run as an unprivileged user id of their own. */
  setpriv?: string;
  /** Why the grader fell back to 'none' when 'auto' was asked for; undefined otherwise. */
  fallbackReason?: string;
}

const BWRAP_CANDIDATES = ['/usr/bin/bwrap', '/bin/bwrap', '/usr/local/bin/bwrap'];
const SETPRIV_CANDIDATES = ['/usr/bin/setpriv', '/bin/setpriv'];

/** What the probe found: bwrap's path, or why it cannot be used (`reason` for `netgrade doctor`'s advice). */
export interface SandboxProbe {
  bwrap?: string;
  setpriv?: string;
  problem?: string;
  reason?: 'platform' | 'missing' | 'fails';
}

let probed: SandboxProbe | undefined;

/** Tries bwrap once per grader process: present is not enough, the kernel must allow namespaces. */
export function probeSandbox(): SandboxProbe {
  if (probed) return probed;
  if (process.platform !== 'linux') return (probed = { reason: 'platform', problem: `no bubblewrap on ${process.platform}` });
  const bwrap = BWRAP_CANDIDATES.find((p) => existsSync(p));
  if (!bwrap) return (probed = { reason: 'missing', problem: 'bubblewrap (bwrap) is not installed' });
  // Both namespaces the grader uses: a host may allow one and not the other.
  const trial = spawnSync(bwrap, ['--ro-bind', '/', '/', '--unshare-pid', '--unshare-net', '--die-with-parent', '--', 'true'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 5000,
  });
  if (trial.status !== 0) {
    const why = trial.stderr?.toString().trim() || trial.error?.message || `exit ${trial.status}`;
    return (probed = { bwrap, reason: 'fails', problem: `bwrap does not work here (${why})` });
  }
  // An unprivileged uid of its own needs root; otherwise processes keep the grader's uid.
  const setpriv = process.getuid?.() === 0 ? SETPRIV_CANDIDATES.find((p) => existsSync(p)) : undefined;
  return (probed = { bwrap, ...(setpriv ? { setpriv } : {}) });
}

/** Resolves the isolation level for a requested mode; throws when 'bwrap' is demanded but unavailable. */
export function resolveIsolation(mode: IsolationMode): IsolationLevel {
  if (mode === 'none') return { kind: 'none' };
  const found = probeSandbox();
  if (found.bwrap && !found.problem) return { kind: 'bwrap', bwrap: found.bwrap, ...(found.setpriv ? { setpriv: found.setpriv } : {}) };
  if (mode === 'bwrap') throw new UsageError(`--isolation bwrap was asked for, but ${found.problem}; use --isolation auto to fall back to limits only`);
  return { kind: 'none', fallbackReason: found.problem! };
}

/** The mode from the environment (`NETGRADE_ISOLATION`), so worker processes inherit the CLI's choice. */
export function isolationModeFromEnv(): IsolationMode {
  const value = process.env.NETGRADE_ISOLATION;
  return value === 'bwrap' || value === 'none' ? value : 'auto';
}

/**
 * Whether this process runs in a network namespace whose only interface is loopback
 * (`/proc/self/net/dev` follows the reader's namespace, unlike /sys).
 */
export function inPrivateNetwork(): boolean {
  try {
    const lines = readFileSync('/proc/self/net/dev', 'latin1').split('\n').slice(2);
    const interfaces = lines.map((l) => l.split(':')[0]!.trim()).filter(Boolean);
    return interfaces.length === 1 && interfaces[0] === 'lo';
  } catch {
    return false;
  }
}

/** Unprivileged user ids handed to submission processes: a block per grader process. */
const UID_BASE = 2_000_000;
let uidCounter = 0;
export function nextSandboxUid(): number {
  return UID_BASE + ((process.pid % 50_000) * 20 + (uidCounter++ % 20));
}

export interface JailSpec {
  /** Paths the process may read (files or folders), e.g. its code copy, Node, a harness. */
  readOnly: string[];
  /** Paths it may write: its working directory. */
  writable: string[];
  cwd: string;
  /** Run as this user id (and group id), when the level has setpriv. */
  uid?: number;
}

/** System paths every process needs read-only, when they exist. */
const SYSTEM_FILES = ['/etc/hosts', '/etc/nsswitch.conf', '/etc/host.conf', '/etc/gai.conf', '/etc/ld.so.cache', '/etc/localtime'];

/**
 * The command line that runs `command args...` under bubblewrap with only `spec`'s paths
 * visible. The caller's environment passes through (execa already gives a clean one).
 */
export function jailedCommand(
  level: IsolationLevel,
  command: string,
  args: string[],
  spec: JailSpec,
): { command: string; args: string[] } {
  if (level.kind !== 'bwrap' || !level.bwrap) return { command, args };
  const out: string[] = [
    '--die-with-parent',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    '--hostname',
    'netgrade-sandbox',
    '--ro-bind',
    '/usr',
    '/usr',
  ];
  for (const top of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    let stat;
    try {
      stat = lstatSync(top);
    } catch {
      continue;
    }
    if (stat.isSymbolicLink()) out.push('--symlink', readlinkSync(top), top);
    else if (stat.isDirectory()) out.push('--ro-bind', top, top);
  }
  out.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
  const covered = (p: string) => ['/usr/', '/bin/', '/lib/', '/lib64/', '/sbin/'].some((prefix) => p.startsWith(prefix));
  const binds: Array<['--ro-bind' | '--bind', string]> = [];
  for (const p of SYSTEM_FILES) if (existsSync(p)) binds.push(['--ro-bind', realpathSync(p)]);
  for (const p of spec.readOnly) binds.push(['--ro-bind', resolve(p)]);
  for (const p of spec.writable) binds.push(['--bind', resolve(p)]);
  // bwrap creates missing parents with mode 0700, which an unprivileged uid cannot cross:
  // create each one explicitly with 0755 first.
  const dirs = new Set<string>();
  for (const [, path] of binds) {
    for (let d = dirname(path); d !== '/' && d !== '/tmp' && !covered(`${d}/`); d = dirname(d)) dirs.add(d);
  }
  for (const d of [...dirs].sort((a, b) => a.length - b.length)) out.push('--perms', '0755', '--dir', d);
  for (const [flag, path] of binds) {
    if (covered(path)) continue;
    out.push(flag, path, path);
  }
  out.push('--chdir', spec.cwd);
  const tail = [command, ...args];
  if (level.setpriv && spec.uid !== undefined) {
    tail.unshift(level.setpriv, `--reuid=${spec.uid}`, `--regid=${spec.uid}`, '--clear-groups', '--no-new-privs', '--');
  }
  out.push('--', ...tail);
  return { command: level.bwrap, args: out };
}

/**
 * The command line that runs the grading of a submission (`command args...`, the grader
 * itself) in a network namespace of its own: loopback only, so the submission reaches
 * nothing outside, and the grader's probes still reach it. The file system is the host's
 * (the grader needs its files; each submission process is jailed again by `jailedCommand`).
 */
export function networkJailCommand(level: IsolationLevel, command: string, args: string[]): { command: string; args: string[] } {
  if (level.kind !== 'bwrap' || !level.bwrap) return { command, args };
  return {
    command: level.bwrap,
    args: ['--dev-bind', '/', '/', '--unshare-net', '--die-with-parent', '--', command, ...args],
  };
}
