/**
 * The reporter interface: every hook optional, called by the runner as grading goes on.
 * Reporters render from the serialised results only; they never see processes or probes.
 */
import type { CheckResult, ExerciseResult, SubmissionResult } from '../model/results.ts';

export interface BeginInfo {
  submission: { name: string; path: string };
  exercises: Array<{ id: string; title: string; checks: number }>;
  seed: number;
}

export interface Reporter {
  onBegin?(info: BeginInfo): void | Promise<void>;
  /** `submitted`: false when the submission has no folder for the exercise (its checks are all skipped). */
  onExerciseBegin?(exercise: { id: string; title: string; submitted?: boolean }): void | Promise<void>;
  onCheckEnd?(exerciseId: string, check: CheckResult): void | Promise<void>;
  onExerciseEnd?(exercise: ExerciseResult): void | Promise<void>;
  onSubmissionEnd?(result: SubmissionResult): void | Promise<void>;
  /** After everything; reporters that write files do it here or in onSubmissionEnd. */
  onEnd?(): void | Promise<void>;
}

export type ReporterHook = keyof Reporter;

/**
 * Fans every hook out to several reporters. A reporter that throws is reported on stderr
 * and does not stop the others (like Playwright's multiplexer).
 */
export class Multiplexer {
  readonly #reporters: Reporter[];
  readonly errors: Array<{ hook: ReporterHook; error: unknown }> = [];
  constructor(reporters: Reporter[]) {
    this.#reporters = reporters;
  }

  async emit<H extends ReporterHook>(hook: H, ...args: Parameters<NonNullable<Reporter[H]>>): Promise<void> {
    for (const reporter of this.#reporters) {
      const fn = reporter[hook] as ((...a: unknown[]) => void | Promise<void>) | undefined;
      if (!fn) continue;
      try {
        await fn.apply(reporter, args);
      } catch (error) {
        this.errors.push({ hook, error });
        process.stderr.write(`netgrade: a reporter failed in ${hook}: ${(error as Error).stack ?? error}\n`);
      }
    }
  }
}
