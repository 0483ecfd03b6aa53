/**
 * Finds and loads the exercises of this repository: every `exercises/<id>/definition.ts`.
 */
import { readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UsageError } from '../model/errors.ts';
import type { ExerciseDefinition } from './define.ts';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const EXERCISES_DIR = join(REPO_ROOT, 'exercises');

/** The order in which exercises are graded and listed (the course's order). */
const COURSE_ORDER = [
  'stage-exam',
  'sticky-packets',
  'file-upload',
  'ftp',
  'bank-transfer',
  'interleave',
  'chat',
  // The second batch (../shared/EXERCISES-2.md), after the first so that its order stays.
  'qa-bot',
  'udp-dict',
  'ticket-sale',
  'process-pool',
  'web-server',
];

function byCourseOrder(a: string, b: string): number {
  const ia = COURSE_ORDER.indexOf(a);
  const ib = COURSE_ORDER.indexOf(b);
  return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
}

export async function exerciseIds(): Promise<string[]> {
  const entries = await readdir(EXERCISES_DIR, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && existsSync(join(EXERCISES_DIR, e.name, 'definition.ts')))
    .map((e) => e.name)
    .sort(byCourseOrder);
}

export async function loadExercise(id: string): Promise<ExerciseDefinition> {
  const file = join(EXERCISES_DIR, id, 'definition.ts');
  if (!existsSync(file)) throw new UsageError(`Unknown exercise "${id}". Run \`netgrade list\` to see the exercises.`);
  const module = (await import(pathToFileURL(file).href)) as { default?: ExerciseDefinition };
  if (!module.default) throw new UsageError(`${file} has no default export (export default defineExercise({...}))`);
  return module.default;
}

/** Loads the given exercises (all when `ids` is empty), validating unknown ids first. */
export async function loadExercises(ids: string[] = []): Promise<ExerciseDefinition[]> {
  const known = await exerciseIds();
  const unknown = ids.filter((id) => !known.includes(id));
  if (unknown.length > 0) {
    throw new UsageError(`Unknown exercise ${unknown.map((u) => `"${u}"`).join(', ')}. Known: ${known.join(', ')}.`);
  }
  const wanted = ids.length > 0 ? known.filter((id) => ids.includes(id)) : known;
  return Promise.all(wanted.map(loadExercise));
}
