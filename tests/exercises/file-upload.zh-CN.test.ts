/**
 * Issue #12: a faulty variant graded in zh-CN reads in Chinese. The failing check's title and
 * message hold Han characters and no Latin word of 3+ letters outside quoted protocol bytes
 * and code (FIN). One variant, one check, one run.
 */
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { withLanguage } from '../../grader/i18n/language.ts';
import { gradeExerciseFolder, VARIANTS } from '../helpers/grade.ts';

/** Latin words of 3+ letters left once quoted text ("…", '…') and the given code words are removed. */
function latinOutsideCode(text: string, code: string[]): string[] {
  let rest = text.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, ' ');
  for (const word of code) rest = rest.split(word).join(' ');
  return rest.match(/[A-Za-z]{3,}/g) ?? [];
}

test('file-upload in zh-CN: silence-means-done fails data.slow-sender with a Chinese title and message', async () => {
  const { exercise } = await withLanguage('zh-CN', () =>
    gradeExerciseFolder('file-upload', join(VARIANTS, 'file-upload', 'silence-means-done'), { seed: 777, checkIds: ['data.slow-sender'], retries: 0 }),
  );
  expect(exercise.checks.map((c) => c.id)).toEqual(['data.slow-sender']);
  const check = exercise.checks[0]!;
  expect(check.status).toBe('failed');
  for (const text of [check.title, check.message]) {
    expect(text).toMatch(/\p{Script=Han}/u);
    expect(latinOutsideCode(text, ['FIN'])).toEqual([]);
  }
});
