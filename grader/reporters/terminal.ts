/**
 * One line per check as grading goes, failures explained under them, totals at the end.
 * Colour through Node's own `util.styleText`, which honours NO_COLOR, FORCE_COLOR and
 * non-TTY output of the stream it writes to. Text is in the grading's language; columns are
 * measured in display width (`string-width`: a CJK character takes two columns) and
 * messages wrapped by it (`wrap-ansi`, which also breaks Chinese text, which has no spaces).
 */
import { styleText } from 'node:util';
import type { Writable } from 'node:stream';
import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';
import { messages } from '../i18n/messages.ts';
import type { CheckResult, CheckStatus, ExerciseResult, SubmissionResult } from '../model/results.ts';
import type { BeginInfo, Reporter } from './reporter.ts';

const { t } = messages;

type Style = Parameters<typeof styleText>[0];

const MARKS: Record<CheckStatus, { mark: string; style: Style }> = {
  passed: { mark: '✓', style: 'green' },
  failed: { mark: '✗', style: 'red' },
  error: { mark: '!', style: 'red' },
  timeout: { mark: '◷', style: 'yellow' },
  skipped: { mark: '-', style: 'gray' },
  flaky: { mark: '≈', style: 'magenta' },
};

export interface TerminalReporterOptions {
  stream?: Writable & { isTTY?: boolean };
  /** Shown at the end: where the files went and how to replay. */
  footer?: (result: SubmissionResult) => string[];
}

export class TerminalReporter implements Reporter {
  readonly #stream: Writable;
  readonly #footer: TerminalReporterOptions['footer'];
  #idWidth = 28;
  readonly #notSubmitted = new Set<string>();

  constructor(options: TerminalReporterOptions = {}) {
    this.#stream = options.stream ?? process.stdout;
    this.#footer = options.footer;
  }

  #style(format: Style, text: string): string {
    return styleText(format, text, { stream: this.#stream });
  }

  #line(text = ''): void {
    this.#stream.write(text + '\n');
  }

  onBegin(info: BeginInfo): void {
    this.#line(`${this.#style('bold', 'netgrade')} ${t('terminal.begin', { path: info.submission.path })}  ${this.#style('gray', t('terminal.seed', { seed: String(info.seed) }))}`);
  }

  onExerciseBegin(exercise: { id: string; title: string; submitted?: boolean }): void {
    if (exercise.submitted === false) {
      this.#notSubmitted.add(exercise.id);
      return;
    }
    this.#line();
    this.#line(`${this.#style('bold', exercise.id)}  ${this.#style('gray', exercise.title)}`);
  }

  onCheckEnd(exerciseId: string, check: CheckResult): void {
    // An exercise not submitted takes one line (in onExerciseEnd), not one per check.
    if (this.#notSubmitted.has(exerciseId)) return;
    this.#idWidth = Math.max(this.#idWidth, check.id.length);
    const { mark, style } = MARKS[check.status];
    const points = `${check.points}/${check.maxPoints}`.padStart(6);
    const status = check.status === 'passed' || check.status === 'failed' ? '' : t(`status.${check.status}`);
    const extra = status ? ` ${padToWidth(status, STATUS_WIDTH)}` : '';
    this.#line(`  ${this.#style(style, mark)} ${check.id.padEnd(this.#idWidth)} ${points}${this.#style(style, extra)}  ${this.#style('gray', check.title)}`);
    if (check.status !== 'passed') {
      for (const line of wrap(check.message, 96)) this.#line(`      ${line}`);
      if (check.expected !== undefined) this.#line(`      ${this.#style('green', padToWidth(t('terminal.expected'), LABEL_WIDTH))} ${oneLine(check.expected)}`);
      if (check.actual !== undefined) this.#line(`      ${this.#style('red', padToWidth(t('terminal.actual'), LABEL_WIDTH))} ${oneLine(check.actual)}`);
      for (const attempt of check.attempts ?? []) {
        const same = attempt.status === check.status && attempt.message === check.message;
        const n = attempt.attempt - 1;
        const duration = { ms: attempt.durationMs };
        const text =
          attempt.status === 'passed'
            ? t('terminal.rerun.passed', { n, duration })
            : same
              ? t('terminal.rerun.same', { n, status: t(`status.${attempt.status}`), duration })
              : t('terminal.rerun.other', { n, status: t(`status.${attempt.status}`), message: oneLine(attempt.message), duration });
        this.#line(this.#style('gray', `      ${text}`));
      }
    }
  }

  onExerciseEnd(exercise: ExerciseResult): void {
    if (this.#notSubmitted.has(exercise.id)) {
      const score = t('terminal.score', { score: String(exercise.score), max: String(exercise.maxScore) });
      this.#line(`${this.#style('gray', `- ${exercise.id}`)}  ${score}  ${this.#style('yellow', exercise.verdict?.title ?? '')}`);
      if (exercise.verdict) for (const line of wrap(exercise.verdict.message, 96)) this.#line(`    ${line}`);
      return;
    }
    if (exercise.verdict && exercise.verdict.code !== 'NOT_SUBMITTED') {
      this.#line(`  ${this.#style('red', t('terminal.verdict'))} ${exercise.verdict.title}`);
    }
    for (const note of exercise.notes) this.#line(`  ${this.#style('yellow', t('terminal.note'))} ${note}`);
    const parts = exercise.parts.map((p) => `${p.id} ${p.score}/${p.maxScore}`).join(t('terminal.separator'));
    this.#line(`  ${this.#style('bold', t('terminal.score', { score: String(exercise.score), max: String(exercise.maxScore) }))}${parts ? `  (${parts})` : ''}`);
  }

  onSubmissionEnd(result: SubmissionResult): void {
    const all = result.exercises.flatMap((e) => e.checks);
    const count = (s: CheckStatus) => all.filter((c) => c.status === s).length;
    const summary = (['passed', 'flaky', 'failed', 'error', 'timeout', 'skipped'] as const)
      .filter((s) => count(s) > 0)
      .map((s) => this.#style(MARKS[s].style, t('terminal.count', { count: count(s), status: t(`status.${s}`) })))
      .join(t('terminal.separator'));
    this.#line();
    this.#line(
      `${this.#style('bold', t('terminal.total', { score: String(result.score), max: String(result.maxScore) }))}  ${summary}  ${this.#style('gray', t('terminal.seconds', { duration: { seconds: result.durationMs / 1000 } }))}`,
    );
    for (const line of this.#footer?.(result) ?? []) this.#line(this.#style('gray', line));
  }
}

/** Display columns kept for a status word ("timed out", "未运行"), so titles line up. */
const STATUS_WIDTH = 9;
/** Display columns of the "expected:"/"actual:" labels. */
const LABEL_WIDTH = 9;

/** Pads to a display width (a CJK character takes two columns). */
export function padToWidth(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - stringWidth(text)));
}

function oneLine(text: string): string {
  const flat = text.replace(/\n/g, '\\n');
  return flat.length > 200 ? flat.slice(0, 200) + '…' : flat;
}

/** Quoted protocol bytes up to this display width are never broken over two lines. */
const KEEP_QUOTED_WIDTH = 40;
const GLUE = '\u00a0';

/**
 * Wraps by display width; words longer than the width, and text without spaces (Chinese), are
 * broken. A short quoted string (`"FAIL bad name"`) stays on one line: broken at its space it
 * reads as two replies. Its spaces are glued with no-break spaces while wrap-ansi wraps (it
 * breaks at plain spaces only), then given back; text that holds a no-break space of its own
 * is wrapped as it is.
 */
export function wrap(text: string, width: number): string[] {
  if (text.includes(GLUE)) return wrapAnsi(text, width, { hard: true, trim: true }).split('\n');
  const glued = text.replace(/"(?:[^"\\\n]|\\.)*"/g, (quoted) => (stringWidth(quoted) <= Math.min(KEEP_QUOTED_WIDTH, width) ? quoted.replaceAll(' ', GLUE) : quoted));
  return wrapAnsi(glued, width, { hard: true, trim: true }).replaceAll(GLUE, ' ').split('\n');
}
