/**
 * The serialised results of grading: the one model every reporter renders from.
 *
 * Versioned: `schemaVersion` changes whenever a field changes meaning or disappears, or an
 * enumeration a consumer must handle (a check's `status`) gains a value. Adding an optional
 * field does not change the version. `docs/results-schema.md` documents every field for
 * people who consume `results.json`.
 *
 * Version 2: checks are re-run once when they fail (`flaky` status, `attempts`); `failed`,
 * `error` and `timeout` now mean the check failed on its re-run with the same seed too.
 */
import { z } from 'zod';
import { Language } from './language.ts';

export const RESULTS_SCHEMA_VERSION = 2;

/**
 * - `passed`: the check's expectations held.
 * - `failed`: the submission behaved wrongly (an expectation did not hold).
 * - `error`: the submission could not be exercised (it crashed, never started, ...).
 * - `timeout`: the check did not finish within its deadline.
 * - `skipped`: the check was not run (e.g. the server never started; see the exercise's verdict).
 * - `flaky`: the check failed (`failed`, `error` or `timeout`) on its first attempt and passed
 *   when re-run with the same seed. Not passed: it earns no points, since a correct program
 *   passes every time and the same seed means the grader did the same things both times.
 *   The check's fields are the first (failing) attempt's; the passing re-run is in `attempts`.
 *
 * A check that fails is re-run (`--retries`, default once) with the same seed and a fresh
 * server; `failed`, `error` and `timeout` are reported only when every re-run failed too.
 * Start failures (the program never started, a shared input could not be loaded) and the
 * grader's own errors are not re-run.
 */
export const CheckStatus = z.enum(['passed', 'failed', 'error', 'timeout', 'skipped', 'flaky']);
export type CheckStatus = z.infer<typeof CheckStatus>;

/** One event on one probe connection, in the order the grader saw them. */
export const TranscriptEntry = z.object({
  /** Milliseconds since the check started. */
  at: z.number(),
  /** Which probe connection: `c1`, `c2`, ... for TCP; `u1`, ... for UDP; `stdin` for the server's stdin. */
  conn: z.string(),
  /**
   * - `sent` / `received`: bytes (base64 in `data`).
   * - `open`, `end` (we half-closed), `peer-end` (the server half-closed), `close`, `reset`: connection events.
   * - `note`: something the probe wants the reader to know (in `text`).
   */
  kind: z.enum(['sent', 'received', 'open', 'end', 'peer-end', 'close', 'reset', 'note']),
  /** Base64 of the bytes, for `sent` and `received`. */
  data: z.string().optional(),
  /** Human-readable detail, for connection events and notes. */
  text: z.string().optional(),
});
export type TranscriptEntry = z.infer<typeof TranscriptEntry>;

/** Captured output of a submission's process: head and tail are kept when it exceeds the cap. */
export const OutputExcerpt = z.object({
  stdout: z.string(),
  stderr: z.string(),
  /** Bytes the process wrote that are not in the excerpt (dropped between head and tail). */
  droppedBytes: z.number().int().nonnegative(),
});
export type OutputExcerpt = z.infer<typeof OutputExcerpt>;

/**
 * Where one attempt's wall time went (optional; absent in results of older graders). Every
 * figure is in milliseconds. `serverStartMs + programMs + probeMs` is the time of the check's
 * own body; waits on deadlines (a silence window, a reply that never comes) are part of
 * `probeMs`, or of `programMs` for a program run to completion.
 */
export const AttemptTiming = z.object({
  /** When the attempt began, from the start of the grading (the submission's `startedAt`). */
  startedAtMs: z.number().nonnegative(),
  /** How long the check waited for its turn (a free slot, or the machine to itself) before this attempt. */
  queuedMs: z.number().nonnegative(),
  /** Spawn to listening (or bound), summed over the servers the attempt started. */
  serverStartMs: z.number().nonnegative(),
  /** Programs and harnesses run to completion (`runProgram`), summed. */
  programMs: z.number().nonnegative(),
  /** The rest of the check's body: driving the probes and waiting on their deadlines. */
  probeMs: z.number().nonnegative(),
  /** After a failure with a dropped connection: waiting to learn whether the server crashed. */
  exitGraceMs: z.number().nonnegative(),
  /** Killing every process of the attempt and removing its working directories. */
  teardownMs: z.number().nonnegative(),
  /** Servers and programs the attempt started. */
  starts: z.number().int().nonnegative(),
  /** The attempt ran with the machine to itself (the check is `exclusive` and the scheduling concurrent). */
  alone: z.boolean().optional(),
});
export type AttemptTiming = z.infer<typeof AttemptTiming>;

/** A check's timing: its first attempt's, and each re-run's in `reruns` (attempt 2, 3, …). */
export const CheckTiming = AttemptTiming.extend({
  reruns: z.array(AttemptTiming).optional(),
});
export type CheckTiming = z.infer<typeof CheckTiming>;

/**
 * A re-run of a check (same seed, fresh processes). The transcript and output are left out
 * when the re-run failed exactly as the first attempt did (same status and message), to keep
 * the report compact; a re-run that passed or failed differently keeps them.
 */
export const CheckAttempt = z.object({
  /** 2 for the first re-run, 3 for the next, ... (attempt 1 is the check's own fields). */
  attempt: z.number().int().min(2),
  /** `passed`, `failed`, `error` or `timeout`: never `flaky` or `skipped`. */
  status: CheckStatus.exclude(['flaky', 'skipped']),
  message: z.string(),
  expected: z.string().optional(),
  actual: z.string().optional(),
  transcript: z.array(TranscriptEntry).optional(),
  output: OutputExcerpt.optional(),
  durationMs: z.number().nonnegative(),
});
export type CheckAttempt = z.infer<typeof CheckAttempt>;

/**
 * Evidence a check attached for the reader of the report (a browser's screenshot of the
 * student's page, a network log): it costs and earns no points. Images are base64, text and
 * JSON are UTF-8.
 */
export const Attachment = z.object({
  /** What it shows, in the report's language ("Screenshot of /index.html"). */
  name: z.string(),
  contentType: z.enum(['image/png', 'image/jpeg', 'text/plain', 'application/json']),
  encoding: z.enum(['base64', 'utf8']),
  body: z.string(),
});
export type Attachment = z.infer<typeof Attachment>;

export const CheckResult = z.object({
  id: z.string(),
  title: z.string(),
  /** The part of the exercise the check belongs to (stage-exam: quiz, echo, singleton); undefined when the exercise has one part. */
  part: z.string().optional(),
  status: CheckStatus,
  points: z.number().nonnegative(),
  maxPoints: z.number().nonnegative(),
  /**
   * One or two sentences for the student: what went wrong and what to fix. Empty when passed.
   * For `flaky`: that it passed only on the re-run, then the first attempt's message.
   */
  message: z.string(),
  /** What the grader expected, when the failure is a comparison. */
  expected: z.string().optional(),
  /** What it got instead ("nothing within 2000 ms" is a value too). */
  actual: z.string().optional(),
  /** Every probe connection's traffic during the check (its first attempt, when it was re-run). */
  transcript: z.array(TranscriptEntry),
  /** The submission's output during the check, when a process ran (first attempt). */
  output: OutputExcerpt.optional(),
  /** Time the check took, every attempt included. */
  durationMs: z.number().nonnegative(),
  /** Where the first attempt's time went, and each re-run's in `timing.reruns` (see `CheckTiming`). */
  timing: CheckTiming.optional(),
  /**
   * The re-runs with the same seed, in order, when the first attempt failed (absent when the
   * check was not re-run). A `flaky` check's last re-run passed; otherwise every re-run failed.
   */
  attempts: z.array(CheckAttempt).optional(),
  /** Evidence attached by the check's first attempt (see `Attachment`); absent when none. */
  attachments: z.array(Attachment).optional(),
  /** The seed of the check's random choices: `--seed` with the run's seed replays it. */
  seed: z.number().int(),
  /** Who may see this result (the check's `visibility`); `visible` when undefined. */
  visibility: z.enum(['visible', 'hidden', 'after-due-date']).optional(),
});
export type CheckResult = z.infer<typeof CheckResult>;

export const PartResult = z.object({
  id: z.string(),
  score: z.number(),
  maxScore: z.number(),
});
export type PartResult = z.infer<typeof PartResult>;

/** A verdict about the exercise as a whole, e.g. the server never started. */
export const ExerciseVerdict = z.object({
  /** Stable code, see `SubmissionErrorCode`. */
  code: z.string(),
  /** One line: what happened. */
  title: z.string(),
  /** What to do about it. */
  message: z.string(),
  /** The part of the process's output that shows it (stderr, usually). */
  excerpt: z.string().optional(),
});
export type ExerciseVerdict = z.infer<typeof ExerciseVerdict>;

export const ExerciseResult = z.object({
  id: z.string(),
  title: z.string(),
  /** Whether the submission has this exercise's folder at all. */
  submitted: z.boolean(),
  score: z.number(),
  maxScore: z.number(),
  parts: z.array(PartResult),
  verdict: ExerciseVerdict.optional(),
  /** Things the student should know that cost no points (e.g. files left out of the copy). */
  notes: z.array(z.string()),
  checks: z.array(CheckResult),
  durationMs: z.number().nonnegative(),
});
export type ExerciseResult = z.infer<typeof ExerciseResult>;

export const SubmissionResult = z.object({
  schemaVersion: z.literal(RESULTS_SCHEMA_VERSION),
  grader: z.object({ name: z.literal('netgrade'), version: z.string(), node: z.string() }),
  submission: z.object({
    /** Display name: the folder's base name. */
    name: z.string(),
    /** The folder as given on the command line, resolved. */
    path: z.string(),
  }),
  /** The run's seed; every check's own seed derives from it. */
  seed: z.number().int(),
  /** How the submission's processes were contained. */
  isolation: z.string(),
  /**
   * The language every message of this grading is written in (`--lang`); `en` when absent
   * (results written before the field existed).
   */
  language: Language.optional(),
  startedAt: z.string(),
  durationMs: z.number().nonnegative(),
  /**
   * How the checks were scheduled: `sequential` (one check at a time per exercise, exercises
   * `--parallel` at a time) or `concurrent` (independent checks at once, each with its own
   * server; `exclusive` checks alone). Absent in results of older graders.
   */
  schedule: z.enum(['sequential', 'concurrent']).optional(),
  score: z.number(),
  maxScore: z.number(),
  exercises: z.array(ExerciseResult),
});
export type SubmissionResult = z.infer<typeof SubmissionResult>;
