/**
 * The formats of CI systems and course platforms, rendered from a serialised
 * `SubmissionResult` only (pure functions), plus reporters that write them:
 * - JUnit XML (one testsuite per exercise, one testcase per check);
 * - GitHub Actions: a Markdown job summary and `::error` annotations (`::warning` for flaky checks);
 * - Gradescope autograder `results.json`;
 * - PrairieLearn external grader `results.json`;
 * - GitHub Classroom runner result.
 *
 * Visibility: a check's `visibility` decides who sees it. Gradescope gets every check with
 * its own `visibility` field (Gradescope does the hiding). The other formats are what a
 * student reads (the PR summary, the Classroom / PrairieLearn page), so they leave out hidden
 * checks, and `after-due-date` checks until the due date has passed; their scores are then
 * over the checks shown. The instructor's outputs (HTML, results.json, batch) show everything.
 *
 * Flaky checks (failed, then passed on a re-run with the same seed) earn no points and are
 * never reported as passed: a JUnit `<failure type="flaky">`, a GitHub `::warning`, a failed
 * test in Gradescope, PrairieLearn and Classroom, each with the message that says so.
 */
import { appendFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { ExerciseDefinition } from '../exercise/define.ts';
import type { CheckVisibility } from '../model/exercise.ts';
import type { CheckResult, ExerciseResult, SubmissionResult } from '../model/results.ts';
import type { Reporter } from './reporter.ts';
import { messages } from '../i18n/messages.ts';

/** The catalogue in the language of a grading (results written before `language` existed: English). */
const textOf = (result: SubmissionResult) => messages.in(result.language ?? 'en');

export interface ViewOptions {
  /** When `after-due-date` checks become visible; never when undefined. */
  due?: Date;
  now?: Date;
}

/** Copies each check's `visibility` from the exercise definitions into the results (when not already there). */
export async function annotateVisibility(result: SubmissionResult, exercises: ExerciseDefinition[]): Promise<SubmissionResult> {
  const byExercise = new Map<string, Map<string, CheckVisibility>>();
  for (const exercise of exercises) {
    const checks = await exercise.checks({ options: {} });
    const map = new Map<string, CheckVisibility>();
    for (const check of checks) {
      const visibility = (check as { visibility?: CheckVisibility }).visibility;
      if (visibility) map.set(check.id, visibility);
    }
    byExercise.set(exercise.meta.id, map);
  }
  return {
    ...result,
    exercises: result.exercises.map((e) => ({
      ...e,
      checks: e.checks.map((c) => {
        const visibility = c.visibility ?? byExercise.get(e.id)?.get(c.id);
        return visibility ? { ...c, visibility } : c;
      }),
    })),
  };
}

export function studentCanSee(check: CheckResult, view: ViewOptions = {}): boolean {
  const visibility = check.visibility ?? 'visible';
  if (visibility === 'visible') return true;
  if (visibility === 'hidden') return false;
  return view.due !== undefined && (view.now ?? new Date()).getTime() >= view.due.getTime();
}

/** The exercises as a student may see them: hidden checks removed, scores over what is left. */
export function studentView(result: SubmissionResult, view: ViewOptions = {}): SubmissionResult {
  const exercises = result.exercises.map((e) => {
    const checks = e.checks.filter((c) => studentCanSee(c, view));
    return {
      ...e,
      checks,
      score: checks.reduce((s, c) => s + c.points, 0),
      maxScore: checks.reduce((s, c) => s + c.maxPoints, 0),
    };
  });
  return {
    ...result,
    exercises,
    score: exercises.reduce((s, e) => s + e.score, 0),
    maxScore: exercises.reduce((s, e) => s + e.maxScore, 0),
  };
}

function checkText(result: SubmissionResult, check: CheckResult): string {
  const t = textOf(result);
  const lines = [check.message];
  if (check.expected !== undefined) lines.push(t('ci.expected', { text: check.expected }));
  if (check.actual !== undefined) lines.push(t('ci.actual', { text: check.actual }));
  for (const attempt of check.attempts ?? []) {
    const same = attempt.status === check.status && attempt.message === check.message;
    const params = { n: attempt.attempt - 1, status: t(`status.${attempt.status}`) };
    lines.push(attempt.status === 'passed' || same ? t('ci.rerun', params) : t('ci.rerunMessage', { ...params, message: attempt.message }));
  }
  return lines.filter(Boolean).join('\n');
}

function verdictText(exercise: ExerciseResult): string {
  return exercise.verdict ? `${exercise.verdict.title}. ${exercise.verdict.message}` : '';
}

// ---------------------------------------------------------------- JUnit XML

/** Escapes text and attribute values; drops characters XML 1.0 cannot carry at all. */
export function xmlEscape(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/**
 * JUnit XML. A flaky check is a `<failure type="flaky">`, counted in `failures`: every CI
 * system reads it as a failed test, which it is for grading (no points). Maven Surefire's
 * `<flakyFailure>` was not used: it goes inside a testcase that *passed*, and Jenkins,
 * GitLab and the test-reporter actions show such a testcase as passed (most ignore the
 * element), which would hide that the check earned nothing.
 */
export function renderJunit(result: SubmissionResult): string {
  const count = (e: ExerciseResult, ...s: CheckResult['status'][]) => e.checks.filter((c) => s.includes(c.status)).length;
  const all = result.exercises;
  const total = (...s: CheckResult['status'][]) => all.reduce((n, e) => n + count(e, ...s), 0);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(
    `<testsuites name="netgrade ${xmlEscape(result.submission.name)}" tests="${all.reduce((n, e) => n + e.checks.length, 0)}" failures="${total('failed', 'flaky')}" errors="${total('error', 'timeout')}" skipped="${total('skipped')}" time="${seconds(result.durationMs)}">`,
  );
  for (const e of all) {
    out.push(
      `  <testsuite name="${xmlEscape(e.id)}" tests="${e.checks.length}" failures="${count(e, 'failed', 'flaky')}" errors="${count(e, 'error', 'timeout')}" skipped="${count(e, 'skipped')}" time="${seconds(e.durationMs)}" timestamp="${xmlEscape(result.startedAt)}">`,
    );
    out.push(`    <properties><property name="score" value="${e.score}"/><property name="maxScore" value="${e.maxScore}"/></properties>`);
    for (const c of e.checks) {
      const head = `    <testcase classname="${xmlEscape(e.id)}" name="${xmlEscape(`${c.id}: ${c.title}`)}" time="${seconds(c.durationMs)}"`;
      const message = xmlEscape(c.message || verdictText(e));
      const body = xmlEscape(checkText(result, c));
      if (c.status === 'passed') out.push(`${head}/>`);
      else if (c.status === 'failed' || c.status === 'flaky') out.push(`${head}>\n      <failure message="${message}" type="${c.status}">${body}</failure>\n    </testcase>`);
      else if (c.status === 'skipped') out.push(`${head}>\n      <skipped message="${message}"/>\n    </testcase>`);
      else out.push(`${head}>\n      <error message="${message}" type="${c.status}">${body}</error>\n    </testcase>`);
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------- GitHub Actions

const mdCell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'));

export function renderGithubSummary(result: SubmissionResult, reportHint?: string): string {
  const t = textOf(result);
  const lines = [`## ${t('ci.summaryTitle', { name: mdCell(result.submission.name), score: String(result.score), max: String(result.maxScore) })}`, ''];
  for (const e of result.exercises) {
    lines.push(`### ${t('ci.exerciseTitle', { title: mdCell(e.title), score: String(e.score), max: String(e.maxScore) })}`, '');
    if (e.verdict) lines.push(`> **${mdCell(e.verdict.title)}** ${mdCell(e.verdict.message)}`, '');
    lines.push(t('ci.tableHead'), '|---|---|---:|---|');
    for (const c of e.checks) {
      const mark = c.status === 'passed' ? '✅' : c.status === 'skipped' ? '⏭️' : c.status === 'flaky' ? t('ci.flakyMark') : '❌';
      lines.push(`| ${mark} | \`${mdCell(c.id)}\` ${mdCell(c.title)} | ${c.points} / ${c.maxPoints} | ${mdCell(c.message)} |`);
    }
    lines.push('');
  }
  if (reportHint) lines.push(reportHint, '');
  return lines.join('\n');
}

const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/**
 * `::error` workflow commands, one per check that lost points, pointing at the exercise's
 * entry file; `::warning` for a flaky check (it lost its points too, but the program did the
 * right thing once: a race to look for rather than a plain mistake).
 */
export function renderGithubAnnotations(result: SubmissionResult, entryFile: (exerciseId: string) => string | undefined, cwd = process.cwd()): string[] {
  const lines: string[] = [];
  for (const e of result.exercises) {
    const entry = entryFile(e.id);
    const file = entry ? relative(cwd, join(result.submission.path, e.id, entry)) : undefined;
    for (const c of e.checks) {
      if (c.status === 'passed' || c.status === 'skipped') continue;
      const flaky = c.status === 'flaky';
      const title = textOf(result)(flaky ? 'ci.annotationTitleFlaky' : 'ci.annotationTitle', { exercise: e.id, check: c.id, points: String(c.points), max: String(c.maxPoints) });
      const props = [...(file ? [`file=${escapeProperty(file)}`] : []), `title=${escapeProperty(title)}`];
      lines.push(`::${flaky ? 'warning' : 'error'} ${props.join(',')}::${escapeData(checkText(result, c) || verdictText(e))}`);
    }
  }
  return lines;
}

// ---------------------------------------------------------------- Gradescope

export interface GradescopeResults {
  score: number;
  execution_time: number;
  output: string;
  visibility: 'visible';
  tests: Array<{ name: string; score: number; max_score: number; status: 'passed' | 'failed'; output: string; visibility: 'visible' | 'hidden' | 'after_due_date' }>;
}

export function renderGradescope(result: SubmissionResult): GradescopeResults {
  const tests = result.exercises.flatMap((e) =>
    e.checks.map((c) => ({
      name: `${e.id} › ${c.id}: ${c.title}`,
      score: c.points,
      max_score: c.maxPoints,
      status: c.status === 'passed' ? ('passed' as const) : ('failed' as const),
      output: checkText(result, c) || verdictText(e),
      visibility: c.visibility === 'hidden' ? ('hidden' as const) : c.visibility === 'after-due-date' ? ('after_due_date' as const) : ('visible' as const),
    })),
  );
  const output = result.exercises.map((e) => `${e.title}: ${e.score} / ${e.maxScore}${e.verdict ? ` — ${verdictText(e)}` : ''}`).join('\n');
  return { score: result.score, execution_time: Math.round(result.durationMs / 1000), output, visibility: 'visible', tests };
}

// ---------------------------------------------------------------- PrairieLearn

export interface PrairieLearnResults {
  gradable: boolean;
  score: number;
  message: string;
  output: string;
  tests: Array<{ name: string; description: string; points: number; max_points: number; message: string; output: string }>;
}

export function renderPrairieLearn(result: SubmissionResult): PrairieLearnResults {
  const missing = result.exercises.filter((e) => !e.submitted).map((e) => e.id);
  const t = textOf(result);
  return {
    // Not gradable: nothing of an exercise was submitted (PrairieLearn then does not count the attempt).
    gradable: missing.length === 0,
    score: result.maxScore > 0 ? result.score / result.maxScore : 0,
    message:
      missing.length > 0
        ? t('ci.notSubmitted', { ids: missing })
        : t('ci.points', { score: String(result.score), max: String(result.maxScore) }),
    output: result.exercises.map((e) => `${e.title}: ${e.score} / ${e.maxScore}${e.verdict ? `\n  ${verdictText(e)}` : ''}`).join('\n'),
    tests: result.exercises.flatMap((e) =>
      e.checks.map((c) => ({
        name: `${e.id} › ${c.id}`,
        description: c.title,
        points: c.points,
        max_points: c.maxPoints,
        message: c.message,
        output: [c.expected !== undefined ? t('ci.expected', { text: c.expected }) : '', c.actual !== undefined ? t('ci.actual', { text: c.actual }) : ''].filter(Boolean).join('\n'),
      })),
    ),
  };
}

// ---------------------------------------------------------------- GitHub Classroom

export interface ClassroomResults {
  version: 1;
  status: 'pass' | 'fail' | 'error';
  max_score: number;
  tests: Array<{ name: string; status: 'pass' | 'fail' | 'error'; message: string; score: number; duration: number }>;
}

export function renderClassroom(result: SubmissionResult): ClassroomResults {
  const tests = result.exercises.flatMap((e) =>
    e.checks.map((c) => ({
      name: `${e.id} › ${c.id}: ${c.title}`,
      // Flaky is a failure of the program (it did not pass every time), not an error.
      status: c.status === 'passed' ? ('pass' as const) : c.status === 'failed' || c.status === 'flaky' ? ('fail' as const) : ('error' as const),
      message: checkText(result, c) || verdictText(e),
      score: c.points,
      duration: c.durationMs,
    })),
  );
  const status = tests.every((t) => t.status === 'pass') ? 'pass' : tests.some((t) => t.status === 'fail') || tests.length === 0 ? 'fail' : 'error';
  return { version: 1, status, max_score: result.maxScore, tests };
}

// ---------------------------------------------------------------- reporters

async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, path);
}

export type CiFormat = 'junit' | 'github' | 'gradescope' | 'prairielearn' | 'classroom';

export const CI_FILES: Record<Exclude<CiFormat, 'github'>, string> = {
  junit: 'junit.xml',
  gradescope: 'gradescope-results.json',
  prairielearn: 'prairielearn-results.json',
  classroom: 'classroom-results.json',
};

export interface CiReporterOptions {
  outDir: (result: SubmissionResult) => string;
  exercises: ExerciseDefinition[];
  view: ViewOptions;
  /** GitHub: where the summary goes (default $GITHUB_STEP_SUMMARY; stdout when unset). */
  summaryFile?: string | undefined;
  write?: (text: string) => void;
}

/** Writes one CI format per submission from the finished result. */
export class CiReporter implements Reporter {
  readonly #format: CiFormat;
  readonly #options: CiReporterOptions;
  constructor(format: CiFormat, options: CiReporterOptions) {
    this.#format = format;
    this.#options = options;
  }

  async onSubmissionEnd(raw: SubmissionResult): Promise<void> {
    const full = await annotateVisibility(raw, this.#options.exercises);
    const shown = studentView(full, this.#options.view);
    const write = this.#options.write ?? ((t: string) => process.stdout.write(t));
    switch (this.#format) {
      case 'github': {
        const summary = renderGithubSummary(shown);
        const file = this.#options.summaryFile ?? process.env.GITHUB_STEP_SUMMARY;
        if (file) await appendFile(file, summary + '\n');
        else write(summary + '\n');
        const entries = new Map(this.#options.exercises.map((e) => [e.meta.id, e.meta.entryFiles[0]]));
        for (const line of renderGithubAnnotations(shown, (id) => entries.get(id))) write(line + '\n');
        return;
      }
      case 'junit':
        return writeAtomically(join(this.#options.outDir(raw), CI_FILES.junit), renderJunit(shown));
      case 'gradescope':
        return writeAtomically(join(this.#options.outDir(raw), CI_FILES.gradescope), JSON.stringify(renderGradescope(full), null, 2) + '\n');
      case 'prairielearn':
        return writeAtomically(join(this.#options.outDir(raw), CI_FILES.prairielearn), JSON.stringify(renderPrairieLearn(shown), null, 2) + '\n');
      case 'classroom':
        return writeAtomically(join(this.#options.outDir(raw), CI_FILES.classroom), JSON.stringify(renderClassroom(shown), null, 2) + '\n');
    }
  }
}
