/**
 * The heart of the suite, the same for every exercise: the reference solution gets full
 * marks on several runs in a row, and every faulty variant loses points exactly in the
 * checks that name its mistake.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { explain, gradeExerciseFolder, leftoverGroups, lostChecks, SOLUTIONS, VARIANTS, variantsOf } from './grade.ts';

export function exerciseSuite(exerciseId: string, options: { solutionRuns?: number } = {}): void {
  const runs = options.solutionRuns ?? 3;
  describe(`${exerciseId}: reference solution`, () => {
    for (let run = 1; run <= runs; run++) {
      test(`full marks, run ${run} of ${runs}`, async () => {
        const { exercise } = await gradeExerciseFolder(exerciseId, join(SOLUTIONS, exerciseId), { seed: 1000 + run });
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
        expect(lostChecks(exercise), explain(exercise)).toEqual([...variant.failsChecks].sort());
        expect(leftoverGroups()).toEqual([]);
      });
    }
  });
}
