/**
 * Issue #12: a faulty variant graded in zh-CN reads in Chinese. The failing check's title and
 * message hold Han characters and no Latin word of 3+ letters outside quoted protocol bytes
 * and code (student.txt, fs.appendFile …). One variant, one check, one run.
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

test('sticky-packets in zh-CN: overwrites-file fails batch.appends with a Chinese title and message', async () => {
  const { exercise } = await withLanguage('zh-CN', () =>
    gradeExerciseFolder('sticky-packets', join(VARIANTS, 'sticky-packets', 'overwrites-file'), { seed: 777, checkIds: ['batch.appends'], retries: 0 }),
  );
  expect(exercise.checks.map((c) => c.id)).toEqual(['batch.appends']);
  const check = exercise.checks[0]!;
  expect(check.status).toBe('failed');
  for (const text of [check.title, check.message]) {
    expect(text).toMatch(/\p{Script=Han}/u);
    expect(latinOutsideCode(text, ['student.txt', 'fs.appendFile', 'fs.createWriteStream(file, { flags: ', '})'])).toEqual([]);
  }
});
