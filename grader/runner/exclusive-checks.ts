/**
 * Which checks need the machine to itself (run alone under the concurrent scheduling).
 *
 * A check declares it with `exclusive: true` in its definition. Until the exercises declare it
 * themselves, PENDING_EXCLUSIVE lists the checks that judge timing (see the reasons beside
 * them); a check's own `exclusive` (true or false) always wins over the table. For
 * experiments, env NETGRADE_EXCLUSIVE adds checks (`exercise/check,...`, or `*` for every
 * check: the concurrent scheduling then behaves like the sequential one), and
 * NETGRADE_EXCLUSIVE_TABLE=0 turns the table off.
 *
 * Exclusive checks run before the others (see grade-submission.ts), so a shared load
 * (`ctx.shared`) whose timing a check judges is computed alone when the first check that needs
 * it is exclusive; the checks that only read its result later need not be.
 */
import type { CheckDefinition } from '../exercise/define.ts';

export const PENDING_EXCLUSIVE: Readonly<Record<string, readonly string[]>> = {
  'bank-transfer': [
    // Times each OK against lower bounds (>= 380 ms with TRANSFER_DELAY_MS=400, >= 95 ms by default).
    'transfer.delay',
    // The last of five parallel transfers must come within 2.5 delays: a ratio of wall-clock times.
    'parallel.disjoint-pairs',
    // Three requests beside an idle and a half-line client within 1500 ms + one delay, wall clock.
    'concurrency.idle-client',
  ],
  interleave: [
    // Puts busy loops on every core itself and judges turns under that load (8 runs, paused at random).
    'output.under-load',
    // "Runs on an idle machine": the order must hold without any load; others' load is output.under-load's job.
    'output.order',
  ],
  // LIST, GET and PUT beside four stalled clients within 3000 ms, wall clock.
  ftp: ['concurrency.stalled'],
  // Another client's batch answered within the reply deadline while two clients stall.
  'sticky-packets': ['concurrency.idle-client'],
  // Another upload acknowledged within the reply deadline while three clients stall.
  'file-upload': ['concurrency.stalled'],
  'qa-bot': [
    // Another client answered within the reply deadline while one is silent and one stopped mid-line.
    'clients.idle',
    // Many clients at once, each answer within its own deadline: the load is the check's own.
    'clients.load',
  ],
  'process-pool': [
    // The N = 10^9 run (shared by the pool.* and parallel.* checks) within 60 s: run first, alone.
    'sum.large',
    // CPU shares and overlap of the workers in 50 ms intervals: other programs on the cores change them.
    'parallel.share',
    'parallel.spread',
    'parallel.overlap',
  ],
  'ticket-sale': [
    // Exit within a time budget; first in plan order, it runs the shared timed runs alone.
    'run.exit',
    // First sale to last under half of TICKETS × SALE_MS: a wall-clock ratio.
    'sale.concurrent',
    // The mean pause between a window's sales within 0.9–3 × SALE_MS.
    'env.sale-ms',
    // Puts its own load on the cores and judges the order under it.
    'sales.under-load',
  ],
  'udp-dict': [
    // Answers within 5 s of the start with a 15.5 MiB dictionary (wall clock, corrected for CPU wait).
    'start.large-file',
    // Twenty clients × 50 queries within 3 s (wall clock, corrected for CPU wait).
    'load.twenty-clients',
  ],
  // A third client echoed within 1500 ms while one is silent and one stopped mid-line.
  'stage-exam': ['echo.idle-client'],
};

export function isExclusive(exerciseId: string, check: Pick<CheckDefinition, 'id' | 'exclusive'>, env: NodeJS.ProcessEnv = process.env): boolean {
  if (check.exclusive !== undefined) return check.exclusive;
  const extra = (env.NETGRADE_EXCLUSIVE ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (extra.includes('*') || extra.includes(`${exerciseId}/${check.id}`)) return true;
  if (env.NETGRADE_EXCLUSIVE_TABLE === '0') return false;
  return PENDING_EXCLUSIVE[exerciseId]?.includes(check.id) ?? false;
}
