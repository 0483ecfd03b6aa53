/**
 * `netgrade init`: every starter runs, listens (or exits 0) and earns nothing, with no
 * start failure of any kind; init never overwrites; its text comes in both languages.
 *
 * The starters (one per exercise) are graded in one submission with the concurrent scheduling, each with
 * its first check only (a start failure is reported by the first check that starts the
 * program, rules 3 and 4 of docs/scoring.md) and no re-runs. Every check of a starter that
 * never answers waits out its deadline: grading all of them took over 10 minutes here at
 * load 30, so the whole-exercise "earns nothing" is tests/core/do-nothing.test.ts's job
 * (its `silent` and `closes` programs are what a starter does on the wire).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { exerciseIds, loadExercises } from '../../grader/exercise/registry.ts';
import { catalogueProblems } from '../../grader/i18n/catalogue.ts';
import { withLanguage } from '../../grader/i18n/language.ts';
import { initCommand } from '../../grader/init/init-command.ts';
import { loadStarter, starterIds } from '../../grader/init/starter.ts';
import { Multiplexer } from '../../grader/reporters/reporter.ts';
import { gradeSubmission } from '../../grader/runner/grade-submission.ts';
import { DEFAULT_SANDBOX_CONFIG } from '../../grader/sandbox/sandbox.ts';
import { leftoverGroups } from '../helpers/grade.ts';

/** Verdicts that say the program could not start or run: a starter must never earn one. */
const START_FAILURES = ['SYNTAX_ERROR', 'UNSUPPORTED_TYPESCRIPT', 'MISSING_ENTRY', 'NEVER_LISTENS', 'CRASH_AT_START', 'CRASH_DURING_CHECK', 'EXITED_AT_START', 'WRONG_ADDRESS', 'WRONG_PORT', 'EXIT'];

const quiet = () => {
  const out = { stdout: '', stderr: '' };
  return { out, sink: { stdout: (s: string) => (out.stdout += s), stderr: (s: string) => (out.stderr += s) } };
};

describe('netgrade init', () => {
  test('every exercise has a starter, and its text is in both languages', async () => {
    const starters = await starterIds();
    expect((await exerciseIds()).filter((id) => !starters.includes(id))).toEqual([]);
    for (const id of starters) {
      const starter = (await loadStarter(id))!;
      expect(starter.exercise).toBe(id);
      expect(catalogueProblems(starter.text)).toEqual([]);
      const en = starter.files('en');
      const zh = starter.files('zh-CN');
      expect(Object.keys(zh)).toEqual(Object.keys(en));
      for (const name of Object.keys(en).filter((n) => n.endsWith('.ts'))) {
        expect(en[name], `${id}/${name} in en`).toMatch(/TODO: /);
        expect(zh[name], `${id}/${name} in zh-CN`).toMatch(/TODO：|TODO: /);
        expect(zh[name], `${id}/${name} in zh-CN has Chinese comments`).toMatch(/\/\/ .*[\u4e00-\u9fff]/);
      }
    }
  });

  test('never overwrites: an existing file is named and nothing is written (exit 1)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netgrade-init-'));
    try {
      const first = quiet();
      expect(await withLanguage('en', () => initCommand('stage-exam', dir, first.sink))).toBe(0);
      expect(first.out.stdout).toContain('--watch');
      const answers = JSON.parse(await readFile(join(dir, 'stage-exam', 'answers.json'), 'utf8')) as Record<string, string>;
      expect(Object.keys(answers).length).toBeGreaterThan(10);
      expect(new Set(Object.values(answers))).toEqual(new Set(['']));

      await rm(join(dir, 'stage-exam', 'server.ts'));
      await writeFile(join(dir, 'stage-exam', 'singleton.ts'), 'mine\n');
      const second = quiet();
      expect(await withLanguage('zh-CN', () => initCommand('stage-exam', dir, second.sink))).toBe(1);
      expect(second.out.stderr).toContain('singleton.ts');
      expect(second.out.stderr).toContain('answers.json');
      expect(second.out.stderr).toContain('从不覆盖');
      expect(existsSync(join(dir, 'stage-exam', 'server.ts'))).toBe(false);
      expect(await readFile(join(dir, 'stage-exam', 'singleton.ts'), 'utf8')).toBe('mine\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('every starter starts and earns 0 points, with no start failure', { timeout: 400_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netgrade-init-grade-'));
    try {
      const ids = await starterIds();
      for (const id of ids) expect(await initCommand(id, dir, quiet().sink)).toBe(0);
      const exercises = await loadExercises(ids);
      const firstChecks = await Promise.all(exercises.map(async (e) => (await e.checks({ options: {} }))[0]!.id));
      const started = performance.now();
      const result = await gradeSubmission({
        submissionDir: dir,
        exercises,
        checkIds: firstChecks,
        seed: 1515,
        options: {},
        sandbox: { ...DEFAULT_SANDBOX_CONFIG, timeScale: Number(process.env.NETGRADE_TIME_SCALE ?? 1) },
        reporter: new Multiplexer([]),
        retries: 0,
        schedule: 'concurrent',
        // One check per exercise, each mostly waiting out a deadline: all at once, not held
        // back by the CPU-pressure throttle (which, at load 30, ran them one at a time).
        checkSlots: ids.length,
        throttle: false,
      });
      console.log(`graded ${ids.length} starters in ${Math.round(performance.now() - started)} ms`);
      for (const exercise of result.exercises) {
        const paid = exercise.checks.filter((c) => c.points > 0).map((c) => c.id);
        expect(paid, `${exercise.id}: checks that paid a starter`).toEqual([]);
        expect(exercise.verdict?.code ?? 'none', `${exercise.id}: ${exercise.verdict?.message}`).not.toBeOneOf(START_FAILURES);
        const errors = exercise.checks.filter((c) => c.status === 'error').map((c) => `${c.id}: ${c.message}`);
        expect(errors, `${exercise.id}: checks in error`).toEqual([]);
        expect(exercise.submitted).toBe(true);
        expect(exercise.checks.length).toBeGreaterThan(0); // a check id may be shared (sum.example)
      }
      expect(result.score).toBe(0);
      expect(leftoverGroups()).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
