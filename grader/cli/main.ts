/**
 * The netgrade command line (started by netgrade.ts). Options are declared as data with commander; values are
 * validated with zod (options.ts). Exit codes: 0 every graded check passed, 1 points were
 * lost, 2 usage error, 3 the grader itself failed (never the student's fault).
 */
import { Command, CommanderError, Option } from 'commander';
import { z } from 'zod';
import { exerciseIds, loadExercise } from '../exercise/registry.ts';
import { InfrastructureError, UsageError } from '../model/errors.ts';
import { GRADER_VERSION } from '../version.ts';
import { batchCommand, mergeCommand } from './batch-command.ts';
import { doctorCommand } from './doctor-command.ts';
import { exportCommand } from './export-command.ts';
import { gradeCommand } from './grade-command.ts';
import { DEFAULT_INIT_DIR, initCommand } from '../init/init-command.ts';
import { chooseIsolation, rerunInNetworkJail } from './network-jail.ts';
import { BatchCliOptions, GradeCliOptions, REPORTERS } from './options.ts';
import { DEFAULT_RETRIES } from '../runner/run-check.ts';
import { cliMessages } from '../i18n/cli-messages.ts';
import { LANGUAGES, resolveLanguage, setProcessLanguage, UnknownLanguageError } from '../i18n/language.ts';
import { helpConfiguration, translateCommanderError } from './commander-text.ts';

const { t } = cliMessages;

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',').filter(Boolean)];

/** `argv`: the user's arguments, to re-run the same command inside the network sandbox. */
function program(setExitCode: (code: number) => void, argv: string[]): Command {
  const cli = new Command('netgrade')
    .description(t('program.description'))
    .version(GRADER_VERSION, '-V, --version', t('option.version'))
    .helpOption('-h, --help', t('option.help'))
    .helpCommand('help [command]', t('command.help'))
    .showHelpAfterError(t('program.afterError'))
    .configureHelp(helpConfiguration())
    .configureOutput({ outputError: (text, write) => write(translateCommanderError(text)) })
    .addOption(new Option('--lang <code>', t('option.lang')))
    .exitOverride();
  // Every command takes --lang (read before the commands are built, so that their help is
  // in that language too: see `main`); declared here so that help lists it and parsing accepts it.
  const withLang = (command: Command) =>
    command
      .helpOption('-h, --help', t('option.help'))
      .addOption(new Option('--lang <code>', t('option.lang')))
      .configureHelp(helpConfiguration());
  // The options grade and batch share: what is graded and how.
  const gradingOptions = (command: Command) =>
    command
      .addOption(new Option('-e, --exercise <id>', t('option.exercise')).argParser(collect))
      .addOption(new Option('--check <id>', t('option.check')).argParser(collect))
      .option('--time-scale <x>', t('option.timeScale'), '1')
      .option('--isolation <mode>', t('option.isolation'), 'auto')
      .option('--retries <n>', t('option.retries'), String(DEFAULT_RETRIES))
      .option('--schedule <mode>', t('option.schedule'))
      .option('--exit-zero', t('option.exitZero'));

  gradingOptions(withLang(cli.command('grade')))
    .description(t('grade.description'))
    .argument('[submission...]', t('grade.submission'))
    .option('-w, --watch', t('option.watch'))
    .option('-r, --reporter <list>', t('option.reporter', { list: REPORTERS.join(', ') }), 'terminal,html,json')
    .option('-o, --out <dir>', t('option.out'))
    .option('--seed <n>', t('option.seed'))
    .option('--quiz-bank <dir>', t('option.quizBank'))
    .option('-p, --parallel <n>', t('option.parallel'))
    .option('--due <date>', t('option.due'))
    .action(async (submissions: string[], raw: Record<string, unknown>) => {
      const parsed = GradeCliOptions.safeParse(raw);
      if (!parsed.success) throw new UsageError(t('error.option', { details: z.prettifyError(parsed.error) }));
      chooseIsolation(parsed.data.isolation);
      const jailed = await rerunInNetworkJail(argv);
      setExitCode(jailed ?? (await gradeCommand(submissions.length > 0 ? submissions : ['.'], parsed.data)));
    });

  gradingOptions(withLang(cli.command('batch')))
    .description(t('batch.description'))
    .argument('<folder>', t('batch.folder'))
    .option('-o, --out <dir>', t('option.classOut'), 'class-reports')
    .option('-j, --concurrency <n>', t('option.concurrency'))
    .option('--shard <i/n>', t('option.shard'))
    .option('--seed <n>', t('option.batchSeed'))
    .option('--quiz-bank <dir>', t('option.batchQuizBank'))
    .addOption(new Option('--progress <mode>', t('option.progress')).choices(['auto', 'bar', 'lines', 'none']).default('auto'))
    .action(async (folder: string, raw: Record<string, unknown>) => {
      const parsed = BatchCliOptions.safeParse(raw);
      if (!parsed.success) throw new UsageError(t('error.option', { details: z.prettifyError(parsed.error) }));
      chooseIsolation(parsed.data.isolation);
      setExitCode(await batchCommand(folder, parsed.data));
    });

  withLang(cli.command('merge'))
    .description(t('merge.description'))
    .argument('<dirs...>', t('merge.dirs'))
    .requiredOption('-o, --out <dir>', t('option.mergeOut'))
    .option('--exit-zero', t('option.exitZero'))
    .action(async (dirs: string[], raw: { out: string; exitZero?: boolean }) => {
      setExitCode(await mergeCommand(dirs, raw.out, raw.exitZero === true));
    });

  withLang(cli.command('init'))
    .description(t('init.description'))
    .argument('<exercise>', t('init.exercise'))
    .argument('[dir]', t('init.dir'), DEFAULT_INIT_DIR)
    .action(async (exercise: string, dir: string) => {
      setExitCode(await initCommand(exercise, dir, { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) }));
    });

  withLang(cli.command('doctor'))
    .description(t('doctor.description'))
    .option('--json', t('option.doctorJson'))
    .action(async (raw: { json?: boolean }) => {
      setExitCode(await doctorCommand({ json: raw.json === true }));
    });

  withLang(cli.command('export'))
    .description(t('export.description'))
    .argument('<platform>', t('export.platform'))
    .addOption(new Option('-e, --exercise <id>', t('option.exportExercise')).argParser(collect))
    .requiredOption('-o, --out <path>', t('option.exportOut'))
    .action(async (platform: string, raw: { exercise?: string[]; out: string }) => {
      setExitCode(await exportCommand(platform, raw.exercise ?? [], raw.out));
    });

  withLang(cli.command('list'))
    .description(t('list.description'))
    .action(async () => {
      for (const id of await exerciseIds()) {
        const exercise = await loadExercise(id);
        const checks = await exercise.checks({ options: {} });
        const total = checks.reduce((sum, c) => sum + c.points, 0);
        process.stdout.write(
          t('list.exercise', { id, title: exercise.meta.title, titleZh: exercise.meta.titleZh, n: checks.length, points: total }) + '\n',
        );
        for (const check of checks) process.stdout.write(`    ${check.id.padEnd(34)} ${String(check.points).padStart(3)}  ${check.title}\n`);
      }
    });
  return cli;
}

/**
 * The value of `--lang` in `argv` (`--lang zh-CN` or `--lang=zh-CN`), read before commander
 * parses: the help and every message of the command are built in that language.
 */
export function langArgument(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return undefined;
    if (arg === '--lang') return argv[i + 1];
    if (arg.startsWith('--lang=')) return arg.slice('--lang='.length);
  }
  return undefined;
}

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  try {
    const language = resolveLanguage(langArgument(argv));
    setProcessLanguage(language);
    // Processes this one starts (the network sandbox's re-run, batch workers) speak it too.
    process.env.NETGRADE_LANG = language;
  } catch (error) {
    if (!(error instanceof UnknownLanguageError)) throw error;
    // Say it in the locale's language, since the one asked for is unknown.
    setProcessLanguage(resolveLanguage(undefined, { ...process.env, NETGRADE_LANG: '' }));
    process.stderr.write(t('error.usage', { message: t('error.unknownLanguage', { value: error.value, known: LANGUAGES.join(', ') }) }) + '\n');
    return 2;
  }
  try {
    await program((code) => (exitCode = code), argv).parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with code 0; anything else is a usage error.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UsageError) {
      process.stderr.write(t('error.usage', { message: error.message }) + '\n');
      return 2;
    }
    if (error instanceof InfrastructureError) {
      process.stderr.write(t('error.infrastructure', { code: error.code, message: error.message }) + '\n');
      return 3;
    }
    process.stderr.write(t('error.internal', { message: String((error as Error).stack ?? error) }) + '\n');
    return 3;
  }
}
