/**
 * The command line's input, validated with zod after commander has parsed it, so every
 * bad value gets one readable message and exit code 2.
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { DEFAULT_RETRIES } from '../runner/run-check.ts';
import { cliMessages } from '../i18n/cli-messages.ts';
import { SCHEDULES } from '../runner/scheduler.ts';

/**
 * Messages are functions, so zod words them at parse time in the language of the command
 * (the schemas are built once, when this module loads).
 */
const { t } = cliMessages;
const say = (key: Parameters<typeof t>[0]) => () => t(key as 'zod.wholeNumber');

export const REPORTERS = ['terminal', 'html', 'json', 'junit', 'github', 'gradescope', 'prairielearn', 'classroom'] as const;
export type ReporterName = (typeof REPORTERS)[number];

const seed = z.coerce
  .number({ error: say('zod.wholeNumber') })
  .int({ error: say('zod.wholeNumber') })
  .min(0, { error: say('zod.atLeastZero') })
  .max(0xffffffff, { error: say('zod.fits32') });

/** auto: the bubblewrap sandbox when it works here, else limits only (with a warning). */
const isolation = z.enum(['auto', 'bwrap', 'none'], { error: say('zod.isolation') }).default('auto');

/** Re-runs of a failed check with the same seed (a pass on a re-run: `flaky`, no points). */
const retries = z.coerce.number({ error: say('zod.wholeNumber') }).int({ error: say('zod.wholeNumber') }).min(0, { error: say('zod.atLeastZero') }).max(5, { error: () => t('zod.atMost', { max: 5 }) }).default(DEFAULT_RETRIES);

/** How checks are scheduled (grader/runner/scheduler.ts); undefined: env NETGRADE_SCHEDULE, else the default. */
const schedule = z.enum(SCHEDULES, { error: say('zod.schedule') }).optional();

export const GradeCliOptions = z.object({
  /** Exercises graded at the same time (each has its own servers and ports). */
  parallel: z.coerce.number().int({ error: say('zod.wholeNumber') }).min(1, { error: say('zod.atLeastOne') }).max(16).default(Math.min(2, availableParallelism())),
  exercise: z.array(z.string()).default([]),
  check: z.array(z.string()).default([]),
  reporter: z
    .string()
    .default('terminal,html,json')
    .transform((value) => value.split(',').map((r) => r.trim()).filter(Boolean))
    .pipe(z.array(z.enum(REPORTERS, { error: (issue) => t('zod.reporter', { value: String(issue.input), known: REPORTERS.join(', ') }) })).min(1)),
  out: z.string().optional(),
  seed: seed.optional(),
  quizBank: z.string().optional(),
  exitZero: z.boolean().default(false),
  /** Re-grade on every save (grade --watch). */
  watch: z.boolean().default(false),
  timeScale: z.coerce.number().positive({ error: say('zod.aboveZero') }).max(20).default(1),
  retries,
  isolation,
  schedule,
  /** When `after-due-date` checks become visible in student-facing formats. */
  due: z.coerce.date({ error: say('zod.date') }).optional(),
});
export type GradeCliOptions = z.infer<typeof GradeCliOptions>;

const shard = z
  .string()
  .regex(/^\d+\/\d+$/, { error: say('zod.shard') })
  .transform((value) => {
    const [index, count] = value.split('/').map(Number) as [number, number];
    return { index, count };
  })
  .refine((s) => s.count >= 1 && s.index >= 1 && s.index <= s.count, { error: say('zod.shardRange') });

export const BatchCliOptions = z.object({
  exercise: z.array(z.string()).default([]),
  check: z.array(z.string()).default([]),
  out: z.string().default('class-reports'),
  concurrency: z.coerce.number().int({ error: say('zod.wholeNumber') }).min(1, { error: say('zod.atLeastOne') }).max(64).optional(),
  seed: seed.optional(),
  shard: shard.optional(),
  quizBank: z.string().optional(),
  exitZero: z.boolean().default(false),
  timeScale: z.coerce.number().positive({ error: say('zod.aboveZero') }).max(20).default(1),
  retries,
  isolation,
  progress: z.enum(['auto', 'bar', 'lines', 'none']).default('auto'),
  schedule,
});
export type BatchCliOptions = z.infer<typeof BatchCliOptions>;
