/**
 * The files of netgrade an exported autograder carries: what running it needs (package.json,
 * package-lock.json, grader/, the chosen exercises), not node_modules, tests, solutions or
 * docs. The platform's setup installs the dependencies from npm with `npm ci`.
 */
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../exercise/registry.ts';

/** `[path inside the bundle, absolute path]`, sorted. */
export async function netgradeFiles(exerciseIds: string[], root = REPO_ROOT): Promise<Array<[string, string]>> {
  const files: Array<[string, string]> = [
    ['package.json', join(root, 'package.json')],
    ['package-lock.json', join(root, 'package-lock.json')],
  ];
  for (const dir of ['grader', ...exerciseIds.map((id) => join('exercises', id))]) {
    for (const entry of await readdir(join(root, dir), { withFileTypes: true, recursive: true })) {
      if (!entry.isFile()) continue;
      const absolute = join(entry.parentPath, entry.name);
      files.push([relative(root, absolute), absolute]);
    }
  }
  return files.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The exact Node version of the project's `node` package (what runs the grader and the programs). */
export function pinnedNodeVersion(root = REPO_ROOT): string {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string>; dependencies?: Record<string, string> };
  return pkg.devDependencies?.node ?? pkg.dependencies?.node ?? '24';
}

/** Quotes a word for a POSIX shell script. */
export const shellWord = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);
