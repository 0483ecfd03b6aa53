/**
 * Grading a folder as a newcomer lays it out: an exercise not submitted takes one line, an
 * entry file at the top of the graded folder is named with the place it belongs, and a folder
 * named like an exercise is graded as that exercise. Also: the runner's AbortSignal.
 */
import { PassThrough } from 'node:stream';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { main } from '../../grader/cli/netgrade.ts';
import { loadExercises } from '../../grader/exercise/registry.ts';
import { withLanguage } from '../../grader/i18n/language.ts';
import { Multiplexer } from '../../grader/reporters/reporter.ts';
import { TerminalReporter } from '../../grader/reporters/terminal.ts';
import { gradeSubmission } from '../../grader/runner/grade-submission.ts';
import { DEFAULT_SANDBOX_CONFIG } from '../../grader/sandbox/sandbox.ts';
import { leftoverGroups, SOLUTIONS } from '../helpers/grade.ts';

const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'netgrade-layout-'));
  dirs.push(dir);
  return dir;
};
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function gradeWithTerminal(dir: string, ids: string[], signal?: AbortSignal) {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  const result = await gradeSubmission({
    submissionDir: dir,
    exercises: await loadExercises(ids),
    seed: 7,
    options: {},
    sandbox: DEFAULT_SANDBOX_CONFIG,
    reporter: new Multiplexer([new TerminalReporter({ stream })]),
    retries: 0,
    signal,
  });
  return { result, text: () => text };
}

describe('a newcomer\'s folder', () => {
  test('server.ts at the top: each exercise not submitted takes one line and says where the file goes', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'server.ts'), '// mine\n');
    const { result, text } = await withLanguage('en', () => gradeWithTerminal(dir, ['sticky-packets', 'file-upload']));
    const [sticky] = result.exercises;
    expect(sticky!.submitted).toBe(false);
    expect(sticky!.verdict?.message).toContain('sticky-packets/server.ts or file-upload/server.ts');
    // results.json keeps every check, skipped.
    expect(sticky!.checks.every((c) => c.status === 'skipped')).toBe(true);
    expect(sticky!.checks.length).toBeGreaterThan(3);
    // The terminal: no line per check.
    expect(text()).not.toContain('Not run');
    expect(text()).not.toContain('batch.classic');
    expect(text().split('\n').filter((l) => l.startsWith('- sticky-packets'))).toHaveLength(1);
  });

  test('one exercise graded: "move it to sticky-packets/server.ts", in Chinese too', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'server.ts'), '// mine\n');
    const en = await withLanguage('en', () => gradeWithTerminal(dir, ['sticky-packets']));
    expect(en.result.exercises[0]!.verdict?.message).toBe('server.ts is at the top of the graded folder: move it to sticky-packets/server.ts.');
    const zh = await withLanguage('zh-CN', () => gradeWithTerminal(dir, ['sticky-packets']));
    expect(zh.result.exercises[0]!.verdict?.message).toContain('请移到 sticky-packets/server.ts');
  });

  test('grade given an exercise folder grades that exercise', { timeout: 120_000 }, async () => {
    const dir = await tempDir();
    await cp(join(SOLUTIONS, 'sticky-packets'), join(dir, 'my-work', 'sticky-packets'), { recursive: true });
    const out = join(dir, 'out');
    const code = await main(['grade', join(dir, 'my-work', 'sticky-packets'), '--check', 'batch.classic', '--reporter', 'json', '--out', out, '--isolation', 'none', '--retries', '0']);
    const result = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as { exercises: Array<{ id: string; score: number; submitted: boolean }> };
    expect(result.exercises.map((e) => e.id)).toEqual(['sticky-packets']);
    expect(result.exercises[0]!.submitted).toBe(true);
    expect(result.exercises[0]!.score).toBeGreaterThan(0);
    expect(code).toBe(0);
  });
});

describe('the runner\'s AbortSignal', () => {
  test('an abort stops the grading: no further check starts, the promise rejects, nothing is left running', { timeout: 120_000 }, async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'sticky-packets'));
    await cp(join(SOLUTIONS, 'sticky-packets'), join(dir, 'sticky-packets'), { recursive: true });
    const controller = new AbortController();
    const ended: string[] = [];
    const grading = gradeSubmission({
      submissionDir: dir,
      exercises: await loadExercises(['sticky-packets']),
      seed: 7,
      options: {},
      sandbox: DEFAULT_SANDBOX_CONFIG,
      reporter: new Multiplexer([{ onCheckEnd: (_e, check) => { ended.push(check.id); controller.abort(); } }]),
      retries: 0,
      signal: controller.signal,
    });
    await expect(grading).rejects.toThrow(/abort/i);
    expect(ended).toHaveLength(1);
    expect(leftoverGroups()).toEqual([]);
  });
});
