/**
 * Grades one submission folder: for each exercise, copy its code, run its checks (each with
 * fresh processes), score, and tell the reporters as it goes, in check order. The checks run
 * one after another (`sequential`) or side by side (`concurrent`, see scheduler.ts).
 * Knows nothing of HTML, terminals or files of results.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { ExerciseDefinition, GradeOptions } from '../exercise/define.ts';
import { RESULTS_SCHEMA_VERSION, type CheckResult, type ExerciseResult, type SubmissionResult } from '../model/results.ts';
import type { Multiplexer } from '../reporters/reporter.ts';
import { ExerciseSandbox, type SandboxConfig } from '../sandbox/sandbox.ts';
import { Workspace } from '../sandbox/workspace.ts';
import { describeIsolation } from '../sandbox/limits.ts';
import { inPrivateNetwork, isolationModeFromEnv, resolveIsolation } from '../sandbox/isolation.ts';
import { scoreChecks } from '../scoring/score.ts';
import { GRADER_VERSION } from '../version.ts';
import { exerciseTitle } from '../model/exercise.ts';
import { currentLanguage } from '../i18n/language.ts';
import pLimit from 'p-limit';
import { OrderedLanes } from './ordered-lanes.ts';
import { asScheduledInOrder, firstFailure, newExerciseRunState, runCheck } from './run-check.ts';
import { CpuPressure } from './cpu-pressure.ts';
import { CheckGate, defaultCheckSlots, resolveSchedule, type Schedule } from './scheduler.ts';
import { isExclusive } from './exclusive-checks.ts';
import { verdicts } from '../i18n/verdicts.ts';

export interface GradeRequest {
  submissionDir: string;
  exercises: ExerciseDefinition[];
  seed: number;
  options: GradeOptions;
  sandbox: SandboxConfig;
  reporter: Multiplexer;
  /** Only these check ids (all when empty). */
  checkIds?: string[];
  /** Re-runs of a failed check with the same seed (default 1; 0: none). See `runCheck`. */
  retries?: number | undefined;
  /**
   * Exercises graded at the same time (default 1). Each has its own servers, ports and
   * directories; reporters still see them one after another (OrderedLanes).
   */
  exerciseConcurrency?: number | undefined;
  /**
   * How checks are scheduled (default: env NETGRADE_SCHEDULE, else `DEFAULT_SCHEDULE`).
   * `concurrent` ignores `exerciseConcurrency`: every exercise's checks share one queue.
   */
  schedule?: Schedule | undefined;
  /** Checks at once under the concurrent scheduling, at most (default `defaultCheckSlots()`). */
  checkSlots?: number | undefined;
  /**
   * Under the concurrent scheduling, start another check beside running ones only while the
   * CPUs are not contended (see cpu-pressure.ts; default true, env NETGRADE_CPU_PRESSURE=0 turns it off).
   */
  throttle?: boolean | undefined;
  /**
   * Cancels the grading (`grade --watch`, on a save during a run): every process of the
   * checks under way is killed at once, no further check starts, and the promise rejects
   * with the signal's reason once every check has ended. Reporters get no onSubmissionEnd.
   */
  signal?: AbortSignal | undefined;
}

/**
 * For an exercise not submitted: its entry files found at the top of the graded folder,
 * named with the place they belong (`sticky-packets/server.ts`); when the name is an entry of
 * several graded exercises, which ones it could be. Undefined when none is there.
 */
export function misplacedEntries(submissionPath: string, meta: ExerciseDefinition['meta'], sharers: Map<string, string[]>): string | undefined {
  const found = meta.entryFiles.filter((file) => existsSync(join(submissionPath, file)) && statSync(join(submissionPath, file)).isFile());
  if (found.length === 0) return undefined;
  const shared = found.find((file) => (sharers.get(file)?.length ?? 0) > 1);
  if (shared && found.length === 1) {
    return verdicts.t('notSubmitted.misplacedShared', { file: shared, targets: { or: sharers.get(shared)!.map((id) => `${id}/${shared}`) } });
  }
  return verdicts.t('notSubmitted.misplaced', { files: found, n: found.length, targets: found.map((file) => `${meta.id}/${file}`) });
}

export async function gradeSubmission(request: GradeRequest): Promise<SubmissionResult> {
  const submissionPath = resolve(request.submissionDir);
  const startedAt = new Date();
  const started = performance.now();
  const submission = { name: basename(submissionPath), path: submissionPath };
  const plans = await Promise.all(
    request.exercises.map(async (exercise) => {
      const all = await exercise.checks({ options: request.options });
      const checks = request.checkIds?.length ? all.filter((c) => request.checkIds!.includes(c.id)) : all;
      return { exercise, checks };
    }),
  );
  await request.reporter.emit('onBegin', {
    submission,
    seed: request.seed,
    exercises: plans.map(({ exercise, checks }) => ({ id: exercise.meta.id, title: exerciseTitle(exercise.meta, currentLanguage()), checks: checks.length })),
  });

  // Which graded exercises expect each entry file name (server.ts is shared by many).
  const sharers = new Map<string, string[]>();
  for (const { exercise } of plans) {
    for (const file of exercise.meta.entryFiles) sharers.set(file, [...(sharers.get(file) ?? []), exercise.meta.id]);
  }
  const workspace = await Workspace.create();
  const exercises: ExerciseResult[] = new Array(plans.length);
  const lanes = new OrderedLanes(request.reporter, plans.length);
  const schedule = resolveSchedule(request.schedule);
  const concurrent = schedule === 'concurrent';
  const limit = pLimit(concurrent ? Math.max(1, plans.length) : Math.max(1, request.exerciseConcurrency ?? 1));
  // Nothing starts until every exercise has queued its checks (its code copied): then the
  // exclusive checks go first, alone while nothing else has started yet, instead of waiting
  // in the middle for a full set of slots to drain. Reports keep check order.
  const gate = concurrent ? new CheckGate(request.checkSlots ?? defaultCheckSlots(), {
        holdFor: plans.length,
        ...((request.throttle ?? process.env.NETGRADE_CPU_PRESSURE !== '0') ? { pressure: new CpuPressure() } : {}),
      }) : undefined;
  const sandboxes = new Set<ExerciseSandbox>();
  const onAbort = () => {
    for (const sandbox of sandboxes) void sandbox.abort();
  };
  request.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    request.signal?.throwIfAborted();
    const settled = await Promise.allSettled(plans.map((plan, index) => limit(async () => {
      request.signal?.throwIfAborted();
      const { exercise, checks } = plan;
      const emit = lanes.lane(index);
      let queued = false;
      const arrive = () => {
        if (!queued) gate?.arrive();
        queued = true;
      };
      try {
        const { meta } = exercise;
        const folder = join(submissionPath, meta.id);
        const submitted = existsSync(folder) && statSync(folder).isDirectory();
        await emit('onExerciseBegin', { id: meta.id, title: exerciseTitle(meta, currentLanguage()), submitted });
        const exerciseStarted = performance.now();
        const results: CheckResult[] = [];
        const notes: string[] = [];
        let verdict: ExerciseResult['verdict'];

        if (!submitted) {
          const misplaced = misplacedEntries(submissionPath, meta, sharers);
          verdict = {
            code: 'NOT_SUBMITTED',
            title: verdicts.t('notSubmitted.title', { folder: `${meta.id}/` }),
            message: misplaced ?? verdicts.t('notSubmitted.message', { folder: `${meta.id}/`, files: meta.entryFiles }),
          };
          for (const check of checks) {
            const result: CheckResult = {
              id: check.id,
              title: check.title,
              ...(check.part === undefined ? {} : { part: check.part }),
              ...(check.visibility === undefined ? {} : { visibility: check.visibility }),
              status: 'skipped',
              points: 0,
              maxPoints: check.points,
              message: verdicts.t('notSubmitted.check'),
              transcript: [],
              durationMs: 0,
              seed: 0,
            };
            results.push(result);
            await emit('onCheckEnd', meta.id, result);
          }
        } else {
          const { dir: codeDir, report } = await workspace.copyCode(folder);
          for (const skipped of report.skipped) notes.push(verdicts.t('leftOut', { what: skipped }));
          const sandbox = new ExerciseSandbox(workspace, meta, codeDir, request.sandbox);
          sandboxes.add(sandbox);
          const state = newExerciseRunState();
          const common = { sandbox, runSeed: request.seed, options: request.options, state, retries: request.retries, gradingStartedAt: started };
          if (!gate) {
            for (const check of checks) {
              request.signal?.throwIfAborted();
              const result = await runCheck({ ...common, check });
              request.signal?.throwIfAborted();
              results.push(result);
              await emit('onCheckEnd', meta.id, result);
            }
          } else {
            const running = checks.map((check, order) =>
              gate.run(isExclusive(meta.id, check), (turn) => {
                request.signal?.throwIfAborted();
                return runCheck({ ...common, check, order, turn });
              }),
            );
            arrive();
            // Whatever happens, every check ends before the exercise does (its processes torn down).
            const settledChecks = Promise.allSettled(running);
            try {
              for (const pending of running) {
                const result = asScheduledInOrder(await pending, state);
                request.signal?.throwIfAborted();
                results.push(result);
                await emit('onCheckEnd', meta.id, result);
              }
            } finally {
              await settledChecks;
            }
          }
          const first = firstFailure(state);
          if (first) {
            verdict = {
              code: first.error.code,
              title: first.error.title,
              message: first.error.message,
              ...(first.error.excerpt ? { excerpt: first.error.excerpt } : {}),
            };
          }
        }

        const score = scoreChecks(results, meta.parts);
        const result: ExerciseResult = {
          id: meta.id,
          title: exerciseTitle(meta, currentLanguage()),
          submitted,
          ...score,
          ...(verdict ? { verdict } : {}),
          notes,
          checks: results,
          durationMs: Math.round(performance.now() - exerciseStarted),
        };
        exercises[index] = result;
        await emit('onExerciseEnd', result);
        await lanes.finish(index);
      } finally {
        arrive();
      }
    })));
    // Every lane has ended before the workspace goes; then the first grader failure surfaces.
    request.signal?.throwIfAborted();
    const failure = settled.find((r) => r.status === 'rejected');
    if (failure) throw failure.reason;
  } finally {
    request.signal?.removeEventListener('abort', onAbort);
    await Promise.all([...sandboxes].map((sandbox) => sandbox.settle()));
    await workspace.dispose();
  }

  const result: SubmissionResult = {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    grader: { name: 'netgrade', version: GRADER_VERSION, node: process.version },
    submission,
    seed: request.seed,
    language: currentLanguage(),
    isolation: describeIsolation(request.sandbox.limits, request.sandbox.isolation ?? resolveIsolation(isolationModeFromEnv()), inPrivateNetwork()),
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    schedule,
    score: exercises.reduce((sum, e) => sum + e.score, 0),
    maxScore: exercises.reduce((sum, e) => sum + e.maxScore, 0),
    exercises,
  };
  await request.reporter.emit('onSubmissionEnd', result);
  return result;
}

