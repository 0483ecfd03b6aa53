/**
 * Runs one check: builds its context, enforces its deadline, always tears down what it
 * started, and turns what happened into a CheckResult. The status comes from the class of
 * what was thrown, never from message text.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { resolve, sep } from 'node:path';
import type { CheckContext, CheckDefinition, GradeOptions } from '../exercise/define.ts';
import { CheckFailure, CheckTimeout, InfrastructureError, SubmissionError } from '../model/errors.ts';
import type { CheckResult, OutputExcerpt } from '../model/results.ts';
import { Random, deriveSeed } from '../probes/segmentation.ts';
import { TcpProbe } from '../probes/tcp.ts';
import { Transcript } from '../probes/transcript.ts';
import { UdpProbe } from '../probes/udp.ts';
import { describeExit, thrownError } from '../sandbox/diagnose.ts';
import { describeLimitHit } from '../sandbox/limits.ts';
import type { SandboxProcess } from '../sandbox/process.ts';
import type { ExerciseSandbox } from '../sandbox/sandbox.ts';

/** How long a failed check waits to learn whether the server crashed. */
const EXIT_GRACE_MS = 300;

/** Thrown when a check cannot run because an earlier start of the same entry failed. */
export class SkipCheck extends Error {
  override readonly name = 'SkipCheck';
}

export interface CheckRunInput {
  check: CheckDefinition;
  sandbox: ExerciseSandbox;
  /** The run's seed; the check's own seed derives from it and the check id. */
  runSeed: number;
  options: GradeOptions;
  /** State shared by the checks of one exercise run. */
  state: ExerciseRunState;
}

export interface ExerciseRunState {
  /** Entry files (and shared loads) that already failed, with the verdict and the check that met it. */
  failures: Map<string, { error: SubmissionError; checkId: string }>;
  /** Results of `ctx.shared` loads. */
  shared: Map<string, Promise<unknown>>;
}

export function newExerciseRunState(): ExerciseRunState {
  return { failures: new Map(), shared: new Map() };
}

export async function runCheck(input: CheckRunInput): Promise<CheckResult> {
  const { check, sandbox } = input;
  const seed = deriveSeed(input.runSeed, `${sandbox.meta.id}/${check.id}`);
  const random = new Random(seed);
  const transcript = new Transcript();
  const scope = sandbox.scope();
  const tcpProbes: TcpProbe[] = [];
  const udpProbes: UdpProbe[] = [];
  const started = performance.now();
  const timeoutMs = sandbox.scaled(check.timeoutMs ?? sandbox.meta.timeouts.checkMs);

  const { failures, shared } = input.state;
  // A failure to start (or to load a shared input) repeats on every try: the first check
  // that meets it reports it; later checks that need the same thing are skipped quickly.
  const guarded = <T>(key: string, attempt: () => Promise<T>): Promise<T> => {
    const failed = failures.get(key);
    if (failed) return Promise.reject(new SkipCheck(`Not run: ${failed.error.title} (see check ${failed.checkId}).`));
    return attempt().catch((error: unknown) => {
      if (error instanceof SubmissionError && error.repeatsEveryTry && !failures.has(key)) {
        failures.set(key, { error, checkId: check.id });
      }
      throw error;
    });
  };
  const entryKey = (entry: string | undefined) => `entry:${entry ?? sandbox.meta.entryFiles[0]!}`;

  const context: CheckContext = {
    exercise: sandbox.meta,
    seed,
    random,
    transcript,
    options: input.options,
    codeDir: sandbox.codeDir,
    ms: (milliseconds) => sandbox.scaled(milliseconds),
    startServer: (options = {}) => guarded(entryKey(options.entry), () => scope.startServer(options)),
    runProgram: (options) =>
      options.harness ? scope.runProgram(options) : guarded(entryKey(options.entry), () => scope.runProgram(options)),
    shared<T>(key: string, load: () => Promise<T>): Promise<T> {
      return guarded(`shared:${key}`, () => {
        let value = shared.get(key) as Promise<T> | undefined;
        if (!value) {
          value = load();
          shared.set(key, value);
        }
        return value;
      });
    },
    async connect(server) {
      const probe = await TcpProbe.connect({ port: server.port, transcript, random: random.fork(`c${tcpProbes.length}`) });
      tcpProbes.push(probe);
      return probe;
    },
    async udp(server) {
      const probe = await UdpProbe.open(server.port, transcript);
      udpProbes.push(probe);
      return probe;
    },
    async readSubmissionFile(name) {
      const path = resolve(sandbox.codeDir, name);
      if (!path.startsWith(sandbox.codeDir + sep)) return undefined;
      try {
        return await readFile(path);
      } catch {
        return undefined;
      }
    },
    note: (text) => transcript.note(text),
  };

  let thrown: unknown;
  let timer: NodeJS.Timeout | undefined;
  try {
    const running = check.run(context);
    // If the deadline wins, the check goes on in the background until teardown closes its
    // probes and processes; its late failure is ignored.
    running.catch(() => {});
    await Promise.race([
      running,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new CheckTimeout(timeoutMs)), timeoutMs);
      }),
    ]);
  } catch (error) {
    thrown = error;
  } finally {
    clearTimeout(timer);
  }

  // Did a server die under the check? That is the real cause of whatever the probes saw.
  // A connection the server dropped may be the first sign of a crash whose exit we have not
  // yet heard of: give the exit a moment to arrive (failures only; passing checks never wait).
  if (thrown !== undefined && tcpProbes.some((p) => p.wasReset || p.peerEnded)) {
    const running = scope.processes.filter((p) => !p.hasExited);
    if (running.length > 0) await Promise.race([Promise.any(running.map((p) => p.exited)), delay(EXIT_GRACE_MS)]);
  }
  // Only servers crash: a program or harness run to completion exits by itself, and its own
  // check judges how (exit code, output).
  const crashed = scope.servers.find((p) => p.hasExited && !p.exitInfo!.killedByGrader);
  const output = excerptOf(scope.processes);
  for (const probe of tcpProbes) probe.destroy();
  for (const probe of udpProbes) probe.close();
  await scope.teardown();

  if (thrown instanceof InfrastructureError) throw thrown;

  const base = {
    id: check.id,
    title: check.title,
    ...(check.part === undefined ? {} : { part: check.part }),
    ...(check.visibility === undefined ? {} : { visibility: check.visibility }),
    maxPoints: check.points,
    transcript: transcript.entries(),
    ...(output ? { output } : {}),
    durationMs: Math.round(performance.now() - started),
    seed,
  };

  if (thrown === undefined) return { ...base, status: 'passed', points: check.points, message: '' };
  if (thrown instanceof SkipCheck) return { ...base, status: 'skipped', points: 0, message: thrown.message };
  if (thrown instanceof SubmissionError) {
    return {
      ...base,
      status: 'error',
      points: 0,
      message: `${thrown.title}. ${thrown.message}`,
      ...(thrown.excerpt ? { actual: thrown.excerpt } : {}),
    };
  }
  if (crashed) {
    const exit = crashed.exitInfo!;
    const how = describeExit(exit);
    const cause = thrownError(crashed.stderr.text());
    const limit = describeLimitHit(exit, crashed.stderr.text(), sandbox.config.limits);
    return {
      ...base,
      status: 'error',
      points: 0,
      message:
        (limit
          ? `The server was stopped during the check: it hit ${limit}. `
          : `The server crashed during the check: it ${how}${cause ? ` after throwing ${cause}` : ''}. ` +
            `No input may crash a server: handle 'error' on every socket and validate what you read. `) +
        `(Then: ${(thrown as Error).message})`,
      ...(thrown instanceof CheckFailure && thrown.expected !== undefined ? { expected: thrown.expected } : {}),
      actual: crashed.stderr.excerpt(20),
    };
  }
  if (thrown instanceof CheckTimeout) {
    return {
      ...base,
      status: 'timeout',
      points: 0,
      message: `The check did not finish within ${thrown.timeoutMs} ms: the server stopped answering (a request left unanswered, or a client blocked by another). The transcript shows the last thing that happened.`,
    };
  }
  if (thrown instanceof CheckFailure) {
    return {
      ...base,
      status: 'failed',
      points: 0,
      message: thrown.message,
      ...(thrown.expected !== undefined ? { expected: thrown.expected } : {}),
      ...(thrown.actual !== undefined ? { actual: thrown.actual } : {}),
    };
  }
  // A bug in the check itself: say so plainly rather than blame the student silently.
  const error = thrown as Error;
  return {
    ...base,
    status: 'error',
    points: 0,
    message: `Internal grader error in this check (please report it): ${error?.stack ?? String(error)}`,
  };
}

function excerptOf(processes: SandboxProcess[]): OutputExcerpt | undefined {
  if (processes.length === 0) return undefined;
  // The last process is the most relevant (a check that restarts a server shows the restart).
  const last = processes.at(-1)!;
  return {
    stdout: last.stdout.excerpt(40, 6000),
    stderr: last.stderr.excerpt(40, 6000),
    droppedBytes: last.stdout.droppedBytes + last.stderr.droppedBytes,
  };
}
