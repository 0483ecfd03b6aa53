/**
 * One line per check as grading goes, failures explained under them, totals at the end.
 * Colour through Node's own `util.styleText`, which honours NO_COLOR, FORCE_COLOR and
 * non-TTY output of the stream it writes to.
 */
import { styleText } from 'node:util';
import type { Writable } from 'node:stream';
import type { CheckResult, CheckStatus, ExerciseResult, SubmissionResult } from '../model/results.ts';
import type { BeginInfo, Reporter } from './reporter.ts';

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
    this.#line(`${this.#style('bold', 'netgrade')} grading ${info.submission.path}  ${this.#style('gray', `seed ${info.seed}`)}`);
  }

  onExerciseBegin(exercise: { id: string; title: string }): void {
    this.#line();
    this.#line(`${this.#style('bold', exercise.id)}  ${this.#style('gray', exercise.title)}`);
  }

  onCheckEnd(_exerciseId: string, check: CheckResult): void {
    this.#idWidth = Math.max(this.#idWidth, check.id.length);
    const { mark, style } = MARKS[check.status];
    const points = `${check.points}/${check.maxPoints}`.padStart(6);
    const extra = check.status === 'passed' || check.status === 'failed' ? '' : ` ${check.status}`;
    this.#line(`  ${this.#style(style, mark)} ${check.id.padEnd(this.#idWidth)} ${points}${this.#style(style, extra)}  ${this.#style('gray', check.title)}`);
    if (check.status !== 'passed') {
      for (const line of wrap(check.message, 96)) this.#line(`      ${line}`);
      if (check.expected !== undefined) this.#line(`      ${this.#style('green', 'expected:')} ${oneLine(check.expected)}`);
      if (check.actual !== undefined) this.#line(`      ${this.#style('red', 'actual:  ')} ${oneLine(check.actual)}`);
      for (const attempt of check.attempts ?? []) {
        const same = attempt.status === check.status && attempt.message === check.message;
        const what = attempt.status === 'passed' ? 'passed' : same ? `${attempt.status} the same way` : `${attempt.status}: ${oneLine(attempt.message)}`;
        this.#line(this.#style('gray', `      re-run ${attempt.attempt - 1} with the same seed: ${what} (${attempt.durationMs} ms)`));
      }
    }
  }

  onExerciseEnd(exercise: ExerciseResult): void {
    if (exercise.verdict && exercise.verdict.code !== 'NOT_SUBMITTED') {
      this.#line(`  ${this.#style('red', 'verdict:')} ${exercise.verdict.title}`);
    }
    for (const note of exercise.notes) this.#line(`  ${this.#style('yellow', 'note:')} ${note}`);
    const parts = exercise.parts.map((p) => `${p.id} ${p.score}/${p.maxScore}`).join(', ');
    this.#line(`  ${this.#style('bold', `score ${exercise.score}/${exercise.maxScore}`)}${parts ? `  (${parts})` : ''}`);
  }

  onSubmissionEnd(result: SubmissionResult): void {
    const all = result.exercises.flatMap((e) => e.checks);
    const count = (s: CheckStatus) => all.filter((c) => c.status === s).length;
    const summary = (['passed', 'flaky', 'failed', 'error', 'timeout', 'skipped'] as const)
      .filter((s) => count(s) > 0)
      .map((s) => this.#style(MARKS[s].style, `${count(s)} ${s}`))
      .join(', ');
    this.#line();
    this.#line(`${this.#style('bold', `Total ${result.score}/${result.maxScore}`)}  ${summary}  ${this.#style('gray', `${(result.durationMs / 1000).toFixed(1)} s`)}`);
    for (const line of this.#footer?.(result) ?? []) this.#line(this.#style('gray', line));
  }
}

function oneLine(text: string): string {
  const flat = text.replace(/\n/g, '\\n');
  return flat.length > 200 ? flat.slice(0, 200) + '…' : flat;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let current = '';
    for (const word of paragraph.split(' ')) {
      if (current && current.length + word.length + 1 > width) {
        lines.push(current);
        current = word;
      } else {
        current = current ? `${current} ${word}` : word;
      }
    }
    lines.push(current);
  }
  return lines;
}
