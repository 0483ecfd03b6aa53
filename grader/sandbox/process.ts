/**
 * One process of a submission: spawned in its own process group, output captured with a
 * cap, and killed as a group (grandchildren included) when the run is over.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:os';
import { execa, type ResultPromise } from 'execa';
import { OutputCapture } from './output-capture.ts';
import { setTimeout as delay } from 'node:timers/promises';
import { RUN_COOKIE_VARIABLE, type RunIdentity } from './proc-net.ts';
import { killRun, liveGroups, spawnStats } from './process-registry.ts';

export interface SpawnOptions {
  /** The executable, normally the Node 24 binary. */
  command: string;
  args: string[];
  cwd: string;
  /** The complete environment: nothing of the grader's own environment leaks in. */
  env: Record<string, string>;
  /** Whether the grader writes to the process's stdin. */
  stdin: 'pipe' | 'ignore';
  /** Cap on captured stdout and on captured stderr, each. */
  outputCapBytes: number;
  /**
   * The command is bwrap running the program: bwrap reports a program killed by signal N
   * as exit code 128+N, translated back here so that verdicts name the signal.
   */
  jailed?: boolean;
}

export interface ExitInfo {
  /** The exit code, or null when a signal ended the process. */
  exitCode: number | null;
  /** The signal that ended the process, e.g. 'SIGKILL'; null when it exited by itself. */
  signal: NodeJS.Signals | null;
  /** True when the grader ended the process (end of a run, deadline). */
  killedByGrader: boolean;
  /** The limit the grader enforced by killing it (a limit the kernel cannot enforce for us). */
  limit?: 'memory';
  /** Milliseconds from spawn to exit. */
  durationMs: number;
}

/** How long the output pipes may stay open after every process of the run is gone. */
const OUTPUT_DRAIN_MS = 2000;

export class SandboxProcess {
  readonly pid: number;
  /** Its process group and the cookie every process it starts inherits. */
  readonly run: RunIdentity;
  readonly stdout: OutputCapture;
  readonly stderr: OutputCapture;
  /** Resolves when the direct child exits (not when its pipes close: a grandchild may hold them). */
  readonly exited: Promise<ExitInfo>;
  readonly startedAt = performance.now();
  #exitInfo: ExitInfo | undefined;
  #killedByGrader = false;
  #limit: ExitInfo['limit'];
  readonly #child: ResultPromise;
  readonly #outputDone: Promise<void>;

  private constructor(child: ResultPromise, pid: number, capBytes: number, cookie: string, jailed: boolean) {
    this.#child = child;
    this.pid = pid;
    this.run = { pgid: pid, cookie };
    this.stdout = new OutputCapture(capBytes);
    this.stderr = new OutputCapture(capBytes);
    child.stdout?.on('data', (chunk: Buffer) => this.stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.stderr.push(chunk));
    // The exit event can come before the last output has been read from the pipes: the
    // output is complete only when both pipes have closed (every writer gone).
    this.#outputDone = Promise.all(
      [child.stdout, child.stderr].map((stream) =>
        stream && !stream.closed ? new Promise<void>((resolve) => stream.once('close', () => resolve())) : Promise.resolve(),
      ),
    ).then(() => {});
    // A process that exits or closes stdin early must not crash the grader with EPIPE.
    child.stdin?.on('error', () => {});
    this.exited = new Promise((resolve) => {
      child.nodeChildProcess.once('exit', (rawCode, rawSignal) => {
        const { exitCode, signal } = jailed ? unwrapJailStatus(rawCode, rawSignal) : { exitCode: rawCode, signal: rawSignal };
        this.#exitInfo = {
          exitCode,
          signal,
          killedByGrader: this.#killedByGrader,
          ...(this.#limit ? { limit: this.#limit } : {}),
          durationMs: performance.now() - this.startedAt,
        };
        resolve(this.#exitInfo);
      });
    });
    // execa's promise rejects on spawn failures; `reject: false` keeps exits quiet.
    child.catch(() => {});
  }

  static spawn(options: SpawnOptions): SandboxProcess {
    const cookie = randomBytes(9).toString('base64url');
    const child = execa(options.command, options.args, {
      cwd: options.cwd,
      env: { ...options.env, [RUN_COOKIE_VARIABLE]: cookie },
      extendEnv: false,
      stdin: options.stdin,
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      // Own process group, so that the whole group can be killed at once.
      detached: true,
      killDescendants: true,
      encoding: 'buffer',
    });
    if (child.pid === undefined) {
      throw new Error(`could not spawn ${options.command}`);
    }
    const proc = new SandboxProcess(child, child.pid, options.outputCapBytes, cookie, options.jailed ?? false);
    // The run may outlive its leader: it leaves the registry only once killed.
    liveGroups.set(child.pid, proc.run);
    spawnStats.count++;
    return proc;
  }

  get hasExited(): boolean {
    return this.#exitInfo !== undefined;
  }

  get exitInfo(): ExitInfo | undefined {
    return this.#exitInfo;
  }

  /** Sends a signal to the whole group (e.g. SIGSTOP/SIGCONT to simulate a loaded machine). */
  signalGroup(signal: NodeJS.Signals): void {
    if (!liveGroups.has(this.pid)) return;
    try {
      process.kill(-this.pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }

  writeStdin(data: string | Buffer): void {
    this.#child.stdin?.write(data);
  }

  endStdin(): void {
    this.#child.stdin?.end();
  }

  /** Kills the run because it exceeded a limit the grader watches: its exit names the limit. */
  async killForLimit(limit: NonNullable<ExitInfo['limit']>): Promise<ExitInfo> {
    if (!this.hasExited) this.#limit = limit;
    return this.kill();
  }

  /**
   * Kills every process of the run with SIGKILL (its group, and any process that left the
   * group but carries the run's cookie or descends from one that does) and waits for the
   * leader's exit. Safe to call more than once and after the process exited by itself.
   */
  async kill(): Promise<ExitInfo> {
    if (!this.hasExited && !this.#limit) this.#killedByGrader = true;
    killRun(this.run);
    const info = await this.exited;
    // SIGKILL is delivered asynchronously: wait (bounded) until no process of the run is
    // alive, so that "no process outlives a run" holds when kill() resolves.
    const started = performance.now();
    while (killRun(this.run) > 0 && performance.now() - started < 3000) await delay(2);
    liveGroups.delete(this.pid);
    // Every writer is dead now, so the pipes close as soon as what is left in them is read.
    // The deadline only guards against a writer that escaped (it would hold them open).
    const deadline = new AbortController();
    const drained = await Promise.race([
      this.#outputDone.then(() => true),
      delay(OUTPUT_DRAIN_MS, false, { signal: deadline.signal }).catch(() => false),
    ]);
    deadline.abort();
    if (!drained) this.stderr.push(Buffer.from(`\n[netgrade: output still open ${OUTPUT_DRAIN_MS} ms after the process ended; the rest is not shown]\n`));
    this.#child.stdout?.destroy();
    this.#child.stderr?.destroy();
    this.#child.stdin?.destroy();
    return info;
  }
}


/** bwrap exits with 128+N when the program died of signal N. */
function unwrapJailStatus(code: number | null, signal: NodeJS.Signals | null): { exitCode: number | null; signal: NodeJS.Signals | null } {
  if (signal !== null || code === null || code <= 128 || code > 128 + 64) return { exitCode: code, signal };
  const name = Object.entries(constants.signals).find(([, n]) => n === code - 128)?.[0];
  return name ? { exitCode: null, signal: name as NodeJS.Signals } : { exitCode: code, signal };
}
