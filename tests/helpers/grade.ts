/**
 * Grading helpers for the test suite: put an exercise folder into a temporary submission,
 * grade it with no reporters, and hand back the exercise's result.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { loadExercise, REPO_ROOT } from '../../grader/exercise/registry.ts';
import type { GradeOptions } from '../../grader/exercise/define.ts';
import type { ExerciseResult, SubmissionResult } from '../../grader/model/results.ts';
import { Multiplexer } from '../../grader/reporters/reporter.ts';
import { gradeSubmission } from '../../grader/runner/grade-submission.ts';
import { DEFAULT_SANDBOX_CONFIG } from '../../grader/sandbox/sandbox.ts';
import { liveGroups } from '../../grader/sandbox/process-registry.ts';
import type { ResourceLimits } from '../../grader/sandbox/limits.ts';

export const SOLUTIONS = join(REPO_ROOT, 'solutions');
export const VARIANTS = join(REPO_ROOT, 'tests', 'variants');
export const HOSTILE = join(REPO_ROOT, 'tests', 'fixtures', 'hostile');

export interface Variant {
  slug: string;
  mistake: string;
  failsChecks: string[];
  /**
   * Checks the variant may also lose, or pass only on the re-run, depending on the machine's
   * load, with the reason: for a variant whose mistake is itself a race decided by the
   * operating system (sleeps standing in for coordination), not by the grader. Rare; each
   * one says why in `why`.
   */
  mayAlsoFail?: { checks: string[]; why: string };
}

export function variantsOf(exerciseId: string): Variant[] {
  return JSON.parse(readFileSync(join(VARIANTS, exerciseId, 'variants.json'), 'utf8')) as Variant[];
}

/** Grades `folder` as the submission's `<exerciseId>/` folder. */
export async function gradeExerciseFolder(
  exerciseId: string,
  folder: string,
  options: {
    seed?: number;
    gradeOptions?: GradeOptions;
    checkIds?: string[];
    limits?: Partial<ResourceLimits>;
    timeScale?: number;
    /** Re-runs of a failed check (the grader's default when undefined). */
    retries?: number;
  } = {},
): Promise<{ exercise: ExerciseResult; result: SubmissionResult }> {
  const submission = await mkdtemp(join(tmpdir(), 'netgrade-test-submission-'));
  try {
    await cp(folder, join(submission, exerciseId), { recursive: true, verbatimSymlinks: true });
    const result = await gradeSubmission({
      submissionDir: submission,
      exercises: [await loadExercise(exerciseId)],
      seed: options.seed ?? 12345,
      options: options.gradeOptions ?? {},
      sandbox: {
        ...DEFAULT_SANDBOX_CONFIG,
        timeScale: options.timeScale ?? Number(process.env.NETGRADE_TIME_SCALE ?? 1),
        limits: { ...DEFAULT_SANDBOX_CONFIG.limits, ...options.limits },
      },
      reporter: new Multiplexer([]),
      ...(options.checkIds ? { checkIds: options.checkIds } : {}),
      ...(options.retries === undefined ? {} : { retries: options.retries }),
    });
    return { exercise: result.exercises[0]!, result };
  } finally {
    await rm(submission, { recursive: true, force: true });
  }
}

/** Check ids that did not pass, sorted. */
export function lostChecks(exercise: ExerciseResult): string[] {
  return exercise.checks.filter((c) => c.status !== 'passed').map((c) => c.id).sort();
}

/** Check ids that were flaky (failed, then passed on the re-run with the same seed), sorted. */
export function flakyChecks(exercise: ExerciseResult): string[] {
  return exercise.checks.filter((c) => c.status === 'flaky').map((c) => c.id).sort();
}

/** A readable summary of the checks that did not pass, for assertion messages. */
export function explain(exercise: ExerciseResult): string {
  return exercise.checks
    .filter((c) => c.status !== 'passed')
    .map((c) => `${c.id} [${c.status}]: ${c.message}${c.actual ? ` | actual: ${c.actual.slice(0, 300)}` : ''}`)
    .join('\n');
}

/** Process groups the grader started and did not kill: must be none after every grading. */
export function leftoverGroups(): number[] {
  return [...liveGroups.keys()];
}
