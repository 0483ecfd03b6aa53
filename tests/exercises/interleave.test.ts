import { join } from 'node:path';
import { expect, test } from 'vitest';
import { withLanguage } from '../../grader/i18n/language.ts';
import { exerciseSuite } from '../helpers/exercise-suite.ts';
import { gradeExerciseFolder, VARIANTS } from '../helpers/grade.ts';

exerciseSuite('interleave');

/** Latin words of 3+ letters left once quoted protocol text ("…") and code (`…`, calls, dotted names) are removed. */
function latinWords(text: string): string[] {
  const prose = text
    .replace(/"(?:[^"\\]|\\.)*"/g, ' ')
    .replace(/`[^`]*`/g, ' ')
    .replace(/[\w.$]+\([^()]*\)/g, ' ')
    .replace(/\b\w+(?:\.\w+)+\b/g, ' ');
  return prose.match(/[A-Za-z]{3,}/g) ?? [];
}

test('interleave in zh-CN: a faulty variant gets a Chinese title and a Chinese message', async () => {
  const { exercise } = await withLanguage('zh-CN', () =>
    gradeExerciseFolder('interleave', join(VARIANTS, 'interleave', 'main-prints-numbers'), { seed: 777, checkIds: ['roles.main-silent'], retries: 0 }),
  );
  const check = exercise.checks.find((c) => c.id === 'roles.main-silent')!;
  expect(check.status).toBe('failed');
  for (const text of [check.title, check.message]) {
    expect(text).toMatch(/\p{Script=Han}/u);
    expect(latinWords(text), text).toEqual([]);
  }
});
