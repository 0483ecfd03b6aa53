/**
 * Which checks need the machine to itself (run alone under the concurrent scheduling).
 *
 * A check declares it with `exclusive: true` in its definition, with its reason beside it.
 * PENDING_EXCLUSIVE can list checks that judge timing but do not declare it (none today); a
 * check's own `exclusive` (true or false) always wins over the table. For
 * experiments, env NETGRADE_EXCLUSIVE adds checks (`exercise/check,...`, or `*` for every
 * check: the concurrent scheduling then behaves like the sequential one), and
 * NETGRADE_EXCLUSIVE_TABLE=0 turns the table off.
 *
 * Exclusive checks run before the others (see grade-submission.ts), so a shared load
 * (`ctx.shared`) whose timing a check judges is computed alone when the first check that needs
 * it is exclusive; the checks that only read its result later need not be.
 */
import type { CheckDefinition } from '../exercise/define.ts';

/**
 * Checks that judge timing but do not declare it themselves. Empty: every exercise now
 * declares `exclusive: true` on its timing checks (with the reason beside it); the table stays
 * for an exercise added without it, and for experiments.
 */
export const PENDING_EXCLUSIVE: Readonly<Record<string, readonly string[]>> = {};

export function isExclusive(exerciseId: string, check: Pick<CheckDefinition, 'id' | 'exclusive'>, env: NodeJS.ProcessEnv = process.env): boolean {
  if (check.exclusive !== undefined) return check.exclusive;
  const extra = (env.NETGRADE_EXCLUSIVE ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (extra.includes('*') || extra.includes(`${exerciseId}/${check.id}`)) return true;
  if (env.NETGRADE_EXCLUSIVE_TABLE === '0') return false;
  return PENDING_EXCLUSIVE[exerciseId]?.includes(check.id) ?? false;
}
