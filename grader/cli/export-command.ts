/**
 * `netgrade export <gradescope|prairielearn> --exercise <id>... --out <path>`: a ready-made
 * autograder for a course platform (grader/export/).
 */
import { relative, resolve } from 'node:path';

/** The path as the user would type it: relative below the current folder, else absolute. */
const shown = (path: string) => {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
};
import { loadExercises } from '../exercise/registry.ts';
import { exportGradescope } from '../export/gradescope.ts';
import { exportPrairieLearn } from '../export/prairielearn.ts';
import { cliMessages } from '../i18n/cli-messages.ts';
import { UsageError } from '../model/errors.ts';

const { t } = cliMessages;

export async function exportCommand(platform: string, exerciseIds: string[], out: string): Promise<number> {
  if (platform !== 'gradescope' && platform !== 'prairielearn') throw new UsageError(t('export.unknownPlatform', { value: platform }));
  if (exerciseIds.length === 0) throw new UsageError(t('export.noExercise'));
  const exercises = await loadExercises(exerciseIds);
  const ids = exercises.map((e) => e.meta.id);
  const path = resolve(out);
  if (platform === 'gradescope') {
    const files = await exportGradescope(ids, path);
    process.stderr.write(t('export.gradescopeDone', { ids, path: shown(path), files }) + '\n');
  } else {
    await exportPrairieLearn(exercises, path);
    process.stderr.write(t('export.prairielearnDone', { ids, path: shown(path), info: shown(resolve(path, 'info.json')) }) + '\n');
  }
  return 0;
}
