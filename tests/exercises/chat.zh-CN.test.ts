/**
 * Issue #12: a faulty variant graded in zh-CN reads in Chinese. The failing check's title and
 * message hold Han characters and no Latin word of 3+ letters outside quoted protocol bytes
 * and code (the socket's label, CHAT). One variant, one check, one run.
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

test('chat in zh-CN: echo-to-sender fails chat.no-echo with a Chinese title and message', async () => {
  const { exercise } = await withLanguage('zh-CN', () =>
    gradeExerciseFolder('chat', join(VARIANTS, 'chat', 'echo-to-sender'), { seed: 777, checkIds: ['chat.no-echo'], retries: 0 }),
  );
  expect(exercise.checks.map((c) => c.id)).toEqual(['chat.no-echo']);
  const check = exercise.checks[0]!;
  expect(check.status).toBe('failed');
  for (const text of [check.title, check.message]) {
    expect(text).toMatch(/\p{Script=Han}/u);
    expect(latinOutsideCode(text, ['A (alice, u2)', 'CHAT'])).toEqual([]);
  }
});
