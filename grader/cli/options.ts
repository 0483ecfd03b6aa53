/**
 * The command line's input, validated with zod after commander has parsed it, so every
 * bad value gets one readable message and exit code 2.
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { DEFAULT_RETRIES } from '../runner/run-check.ts';

export const REPORTERS = ['terminal', 'html', 'json', 'junit', 'github', 'gradescope', 'prairielearn', 'classroom'] as const;
export type ReporterName = (typeof REPORTERS)[number];

const seed = z.coerce
  .number({ error: 'must be a whole number' })
  .int('must be a whole number')
  .min(0, 'must be 0 or more')
  .max(0xffffffff, 'must fit in 32 bits');

/** auto: the bubblewrap sandbox when it works here, else limits only (with a warning). */
const isolation = z.enum(['auto', 'bwrap', 'none'], { error: 'must be auto, bwrap or none' }).default('auto');

/** Re-runs of a failed check with the same seed (a pass on a re-run: `flaky`, no points). */
const retries = z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(0, 'must be 0 or more').max(5, 'must be 5 or less').default(DEFAULT_RETRIES);

export const GradeCliOptions = z.object({
  /** Exercises graded at the same time (each has its own servers and ports). */
  parallel: z.coerce.number().int('must be a whole number').min(1, 'must be 1 or more').max(16).default(Math.min(2, availableParallelism())),
  exercise: z.array(z.string()).default([]),
  check: z.array(z.string()).default([]),
  reporter: z
    .string()
    .default('terminal,html,json')
    .transform((value) => value.split(',').map((r) => r.trim()).filter(Boolean))
    .pipe(z.array(z.enum(REPORTERS, { error: (issue) => `unknown reporter "${String(issue.input)}" (known: ${REPORTERS.join(', ')})` })).min(1)),
  out: z.string().optional(),
  seed: seed.optional(),
  quizBank: z.string().optional(),
  exitZero: z.boolean().default(false),
  timeScale: z.coerce.number().positive('must be above 0').max(20).default(1),
  retries,
  isolation,
  /** When `after-due-date` checks become visible in student-facing formats. */
  due: z.coerce.date({ error: 'must be a date, e.g. 2026-12-01T23:59:00Z' }).optional(),
});
export type GradeCliOptions = z.infer<typeof GradeCliOptions>;

const shard = z
  .string()
  .regex(/^\d+\/\d+$/, 'must be i/n, e.g. 2/5')
  .transform((value) => {
    const [index, count] = value.split('/').map(Number) as [number, number];
    return { index, count };
  })
  .refine((s) => s.count >= 1 && s.index >= 1 && s.index <= s.count, 'i must be between 1 and n (1-based, like 1/3, 2/3, 3/3)');

export const BatchCliOptions = z.object({
  exercise: z.array(z.string()).default([]),
  check: z.array(z.string()).default([]),
  out: z.string().default('class-reports'),
  concurrency: z.coerce.number().int('must be a whole number').min(1, 'must be 1 or more').max(64).optional(),
  seed: seed.optional(),
  shard: shard.optional(),
  quizBank: z.string().optional(),
  exitZero: z.boolean().default(false),
  timeScale: z.coerce.number().positive('must be above 0').max(20).default(1),
  retries,
  isolation,
  progress: z.enum(['auto', 'bar', 'lines', 'none']).default('auto'),
});
export type BatchCliOptions = z.infer<typeof BatchCliOptions>;
