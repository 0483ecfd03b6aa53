/**
 * The command line's input, validated with zod after commander has parsed it, so every
 * bad value gets one readable message and exit code 2.
 */
import { z } from 'zod';

export const REPORTERS = ['terminal', 'html', 'json'] as const;
export type ReporterName = (typeof REPORTERS)[number];

const seed = z.coerce
  .number({ error: 'must be a whole number' })
  .int('must be a whole number')
  .min(0, 'must be 0 or more')
  .max(0xffffffff, 'must fit in 32 bits');

export const GradeCliOptions = z.object({
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
  timeScale: z.coerce.number().positive('must be above 0').max(20).default(1),
});
export type GradeCliOptions = z.infer<typeof GradeCliOptions>;
