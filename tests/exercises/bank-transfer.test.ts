import { join } from 'node:path';
import { expect, test } from 'vitest';
import { withLanguage } from '../../grader/i18n/language.ts';
import { exerciseSuite } from '../helpers/exercise-suite.ts';
import { gradeExerciseFolder, VARIANTS } from '../helpers/grade.ts';

exerciseSuite('bank-transfer');

/**
 * Latin words of 3+ letters left once quoted protocol text ("…"), code (`…`, calls, dotted
 * names) and the protocol's own keywords (written bare in titles, as in the spec) are removed.
 */
function latinWords(text: string): string[] {
  const prose = text
    .replace(/"(?:[^"\\]|\\.)*"/g, ' ')
    .replace(/`[^`]*`/g, ' ')
    .replace(/[\w.$]+\([^()]*\)/g, ' ')
    .replace(/\b\w+(?:\.\w+)+\b/g, ' ')
    .replace(/\b(?:BALANCE|TRANSFER|AUDIT|OK|FAIL|ERR)\b/g, ' ');
  return prose.match(/[A-Za-z]{3,}/g) ?? [];
}

test('bank-transfer in zh-CN: a faulty variant gets a Chinese title and a Chinese message', async () => {
  const { exercise } = await withLanguage('zh-CN', () =>
    gradeExerciseFolder('bank-transfer', join(VARIANTS, 'bank-transfer', 'splits-on-whitespace'), { seed: 777, checkIds: ['errors.spacing'], retries: 0 }),
  );
  const check = exercise.checks.find((c) => c.id === 'errors.spacing')!;
  expect(check.status).toBe('failed');
  for (const text of [check.title, check.message]) {
    expect(text).toMatch(/\p{Script=Han}/u);
    expect(latinWords(text), text).toEqual([]);
  }
});
