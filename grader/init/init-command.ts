/**
 * `netgrade init <exercise> [dir]`: writes the exercise's starter into `<dir>/<exercise>/`,
 * in the command's language. Never overwrites: when any file exists, names them all and
 * writes nothing (exit 1).
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { loadExercise } from '../exercise/registry.ts';
import { cliMessages } from '../i18n/cli-messages.ts';
import { currentLanguage } from '../i18n/language.ts';
import { UsageError } from '../model/errors.ts';
import { loadStarter, starterIds } from './starter.ts';

const { t } = cliMessages;

export const DEFAULT_INIT_DIR = 'my-work';

export async function initCommand(exercise: string, dir: string, out: { stdout: (text: string) => void; stderr: (text: string) => void }): Promise<number> {
  await loadExercise(exercise); // an unknown exercise is a usage error that lists them
  const starter = await loadStarter(exercise);
  if (!starter) throw new UsageError(t('init.noStarter', { exercise, known: (await starterIds()).join(', ') }));
  const folder = join(dir, exercise);
  const files = Object.entries(starter.files(currentLanguage())).map(([name, content]) => ({ path: join(folder, name), content }));
  const shown = (path: string) => relative(process.cwd(), path) || path;
  const existing = files.filter((f) => existsSync(f.path)).map((f) => shown(f.path));
  if (existing.length > 0) {
    out.stderr(t('init.exists', { n: existing.length, files: existing }) + '\n');
    return 1;
  }
  await mkdir(folder, { recursive: true });
  // `wx`: fails instead of overwriting, should a file appear between the check and the write.
  for (const file of files) await writeFile(file.path, file.content, { flag: 'wx' });
  const quoted = (path: string) => (/^[\w./-]+$/.test(path) ? path : JSON.stringify(path));
  const submission = quoted(shown(dir) || '.');
  out.stdout(
    [
      t('init.wrote', { files: files.map((f) => shown(f.path)) }),
      t('init.next'),
      `  npx netgrade grade ${submission} --exercise ${exercise}`,
      `  npx netgrade grade ${submission} --exercise ${exercise} --watch`,
    ].join('\n') + '\n',
  );
  return 0;
}
