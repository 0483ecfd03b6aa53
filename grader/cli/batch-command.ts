/**
 * `netgrade batch <folder>` and `netgrade merge <dirs...>`: class grading (see
 * docs/batch-and-ci.md). Exit codes as `grade`: 0 every student passed every check,
 * 1 points were lost (or a submission could not be graded: unreadable archive),
 * 3 the grader itself failed for at least one student (crash, timeout). `--exit-zero` (batch
 * and merge) turns 1 into 0 (points lost are the class's grades, not a failure of the run); 3 stays.
 */
import { resolve } from 'node:path';
import { runBatch } from '../batch/batch.ts';
import { mergeClassResults, readClassResult } from '../batch/merge.ts';
import { progressFor } from '../batch/progress.ts';
import { loadExercises } from '../exercise/registry.ts';
import type { ClassResult } from '../model/class.ts';
import { writeClassOutputs } from '../reporters/class-report.ts';
import type { BatchCliOptions } from './options.ts';
import { cliMessages } from '../i18n/cli-messages.ts';

const { t } = cliMessages;

export function classExitCode(klass: ClassResult): number {
  if (klass.students.some((s) => s.error?.code.startsWith('GRADER_'))) return 3;
  const allPassed = klass.students.every((s) => s.result && s.result.exercises.every((e) => e.checks.every((c) => c.status === 'passed')));
  return allPassed ? 0 : 1;
}

/** The exit code of a class run under `--exit-zero`: lost points exit 0, a grader failure still 3. */
export function withExitZero(code: number, exitZero: boolean): number {
  return exitZero && code === 1 ? 0 : code;
}

export async function batchCommand(classDir: string, options: BatchCliOptions): Promise<number> {
  const exercises = await loadExercises(options.exercise);
  const outDir = resolve(options.out);
  const klass = await runBatch({
    classDir,
    outDir,
    exercises,
    checkIds: options.check,
    seed: options.seed,
    timeScale: options.timeScale,
    retries: options.retries,
    quizBank: options.quizBank,
    concurrency: options.concurrency,
    shard: options.shard,
    progress: progressFor(options.progress),
    schedule: options.schedule,
  });
  await writeClassOutputs(klass, outDir);
  const graded = klass.students.filter((s) => s.result).length;
  process.stderr.write(t('batch.done', { graded: String(graded), students: String(klass.students.length), path: resolve(outDir, 'index.html') }) + '\n');
  return withExitZero(classExitCode(klass), options.exitZero);
}

export async function mergeCommand(dirs: string[], out: string, exitZero = false): Promise<number> {
  const shards = await Promise.all(dirs.map(async (dir) => ({ dir, result: await readClassResult(dir) })));
  const klass = mergeClassResults(shards);
  await writeClassOutputs(klass, resolve(out));
  process.stderr.write(t('merge.done', { students: String(klass.students.length), n: dirs.length, path: resolve(out) }) + '\n');
  return withExitZero(classExitCode(klass), exitZero);
}
