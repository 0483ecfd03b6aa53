/**
 * Issue #12: a faulty variant graded in zh-CN reads in Chinese. The failing check's title and
 * message hold Han characters and no Latin word of 3+ letters outside code and protocol text
 * (`W<k> --- T<n>` lines, quoted stdout lines, env names). One variant, one check, one run.
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

// Deadlines ×3: this test is about the words; on a loaded machine the default run of 11
// threads can miss output.lines' 30 s at scale 1 (seen at load 40), which would test the load.
test('ticket-sale in zh-CN: course-dashes fails output.lines with a Chinese title and message', async () => {
  const { exercise } = await withLanguage('zh-CN', () =>
    gradeExerciseFolder('ticket-sale', join(VARIANTS, 'ticket-sale', 'course-dashes'), { seed: 777, checkIds: ['output.lines'], retries: 0, timeScale: 3 }),
  );
  expect(exercise.checks.map((c) => c.id)).toEqual(['output.lines']);
  const check = exercise.checks[0]!;
  expect(check.status, check.message).toBe('failed');
  for (const text of [check.title, check.message]) {
    expect(text).toMatch(/\p{Script=Han}/u);
    expect(latinOutsideCode(text, ['WINDOWS', 'TICKETS', 'SALE_MS', 'stdout', 'stderr', 'print("%s --- %s")'])).toEqual([]);
  }
});
