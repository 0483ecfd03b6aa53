/**
 * Errors with stable codes and context. The runner decides a check's status from the
 * class and code of what was thrown, never from message text.
 */

/** An expectation about the submission's behaviour did not hold: the check fails. */
export class CheckFailure extends Error {
  override readonly name = 'CheckFailure';
  readonly expected: string | undefined;
  readonly actual: string | undefined;
  constructor(message: string, detail: { expected?: string; actual?: string } = {}) {
    super(message);
    this.expected = detail.expected;
    this.actual = detail.actual;
  }
}

/** Codes of the ways a submission's process can fail to be exercised at all. */
export const SUBMISSION_ERROR_CODES = [
  'MISSING_ENTRY',
  'SYNTAX_ERROR',
  'UNSUPPORTED_TYPESCRIPT',
  'MODULE_NOT_FOUND',
  'CRASH_AT_START',
  'EXITED_AT_START',
  'NEVER_LISTENS',
  'WRONG_PORT',
  'WRONG_ADDRESS',
  'CRASH_DURING_CHECK',
  'PROGRAM_TIMEOUT',
  'OUTPUT_FLOOD',
  'BAD_INPUT_FILE',
] as const;
export type SubmissionErrorCode = (typeof SUBMISSION_ERROR_CODES)[number];

/**
 * The submission could not be exercised: it did not start, crashed, never listened...
 * `title` is one line for a summary; `message` says what to do; `excerpt` shows the
 * relevant output (usually stderr).
 */
export class SubmissionError extends Error {
  override readonly name = 'SubmissionError';
  readonly code: SubmissionErrorCode;
  readonly title: string;
  readonly excerpt: string | undefined;
  constructor(code: SubmissionErrorCode, title: string, message: string, excerpt?: string) {
    super(message);
    this.code = code;
    this.title = title;
    this.excerpt = excerpt;
  }
  /**
   * Failures to start or to load an input repeat on every try: the runner reports the first
   * and skips later checks that need the same thing. Failures during a check do not.
   */
  get repeatsEveryTry(): boolean {
    return !['CRASH_DURING_CHECK', 'PROGRAM_TIMEOUT', 'OUTPUT_FLOOD'].includes(this.code);
  }
  /**
   * Whether the failure lies in the code itself (a missing file, a syntax error, TypeScript
   * Node cannot strip, an npm import): it repeats however the program is started. Other
   * start failures (a crash, an exit, no listening) may depend on the settings of that start
   * (env, fixtures, arguments): they repeat only for a start with the same settings.
   */
  get inTheCode(): boolean {
    return ['MISSING_ENTRY', 'SYNTAX_ERROR', 'UNSUPPORTED_TYPESCRIPT', 'MODULE_NOT_FOUND'].includes(this.code);
  }
}

/**
 * Something went wrong on the grader's side (a port race, a full disk): never charged to
 * the student. The runner retries the check; if it persists, grading stops with this error.
 */
export class InfrastructureError extends Error {
  override readonly name = 'InfrastructureError';
  readonly code: 'PORT_IN_USE' | 'SANDBOX_SETUP' | 'INTERNAL';
  constructor(code: InfrastructureError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** A check's deadline passed. */
export class CheckTimeout extends Error {
  override readonly name = 'CheckTimeout';
  readonly timeoutMs: number;
  constructor(timeoutMs: number, message?: string) {
    super(message ?? `the check did not finish within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/** A mistake in an exercise definition or a CLI argument (our users' input, not students'). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
