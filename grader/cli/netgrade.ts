#!/usr/bin/env node
/**
 * The netgrade command line. Options are declared as data with commander; values are
 * validated with zod (options.ts). Exit codes: 0 every graded check passed, 1 points were
 * lost, 2 usage error, 3 the grader itself failed (never the student's fault).
 */
import { Command, CommanderError, Option } from 'commander';
import { z } from 'zod';
import { exerciseIds, loadExercise } from '../exercise/registry.ts';
import { InfrastructureError, UsageError } from '../model/errors.ts';
import { GRADER_VERSION } from '../version.ts';
import { batchCommand, mergeCommand } from './batch-command.ts';
import { gradeCommand } from './grade-command.ts';
import { chooseIsolation, rerunInNetworkJail } from './network-jail.ts';
import { BatchCliOptions, GradeCliOptions, REPORTERS } from './options.ts';
import { DEFAULT_RETRIES } from '../runner/run-check.ts';

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',').filter(Boolean)];

/** `argv`: the user's arguments, to re-run the same command inside the network sandbox. */
function program(setExitCode: (code: number) => void, argv: string[]): Command {
  const cli = new Command('netgrade')
    .description('Grades concurrent network programming exercises written in TypeScript for Node.js.')
    .version(GRADER_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  cli
    .command('grade')
    .description('Grade one or more submission folders (each has one sub-folder per exercise).')
    .argument('<submission...>', 'submission folder(s)')
    .addOption(new Option('-e, --exercise <id>', 'grade only this exercise (repeatable)').argParser(collect))
    .addOption(new Option('--check <id>', 'run only this check (repeatable)').argParser(collect))
    .option('-r, --reporter <list>', `comma-separated reporters: ${REPORTERS.join(', ')}`, 'terminal,html,json')
    .option('-o, --out <dir>', 'where reports go (default: reports/<submission-name>)')
    .option('--seed <n>', 'seed of every random choice; the report shows it, reuse it to replay')
    .option('--quiz-bank <dir>', 'stage-exam: a folder with a private bank.json (extra questions, private key)')
    .option('--time-scale <x>', 'multiply every deadline (slow or loaded machines)', '1')
    .option('--isolation <mode>', 'auto: a bubblewrap sandbox per process and a private network when available, else limits only; bwrap: require it; none', 'auto')
    .option('--retries <n>', 're-runs of a failed check with the same seed; a check that passes on a re-run is flaky (no points); 0: no re-runs', String(DEFAULT_RETRIES))
    .option('-p, --parallel <n>', 'exercises graded at the same time (default: 2 on a machine with 2 or more cores)')
    .option('--exit-zero', 'exit 0 even when points were lost (demos, dashboards); errors still exit 2 or 3')
    .option('--due <date>', 'due date: checks marked after-due-date show in student-facing formats from then on')
    .action(async (submissions: string[], raw: Record<string, unknown>) => {
      const parsed = GradeCliOptions.safeParse(raw);
      if (!parsed.success) throw new UsageError(z.prettifyError(parsed.error));
      chooseIsolation(parsed.data.isolation);
      const jailed = await rerunInNetworkJail(argv);
      setExitCode(jailed ?? (await gradeCommand(submissions, parsed.data)));
    });

  cli
    .command('batch')
    .description('Grade a class: every sub-folder (or .zip / .tar.gz) of <folder> is one student. Resumable. See docs/batch-and-ci.md.')
    .argument('<folder>', 'the class folder')
    .option('-o, --out <dir>', 'where the class outputs go', 'class-reports')
    .option('-j, --concurrency <n>', 'students graded at once (default: the number of cores)')
    .addOption(new Option('-e, --exercise <id>', 'grade only this exercise (repeatable)').argParser(collect))
    .addOption(new Option('--check <id>', 'run only this check (repeatable)').argParser(collect))
    .option('--shard <i/n>', 'grade only shard i of n (1-based); merge the shards with `netgrade merge`')
    .option('--seed <n>', 'one seed for every student (default: each student\'s derives from their submission\'s content)')
    .option('--quiz-bank <dir>', 'stage-exam: a folder with a private bank.json')
    .option('--time-scale <x>', 'multiply every deadline (slow or loaded machines)', '1')
    .option('--isolation <mode>', 'auto: a bubblewrap sandbox per process and a private network when available, else limits only; bwrap: require it; none', 'auto')
    .option('--retries <n>', 're-runs of a failed check with the same seed; a check that passes on a re-run is flaky (no points); 0: no re-runs', String(DEFAULT_RETRIES))
    .option('--exit-zero', 'exit 0 even when points were lost (demos, dashboards); errors still exit 2 or 3')
    .addOption(new Option('--progress <mode>', 'progress display').choices(['auto', 'bar', 'lines', 'none']).default('auto'))
    .action(async (folder: string, raw: Record<string, unknown>) => {
      const parsed = BatchCliOptions.safeParse(raw);
      if (!parsed.success) throw new UsageError(z.prettifyError(parsed.error));
      chooseIsolation(parsed.data.isolation);
      setExitCode(await batchCommand(folder, parsed.data));
    });

  cli
    .command('merge')
    .description('Build the class outputs from the out folders of `netgrade batch --shard` runs.')
    .argument('<dirs...>', 'the shards\' out folders')
    .requiredOption('-o, --out <dir>', 'where the merged class outputs go')
    .action(async (dirs: string[], raw: { out: string }) => {
      setExitCode(await mergeCommand(dirs, raw.out));
    });

  cli
    .command('list')
    .description('List the exercises and their checks.')
    .action(async () => {
      for (const id of await exerciseIds()) {
        const exercise = await loadExercise(id);
        const checks = await exercise.checks({ options: {} });
        const total = checks.reduce((sum, c) => sum + c.points, 0);
        process.stdout.write(`${id}  ${exercise.meta.title} (${exercise.meta.titleZh}), ${checks.length} checks, ${total} points\n`);
        for (const check of checks) process.stdout.write(`    ${check.id.padEnd(34)} ${String(check.points).padStart(3)}  ${check.title}\n`);
      }
    });
  return cli;
}

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  try {
    await program((code) => (exitCode = code), argv).parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with code 0; anything else is a usage error.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`netgrade: ${error.message}\n`);
      return 2;
    }
    if (error instanceof InfrastructureError) {
      process.stderr.write(`netgrade: grading could not go on (${error.code}): ${error.message}\n`);
      return 3;
    }
    process.stderr.write(`netgrade: internal error: ${(error as Error).stack ?? error}\n`);
    return 3;
  }
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
