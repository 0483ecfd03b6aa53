/**
 * Grades one submission folder: for each exercise, copy its code, run its checks one
 * after another (each with fresh processes), score, and tell the reporters as it goes.
 * Knows nothing of HTML, terminals or files of results.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { ExerciseDefinition, GradeOptions } from '../exercise/define.ts';
import { InfrastructureError } from '../model/errors.ts';
import { RESULTS_SCHEMA_VERSION, type CheckResult, type ExerciseResult, type SubmissionResult } from '../model/results.ts';
import type { Multiplexer } from '../reporters/reporter.ts';
import { ExerciseSandbox, type SandboxConfig } from '../sandbox/sandbox.ts';
import { Workspace } from '../sandbox/workspace.ts';
import { describeIsolation } from '../sandbox/limits.ts';
import { scoreChecks } from '../scoring/score.ts';
import { GRADER_VERSION } from '../version.ts';
import { newExerciseRunState, runCheck } from './run-check.ts';

export interface GradeRequest {
  submissionDir: string;
  exercises: ExerciseDefinition[];
  seed: number;
  options: GradeOptions;
  sandbox: SandboxConfig;
  reporter: Multiplexer;
  /** Only these check ids (all when empty). */
  checkIds?: string[];
}


/** An infrastructure failure (port race) gets this many tries of the same check. */
const INFRA_TRIES = 3;

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
    exercises: plans.map(({ exercise, checks }) => ({ id: exercise.meta.id, title: exercise.meta.title, checks: checks.length })),
  });

  const workspace = await Workspace.create();
  const exercises: ExerciseResult[] = [];
  try {
    for (const { exercise, checks } of plans) {
      const { meta } = exercise;
      await request.reporter.emit('onExerciseBegin', { id: meta.id, title: meta.title });
      const exerciseStarted = performance.now();
      const folder = join(submissionPath, meta.id);
      const results: CheckResult[] = [];
      const notes: string[] = [];
      let verdict: ExerciseResult['verdict'];
      const submitted = existsSync(folder) && statSync(folder).isDirectory();

      if (!submitted) {
        verdict = {
          code: 'NOT_SUBMITTED',
          title: `No folder ${meta.id}/ in the submission`,
          message: `Put this exercise's files in ${meta.id}/ inside your submission folder (${meta.entryFiles.join(', ')}).`,
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
            message: 'Not run: the exercise was not submitted.',
            transcript: [],
            durationMs: 0,
            seed: 0,
          };
          results.push(result);
          await request.reporter.emit('onCheckEnd', meta.id, result);
        }
      } else {
        const { dir: codeDir, report } = await workspace.copyCode(folder);
        for (const skipped of report.skipped) notes.push(`Left out of grading: ${skipped}.`);
        const sandbox = new ExerciseSandbox(workspace, meta, codeDir, request.sandbox);
        const state = newExerciseRunState();
        for (const check of checks) {
          let result: CheckResult | undefined;
          for (let attempt = 1; !result; attempt++) {
            try {
              result = await runCheck({ check, sandbox, runSeed: request.seed, options: request.options, state });
            } catch (error) {
              if (!(error instanceof InfrastructureError) || attempt >= INFRA_TRIES) throw error;
            }
          }
          results.push(result);
          await request.reporter.emit('onCheckEnd', meta.id, result);
        }
        const first = [...state.failures.values()][0];
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
        title: `${meta.title} (${meta.titleZh})`,
        submitted,
        ...score,
        ...(verdict ? { verdict } : {}),
        notes,
        checks: results,
        durationMs: Math.round(performance.now() - exerciseStarted),
      };
      exercises.push(result);
      await request.reporter.emit('onExerciseEnd', result);
    }
  } finally {
    await workspace.dispose();
  }

  const result: SubmissionResult = {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    grader: { name: 'netgrade', version: GRADER_VERSION, node: process.version },
    submission,
    seed: request.seed,
    isolation: describeIsolation(request.sandbox.limits),
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    score: exercises.reduce((sum, e) => sum + e.score, 0),
    maxScore: exercises.reduce((sum, e) => sum + e.maxScore, 0),
    exercises,
  };
  await request.reporter.emit('onSubmissionEnd', result);
  return result;
}
