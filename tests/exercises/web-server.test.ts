import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { exerciseSuite } from '../helpers/exercise-suite.ts';
import { gradeExerciseFolder, leftoverGroups, VARIANTS } from '../helpers/grade.ts';

exerciseSuite('web-server');

// Refused imports stop the server at start: a verdict for the whole exercise, not one check's
// loss, so these two variants are not in variants.json. Found by Node's resolver (a hook
// preloaded into the server), also through a computed dynamic import().
describe('web-server: node:http is refused by the module machinery, not by reading the text', () => {
  for (const slug of ['imports-node-http', 'imports-http-dynamic']) {
    test(slug, async () => {
      const { exercise } = await gradeExerciseFolder('web-server', join(VARIANTS, 'web-server', slug), { checkIds: ['response.basic'], retries: 0 });
      const check = exercise.checks.find((c) => c.id === 'response.basic')!;
      expect(check.status).toBe('error');
      expect(check.message).toMatch(/may not import node:http/);
      expect(check.message).toMatch(/不允许导入 node:http/);
      expect(exercise.score).toBe(0);
      expect(leftoverGroups()).toEqual([]);
    });
  }
});
