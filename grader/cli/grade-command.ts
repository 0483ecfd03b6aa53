/**
 * `netgrade grade <submission...>`: grade folders, report, and exit 0 when every graded
 * check passed, 1 when points were lost.
 */
import { existsSync, statSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { exerciseIds, loadExercises } from '../exercise/registry.ts';
import { watchCommand } from './watch-command.ts';
import { UsageError } from '../model/errors.ts';
import type { SubmissionResult } from '../model/results.ts';
import { CiReporter, type CiFormat } from '../reporters/ci-formats.ts';
import { HtmlReporter } from '../reporters/html.ts';
import { JsonReporter } from '../reporters/json.ts';
import { Multiplexer, type Reporter } from '../reporters/reporter.ts';
import { TerminalReporter } from '../reporters/terminal.ts';
import { gradeSubmission } from '../runner/grade-submission.ts';
import { DEFAULT_SANDBOX_CONFIG } from '../sandbox/sandbox.ts';
import type { GradeCliOptions } from './options.ts';
import { cliMessages } from '../i18n/cli-messages.ts';

const { t } = cliMessages;

export async function gradeCommand(submissions: string[], options: GradeCliOptions): Promise<number> {
  for (const folder of submissions) {
    if (!existsSync(folder) || !statSync(folder).isDirectory()) {
      throw new UsageError(t('grade.notFound', { folder }));
    }
  }
  // A folder named like an exercise (`my-work/sticky-packets`, or `.` inside it) that is not
  // itself a submission: grade that exercise of its parent folder.
  const known = await exerciseIds();
  submissions = submissions.map((folder) => {
    const id = basename(resolve(folder));
    const holdsExercises = known.some((k) => existsSync(join(folder, k)));
    if (!known.includes(id) || holdsExercises) return folder;
    if (!options.exercise.includes(id)) options = { ...options, exercise: [...options.exercise, id] };
    process.stderr.write(t('grade.exerciseFolder', { folder, exercise: id }) + '\n');
    return dirname(resolve(folder));
  });
  const exercises = await loadExercises(options.exercise);
  if (options.watch) {
    return watchCommand({
      submission: submissions[0]!,
      exercises,
      seed: options.seed ?? randomInt(0, 2 ** 31),
      options: { quizBank: options.quizBank },
      sandbox: { ...DEFAULT_SANDBOX_CONFIG, timeScale: options.timeScale },
      checkIds: options.check,
      retries: options.retries,
    });
  }
  const seed = options.seed ?? randomInt(0, 2 ** 31);
  const outBase = resolve(options.out ?? 'reports');
  const several = submissions.length > 1 || options.out === undefined;
  const outDir = (result: SubmissionResult) => (several ? join(outBase, result.submission.name) : outBase);
  const replay = (result: SubmissionResult) => {
    const parts = ['npx netgrade grade', relative(process.cwd(), result.submission.path) || '.', `--seed ${result.seed}`];
    for (const id of options.exercise) parts.push(`--exercise ${id}`);
    return parts.join(' ');
  };

  let allPassed = true;
  for (const submission of submissions) {
    const reporters: Reporter[] = [];
    if (options.reporter.includes('terminal')) {
      reporters.push(
        new TerminalReporter({
          footer: (result) => [
            t('grade.replay', { command: replay(result) }),
            ...(options.reporter.includes('html') ? [t('grade.htmlReport', { path: relative(process.cwd(), join(outDir(result), 'report.html')) })] : []),
            ...(options.reporter.includes('json') ? [t('grade.jsonResults', { path: relative(process.cwd(), join(outDir(result), 'results.json')) })] : []),
          ],
        }),
      );
    }
    if (options.reporter.includes('html')) reporters.push(new HtmlReporter(outDir, replay));
    if (options.reporter.includes('json')) reporters.push(new JsonReporter(outDir));
    for (const format of ['junit', 'github', 'gradescope', 'prairielearn', 'classroom'] as const satisfies CiFormat[]) {
      if (options.reporter.includes(format)) {
        reporters.push(new CiReporter(format, { outDir, exercises, view: options.due ? { due: options.due } : {} }));
      }
    }
    const reporter = new Multiplexer(reporters);
    const result = await gradeSubmission({
      submissionDir: submission,
      exercises,
      seed,
      options: { quizBank: options.quizBank },
      sandbox: { ...DEFAULT_SANDBOX_CONFIG, timeScale: options.timeScale },
      reporter,
      checkIds: options.check,
      retries: options.retries,
      exerciseConcurrency: options.parallel,
      schedule: options.schedule,
    });
    await reporter.emit('onEnd');
    if (reporter.errors.length > 0) return 3;
    if (result.exercises.some((e) => e.checks.some((c) => c.status !== 'passed'))) allPassed = false;
  }
  return allPassed || options.exitZero ? 0 : 1;
}
