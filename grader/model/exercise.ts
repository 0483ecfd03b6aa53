/**
 * What an exercise definition declares. Metadata is validated with zod when exercises are
 * loaded, so an exercise author gets a readable message (with the path of the bad field)
 * instead of a runtime surprise in the middle of grading.
 */
import { z } from 'zod';

export const ExerciseKind = z.enum([
  /** A TCP server started on PORT and driven by probes. */
  'tcp-server',
  /** A UDP server started on PORT and driven by probes. */
  'udp-server',
  /** A program run to completion, judged by its output. */
  'program',
  /** Several parts of different kinds (e.g. the stage exam: files, a server, a module). */
  'mixed',
]);
export type ExerciseKind = z.infer<typeof ExerciseKind>;

const slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lower-case words joined by "-"');
const checkId = z
  .string()
  .regex(/^[a-z0-9-]+(?:\.[a-z0-9-]+)*$/, 'dotted lower-case words, e.g. "framing.split-header"');

/**
 * Who sees a check's result in student-facing formats (github, classroom, prairielearn,
 * junit with --student-view; Gradescope gets it as its own `visibility`):
 * - `visible` (default): everyone, always.
 * - `hidden`: the instructor only (batch reports, class overview, results.json).
 * - `after-due-date`: students see it once the due date (`--due`) has passed.
 */
export const CheckVisibility = z.enum(['visible', 'hidden', 'after-due-date']);
export type CheckVisibility = z.infer<typeof CheckVisibility>;

export const CheckMeta = z.object({
  id: checkId,
  title: z.string().min(1),
  points: z.number().int().nonnegative(),
  /** Which part of the exercise the check scores for; must be one of the exercise's parts. */
  part: z.string().optional(),
  /** The check's own deadline; the exercise's default applies when undefined. */
  timeoutMs: z.number().int().positive().optional(),
  /** Who sees the result; `visible` when undefined. See `CheckVisibility`. */
  visibility: CheckVisibility.optional(),
  /**
   * The check needs the machine to itself: it judges timing (a delay, parallel progress, a
   * client that must not be starved) and its margins assume no other check competes for the
   * CPU. Under the concurrent scheduling it runs alone: no other check of any exercise of the
   * grading runs meanwhile (its re-runs too). Under the sequential scheduling every check
   * runs alone anyway. Absent: the check may run beside others, each with its own server.
   */
  exclusive: z.boolean().optional(),
});
export type CheckMeta = z.infer<typeof CheckMeta>;

export const ExerciseMeta = z
  .object({
    id: slug,
    title: z.string().min(1),
    /** The course's Chinese title, e.g. 粘包处理. */
    titleZh: z.string().min(1),
    kind: ExerciseKind,
    /** Files the submission's exercise folder must contain, e.g. ["server.ts"]. The first is what `startServer` runs. */
    entryFiles: z.array(z.string().regex(/^[^/\\]+$/, 'a file name, no folders')).min(1),
    /** Environment given to every process of this exercise (PORT is added by the sandbox). */
    env: z.record(z.string(), z.string()).default({}),
    /** Score parts, scored separately (stage-exam: quiz, echo, singleton). Empty: one part. */
    parts: z.array(slug).default([]),
    timeouts: z
      .object({
        /** How long a server may take to listen. */
        startMs: z.number().int().positive().default(5000),
        /** Default deadline of one check. */
        checkMs: z.number().int().positive().default(15000),
      })
      .prefault({}),
  })
  .strict();
export type ExerciseMeta = z.infer<typeof ExerciseMeta>;
export type ExerciseMetaInput = z.input<typeof ExerciseMeta>;

/** The exercise's title as a reader of `language` sees it (English readers also get the course's Chinese name). */
export function exerciseTitle(meta: Pick<ExerciseMeta, 'title' | 'titleZh'>, language: string): string {
  return language === 'zh-CN' ? meta.titleZh : `${meta.title} (${meta.titleZh})`;
}
