/**
 * The grading step of the exported autograders (grader/export/gradescope.ts, prairielearn.ts):
 * lays out the upload (layout.ts), grades it with netgrade's own CLI and writes the
 * platform's results.json. Run by their scripts as
 *
 *   node grader/export/autograde.ts <gradescope|prairielearn> --upload <dir> --results <file> --exercise <id>...
 *
 * A grading that ends without results (the grader failed: exit 3) still writes a results.json
 * that says so, so the platform shows a message instead of its own "autograder failed".
 * Arguments are read with node:util parseArgs: this script is started by our own shell
 * scripts only, with fixed options.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CI_FILES } from '../reporters/ci-formats.ts';
import { layOutSubmission } from './layout.ts';

const CLI = fileURLToPath(new URL('../cli/netgrade.ts', import.meta.url));

export type Platform = 'gradescope' | 'prairielearn';

export interface AutogradeOptions {
  platform: Platform;
  upload: string;
  results: string;
  exercises: string[];
  /** Extra arguments for `netgrade grade` (e.g. --time-scale 2 from the script's NETGRADE_ARGS). */
  extraArgs?: string[];
}

function failureResults(platform: Platform, message: string): unknown {
  return platform === 'gradescope'
    ? { score: 0, output: message, visibility: 'visible', tests: [] }
    : { gradable: false, score: 0, message, output: message, tests: [] };
}

export async function autograde(options: AutogradeOptions): Promise<number> {
  const work = await mkdtemp(join(tmpdir(), 'netgrade-autograde-'));
  try {
    const submission = join(work, 'submission');
    await layOutSubmission(options.upload, options.exercises, submission);
    const out = join(work, 'out');
    const args = [CLI, 'grade', submission, '--reporter', `terminal,json,${options.platform}`, '--out', out, '--exit-zero'];
    for (const id of options.exercises) args.push('--exercise', id);
    args.push(...(options.extraArgs ?? []));
    // The grading's own output goes to the platform's log (Gradescope and PrairieLearn keep stdout).
    const code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
      child.once('error', () => resolve(3));
      child.once('close', (c) => resolve(c ?? 3));
    });
    await mkdir(dirname(options.results), { recursive: true });
    const produced = join(out, CI_FILES[options.platform]);
    try {
      await readFile(produced);
      await copyFile(produced, options.results);
    } catch {
      const text = `netgrade could not grade this submission (exit ${code}); the log above says why. / netgrade 无法为这份提交评分（退出码 ${code}），原因见上面的日志。`;
      await writeFile(options.results, JSON.stringify(failureResults(options.platform, text), null, 2) + '\n');
    }
    return code;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { upload: { type: 'string' }, results: { type: 'string' }, exercise: { type: 'string', multiple: true } },
  });
  const platform = positionals[0];
  if ((platform !== 'gradescope' && platform !== 'prairielearn') || !values.upload || !values.results || !values.exercise?.length) {
    process.stderr.write('usage: autograde.ts <gradescope|prairielearn> --upload <dir> --results <file> --exercise <id>...\n');
    process.exit(2);
  }
  const extraArgs = (process.env.NETGRADE_ARGS ?? '').split(/\s+/).filter(Boolean);
  process.exitCode = await autograde({ platform, upload: values.upload, results: values.results, exercises: values.exercise, extraArgs });
}
