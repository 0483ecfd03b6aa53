/**
 * Grades one student's submission in its own Node process, so that a grader crash caused by
 * one submission (an uncaught error, memory exhaustion, a hang) costs only that student's
 * result. Usage (internal, by batch.ts):
 *   node grader/batch/worker.ts <request.json> <result.json>
 * The request is a `WorkerRequest`; the result is a `SubmissionResult`, written atomically.
 */
import { readFile } from 'node:fs/promises';
import { resolveLanguage, setProcessLanguage } from '../i18n/language.ts';
import { loadExercises } from '../exercise/registry.ts';
import { annotateVisibility } from '../reporters/ci-formats.ts';
import { writeJsonAtomically } from '../reporters/json.ts';
import { Multiplexer } from '../reporters/reporter.ts';
import { gradeSubmission } from '../runner/grade-submission.ts';
import type { Schedule } from '../runner/scheduler.ts';
import { DEFAULT_SANDBOX_CONFIG } from '../sandbox/sandbox.ts';

export interface WorkerRequest {
  submissionDir: string;
  exerciseIds: string[];
  checkIds: string[];
  seed: number;
  timeScale: number;
  /** Re-runs of a failed check with the same seed (default 1). */
  retries?: number;
  /** How the checks are scheduled (default: env NETGRADE_SCHEDULE, else the default). */
  schedule?: Schedule;
  quizBank?: string;
}

async function work(requestFile: string, resultFile: string): Promise<void> {
  // The batch passes its language down in NETGRADE_LANG (set by the CLI for its children).
  setProcessLanguage(resolveLanguage(undefined));
  const request = JSON.parse(await readFile(requestFile, 'utf8')) as WorkerRequest;
  const exercises = await loadExercises(request.exerciseIds);
  const result = await gradeSubmission({
    submissionDir: request.submissionDir,
    exercises,
    seed: request.seed,
    options: { quizBank: request.quizBank },
    sandbox: { ...DEFAULT_SANDBOX_CONFIG, timeScale: request.timeScale },
    reporter: new Multiplexer([]),
    checkIds: request.checkIds,
    retries: request.retries,
    schedule: request.schedule,
  });
  await writeJsonAtomically(resultFile, await annotateVisibility(result, exercises));
}

if (import.meta.main) {
  const [requestFile, resultFile] = process.argv.slice(2);
  try {
    await work(requestFile!, resultFile!);
    process.exitCode = 0;
  } catch (error) {
    process.stderr.write(`netgrade worker: ${(error as Error).stack ?? error}\n`);
    process.exitCode = 3;
  }
}
