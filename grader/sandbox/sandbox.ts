/**
 * The only way checks touch processes. A `CheckScope` starts servers and programs for one
 * check and tears every one of them down (process group killed, working directory
 * removed) when the check ends, whatever happened.
 */
import { existsSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { InfrastructureError, SubmissionError } from '../model/errors.ts';
import type { ExerciseMeta } from '../model/exercise.ts';
import { CompileCache } from './compile-cache.ts';
import { describeExit, diagnoseEarlyExit, thrownError } from './diagnose.ts';
import { isolationModeFromEnv, jailedCommand, nextSandboxUid, resolveIsolation, type IsolationLevel } from './isolation.ts';
import { watchMemory } from './memory-watch.ts';
import { DEFAULT_LIMITS, limitedCommand, type ResourceLimits } from './limits.ts';
import { installCleanupHandlers } from './process-registry.ts';
import { SandboxProcess, type ExitInfo } from './process.ts';
import { reserveServerPort } from './server-port.ts';
import { waitForServer } from './readiness.ts';
import { listFiles, type Workspace } from './workspace.ts';
import { verdicts } from '../i18n/verdicts.ts';

export interface SandboxConfig {
  /** The Node 24 binary that runs submissions. */
  nodePath: string;
  /** Cap of captured stdout and of captured stderr, per process. */
  outputCapBytes: number;
  /** Multiplies every deadline (slow machines, CI under load). */
  timeScale: number;
  /** CPU, file size, open files, process count and heap limits of every process. */
  limits: ResourceLimits;
  /** How processes are contained; resolved from NETGRADE_ISOLATION (default 'auto') when absent. */
  isolation?: IsolationLevel;
  /**
   * Share Node's compile cache between the processes of an exercise's grading (compile-cache.ts;
   * only in the bubblewrap sandbox with a user id per process). Default: on, unless env
   * NETGRADE_COMPILE_CACHE=0 (the bench's comparison).
   */
  compileCache?: boolean;
}

export const DEFAULT_SANDBOX_CONFIG: SandboxConfig = {
  nodePath: process.execPath,
  outputCapBytes: 1024 * 1024,
  timeScale: 1,
  limits: DEFAULT_LIMITS,
};

export interface ServerOptions {
  /** Files written into the fresh working directory before start, e.g. accounts.json. */
  fixtures?: Record<string, string | Uint8Array>;
  /** Extra environment (on top of the exercise's env and PORT). */
  env?: Record<string, string>;
  /** Entry file, default the exercise's first entry file. */
  entry?: string;
  /** Whether the grader writes to the server's stdin (chat announcements). */
  stdin?: boolean;
  /** Node options before the script, e.g. ['--import', preload] (web-server's import guard). */
  nodeArgs?: string[];
}

export interface ProgramOptions {
  /** A file of the submission to run, default the exercise's first entry file. */
  entry?: string;
  /** Or: a script of the grader's own (a harness), given as an absolute path. */
  harness?: string;
  args?: string[];
  env?: Record<string, string>;
  fixtures?: Record<string, string | Uint8Array>;
  /** Node options before the script, e.g. ['--import', preload]. */
  nodeArgs?: string[];
  stdin?: string;
  /** The program is killed after this long (measured on this machine, before timeScale). */
  timeoutMs: number;
  /** Also kill it when it prints nothing for this long (a hang, not a slow program). */
  idleTimeoutMs?: number;
  /** Called once the process is spawned, e.g. to pause and resume it (`signalGroup`) while it runs. */
  onStart?: (process: SandboxProcess) => void;
}

export interface ProgramRun {
  exit: ExitInfo;
  /** Why the grader killed it, when it did. */
  killedFor: 'timeout' | 'idle' | undefined;
  stdout: string;
  stderr: string;
  process: SandboxProcess;
  workDir: string;
}

export interface RunningServer {
  readonly port: number;
  readonly workDir: string;
  readonly process: SandboxProcess;
  /** Reads a file of the working directory; undefined when it does not exist. */
  readFile(relativePath: string): Promise<Buffer | undefined>;
  /** Files in the working directory (or a folder of it), relative, sorted. */
  listFiles(relativePath?: string): Promise<string[]>;
  /** Throws CRASH_DURING_CHECK when the server is no longer running. */
  assertAlive(): void;
  writeStdin(text: string): void;
  endStdin(): void;
}

const PORT_RETRIES = 3;

export class ExerciseSandbox {
  readonly meta: ExerciseMeta;
  readonly codeDir: string;
  readonly workspace: Workspace;
  readonly config: SandboxConfig;
  readonly isolation: IsolationLevel;
  /** Node's compile cache shared by this exercise's processes; undefined where they cannot share one safely. */
  readonly compileCache: CompileCache | undefined;

  constructor(workspace: Workspace, meta: ExerciseMeta, codeDir: string, config: SandboxConfig) {
    this.workspace = workspace;
    this.meta = meta;
    this.codeDir = codeDir;
    this.config = config;
    this.isolation = config.isolation ?? resolveIsolation(isolationModeFromEnv());
    const cacheWanted = config.compileCache ?? process.env.NETGRADE_COMPILE_CACHE !== '0';
    // Only with a user id per process: the grant's links are then read-only to the process,
    // and a process cannot write another's entries (compile-cache.ts).
    this.compileCache = cacheWanted && this.isolation.kind === 'bwrap' && this.isolation.setpriv ? new CompileCache(join(workspace.root, `cache-${meta.id}`), codeDir) : undefined;
    installCleanupHandlers();
  }

  /** Scopes of checks under way: torn down at once by `abort` (a cancelled grading). */
  readonly live = new Set<CheckScope>();

  scope(): CheckScope {
    const scope = new CheckScope(this);
    this.live.add(scope);
    return scope;
  }

  /** Kills every process of the checks under way (their checks then fail fast and are discarded). */
  async abort(): Promise<void> {
    await Promise.all([...this.live].map((scope) => scope.teardown()));
  }

  /** Waits for the work left after the checks (the compile cache's harvests). */
  async settle(): Promise<void> {
    await this.compileCache?.settle();
  }

  /** Deadlines scaled for this machine. */
  scaled(ms: number): number {
    return Math.round(ms * this.config.timeScale);
  }

  baseEnv(workDir: string, extra: Record<string, string | undefined> = {}): Record<string, string> {
    const env: Record<string, string> = {
      PATH: `${dirname(this.config.nodePath)}:/usr/local/bin:/usr/bin:/bin`,
      HOME: workDir,
      LANG: 'C.UTF-8',
      TZ: 'UTC',
      ...this.meta.env,
    };
    for (const [key, value] of Object.entries(extra)) if (value !== undefined) env[key] = value;
    return env;
  }
}

export class CheckScope {
  readonly sandbox: ExerciseSandbox;
  readonly processes: SandboxProcess[] = [];
  /**
   * The processes started by `startServer` (a subset of `processes`). Only a server can crash
   * during a check; a program run by `runProgram` (or a harness) exits by itself when done.
   */
  readonly servers: SandboxProcess[] = [];
  readonly #workDirs: string[] = [];
  /** Where the check's time went so far (results.json `timing`): servers' start to ready, programs run to completion. */
  readonly timing = { serverStartMs: 0, programMs: 0 };

  constructor(sandbox: ExerciseSandbox) {
    this.sandbox = sandbox;
  }

  #entryPath(entry: string | undefined): string {
    const name = entry ?? this.sandbox.meta.entryFiles[0]!;
    const path = resolve(this.sandbox.codeDir, name);
    if (!path.startsWith(this.sandbox.codeDir + sep)) throw new Error(`entry outside the code folder: ${name}`);
    if (!existsSync(path)) {
      throw new SubmissionError(
        'MISSING_ENTRY',
        verdicts.t('missing.title', { name }),
        verdicts.t('missing.message', { folder: `${this.sandbox.meta.id}/`, name }),
      );
    }
    return path;
  }

  async #workDir(fixtures: Record<string, string | Uint8Array> | undefined): Promise<string> {
    const dir = await this.sandbox.workspace.freshWorkDir(fixtures);
    this.#workDirs.push(dir);
    return dir;
  }

  async #spawn(script: string, args: string[], nodeArgs: string[], cwd: string, env: Record<string, string>, stdin: boolean): Promise<SandboxProcess> {
    // (nodeArgs and env gain the compile cache's preload and folder below.)
    const { config, isolation } = this.sandbox;
    const uid = isolation.setpriv ? nextSandboxUid() : undefined;
    const cache = uid !== undefined ? await this.sandbox.compileCache?.grant(uid) : undefined;
    if (cache) {
      nodeArgs = [...cache.nodeArgs, ...nodeArgs];
      env = { ...env, ...cache.env };
    }
    const limited = limitedCommand(config.nodePath, nodeArgs, script, args, config.limits, uid !== undefined);
    let command = limited;
    if (isolation.kind === 'bwrap') {
      if (uid !== undefined) await this.sandbox.workspace.handOver(cwd, uid);
      // What the process may see: Node, its code, the grader's script it runs (a harness)
      // and files named in its Node options (a preload), nothing else of the grader.
      const readOnly = [dirname(realpathSync(config.nodePath)), this.sandbox.codeDir, script, ...nodeArgs.filter((a) => isAbsolute(a) && existsSync(a))];
      const writable = cache ? [cwd, cache.dir] : [cwd];
      command = jailedCommand(isolation, limited.command, limited.args, { readOnly: [...new Set(readOnly)], writable, cwd, uid });
    }
    const proc = SandboxProcess.spawn({
      command: command.command,
      args: command.args,
      cwd,
      env,
      stdin: stdin ? 'pipe' : 'ignore',
      outputCapBytes: config.outputCapBytes,
      jailed: isolation.kind === 'bwrap',
    });
    watchMemory(proc, config.limits.memoryBytes);
    if (cache) void proc.exited.then(() => this.sandbox.compileCache?.harvest(cache.dir, uid!));
    this.processes.push(proc);
    return proc;
  }

  /**
   * Starts the exercise's server in a fresh working directory on a free port and resolves
   * once it listens (TCP) or is bound (UDP). Throws a SubmissionError naming what went
   * wrong when it never becomes ready.
   */
  async startServer(options: ServerOptions = {}): Promise<RunningServer> {
    const started = performance.now();
    try {
      return await this.#startServer(options);
    } finally {
      this.timing.serverStartMs += performance.now() - started;
    }
  }

  async #startServer(options: ServerOptions): Promise<RunningServer> {
    const protocol = this.sandbox.meta.kind === 'udp-server' ? 'udp' : 'tcp';
    const script = this.#entryPath(options.entry);
    for (let attempt = 1; ; attempt++) {
      const workDir = await this.#workDir(options.fixtures);
      // Held until the server has ended, so that no other grader on this machine starts a
      // server on this port meanwhile (see server-port.ts).
      const reservation = await reserveServerPort(protocol);
      const port = reservation.port;
      const env = this.sandbox.baseEnv(workDir, { ...options.env, PORT: String(port) });
      let proc: SandboxProcess;
      try {
        proc = await this.#spawn(script, ['--port', String(port)], options.nodeArgs ?? [], workDir, env, options.stdin ?? false);
      } catch (error) {
        reservation.release();
        throw error;
      }
      void proc.exited.then(() => reservation.release());
      const readiness = await waitForServer(proc, protocol, port, this.sandbox.scaled(this.sandbox.meta.timeouts.startMs));
      if (readiness.kind === 'ready') {
        this.servers.push(proc);
        return makeServer(port, workDir, proc);
      }
      await proc.kill();
      if (readiness.kind === 'failed') throw readiness.error;
      const stderr = proc.stderr.text();
      // A program other than a grader (those respect the port's lock) took the port between
      // our check and the server's bind: the grader's problem, not the student's. Try another port.
      if (/EADDRINUSE/.test(stderr) && stderr.includes(String(port))) {
        if (attempt < PORT_RETRIES) continue;
        throw new InfrastructureError('PORT_IN_USE', `port ${port} was taken by another program ${attempt} times`);
      }
      const exit = proc.exitInfo!;
      throw await diagnoseEarlyExit(exit, stderr, this.sandbox.codeDir, this.sandbox.meta.entryFiles, this.sandbox.config.limits);
    }
  }

  /** Runs a program to completion (or until killed) in a fresh working directory. */
  async runProgram(options: ProgramOptions): Promise<ProgramRun> {
    const started = performance.now();
    try {
      return await this.#runProgram(options);
    } finally {
      this.timing.programMs += performance.now() - started;
    }
  }

  async #runProgram(options: ProgramOptions): Promise<ProgramRun> {
    const script = options.harness ?? this.#entryPath(options.entry);
    const workDir = await this.#workDir(options.fixtures);
    const env = this.sandbox.baseEnv(workDir, options.env);
    const proc = await this.#spawn(script, options.args ?? [], options.nodeArgs ?? [], workDir, env, options.stdin !== undefined);
    options.onStart?.(proc);
    if (options.stdin !== undefined) {
      proc.writeStdin(options.stdin);
      proc.endStdin();
    }
    let killedFor: ProgramRun['killedFor'];
    const timeoutMs = this.sandbox.scaled(options.timeoutMs);
    const timer = setTimeout(() => {
      killedFor ??= 'timeout';
      void proc.kill();
    }, timeoutMs);
    let idleTimer: NodeJS.Timeout | undefined;
    const idleMs = options.idleTimeoutMs === undefined ? undefined : this.sandbox.scaled(options.idleTimeoutMs);
    const armIdle = () => {
      if (idleMs === undefined) return;
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        killedFor ??= 'idle';
        void proc.kill();
      }, idleMs);
    };
    armIdle();
    const stopWatching = proc.stdout.onData(armIdle);
    try {
      await proc.exited;
    } finally {
      clearTimeout(timer);
      clearTimeout(idleTimer);
      stopWatching();
    }
    // Kill whatever it left behind in its group, then report.
    const exit = await proc.kill();
    return { exit, killedFor, stdout: proc.stdout.text(), stderr: proc.stderr.text(), process: proc, workDir };
  }

  /** Kills every process group of this check and removes its working directories. */
  async teardown(): Promise<void> {
    this.sandbox.live.delete(this);
    await Promise.all(this.processes.map((p) => p.kill()));
    await Promise.all(this.#workDirs.map((d) => this.sandbox.workspace.remove(d)));
  }
}

function makeServer(port: number, workDir: string, proc: SandboxProcess): RunningServer {
  const inside = (rel: string) => {
    const path = resolve(workDir, rel);
    if (path !== workDir && !path.startsWith(workDir + sep)) throw new Error(`path outside the work directory: ${rel}`);
    return path;
  };
  return {
    port,
    workDir,
    process: proc,
    async readFile(rel) {
      try {
        return await readFile(inside(rel));
      } catch {
        return undefined;
      }
    },
    listFiles: (rel = '.') => listFiles(inside(rel)),
    assertAlive() {
      const exit = proc.exitInfo;
      if (!exit) return;
      const how = describeExit(exit);
      const thrown = thrownError(proc.stderr.text());
      throw new SubmissionError(
        'CRASH_DURING_CHECK',
        verdicts.t('crashDuring.title', { how }),
        thrown ? verdicts.t('crashDuring.thrown', { how, error: thrown }) : verdicts.t('crashDuring.plain', { how }),
        proc.stderr.excerpt(20),
      );
    },
    writeStdin: (text) => proc.writeStdin(text),
    endStdin: () => proc.endStdin(),
  };
}

