/**
 * The heart of the suite, the same for every exercise: the reference solution gets full
 * marks on ten runs in a row, and every faulty variant loses points exactly in the
 * checks that name its mistake.
 *
 * Failed checks are re-run once with the same seed (a pass on the re-run: `flaky`). The
 * reference solution must never be flaky, and a variant's named checks must fail on the
 * re-run too (failed, timeout or error): a flaky one means the check tells the mistake
 * apart only sometimes, a margin too thin to grade with.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { leaseBurners } from './burners.ts';
import { explain, flakyChecks, gradeExerciseFolder, leftoverGroups, lostChecks, SOLUTIONS, VARIANTS, variantsOf } from './grade.ts';

export function exerciseSuite(exerciseId: string, options: { solutionRuns?: number } = {}): void {
  // Ten in a row, each with its own seed: a reference solution must never fail or be flaky.
  const runs = options.solutionRuns ?? 10;
  describe(`${exerciseId}: reference solution`, () => {
    // CI runs on busy machines: with NETGRADE_TEST_BURNERS=n (`npm run test:busy`: 2) the ten
    // runs go beside the machine's n CPU burners (tests/setup/burners.ts).
    let lease: { release(): Promise<void> } | undefined;
    beforeAll(async () => {
      const address = inject('burners');
      if (address) lease = await leaseBurners(address);
    });
    afterAll(() => lease?.release());
    for (let run = 1; run <= runs; run++) {
      test(`full marks, run ${run} of ${runs}`, async () => {
        const { exercise } = await gradeExerciseFolder(exerciseId, join(SOLUTIONS, exerciseId), { seed: 1000 + run });
        expect(flakyChecks(exercise), `reference solutions must never be flaky:\n${explain(exercise)}`).toEqual([]);
        expect(explain(exercise)).toBe('');
        expect(exercise.score).toBe(exercise.maxScore);
        expect(exercise.maxScore).toBeGreaterThan(0);
        expect(leftoverGroups()).toEqual([]);
      });
    }
  });

  describe(`${exerciseId}: faulty variants lose points where their mistake is named`, () => {
    for (const variant of variantsOf(exerciseId)) {
      test(`${variant.slug}: ${variant.mistake}`, async () => {
        const { exercise } = await gradeExerciseFolder(exerciseId, join(VARIANTS, exerciseId, variant.slug), { seed: 777 });
        expect(variant.failsChecks.length).toBeGreaterThan(0);
        // A check the variant may also lose on a loaded machine (its own race) is left out of both.
        const racy = new Set(variant.mayAlsoFail?.checks ?? []);
        expect(lostChecks(exercise).filter((id) => !racy.has(id)), explain(exercise)).toEqual([...variant.failsChecks].sort());
        expect(flakyChecks(exercise).filter((id) => !racy.has(id)), `the variant passed these on the re-run (thin margin):\n${explain(exercise)}`).toEqual([]);
        for (const check of exercise.checks.filter((c) => variant.failsChecks.includes(c.id))) {
          expect(['failed', 'timeout', 'error'], `${check.id} [${check.status}]`).toContain(check.status);
        }
        expect(leftoverGroups()).toEqual([]);
      });
    }
  });
}
