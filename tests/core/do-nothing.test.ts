/**
 * A grader must not pay for silence: a program that does nothing earns 0 in every check of
 * every exercise. Five kinds of doing nothing (tests/fixtures/do-nothing/README.md) take the
 * place of every entry file (the stage exam gets an empty answers.json).
 *
 * Re-runs are off: a re-run cannot turn a failure into points (a flaky check earns none),
 * and a server that never answers would wait out every deadline twice.
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { exerciseIds, loadExercise, REPO_ROOT } from '../../grader/exercise/registry.ts';
import { gradeExerciseFolder, leftoverGroups } from '../helpers/grade.ts';

const FIXTURES = join(REPO_ROOT, 'tests', 'fixtures', 'do-nothing');
const KINDS = ['exits-at-once', 'silent', 'closes', 'echo', 'unstrippable'] as const;

/** A folder with `kind` in place of every `.ts` entry file, and empty data files. */
async function doNothingFolder(entryFiles: string[], kind: (typeof KINDS)[number]): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), `netgrade-do-nothing-${kind}-`));
  for (const entry of entryFiles) {
    if (entry.endsWith('.ts')) await copyFile(join(FIXTURES, `${kind}.ts`), join(folder, entry));
    else if (entry.endsWith('.json')) await writeFile(join(folder, entry), '{}\n');
  }
  return folder;
}

for (const id of await exerciseIds()) {
  describe(`${id}: a program that does nothing earns 0 in every check`, async () => {
    const { meta } = await loadExercise(id);
    for (const kind of KINDS) {
      test(kind, async () => {
        const folder = await doNothingFolder(meta.entryFiles, kind);
        try {
          const { exercise } = await gradeExerciseFolder(id, folder, { seed: 4242, retries: 0 });
          const paid = exercise.checks.filter((c) => c.points > 0).map((c) => `${c.id} (${c.points} points): ${c.status}`);
          expect(paid, `checks that paid a program that does nothing (${kind})`).toEqual([]);
          expect(exercise.score).toBe(0);
          if (kind === 'unstrippable') {
            // Every check of a program Node cannot strip is an error or skipped, the cause stated once.
            expect(exercise.verdict?.code).toBe('UNSUPPORTED_TYPESCRIPT');
            // (The stage exam's quiz reads answers.json, no code: its checks fail on the empty answers.)
            const ran = exercise.checks.filter((c) => c.part !== 'quiz');
            const graded = ran.filter((c) => c.status !== 'error' && c.status !== 'skipped');
            expect(graded.map((c) => `${c.id}: ${c.status}`)).toEqual([]);
            expect(ran.filter((c) => c.status === 'error')).toHaveLength(1);
          }
          expect(leftoverGroups()).toEqual([]);
        } finally {
          await rm(folder, { recursive: true, force: true });
        }
        // web-server's 27 checks each wait out a 3 s reply deadline: about 100 s alone, more beside another test file.
      }, 420_000);
    }
  });
}
