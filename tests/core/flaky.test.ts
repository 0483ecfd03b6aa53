/**
 * Flaky checks (issue #6): a check that fails is re-run once with the same seed; a pass on
 * the re-run makes it `flaky` (not passed, no points) with both attempts kept, in every
 * report. A check that fails again is reported as the first attempt's failure; start
 * failures and the grader's own errors are not re-run; `--retries 0` turns re-runs off.
 *
 * A tiny exercise defined here, whose checks fail or pass by how often they have been
 * called, makes every case deterministic (no real race needed).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { XMLParser } from 'fast-xml-parser';
import { HtmlValidate } from 'html-validate';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { gradeCommand } from '../../grader/cli/grade-command.ts';
import { main } from '../../grader/cli/netgrade.ts';
import { GradeCliOptions } from '../../grader/cli/options.ts';
import { defineExercise, type CheckContext, type CheckDefinition } from '../../grader/exercise/define.ts';
import { CLASS_SCHEMA_VERSION, ClassResult } from '../../grader/model/class.ts';
import { CheckFailure, SubmissionError } from '../../grader/model/errors.ts';
import { SubmissionResult, type CheckResult } from '../../grader/model/results.ts';
import { renderClassroom, renderGithubAnnotations, renderGithubSummary, renderGradescope, renderJunit, renderPrairieLearn } from '../../grader/reporters/ci-formats.ts';
import { overviewView, renderOverview } from '../../grader/reporters/class-report.ts';
import { renderReport } from '../../grader/reporters/html.ts';
import { JsonReporter } from '../../grader/reporters/json.ts';
import { Multiplexer } from '../../grader/reporters/reporter.ts';
import { TerminalReporter } from '../../grader/reporters/terminal.ts';
import { gradeSubmission } from '../../grader/runner/grade-submission.ts';
import { combineAttempts } from '../../grader/runner/run-check.ts';
import { DEFAULT_SANDBOX_CONFIG, type RunningServer } from '../../grader/sandbox/sandbox.ts';
import { VARIANTS } from '../helpers/grade.ts';

const EXERCISE = 'flaky-demo';

/** Calls of each check in the current grading, and the seed each call saw. */
let calls = new Map<string, number[]>();
function count(ctx: CheckContext, id: string): number {
  const seen = calls.get(id) ?? [];
  seen.push(ctx.seed);
  calls.set(id, seen);
  ctx.note(`attempt ${seen.length} of ${id}`);
  return seen.length;
}
/**
 * Counts a call of a check that talks to the network, as every check of a race does: it
 * opens a UDP socket (to a port nobody serves; nothing is sent). Checks that run nothing
 * (only read files) are not re-run, so without it these would never be.
 */
async function call(ctx: CheckContext, id: string): Promise<number> {
  await ctx.udp({ port: 9 } as RunningServer);
  return count(ctx, id);
}

const checks: CheckDefinition[] = [
  {
    id: 'steady.pass',
    title: 'Always passes',
    points: 3,
    async run(ctx) {
      await call(ctx, 'steady.pass');
    },
  },
  {
    id: 'race.once',
    title: 'Fails the first time only',
    points: 5,
    async run(ctx) {
      if (await call(ctx, 'race.once') === 1) throw new CheckFailure('the reply came before the transfer was done', { expected: 'OK 3', actual: 'OK 2' });
    },
  },
  {
    id: 'race.twice',
    title: 'Fails twice, then passes',
    points: 2,
    async run(ctx) {
      if (await call(ctx, 'race.twice') <= 2) throw new CheckFailure('lost an update');
    },
  },
  {
    id: 'wrong.always',
    title: 'Always fails the same way',
    points: 4,
    async run(ctx) {
      await call(ctx, 'wrong.always');
      throw new CheckFailure('the length header is little-endian', { expected: '00 00 00 03', actual: '03 00 00 00' });
    },
  },
  {
    id: 'wrong.differently',
    title: 'Fails differently on the re-run',
    points: 1,
    async run(ctx) {
      const n = await call(ctx, 'wrong.differently');
      throw new CheckFailure(n === 1 ? 'first wrong answer' : 'second wrong answer');
    },
  },
  {
    id: 'grader.bug',
    title: 'A bug in the check itself',
    points: 1,
    async run(ctx) {
      await call(ctx, 'grader.bug');
      throw new TypeError('undefined is not a function');
    },
  },
  {
    id: 'input.bad',
    title: 'A shared input that cannot be loaded (a start failure)',
    points: 1,
    async run(ctx) {
      await call(ctx, 'input.bad');
      await ctx.shared('answers', async () => {
        throw new SubmissionError('BAD_INPUT_FILE', 'answers.json is not JSON', 'Write valid JSON.');
      });
    },
  },
];

const exercise = defineExercise({
  meta: { id: EXERCISE, title: 'Flaky demo', titleZh: '演示', kind: 'program', entryFiles: ['main.ts'] },
  dir: '/nonexistent',
  checks,
});

/** An exercise whose one check runs nothing: it only reads an answer and fails. */
const answersOnly = defineExercise({
  meta: { id: EXERCISE, title: 'Answers only', titleZh: '答案', kind: 'program', entryFiles: ['main.ts'] },
  dir: '/nonexistent',
  checks: [
    {
      id: 'files.wrong',
      title: 'Reads only files (an answer key) and fails',
      points: 1,
      async run(ctx) {
        count(ctx, 'files.wrong');
        throw new CheckFailure('your answer "B" is not correct');
      },
    },
  ],
});

/** Two checks that fail the same way, one worth no points (evidence, like a browser's screenshot). */
const evidenceOnly = defineExercise({
  meta: { id: EXERCISE, title: 'Evidence', titleZh: '佐证', kind: 'program', entryFiles: ['main.ts'] },
  dir: '/nonexistent',
  checks: (['evidence.fails', 'evidence.scored'] as const).map((id) => ({
    id,
    title: id,
    points: id === 'evidence.fails' ? 0 : 1,
    async run(ctx: CheckContext) {
      await call(ctx, id);
      throw new CheckFailure('the browser never requested /app.js');
    },
  })),
});

const temps: string[] = [];
afterAll(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

async function grade(retries?: number, checkIds?: string[], graded = exercise): Promise<SubmissionResult> {
  const submission = await mkdtemp(join(tmpdir(), 'netgrade-flaky-'));
  temps.push(submission);
  await mkdir(join(submission, EXERCISE));
  await writeFile(join(submission, EXERCISE, 'main.ts'), 'console.log("hi");\n');
  calls = new Map();
  return gradeSubmission({
    submissionDir: submission,
    exercises: [graded],
    seed: 4242,
    options: {},
    sandbox: DEFAULT_SANDBOX_CONFIG,
    reporter: new Multiplexer([]),
    ...(retries === undefined ? {} : { retries }),
    ...(checkIds ? { checkIds } : {}),
  });
}

const byId = (result: SubmissionResult, id: string): CheckResult => result.exercises[0]!.checks.find((c) => c.id === id)!;
const notes = (transcript: CheckResult['transcript'] | undefined) => (transcript ?? []).filter((t) => t.kind === 'note').map((t) => t.text);

describe('re-running failed checks (default: once)', () => {
  let result: SubmissionResult;
  let json: SubmissionResult;
  let runs: Map<string, number[]>;
  beforeAll(async () => {
    result = await grade();
    runs = calls;
    const out = await mkdtemp(join(tmpdir(), 'netgrade-flaky-out-'));
    temps.push(out);
    await new JsonReporter(() => out).onSubmissionEnd(result);
    json = SubmissionResult.parse(JSON.parse(await readFile(join(out, 'results.json'), 'utf8')));
  });

  test('a check that passes on the re-run with the same seed is flaky, earns 0 points, and keeps both transcripts in results.json', () => {
    expect(runs.get('race.once')).toHaveLength(2);
    const [first, second] = runs.get('race.once')!;
    expect(second).toBe(first);
    const check = byId(json, 'race.once');
    expect(check).toMatchObject({ status: 'flaky', points: 0, maxPoints: 5, expected: 'OK 3', actual: 'OK 2' });
    expect(check.message).toMatch(/^Flaky: failed on the first attempt and passed on the re-run with the same seed/);
    expect(check.message).toContain('First attempt (failed): the reply came before the transfer was done');
    // The check's own transcript is the first (failing) attempt; the passing re-run is in `attempts`.
    expect(notes(check.transcript)).toEqual(['attempt 1 of race.once']);
    expect(check.attempts).toHaveLength(1);
    expect(check.attempts![0]).toMatchObject({ attempt: 2, status: 'passed', message: '' });
    expect(notes(check.attempts![0]!.transcript)).toEqual(['attempt 2 of race.once']);
    expect(check.seed).toBe(first);
  });

  test('a failing check worth no points (evidence) is not re-run: there are no points a re-run could tell apart', async () => {
    const evidence = await grade(undefined, undefined, evidenceOnly);
    expect(calls.get('evidence.fails')).toHaveLength(1);
    const check = byId(evidence, 'evidence.fails');
    expect(check).toMatchObject({ status: 'failed', points: 0, maxPoints: 0, message: 'the browser never requested /app.js' });
    expect(check.attempts).toBeUndefined();
    // …while the same failure in a check with points is re-run.
    expect(calls.get('evidence.scored')).toHaveLength(2);
  });

  test('scores: flaky earns nothing, the exercise has only the steady pass', () => {
    expect(byId(json, 'steady.pass')).toMatchObject({ status: 'passed', points: 3 });
    expect(byId(json, 'steady.pass').attempts).toBeUndefined();
    expect(runs.get('steady.pass')).toHaveLength(1);
    expect(json.exercises[0]).toMatchObject({ score: 3, maxScore: 17 });
    expect(json.score).toBe(3);
    expect(json.schemaVersion).toBe(2);
  });

  test('a check that fails twice is failed (the first attempt), not flaky; a re-run that failed the same way keeps no transcript', () => {
    expect(runs.get('wrong.always')).toHaveLength(2);
    const check = byId(json, 'wrong.always');
    expect(check).toMatchObject({ status: 'failed', points: 0, message: 'the length header is little-endian', expected: '00 00 00 03' });
    expect(notes(check.transcript)).toEqual(['attempt 1 of wrong.always']);
    expect(check.attempts).toEqual([
      { attempt: 2, status: 'failed', message: 'the length header is little-endian', expected: '00 00 00 03', actual: '03 00 00 00', durationMs: expect.any(Number) },
    ]);
    // A re-run that failed differently keeps its transcript.
    const differently = byId(json, 'wrong.differently');
    expect(differently).toMatchObject({ status: 'failed', message: 'first wrong answer' });
    expect(differently.attempts![0]).toMatchObject({ status: 'failed', message: 'second wrong answer' });
    expect(notes(differently.attempts![0]!.transcript)).toEqual(['attempt 2 of wrong.differently']);
  });

  test('a check that ran nothing (no process, no connection) is not re-run: its outcome cannot depend on timing', async () => {
    const only = await grade(undefined, undefined, answersOnly);
    expect(calls.get('files.wrong')).toHaveLength(1);
    const check = byId(only, 'files.wrong');
    expect(check).toMatchObject({ status: 'failed', message: 'your answer "B" is not correct' });
    expect(check.attempts).toBeUndefined();
  });

  test('with one re-run, a check that needs two is failed', () => {
    expect(runs.get('race.twice')).toHaveLength(2);
    expect(byId(json, 'race.twice')).toMatchObject({ status: 'failed', message: 'lost an update' });
  });

  test("start failures and the grader's own errors are not re-run", () => {
    expect(runs.get('grader.bug')).toHaveLength(1);
    expect(byId(json, 'grader.bug')).toMatchObject({ status: 'error' });
    expect(byId(json, 'grader.bug').attempts).toBeUndefined();
    expect(runs.get('input.bad')).toHaveLength(1);
    expect(byId(json, 'input.bad')).toMatchObject({ status: 'error' });
    expect(byId(json, 'input.bad').attempts).toBeUndefined();
    expect(json.exercises[0]!.verdict?.code).toBe('BAD_INPUT_FILE');
  });

  test('HTML: a flaky badge, the first attempt and the collapsed re-run with its transcript; still valid HTML', async () => {
    const html = renderReport(result, 'npx netgrade grade x --seed 4242');
    expect(html.trimStart().startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<span class="badge flaky">flaky</span>');
    const flaky = html.slice(html.indexOf('id="flaky-demo--race-once"'), html.indexOf('id="flaky-demo--race-twice"'));
    expect(flaky).toContain('Transcript of the first attempt');
    expect(flaky).toContain('attempt 1 of race.once');
    expect(flaky).toMatch(/<details class="attempt passed">\s*<summary><span class="mark">✓<\/span> Re-run 1 with the same seed: passed/);
    expect(flaky).toContain('attempt 2 of race.once');
    expect(html).toContain('1 of 7 checks passed, 1 flaky (no points)');
    // A re-run that failed the same way says so instead of repeating the transcript.
    const same = html.slice(html.indexOf('id="flaky-demo--wrong-always"'), html.indexOf('id="flaky-demo--wrong-differently"'));
    expect(same).toContain('It failed exactly as the first attempt did');
    const validator = new HtmlValidate({ extends: ['html-validate:recommended'], rules: { 'no-trailing-whitespace': 'off' } });
    const report = await validator.validateString(html);
    expect(report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId}: ${m.message} (line ${m.line})`))).toEqual([]);
  });

  test('JUnit: a flaky check is a failure of type flaky, counted in failures', () => {
    const xml = renderJunit(result);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['testsuite', 'testcase'].includes(name) }).parse(xml);
    const suite = parsed.testsuites.testsuite[0];
    // race.once (flaky), race.twice, wrong.always, wrong.differently (failed).
    expect(suite['@failures']).toBe('4');
    expect(parsed.testsuites['@failures']).toBe('4');
    const flaky = (suite.testcase as Array<Record<string, any>>).find((c) => String(c['@name']).startsWith('race.once'))!;
    expect(flaky.failure['@type']).toBe('flaky');
    expect(flaky.failure['@message']).toMatch(/^Flaky: /);
    expect(flaky.failure['#text']).toContain('re-run 1 with the same seed: passed');
  });

  test('GitHub: ::warning for the flaky check, ::error for the others; the summary marks it flaky', () => {
    const lines = renderGithubAnnotations(result, () => 'main.ts', '/');
    const warnings = lines.filter((l) => l.startsWith('::warning '));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('race.once flaky (0/5)');
    expect(warnings[0]).toContain('Flaky: failed on the first attempt');
    expect(lines.filter((l) => l.startsWith('::error '))).toHaveLength(5);
    expect(renderGithubSummary(result)).toMatch(/\| ⚠️ flaky \| `race\.once`/);
  });

  test('Gradescope, PrairieLearn, Classroom: not passed, no points, with the message', () => {
    const gs = renderGradescope(result).tests.find((t) => t.name.includes('race.once'))!;
    expect(gs).toMatchObject({ status: 'failed', score: 0, max_score: 5 });
    expect(gs.output).toContain('Flaky: ');
    const pl = renderPrairieLearn(result).tests.find((t) => t.name.includes('race.once'))!;
    expect(pl).toMatchObject({ points: 0, max_points: 5 });
    expect(pl.message).toContain('Flaky: ');
    const classroom = renderClassroom(result);
    expect(classroom.tests.find((t) => t.name.includes('race.once'))).toMatchObject({ status: 'fail', score: 0 });
  });

  test('terminal: a flaky mark and count, and the re-run under the message', () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk) => (text += String(chunk)));
    const terminal = new TerminalReporter({ stream });
    for (const check of result.exercises[0]!.checks) terminal.onCheckEnd(EXERCISE, check);
    terminal.onSubmissionEnd(result);
    expect(text).toMatch(/≈ race\.once +0\/5 flaky/);
    expect(text).toContain('re-run 1 with the same seed: passed');
    expect(text).toContain('re-run 1 with the same seed: failed the same way');
    expect(text).toMatch(/1 passed, 1 flaky, 3 failed, 2 error/);
  });

  test('class overview: flaky outlined and counted, still valid HTML', async () => {
    const student = (name: string) => ({ name, source: 'folder' as const, contentHash: 'x', key: 'y', extractionNotes: [], result: { ...result, submission: { name, path: `/tmp/${name}` } } });
    const klass = ClassResult.parse({
      schemaVersion: CLASS_SCHEMA_VERSION,
      grader: { name: 'netgrade', version: '0.1.0' },
      optionsHash: 'h',
      exercises: [{ id: EXERCISE, title: 'Flaky demo', maxScore: 17, checks: checks.map((c) => ({ id: c.id, title: c.title, maxPoints: c.points })) }],
      students: [student('ada'), student('ben')],
    });
    const view = overviewView(klass);
    expect(view.flakyChecks).toBe(2);
    expect(view.students[0]!.cells[0]).toMatchObject({ score: 3, flaky: 1 });
    expect(view.checks.find((c) => c.id === 'race.once')).toMatchObject({ passed: 0, flaky: 2 });
    const html = renderOverview(klass);
    expect(html).toContain('≈1 flaky');
    const validator = new HtmlValidate({ extends: ['html-validate:recommended'] });
    const report = await validator.validateString(html);
    expect(report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId}: ${m.message} (line ${m.line})`))).toEqual([]);
  });
});

describe('retries option', () => {
  test('retries 0: no re-run, a failure stands, nothing is flaky', async () => {
    const result = await grade(0);
    expect(calls.get('race.once')).toHaveLength(1);
    expect(calls.get('wrong.always')).toHaveLength(1);
    expect(byId(result, 'race.once')).toMatchObject({ status: 'failed', message: 'the reply came before the transfer was done' });
    expect(result.exercises[0]!.checks.every((c) => c.attempts === undefined && c.status !== 'flaky')).toBe(true);
  });

  test('retries 2: re-runs until one passes', async () => {
    const result = await grade(2, ['race.twice', 'wrong.always']);
    expect(calls.get('race.twice')).toHaveLength(3);
    const check = byId(result, 'race.twice');
    expect(check.status).toBe('flaky');
    expect(check.message).toContain('passed on re-run 2 of 2 with the same seed');
    expect(check.attempts!.map((a) => [a.attempt, a.status])).toEqual([
      [2, 'failed'],
      [3, 'passed'],
    ]);
    expect(calls.get('wrong.always')).toHaveLength(3);
    expect(byId(result, 'wrong.always').attempts).toHaveLength(2);
  });

  test('combineAttempts sums the durations and leaves a lone attempt untouched', () => {
    const first: CheckResult = { id: 'a', title: 'a', status: 'timeout', points: 0, maxPoints: 2, message: 'slow', transcript: [], durationMs: 100, seed: 1 };
    expect(combineAttempts(first, [])).toBe(first);
    const rerun: CheckResult = { ...first, status: 'passed', points: 2, message: '', durationMs: 30 };
    expect(combineAttempts(first, [rerun])).toMatchObject({ status: 'flaky', points: 0, durationMs: 130 });
    expect(combineAttempts(first, [rerun]).message).toContain('First attempt (timed out): slow');
  });
});

describe('--retries on the command line', () => {
  async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
    let stderr = '';
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
    try {
      return { code: await main(args), stderr };
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  }

  test('a bad value is a usage error; the default is one re-run', async () => {
    expect(GradeCliOptions.parse({}).retries).toBe(1);
    expect(GradeCliOptions.parse({ retries: '0' }).retries).toBe(0);
    const bad = await cli(['grade', '.', '--retries', '-1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('must be 0 or more');
    expect((await cli(['batch', '.', '--retries', 'x'])).code).toBe(2);
  });

  test('a deterministic failure is re-run by default and not with --retries 0', async () => {
    const submission = await mkdtemp(join(tmpdir(), 'netgrade-flaky-cli-'));
    temps.push(submission);
    await cp(join(VARIANTS, 'sticky-packets', 'decode-body-pieces'), join(submission, 'sticky-packets'), { recursive: true });
    const attemptsWith = async (extra: { retries?: string }) => {
      const out = await mkdtemp(join(tmpdir(), 'netgrade-flaky-cli-out-'));
      temps.push(out);
      // The options as the command line parses them, graded by the `grade` command in this process.
      const options = GradeCliOptions.parse({ exercise: ['sticky-packets'], check: ['framing.utf8-split'], reporter: 'json', out, seed: '9', ...extra });
      expect(await gradeCommand([submission], options)).toBe(1);
      const check = SubmissionResult.parse(JSON.parse(await readFile(join(out, 'results.json'), 'utf8'))).exercises[0]!.checks[0]!;
      expect(check.status).toBe('failed');
      return check.attempts;
    };
    expect(await attemptsWith({})).toHaveLength(1);
    expect(await attemptsWith({ retries: '0' })).toBeUndefined();
  });
});
