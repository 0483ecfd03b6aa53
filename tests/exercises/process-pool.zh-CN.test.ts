/**
 * Issue #12: a faulty variant graded in zh-CN reads in Chinese. The failing check's title and
 * message hold Han characters and no Latin word of 3+ letters outside code (`node main.ts …`,
 * file names, APIs). One variant, one check, one run.
 */
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { withLanguage } from '../../grader/i18n/language.ts';
import { gradeExerciseFolder, VARIANTS } from '../helpers/grade.ts';

/** Latin words of 3+ letters left once the given code words, then `code` and quoted text are removed. */
function latinOutsideCode(text: string, code: string[]): string[] {
  let rest = text;
  for (const word of code) rest = rest.split(word).join(' ');
  rest = rest.replace(/`[^`]*`|"(?:[^"\\]|\\.)*"|'[^']*'/g, ' ');
  return rest.match(/[A-Za-z]{3,}/g) ?? [];
}

test('process-pool in zh-CN: one-is-prime fails sum.example with a Chinese title and message', async () => {
  const { exercise } = await withLanguage('zh-CN', () =>
    gradeExerciseFolder('process-pool', join(VARIANTS, 'process-pool', 'one-is-prime'), { seed: 777, checkIds: ['sum.example'], retries: 0 }),
  );
  expect(exercise.checks.map((c) => c.id)).toEqual(['sum.example']);
  const check = exercise.checks[0]!;
  expect(check.status, check.message).toBe('failed');
  expect(check.message).toContain('1 不是质数');
  for (const text of [check.title, check.message]) {
    expect(text).toMatch(/\p{Script=Han}/u);
    expect(latinOutsideCode(text, ['node main.ts'])).toEqual([]);
  }
});
