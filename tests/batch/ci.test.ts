/**
 * CI formats: JUnit (parsed), GitHub summary and annotations, Gradescope / PrairieLearn /
 * Classroom JSON validated against their platforms' field lists; check visibility; and the
 * exact command of the documented GitHub workflow, run in a class repository layout.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { REPO_ROOT } from '../../grader/exercise/registry.ts';
import type { CheckResult, SubmissionResult } from '../../grader/model/results.ts';
import {
  renderClassroom,
  renderGithubAnnotations,
  renderGradescope,
  renderJunit,
  renderPrairieLearn,
  studentView,
} from '../../grader/reporters/ci-formats.ts';
import { SOLUTIONS, VARIANTS } from '../helpers/grade.ts';

const BIN = join(REPO_ROOT, 'grader', 'cli', 'bin.mjs');
const EXERCISE = 'sticky-packets';
const temps: string[] = [];
afterAll(async () => {
  for (const t of temps) await rm(t, { recursive: true, force: true });
});

async function temp(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

function run(command: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, command, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

// The platforms' field lists (strict: no field they do not know, none missing).
const Gradescope = z.strictObject({
  score: z.number(),
  execution_time: z.number(),
  output: z.string(),
  visibility: z.enum(['hidden', 'after_due_date', 'after_published', 'visible']),
  tests: z.array(
    z.strictObject({
      name: z.string(),
      score: z.number(),
      max_score: z.number(),
      status: z.enum(['passed', 'failed']),
      output: z.string(),
      visibility: z.enum(['hidden', 'after_due_date', 'after_published', 'visible']),
    }),
  ),
});
const PrairieLearn = z.strictObject({
  gradable: z.boolean(),
  score: z.number().min(0).max(1),
  message: z.string(),
  output: z.string(),
  tests: z.array(
    z.strictObject({ name: z.string(), description: z.string(), points: z.number(), max_points: z.number(), message: z.string(), output: z.string() }),
  ),
});
const Classroom = z.strictObject({
  version: z.literal(1),
  status: z.enum(['pass', 'fail', 'error']),
  max_score: z.number(),
  tests: z.array(z.strictObject({ name: z.string(), status: z.enum(['pass', 'fail', 'error']), message: z.string(), score: z.number(), duration: z.number() })),
});

describe('CI reporters on a real grading', () => {
  test('a faulty submission: junit, github, gradescope, prairielearn, classroom', async () => {
    const root = await temp('netgrade-ci-');
    await cp(join(VARIANTS, EXERCISE, 'length-little-endian'), join(root, 'student', EXERCISE), { recursive: true });
    const out = join(root, 'out');
    const summary = join(root, 'summary.md');
    const checks = ['batch.classic', 'reply.count'];
    const result = await run(
      [BIN, 'grade', 'student', '--exercise', EXERCISE, ...checks.flatMap((c) => ['--check', c]), '--reporter', 'junit,github,gradescope,prairielearn,classroom,json', '--out', out, '--seed', '7'],
      root,
      { GITHUB_STEP_SUMMARY: summary },
    );
    expect(result.code, result.stderr).toBe(1);

    // JUnit: one testsuite per exercise, one testcase per check, failures with expected/actual.
    const xml = await readFile(join(out, 'junit.xml'), 'utf8');
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['testsuite', 'testcase'].includes(name) }).parse(xml);
    const suites = parsed.testsuites.testsuite as Array<Record<string, unknown>>;
    expect(suites).toHaveLength(1);
    expect(suites[0]!['@name']).toBe(EXERCISE);
    const cases = suites[0]!.testcase as Array<Record<string, unknown>>;
    expect(cases).toHaveLength(2);
    expect(parsed.testsuites['@failures']).toBe('2');
    const failure = cases[0]!.failure as Record<string, string>;
    expect(failure['@message']).toBeTruthy();
    expect(failure['#text']).toMatch(/expected: [\s\S]*actual: /);

    // GitHub: summary appended to $GITHUB_STEP_SUMMARY, ::error annotations at the entry file.
    expect(await readFile(summary, 'utf8')).toMatch(/## netgrade: student — 0 \/ \d+ points/);
    const annotations = result.stdout.split('\n').filter((l) => l.startsWith('::error '));
    expect(annotations).toHaveLength(2);
    expect(annotations[0]).toContain(`file=student/${EXERCISE}/server.ts`);
    expect(annotations[0]).not.toMatch(/\n/);

    const gradescope = Gradescope.parse(JSON.parse(await readFile(join(out, 'gradescope-results.json'), 'utf8')));
    expect(gradescope.tests).toHaveLength(2);
    expect(gradescope.score).toBe(0);
    const prairie = PrairieLearn.parse(JSON.parse(await readFile(join(out, 'prairielearn-results.json'), 'utf8')));
    expect(prairie.gradable).toBe(true);
    expect(prairie.score).toBe(0);
    const classroom = Classroom.parse(JSON.parse(await readFile(join(out, 'classroom-results.json'), 'utf8')));
    expect(classroom.status).toBe('fail');
    expect(classroom.tests.map((t) => t.status)).toEqual(['fail', 'fail']);
  });

  test('the documented workflow command, run as the workflow runs it', async () => {
    const doc = await readFile(join(REPO_ROOT, 'docs', 'batch-and-ci.md'), 'utf8');
    const line = /^\s+run: (npx netgrade grade .+)$/m.exec(doc);
    expect(line, 'the workflow in docs/batch-and-ci.md has a `run: npx netgrade grade ...` step').not.toBeNull();
    const command = line![1]!.split(/\s+/);
    expect(command.slice(0, 2)).toEqual(['npx', 'netgrade']);
    // A class repository: the submission folder holds the exercise's folder.
    const repo = await temp('netgrade-classrepo-');
    await cp(join(SOLUTIONS, EXERCISE), join(repo, 'submission', EXERCISE), { recursive: true });
    const summary = join(repo, 'step-summary.md');
    const started = performance.now();
    const result = await run([BIN, ...command.slice(2)], repo, { GITHUB_STEP_SUMMARY: summary });
    process.stderr.write(`workflow command: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const out = command[command.indexOf('--out') + 1]!;
    expect(existsSync(join(repo, out, 'report.html'))).toBe(true);
    expect(existsSync(join(repo, out, 'junit.xml'))).toBe(true);
    expect(await readFile(summary, 'utf8')).toMatch(/## netgrade: submission — (\d+) \/ \1 points/);
    expect(result.stdout).not.toContain('::error');
  });
});

describe('check visibility', () => {
  const check = (id: string, passed: boolean, visibility?: CheckResult['visibility']): CheckResult => ({
    id,
    title: `check ${id}`,
    status: passed ? 'passed' : 'failed',
    points: passed ? 5 : 0,
    maxPoints: 5,
    message: passed ? '' : `${id} failed`,
    expected: 'OK 3',
    actual: 'OK 4',
    transcript: [],
    durationMs: 12,
    seed: 1,
    ...(visibility ? { visibility } : {}),
  });
  const result: SubmissionResult = {
    schemaVersion: 2,
    grader: { name: 'netgrade', version: '0.1.0', node: 'v24' },
    submission: { name: 'ada', path: '/tmp/ada' },
    seed: 1,
    isolation: 'test',
    startedAt: new Date(0).toISOString(),
    durationMs: 100,
    score: 10,
    maxScore: 15,
    exercises: [
      {
        id: EXERCISE,
        title: 'Message framing',
        submitted: true,
        score: 10,
        maxScore: 15,
        parts: [],
        notes: [],
        durationMs: 100,
        checks: [check('a.visible', true), check('b.hidden', false, 'hidden'), check('c.later', true, 'after-due-date')],
      },
    ],
  };

  test('Gradescope carries every check with its visibility', () => {
    const gs = Gradescope.parse(renderGradescope(result));
    expect(gs.tests.map((t) => t.visibility)).toEqual(['visible', 'hidden', 'after_due_date']);
    expect(gs.score).toBe(10);
  });

  test('student-facing formats leave out hidden checks, and after-due-date ones until the due date', () => {
    const before = studentView(result, { due: new Date('2030-01-01'), now: new Date('2029-01-01') });
    const after = studentView(result, { due: new Date('2030-01-01'), now: new Date('2030-01-02') });
    expect(Classroom.parse(renderClassroom(before)).tests.map((t) => t.name)).toEqual([`${EXERCISE} › a.visible: check a.visible`]);
    expect(renderClassroom(before).max_score).toBe(5);
    expect(PrairieLearn.parse(renderPrairieLearn(after)).tests.map((t) => t.name)).toEqual([`${EXERCISE} › a.visible`, `${EXERCISE} › c.later`]);
    expect(renderPrairieLearn(after).score).toBe(1);
    expect(renderJunit(after)).not.toContain('b.hidden');
    expect(renderGithubAnnotations(before, () => 'server.ts')).toEqual([]);
    // Without a due date, after-due-date checks stay hidden.
    expect(studentView(result).exercises[0]!.checks.map((c) => c.id)).toEqual(['a.visible']);
  });

  test('XML escapes what a submission controls', () => {
    const nasty = structuredClone(result);
    nasty.exercises[0]!.checks[1]!.visibility = 'visible';
    nasty.exercises[0]!.checks[1]!.message = '<script>&"\u0001';
    const xml = renderJunit(nasty);
    expect(xml).toContain('&lt;script&gt;&amp;&quot;\uFFFD');
    expect(() => new XMLParser().parse(xml)).not.toThrow();
  });
});
