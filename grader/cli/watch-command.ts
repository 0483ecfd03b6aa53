/**
 * `netgrade grade <dir> --watch`, in the manner of `vitest --watch`: grades the submission's
 * exercises once, then re-grades only the exercise whose files changed (debounced). A save
 * during a run cancels it (the runner's AbortSignal kills every process of the run) and
 * starts again. Each run clears the screen (on a terminal), shows one line per check and the
 * first failure in full. `q` or Ctrl-C quits with nothing left running; without a terminal,
 * a line `q` on stdin quits (for scripts and tests).
 *
 * Files are watched with chokidar (maintained, handles editors' atomic saves); keys come
 * from node:readline's emitKeypressEvents.
 */
import { emitKeypressEvents, createInterface } from 'node:readline';
import { relative, resolve, sep } from 'node:path';
import { styleText } from 'node:util';
import { watch } from 'chokidar';
import type { ExerciseDefinition } from '../exercise/define.ts';
import { cliMessages } from '../i18n/cli-messages.ts';
import type { CheckResult } from '../model/results.ts';
import { Multiplexer, type Reporter } from '../reporters/reporter.ts';
import { gradeSubmission } from '../runner/grade-submission.ts';
import type { SandboxConfig } from '../sandbox/sandbox.ts';
import type { GradeOptions } from '../exercise/define.ts';
import { wrap } from '../reporters/terminal.ts';

const { t } = cliMessages;

/** Quiet time after the last change before a re-grade (editors write a file in several steps). */
export const WATCH_DEBOUNCE_MS = 150;

export interface WatchInput {
  submission: string;
  exercises: ExerciseDefinition[];
  seed: number;
  options: GradeOptions;
  sandbox: SandboxConfig;
  checkIds: string[];
  retries: number;
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
}

export async function watchCommand(input: WatchInput): Promise<number> {
  const out = input.stdout ?? process.stdout;
  const write = (text = '') => out.write(text + '\n');
  const root = resolve(input.submission);
  const byId = new Map(input.exercises.map((e) => [e.meta.id, e]));

  let current: { controller: AbortController; done: Promise<void>; finished: boolean } | undefined;
  let timer: NodeJS.Timeout | undefined;
  const pending = new Map<string, string>(); // exercise id → the file that changed
  let quitting = false;

  const run = (ids: string[], reason: string): void => {
    const controller = new AbortController();
    const done = (async () => {
      for (const id of ids) {
        if (controller.signal.aborted) return;
        if (out.isTTY) out.write('\x1b[2J\x1b[3J\x1b[H');
        write(styleText('bold', t('watch.running', { exercise: id, reason })));
        const reporter = new WatchReporter(write);
        try {
          const result = await gradeSubmission({
            submissionDir: root,
            exercises: [byId.get(id)!],
            seed: input.seed,
            options: input.options,
            sandbox: input.sandbox,
            reporter: new Multiplexer([reporter]),
            checkIds: input.checkIds,
            retries: input.retries,
            signal: controller.signal,
          });
          const exercise = result.exercises[0]!;
          write();
          write(styleText('bold', t('watch.score', { exercise: id, score: String(exercise.score), max: String(exercise.maxScore) })));
          reporter.firstFailure();
        } catch (error) {
          if (controller.signal.aborted) return;
          throw error;
        }
      }
      write();
      write(styleText('gray', t('watch.waiting', { path: relative(process.cwd(), root) || '.' })));
    })();
    const started = { controller, done, finished: false };
    void done.finally(() => (started.finished = true)).catch(() => {});
    current = started;
  };

  const restart = async (): Promise<void> => {
    if (current) {
      // Only a run still going is cancelled (and said so); a finished one has nothing to stop.
      if (!current.finished && !current.controller.signal.aborted) {
        current.controller.abort();
        write(styleText('yellow', t('watch.cancelled')));
      }
      await current.done.catch(() => {});
    }
    if (quitting || pending.size === 0) return;
    const changes = [...pending.entries()];
    pending.clear();
    const reason = t('watch.reason.change', { file: changes.map(([, file]) => file).join(', ') });
    run(changes.map(([id]) => id), reason);
  };

  const watcher = watch(root, {
    ignoreInitial: true,
    ignored: (path: string) => path.includes(`${sep}node_modules`) || /(^|[/\\])\.(git|DS_Store)/.test(path),
    // An editor's save is a burst of events; wait until the file stops changing.
    awaitWriteFinish: { stabilityThreshold: 80, pollInterval: 20 },
  });
  const onChange = (path: string) => {
    const rel = relative(root, path);
    const id = rel.split(sep)[0]!;
    if (!byId.has(id)) {
      write(styleText('gray', t('watch.notExercise', { file: rel })));
      return;
    }
    pending.set(id, rel);
    clearTimeout(timer);
    timer = setTimeout(() => void restart(), WATCH_DEBOUNCE_MS);
  };
  watcher.on('add', onChange).on('change', onChange).on('unlink', onChange);
  await new Promise<void>((ready) => watcher.once('ready', () => ready()));

  run(input.exercises.map((e) => e.meta.id), t('watch.reason.start'));

  return new Promise<number>((resolveExit) => {
    const stdin = process.stdin;
    let lines: ReturnType<typeof createInterface> | undefined;
    const quit = async () => {
      if (quitting) return;
      quitting = true;
      clearTimeout(timer);
      current?.controller.abort();
      await current?.done.catch(() => {});
      await watcher.close();
      if (stdin.isTTY) stdin.setRawMode(false);
      lines?.close();
      stdin.pause();
      process.off('SIGINT', onSigint);
      resolveExit(0);
    };
    const onSigint = () => void quit();
    process.on('SIGINT', onSigint);
    if (stdin.isTTY) {
      emitKeypressEvents(stdin);
      stdin.setRawMode(true);
      stdin.on('keypress', (_text: string, key: { name?: string; ctrl?: boolean } | undefined) => {
        if (key?.name === 'q' || (key?.ctrl && key.name === 'c')) void quit();
      });
      stdin.resume();
    } else {
      lines = createInterface({ input: stdin });
      lines.on('line', (line) => {
        if (line.trim() === 'q') void quit();
      });
    }
  });
}

const MARK: Record<CheckResult['status'], string> = { passed: '✓', failed: '✗', error: '!', timeout: '◷', skipped: '-', flaky: '≈' };

/** One line per check; the first failure in full at the end. */
class WatchReporter implements Reporter {
  #first: CheckResult | undefined;
  readonly write: (text?: string) => void;
  constructor(write: (text?: string) => void) {
    this.write = write;
  }

  onCheckEnd(_exercise: string, check: CheckResult): void {
    const style = check.status === 'passed' ? 'green' : check.status === 'skipped' ? 'gray' : 'red';
    this.write(`  ${styleText(style, MARK[check.status])} ${check.id.padEnd(34)} ${`${check.points}/${check.maxPoints}`.padStart(7)}`);
    if (check.status !== 'passed' && check.status !== 'skipped') this.#first ??= check;
  }

  firstFailure(): void {
    const check = this.#first;
    if (!check) {
      this.write(styleText('green', t('watch.allPassed')));
      return;
    }
    this.write();
    this.write(styleText('red', `${t('watch.firstFailure')} ${check.id}  ${check.title}`));
    for (const line of wrap(check.message, 96)) this.write(`  ${line}`);
    if (check.expected !== undefined) this.write(`  ${styleText('green', '+')} ${check.expected}`);
    if (check.actual !== undefined) this.write(`  ${styleText('red', '-')} ${check.actual}`);
  }
}
