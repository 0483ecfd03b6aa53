/**
 * Runs one check: builds its context, enforces its deadline, always tears down what it
 * started, and turns what happened into a CheckResult. The status comes from the class of
 * what was thrown, never from message text.
 *
 * A check that fails because of what happened during it (`failed`, `timeout`, a crash, a
 * program that ran too long) is re-run with the same seed and fresh processes, `retries`
 * times at most: if a re-run passes, the check is `flaky` (no points); if none does, the
 * first attempt's result stands. Start failures, the grader's own errors and checks that
 * ran nothing (no process, no connection: only files read) are not re-run.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { resolve, sep } from 'node:path';
import type { AttachmentInput, CheckContext, CheckDefinition, GradeOptions } from '../exercise/define.ts';
import { CheckFailure, CheckTimeout, InfrastructureError, SubmissionError } from '../model/errors.ts';
import type { Attachment, AttemptTiming, CheckAttempt, CheckResult, CheckTiming, OutputExcerpt } from '../model/results.ts';
import { Random, deriveSeed } from '../probes/segmentation.ts';
import { TcpProbe } from '../probes/tcp.ts';
import { Transcript } from '../probes/transcript.ts';
import { UdpProbe } from '../probes/udp.ts';
import { describeExit, thrownError } from '../sandbox/diagnose.ts';
import { describeLimitHit } from '../sandbox/limits.ts';
import type { SandboxProcess } from '../sandbox/process.ts';
import type { ExerciseSandbox, ProgramOptions, ServerOptions } from '../sandbox/sandbox.ts';
import { verdicts } from '../i18n/verdicts.ts';
import { messages } from '../i18n/messages.ts';

/** How long a failed check waits to learn whether the server crashed. */
const EXIT_GRACE_MS = 300;

/** An infrastructure failure (port race) gets this many tries of the same attempt. */
const INFRA_TRIES = 3;

/** Re-runs of a failed check by default (`--retries`). */
export const DEFAULT_RETRIES = 1;

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
  /** How many times a failed check is re-run with the same seed (default `DEFAULT_RETRIES`; 0: never). */
  retries?: number | undefined;
  /**
   * The check's place in its exercise's plan (default: the number of checks that ran before
   * it). Under the concurrent scheduling a later check may meet a start failure first; the
   * earliest check in plan order still owns it (see `ExerciseRunState`).
   */
  order?: number | undefined;
  /** `performance.now()` when the grading began: `timing.startedAtMs` counts from it (default: the attempt's own start). */
  gradingStartedAt?: number | undefined;
  /** How long the check waited for its turn, and whether it ran alone (the scheduler's, for `timing`). */
  turn?: { queuedMs: number; alone: boolean } | undefined;
}

/** One attempt's result, and whether a failure is the kind a re-run may not repeat. */
export interface AttemptOutcome {
  result: CheckResult;
  /**
   * True for failures caused during the check: wrong behaviour, timeout, a crash during the
   * check, a program run that failed. False for passes, skips, start failures (they repeat
   * on every try and are reported once for the exercise) and the grader's own errors.
   */
  retryable: boolean;
}

export interface ExerciseRunState {
  /**
   * Entry files (and shared loads) that already failed, with the verdict and the check that
   * owns it: the earliest check in plan order that met it (under the sequential scheduling,
   * simply the first that met it).
   */
  failures: Map<string, { error: SubmissionError; checkId: string; order: number }>;
  /** Results of `ctx.shared` loads. */
  shared: Map<string, Promise<unknown>>;
  /** For each check that met a recorded failure (by failing on it or by being skipped for it): its key. */
  met: Map<string, string>;
  /** Checks started so far (the default `order`). */
  started: number;
}

export function newExerciseRunState(): ExerciseRunState {
  return { failures: new Map(), shared: new Map(), met: new Map(), started: 0 };
}

/** The failure the exercise's verdict reports: the one owned by the earliest check in plan order. */
export function firstFailure(state: ExerciseRunState): { error: SubmissionError; checkId: string } | undefined {
  let first: { error: SubmissionError; checkId: string; order: number } | undefined;
  for (const failure of state.failures.values()) if (!first || failure.order < first.order) first = failure;
  return first;
}

/**
 * A check's result as the sequential scheduling gives it. There, a check that needs what an
 * earlier check (in plan order) failed to start is skipped without running; under the
 * concurrent scheduling it may have run at the same time and failed the same way (start
 * failures repeat on every try), or been skipped for a later check that met it first. Either
 * way it becomes the skip that names the owner, so both schedulings report the same.
 * Call it once every check before `result` in plan order has ended.
 */
export function asScheduledInOrder(result: CheckResult, state: ExerciseRunState): CheckResult {
  const key = state.met.get(result.id);
  const owner = key === undefined ? undefined : state.failures.get(key);
  if (!owner || owner.checkId === result.id) return result;
  const { expected: _e, actual: _a, output: _o, attempts: _at, ...rest } = result;
  return { ...rest, status: 'skipped', points: 0, message: skipMessage(owner), transcript: [] };
}

function skipMessage(failed: { error: SubmissionError; checkId: string }): string {
  const params = { title: failed.error.title, check: failed.checkId };
  return failed.error.inTheCode ? verdicts.t('run.skip', params) : verdicts.t('run.skipSameSettings', params);
}

/**
 * Runs a check: one attempt, and when it fails in a way a re-run might not repeat, up to
 * `input.retries` re-runs with the same seed, combined by `combineAttempts`. Each attempt
 * gets up to INFRA_TRIES tries when the grader's infrastructure fails (a port race); an
 * infrastructure failure that persists is thrown.
 */
export async function runCheck(input: CheckRunInput): Promise<CheckResult> {
  input = { ...input, order: input.order ?? input.state.started };
  input.state.started++;
  let attempt = 0;
  const once = async (): Promise<AttemptOutcome> => {
    // Only the first attempt waited for its turn; re-runs follow at once.
    const turn = attempt++ === 0 ? input.turn : { queuedMs: 0, alone: input.turn?.alone ?? false };
    for (let tries = 1; ; tries++) {
      try {
        return await runCheckAttempt({ ...input, turn });
      } catch (error) {
        if (!(error instanceof InfrastructureError) || tries >= INFRA_TRIES) throw error;
      }
    }
  };
  const first = await once();
  // A check worth no points (evidence such as web-server's browser load) is not re-run: a
  // re-run tells a flaky pass from a real loss of points, and there are none to lose.
  if (!first.retryable || input.check.points === 0) return first.result;
  const retries = Math.max(0, input.retries ?? DEFAULT_RETRIES);
  const reruns: CheckResult[] = [];
  for (let i = 0; i < retries; i++) {
    const rerun = (await once()).result;
    reruns.push(rerun);
    if (rerun.status === 'passed') break;
  }
  return combineAttempts(first.result, reruns);
}

/**
 * The result of a check from its first attempt and its re-runs (same seed), pure:
 * - no re-runs: the first attempt;
 * - the last re-run passed: `flaky`, no points, the first attempt's fields (what went wrong)
 *   with a message that says so, and the re-runs in `attempts`;
 * - every re-run failed: the first attempt's result, the re-runs in `attempts` (without
 *   transcript and output when they failed exactly as the first did).
 * `durationMs` is the time of every attempt together.
 */
export function combineAttempts(first: CheckResult, reruns: CheckResult[]): CheckResult {
  if (reruns.length === 0) return first;
  const attempts = reruns.map((rerun, i): CheckAttempt => {
    const same = rerun.status === first.status && rerun.message === first.message;
    return {
      attempt: i + 2,
      // A re-run is never skipped (start failures are not re-run) nor flaky; be safe anyway.
      status: rerun.status === 'skipped' || rerun.status === 'flaky' ? 'error' : rerun.status,
      message: rerun.message,
      ...(rerun.expected !== undefined ? { expected: rerun.expected } : {}),
      ...(rerun.actual !== undefined ? { actual: rerun.actual } : {}),
      ...(same ? {} : { transcript: rerun.transcript, ...(rerun.output ? { output: rerun.output } : {}) }),
      durationMs: rerun.durationMs,
    };
  });
  const durationMs = first.durationMs + reruns.reduce((sum, r) => sum + r.durationMs, 0);
  const rerunTimings = reruns.flatMap((r) => (r.timing ? [withoutReruns(r.timing)] : []));
  const timing = first.timing ? { timing: { ...first.timing, ...(rerunTimings.length ? { reruns: rerunTimings } : {}) } } : {};
  const passedOn = reruns.findIndex((r) => r.status === 'passed');
  if (passedOn < 0) return { ...first, durationMs, ...timing, attempts };
  const firstAttempt = { status: messages.t(`status.${first.status}`), message: first.message };
  return {
    ...first,
    status: 'flaky',
    points: 0,
    message:
      reruns.length === 1
        ? verdicts.t('run.flaky', firstAttempt)
        : verdicts.t('run.flakyOf', { ...firstAttempt, n: passedOn + 1, of: reruns.length }),
    durationMs,
    ...timing,
    attempts,
  };
}

function withoutReruns(timing: CheckTiming): AttemptTiming {
  const { reruns: _reruns, ...rest } = timing;
  return rest;
}

/** Evidence larger than this is left out of results.json (and the report says so). */
export const MAX_ATTACHMENT_BYTES = 4 * 1024 * 1024;

function toAttachment({ name, contentType, body }: AttachmentInput): Attachment {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  if (bytes.length > MAX_ATTACHMENT_BYTES) {
    const text = messages.t('attachment.tooLarge', { bytes: { bytes: bytes.length }, limit: { bytes: MAX_ATTACHMENT_BYTES } });
    return { name, contentType: 'text/plain', encoding: 'utf8', body: text };
  }
  return contentType.startsWith('image/')
    ? { name, contentType, encoding: 'base64', body: bytes.toString('base64') }
    : { name, contentType, encoding: 'utf8', body: bytes.toString('utf8') };
}

/** One attempt of a check: fresh context and processes, torn down before it returns. */
export async function runCheckAttempt(input: CheckRunInput): Promise<AttemptOutcome> {
  const { check, sandbox } = input;
  const seed = deriveSeed(input.runSeed, `${sandbox.meta.id}/${check.id}`);
  const random = new Random(seed);
  const transcript = new Transcript();
  const scope = sandbox.scope();
  const tcpProbes: TcpProbe[] = [];
  const udpProbes: UdpProbe[] = [];
  const attachments: Attachment[] = [];
  const started = performance.now();
  const timeoutMs = sandbox.scaled(check.timeoutMs ?? sandbox.meta.timeouts.checkMs);

  const { failures, shared, met } = input.state;
  const order = input.order ?? input.state.started;
  // A failure to start (or to load a shared input) repeats on every try: the first check
  // that meets it reports it; later checks that need the same thing are skipped quickly.
  // A failure in the code (syntax, stripping, a missing file) is recorded under `key`, and
  // skips every later start of that entry; a failure of the start itself (a crash, never
  // listening) under `key` and the start's settings, and skips only starts with the same
  // settings: a server that crashes only when one check's env names a missing folder still
  // gets the checks that start it otherwise.
  const guarded = <T>(key: string, settings: string, attempt: () => Promise<T>): Promise<T> => {
    // Only a failure owned by an earlier check skips this one: under the concurrent
    // scheduling a later check may have met it first, and this one then meets it itself.
    for (const failureKey of [key, `${key} ${settings}`]) {
      const failed = failures.get(failureKey);
      if (failed && failed.order <= order) {
        met.set(check.id, failureKey);
        return Promise.reject(new SkipCheck(skipMessage(failed)));
      }
    }
    return attempt().catch((error: unknown) => {
      if (error instanceof SubmissionError && error.repeatsEveryTry) {
        const failureKey = error.inTheCode ? key : `${key} ${settings}`;
        const owner = failures.get(failureKey);
        if (!owner || owner.order > order) failures.set(failureKey, { error, checkId: check.id, order });
        met.set(check.id, failureKey);
      }
      throw error;
    });
  };
  const entryKey = (entry: string | undefined) => `entry:${entry ?? sandbox.meta.entryFiles[0]!}`;

  const abort = new AbortController();
  const context: CheckContext = {
    exercise: sandbox.meta,
    signal: abort.signal,
    seed,
    random,
    transcript,
    options: input.options,
    codeDir: sandbox.codeDir,
    ms: (milliseconds) => sandbox.scaled(milliseconds),
    startServer: (options = {}) => guarded(entryKey(options.entry), startSettings(options), () => scope.startServer(options)),
    runProgram: (options) =>
      options.harness
        ? scope.runProgram(options)
        : guarded(entryKey(options.entry), startSettings(options), () => scope.runProgram(options)),
    shared<T>(key: string, load: () => Promise<T>): Promise<T> {
      return guarded(`shared:${key}`, '', () => {
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
    attach: (attachment) => attachments.push(toAttachment(attachment)),
  };

  let thrown: unknown;
  let timer: NodeJS.Timeout | undefined;
  const bodyStarted = performance.now();
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
    abort.abort();
  }

  // Did a server die under the check? That is the real cause of whatever the probes saw.
  // A connection the server dropped may be the first sign of a crash whose exit we have not
  // yet heard of: give the exit a moment to arrive (failures only; passing checks never wait).
  const bodyMs = performance.now() - bodyStarted;
  const graceStarted = performance.now();
  if (thrown !== undefined && tcpProbes.some((p) => p.wasReset || p.peerEnded)) {
    const running = scope.processes.filter((p) => !p.hasExited);
    if (running.length > 0) await Promise.race([Promise.any(running.map((p) => p.exited)), delay(EXIT_GRACE_MS)]);
  }
  const exitGraceMs = performance.now() - graceStarted;
  // Only servers crash: a program or harness run to completion exits by itself, and its own
  // check judges how (exit code, output).
  const crashed = scope.servers.find((p) => p.hasExited && !p.exitInfo!.killedByGrader);
  const output = excerptOf(scope.processes);
  for (const probe of tcpProbes) probe.destroy();
  for (const probe of udpProbes) probe.close();
  const teardownStarted = performance.now();
  await scope.teardown();
  const teardownMs = performance.now() - teardownStarted;

  if (thrown instanceof InfrastructureError) throw thrown;
  const round = (ms: number) => Math.max(0, Math.round(ms * 10) / 10);
  const timing: CheckTiming = {
    startedAtMs: round(started - (input.gradingStartedAt ?? started)),
    queuedMs: round(input.turn?.queuedMs ?? 0),
    serverStartMs: round(scope.timing.serverStartMs),
    programMs: round(scope.timing.programMs),
    probeMs: round(bodyMs - scope.timing.serverStartMs - scope.timing.programMs),
    exitGraceMs: round(exitGraceMs),
    teardownMs: round(teardownMs),
    starts: scope.processes.length,
    ...(input.turn?.alone ? { alone: true } : {}),
  };
  // A check that started no process and opened no connection only read files (quiz answers,
  // the submission's code): nothing in it depends on timing, so a re-run would only repeat it.
  const timingDependent = scope.processes.length > 0 || tcpProbes.length > 0 || udpProbes.length > 0;
  const retryable = (result: CheckResult): AttemptOutcome => ({ result, retryable: timingDependent });

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
    timing,
    ...(attachments.length > 0 ? { attachments } : {}),
  };

  if (thrown === undefined) return { result: { ...base, status: 'passed', points: check.points, message: '' }, retryable: false };
  if (thrown instanceof SkipCheck) return { result: { ...base, status: 'skipped', points: 0, message: thrown.message }, retryable: false };
  if (thrown instanceof SubmissionError) {
    return {
      result: {
        ...base,
        status: 'error',
        points: 0,
        message: verdicts.t('run.error', { title: thrown.title, message: thrown.message }),
        ...(thrown.excerpt ? { actual: thrown.excerpt } : {}),
      },
      // A start failure repeats on every try (and later checks are skipped for it); a crash,
      // a flood or a program that ran too long happened during this check.
      retryable: timingDependent && !thrown.repeatsEveryTry,
    };
  }
  if (crashed) {
    const exit = crashed.exitInfo!;
    const how = describeExit(exit);
    const cause = thrownError(crashed.stderr.text());
    const limit = describeLimitHit(exit, crashed.stderr.text(), sandbox.config.limits);
    return retryable({
      ...base,
      status: 'error',
      points: 0,
      message: limit
        ? verdicts.t('run.limitDuring', { limit, then: (thrown as Error).message })
        : cause
          ? verdicts.t('run.crashThrown', { how, error: cause, then: (thrown as Error).message })
          : verdicts.t('run.crash', { how, then: (thrown as Error).message }),
      ...(thrown instanceof CheckFailure && thrown.expected !== undefined ? { expected: thrown.expected } : {}),
      actual: crashed.stderr.excerpt(20),
    });
  }
  if (thrown instanceof CheckTimeout) {
    return retryable({
      ...base,
      status: 'timeout',
      points: 0,
      message: verdicts.t('run.timeout', { ms: { ms: thrown.timeoutMs } }),
    });
  }
  if (thrown instanceof CheckFailure) {
    return retryable({
      ...base,
      status: 'failed',
      points: 0,
      message: thrown.message,
      ...(thrown.expected !== undefined ? { expected: thrown.expected } : {}),
      ...(thrown.actual !== undefined ? { actual: thrown.actual } : {}),
    });
  }
  // A bug in the check itself: say so plainly rather than blame the student silently (and
  // do not re-run it: a pass on a re-run would make the grader's bug the student's flaky check).
  const error = thrown as Error;
  return {
    result: {
      ...base,
      status: 'error',
      points: 0,
      message: verdicts.t('run.internal', { error: String(error?.stack ?? error) }),
    },
    retryable: false,
  };
}


/**
 * The settings a start depends on, as a stable key: environment, fixture files (names and
 * contents), arguments, Node options, stdin. Two starts with equal keys start the program
 * the same way; deadlines and callbacks do not count.
 */
export function startSettings(options: ServerOptions | ProgramOptions): string {
  const hash = createHash('sha256');
  const env = Object.entries(options.env ?? {}).sort(([a], [b]) => a.localeCompare(b));
  hash.update(JSON.stringify(env));
  for (const [name, content] of Object.entries(options.fixtures ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    hash.update(`\0${name}\0${content.length}\0`).update(content);
  }
  const program = options as Partial<ProgramOptions>;
  hash.update(JSON.stringify([program.args ?? [], program.nodeArgs ?? [], options.stdin ?? null]));
  return hash.digest('hex').slice(0, 16);
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
