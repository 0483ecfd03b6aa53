/**
 * The class outputs, rendered from a serialised `ClassResult` only (batch and merge both
 * end here): `index.html` (overview), `grades.csv`, `results.json`, and one
 * `students/<name>/report.html` per graded student.
 */
import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { currentLanguage } from '../i18n/language.ts';
import { codeWords, messages } from '../i18n/messages.ts';
import { ClassResult } from '../model/class.ts';
import { proseHelper, renderReport } from './html.ts';
import { writeJsonAtomically } from './json.ts';

// ---------------------------------------------------------------- CSV

/** RFC 4180 quoting, and a leading ' on text a spreadsheet would run as a formula. */
export function csvCell(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One row per student: student, one column per exercise (score), total, max_total, status. */
export function renderCsv(klass: ClassResult): string {
  const header = ['student', ...klass.exercises.map((e) => e.id), 'total', 'max_total', 'status'];
  const max = klass.exercises.reduce((s, e) => s + e.maxScore, 0);
  const rows = klass.students.map((s) => {
    const scores = klass.exercises.map((e) => s.result?.exercises.find((x) => x.id === e.id)?.score ?? 0);
    return [s.name, ...scores, s.result?.score ?? 0, max, s.result ? 'graded' : `not graded: ${s.error?.code ?? ''}`];
  });
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

// ---------------------------------------------------------------- overview

const templateSource = readFileSync(new URL('./templates/class.hbs', import.meta.url), 'utf8');
const handlebars = Handlebars.create();
handlebars.registerHelper('prose', proseHelper);
// preventIndent: a standalone partial call must not indent every line it renders, or each line
// after the first of a multi-line <pre> (expected, actual, a caret excerpt) gains the call's indent.
const template = handlebars.compile(templateSource, { strict: false, noEscape: false, preventIndent: true });

const bucket = (ratio: number) => Math.max(0, Math.min(10, Math.round(ratio * 10)));
const pct = (ratio: number) => `${Math.round(ratio * 100)}%`;

export const studentReportHref = (name: string): string => `students/${encodeURIComponent(name)}/report.html`;

/** The language of a class's outputs: that of its gradings (all alike), else the current one. */
export function classLanguage(klass: ClassResult) {
  return klass.students.find((s) => s.result?.language)?.result?.language ?? currentLanguage();
}

export function overviewView(klass: ClassResult) {
  const lang = classLanguage(klass);
  const t = messages.in(lang);
  const words = (code: string) => codeWords(code, lang);
  const maxTotal = klass.exercises.reduce((s, e) => s + e.maxScore, 0);
  const graded = klass.students.filter((s) => s.result);
  const students = klass.students.map((s) => {
    const total = s.result?.score ?? 0;
    return {
      name: s.name,
      href: s.result ? studentReportHref(s.name) : undefined,
      source: s.source,
      error: s.error ? `${words(s.error.code)}: ${s.error.message}` : undefined,
      notes: s.extractionNotes.length ? t('class.archiveSkipped', { n: s.extractionNotes.length }) : undefined,
      cells: klass.exercises.map((e) => {
        const x = s.result?.exercises.find((r) => r.id === e.id);
        const score = x?.score ?? 0;
        // Flaky checks earn no points (the heat is the score's); the cell is outlined and says how many.
        const flaky = x?.checks.filter((c) => c.status === 'flaky').length ?? 0;
        return {
          score,
          max: e.maxScore,
          heat: bucket(e.maxScore ? score / e.maxScore : 0),
          // The code as words (未提交, "entry file missing"); the verdict's own line on hover.
          ...(x?.verdict ? { verdict: words(x.verdict.code), verdictTitle: x.verdict.title } : {}),
          flaky,
          flakyLabel: t('class.flakyCell', { n: flaky }),
        };
      }),
      total,
      totalHeat: bucket(maxTotal ? total / maxTotal : 0),
    };
  });
  const checks = klass.exercises
    .flatMap((e) =>
      e.checks.map((c) => {
        const results = graded.map((s) => s.result!.exercises.find((x) => x.id === e.id)?.checks.find((x) => x.id === c.id));
        const passed = results.filter((r) => r?.status === 'passed').length;
        const flaky = results.filter((r) => r?.status === 'flaky').length;
        const ratio = graded.length ? passed / graded.length : 0;
        return { exercise: e.id, id: c.id, title: c.title, points: c.maxPoints, passed, flaky, of: graded.length, ratio, rate: pct(ratio), heat: bucket(ratio) };
      }),
    )
    .sort((a, b) => a.ratio - b.ratio || a.exercise.localeCompare(b.exercise) || a.id.localeCompare(b.id));

  // Histogram: ten bins of the total as a percentage (the last bin includes 100%).
  const bins = Array.from({ length: 10 }, () => 0);
  for (const s of graded) bins[Math.min(9, Math.floor(((s.result!.score / (maxTotal || 1)) * 100) / 10))]!++;
  const most = Math.max(1, ...bins);
  const W = 40;
  const H = 160;
  const histogram = bins.map((count, i) => {
    const height = Math.round((count / most) * H);
    return { x: 30 + i * (W + 6), y: 10 + H - height, width: W, height, count, label: `${i * 10}–${i === 9 ? 100 : i * 10 + 9}%`, labelX: 30 + i * (W + 6) + W / 2, countY: 10 + H - height - 4 };
  });
  const average = graded.length ? graded.reduce((s, x) => s + x.result!.score, 0) / graded.length : 0;
  const flakyChecks = checks.reduce((n, c) => n + c.flaky, 0);
  const notGraded = klass.students.length - graded.length;
  const summaryParams = { students: klass.students.length, graded: graded.length, average: average.toFixed(1), max: String(maxTotal) };
  return {
    lang,
    text: {
      summary: notGraded > 0 ? t('class.summaryNotGraded', { ...summaryParams, notGraded }) : t('class.summary', summaryParams),
      flaky: t('class.flaky', { n: flakyChecks }),
      flakyExplained: t('class.flakyExplained'),
      version: t('class.version', { version: klass.grader.version }),
      language: t('class.language'),
      students: t('class.students'),
      sortHint: t('class.sortHint'),
      colStudent: t('class.col.student'),
      colTotal: t('class.col.total', { max: String(maxTotal) }),
      flakyCellTitle: t('class.flakyCellTitle'),
      checksHeading: t('class.checksHeading'),
      checksHint: t('class.checksHint'),
      colExercise: t('class.col.exerciseName'),
      colCheck: t('class.col.check'),
      colPoints: t('class.col.points'),
      colPassed: t('class.col.passed'),
      colFlaky: t('class.col.flaky'),
      colRate: t('class.col.rate'),
      histogram: t('class.histogram'),
      histogramLabel: t('class.histogramLabel'),
    },
    title: klass.shard ? t('class.titleShard', { index: String(klass.shard.index), count: String(klass.shard.count) }) : t('class.title'),
    graderVersion: klass.grader.version,
    exercises: klass.exercises.map((e) => ({ id: e.id, title: e.title, max: e.maxScore, heading: t('class.col.exercise', { id: e.id, max: String(e.maxScore) }) })),
    maxTotal,
    students,
    studentCount: klass.students.length,
    gradedCount: graded.length,
    notGraded,
    average: average.toFixed(1),
    flakyChecks,
    checks,
    histogram,
    svgWidth: 30 + 10 * (W + 6) + 10,
    svgHeight: H + 50,
    baseY: 10 + H,
    labelY: 10 + H + 16,
    heats: Array.from({ length: 11 }, (_, i) => ({ i, hue: Math.round(i * 12) })),
  };
}

export function renderOverview(klass: ClassResult): string {
  return template(overviewView(klass));
}

// ---------------------------------------------------------------- all outputs

export async function writeClassOutputs(klass: ClassResult, outDir: string): Promise<void> {
  const parsed = ClassResult.parse(klass);
  await mkdir(outDir, { recursive: true });
  const write = async (path: string, text: string) => {
    await mkdir(join(path, '..'), { recursive: true });
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, text);
    await rename(temp, path);
  };
  for (const student of parsed.students) {
    if (!student.result) continue;
    const replay = `npx netgrade grade <${student.name}'s submission> --seed ${student.result.seed}${parsed.exercises.map((e) => ` --exercise ${e.id}`).join('')}`;
    await write(join(outDir, 'students', student.name, 'report.html'), renderReport(student.result, replay));
  }
  await write(join(outDir, 'grades.csv'), renderCsv(parsed));
  await write(join(outDir, 'index.html'), renderOverview(parsed));
  await writeJsonAtomically(join(outDir, 'results.json'), parsed);
}
