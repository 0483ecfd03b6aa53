/**
 * One process of a submission: spawned in its own process group, output captured with a
 * cap, and killed as a group (grandchildren included) when the run is over.
 */
import { execa, type ResultPromise } from 'execa';
import { OutputCapture } from './output-capture.ts';
import { setTimeout as delay } from 'node:timers/promises';
import { isProcNetAvailable, livePidsInGroup } from './proc-net.ts';
import { liveGroups, spawnStats } from './process-registry.ts';

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
}

export interface ExitInfo {
  /** The exit code, or null when a signal ended the process. */
  exitCode: number | null;
  /** The signal that ended the process, e.g. 'SIGKILL'; null when it exited by itself. */
  signal: NodeJS.Signals | null;
  /** True when the grader ended the process (end of a run, deadline, limit). */
  killedByGrader: boolean;
  /** Milliseconds from spawn to exit. */
  durationMs: number;
}

export class SandboxProcess {
  readonly pid: number;
  readonly stdout: OutputCapture;
  readonly stderr: OutputCapture;
  /** Resolves when the direct child exits (not when its pipes close: a grandchild may hold them). */
  readonly exited: Promise<ExitInfo>;
  readonly startedAt = performance.now();
  #exitInfo: ExitInfo | undefined;
  #killedByGrader = false;
  readonly #child: ResultPromise;

  private constructor(child: ResultPromise, pid: number, capBytes: number) {
    this.#child = child;
    this.pid = pid;
    this.stdout = new OutputCapture(capBytes);
    this.stderr = new OutputCapture(capBytes);
    child.stdout?.on('data', (chunk: Buffer) => this.stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.stderr.push(chunk));
    // A process that exits or closes stdin early must not crash the grader with EPIPE.
    child.stdin?.on('error', () => {});
    this.exited = new Promise((resolve) => {
      child.nodeChildProcess.once('exit', (exitCode, signal) => {
        this.#exitInfo = {
          exitCode,
          signal,
          killedByGrader: this.#killedByGrader,
          durationMs: performance.now() - this.startedAt,
        };
        resolve(this.#exitInfo);
      });
    });
    // execa's promise rejects on spawn failures; `reject: false` keeps exits quiet.
    child.catch(() => {});
  }

  static spawn(options: SpawnOptions): SandboxProcess {
    const child = execa(options.command, options.args, {
      cwd: options.cwd,
      env: options.env,
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
    const proc = new SandboxProcess(child, child.pid, options.outputCapBytes);
    // The group may outlive its leader: it leaves the registry only once killed.
    liveGroups.add(child.pid);
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

  /**
   * Kills the whole process group with SIGKILL and waits for the leader's exit.
   * Safe to call more than once and after the process exited by itself: its
   * descendants (same group) are killed all the same.
   */
  async kill(): Promise<ExitInfo> {
    if (!this.hasExited) this.#killedByGrader = true;
    killGroup(this.pid);
    const info = await this.exited;
    // SIGKILL is delivered asynchronously: wait (bounded) until no member of the group is
    // alive, so that "no process outlives a run" holds when kill() resolves.
    const started = performance.now();
    while (isProcNetAvailable() && livePidsInGroup(this.pid).length > 0 && performance.now() - started < 2000) {
      killGroup(this.pid);
      await delay(2);
    }
    liveGroups.delete(this.pid);
    this.#child.stdout?.destroy();
    this.#child.stderr?.destroy();
    this.#child.stdin?.destroy();
    return info;
  }
}

export function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
