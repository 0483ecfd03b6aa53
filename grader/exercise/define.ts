/**
 * How an exercise is declared: validated metadata plus checks. A check is an async
 * function that drives the submission through its context and throws a CheckFailure
 * (via the expectation helpers) when the submission misbehaves.
 */
import { z } from 'zod';
import { CheckMeta, ExerciseMeta, type CheckVisibility, type ExerciseMetaInput } from '../model/exercise.ts';
import { UsageError } from '../model/errors.ts';
import type { ProgramOptions, ProgramRun, RunningServer, ServerOptions } from '../sandbox/sandbox.ts';
import type { Random } from '../probes/segmentation.ts';
import type { TcpProbe } from '../probes/tcp.ts';
import type { Transcript } from '../probes/transcript.ts';
import type { UdpProbe } from '../probes/udp.ts';
import type { Attachment } from '../model/results.ts';

/** Options that reach the checks from the command line. */
export interface GradeOptions {
  /** stage-exam: a folder with a private `bank.json` (extra questions and answers). */
  quizBank?: string | undefined;
}

export interface CheckContext {
  readonly exercise: ExerciseMeta;
  /** This check's seed and its generator: every random choice comes from here. */
  readonly seed: number;
  readonly random: Random;
  readonly transcript: Transcript;
  readonly options: GradeOptions;
  /**
   * Aborted when the check's deadline passes or the check ends: a probe that runs on by
   * itself (a browser, a load generator) stops on it instead of outliving its check.
   */
  readonly signal: AbortSignal;
  /**
   * Absolute path of the grader's private copy of the submission's exercise folder (read
   * only: never write there). For harnesses that import a student's module, e.g.
   * `runProgram({ harness, args: [join(ctx.codeDir, 'singleton.ts')] })`.
   */
  readonly codeDir: string;
  /** A deadline in ms, scaled for this machine (CI under load gets more). */
  ms(milliseconds: number): number;
  /** Starts the exercise's server (fresh working directory, free port); resolves once it listens. */
  startServer(options?: ServerOptions): Promise<RunningServer>;
  /** Runs a program (the submission's entry, or a harness of the grader's) to completion. */
  runProgram(options: ProgramOptions): Promise<ProgramRun>;
  /** Opens a recorded TCP connection to a server. */
  connect(server: RunningServer): Promise<TcpProbe>;
  /** Opens a recorded UDP socket aimed at a server. */
  udp(server: RunningServer): Promise<UdpProbe>;
  /**
   * Loads something once per exercise run and shares it between checks (e.g. the parsed
   * answers.json). A SubmissionError it throws is reported by the first check that needs
   * it; later checks that need it are skipped.
   */
  shared<T>(key: string, load: () => Promise<T>): Promise<T>;
  /** Reads a file of the submission's exercise folder (undefined when missing). */
  readSubmissionFile(name: string): Promise<Buffer | undefined>;
  /** Adds a line to the transcript for the reader of the report. */
  note(text: string): void;
  /**
   * Attaches evidence for the reader of the report (a screenshot, a network log), in the
   * manner of Playwright's `testInfo.attach`: shown under the check, worth no points.
   */
  attach(attachment: AttachmentInput): void;
}

/** What a check attaches: the body as bytes (images) or text (text/plain, application/json). */
export interface AttachmentInput {
  name: string;
  contentType: Attachment['contentType'];
  body: Buffer | string;
}

export interface CheckDefinition {
  id: string;
  title: string;
  points: number;
  part?: string;
  timeoutMs?: number;
  /** Who sees the check: everyone (default), instructors only, or students after the due date. */
  visibility?: CheckVisibility;
  /**
   * The check needs the machine to itself (it judges timing with margins that assume no other
   * check competes for the CPU): the concurrent scheduling runs it alone. See `CheckMeta`.
   */
  exclusive?: boolean;
  run(ctx: CheckContext): Promise<void>;
}

export interface PlanContext {
  options: GradeOptions;
}

export interface ExerciseDefinition {
  meta: ExerciseMeta;
  /** The exercise folder in this repository (spec.md lives there). */
  dir: string;
  /** The checks to run; may depend on options (e.g. a private quiz bank adds questions). */
  checks(plan: PlanContext): Promise<CheckDefinition[]>;
}

export interface ExerciseDeclaration {
  meta: ExerciseMetaInput;
  dir: string;
  checks: CheckDefinition[] | ((plan: PlanContext) => Promise<CheckDefinition[]> | CheckDefinition[]);
}

/** Validates the declaration's metadata and every check's metadata; throws a readable UsageError. */
export function defineExercise(declaration: ExerciseDeclaration): ExerciseDefinition {
  const parsed = ExerciseMeta.safeParse(declaration.meta);
  if (!parsed.success) {
    throw new UsageError(`Exercise definition in ${declaration.dir} is invalid:\n${z.prettifyError(parsed.error)}`);
  }
  const meta = parsed.data;
  const load = declaration.checks;
  return {
    meta,
    dir: declaration.dir,
    async checks(plan) {
      const checks = typeof load === 'function' ? await load(plan) : load;
      validateChecks(meta, checks);
      return checks;
    },
  };
}

function validateChecks(meta: ExerciseMeta, checks: CheckDefinition[]): void {
  const seen = new Set<string>();
  for (const check of checks) {
    const { run: _run, ...metaOnly } = check;
    const parsed = CheckMeta.safeParse(metaOnly);
    if (!parsed.success) {
      throw new UsageError(`Check ${check.id} of ${meta.id} is invalid:\n${z.prettifyError(parsed.error)}`);
    }
    if (seen.has(check.id)) throw new UsageError(`Check id ${check.id} appears twice in ${meta.id}`);
    seen.add(check.id);
    if (meta.parts.length > 0 && (!check.part || !meta.parts.includes(check.part))) {
      throw new UsageError(`Check ${check.id} of ${meta.id} must name one of the parts ${meta.parts.join(', ')}`);
    }
    if (meta.parts.length > 0 && !check.id.startsWith(`${check.part}.`)) {
      throw new UsageError(`Check ${check.id} of ${meta.id} belongs to part ${check.part}: its id must start with "${check.part}."`);
    }
  }
}
