/**
 * How the checks of one grading are scheduled.
 *
 * - `sequential` (the grader's default until issue #11): the checks of an exercise run one
 *   after another; exercises run `exerciseConcurrency` at a time.
 * - `concurrent`: every check of every exercise of the grading goes into one queue and runs as
 *   soon as one of `slots` slots is free, each with its own fresh servers, ports and working
 *   directories (as before: a check never shares a server). A check that declares
 *   `exclusive: true` waits until nothing else runs and then runs alone, re-runs included.
 *   Exclusive checks go first. A further check starts beside running ones only while the CPUs
 *   are not contended (`CheckGate`'s pressure gauge, cpu-pressure.ts): on a machine that
 *   others load, the scheduling falls back to about one check at a time.
 *   Seeds do not change (a check's seed derives from the run's seed and its id) and reporters
 *   still see every check in check order (grade-submission.ts buffers them).
 */
import { availableParallelism } from 'node:os';

export type Schedule = 'sequential' | 'concurrent';

export const SCHEDULES: readonly Schedule[] = ['sequential', 'concurrent'];

/**
 * The scheduling used when neither the request nor NETGRADE_SCHEDULE names one: concurrent
 * since issue #11 (the whole test suite passed under it, every reference ten times and every
 * variant; `sequential` stays for comparison and for a machine that must grade one thing at a time).
 */
export const DEFAULT_SCHEDULE: Schedule = 'concurrent';

/** The scheduling named by env NETGRADE_SCHEDULE (`sequential` | `concurrent`), if any; anything else throws. */
export function scheduleFromEnv(env: NodeJS.ProcessEnv = process.env): Schedule | undefined {
  const value = env.NETGRADE_SCHEDULE?.trim();
  if (!value) return undefined;
  if (!(SCHEDULES as readonly string[]).includes(value)) {
    throw new Error(`NETGRADE_SCHEDULE must be one of ${SCHEDULES.join(', ')} (got "${value}")`);
  }
  return value as Schedule;
}

export function resolveSchedule(requested: Schedule | undefined, env: NodeJS.ProcessEnv = process.env): Schedule {
  return requested ?? scheduleFromEnv(env) ?? DEFAULT_SCHEDULE;
}

/**
 * Checks running at once under the concurrent scheduling, by default: most of a check's time
 * is spent waiting on the submission (silence windows, deadlines), not computing, so a few
 * per core keep the cores busy; more only adds servers competing for them. Env
 * NETGRADE_CHECK_SLOTS overrides it.
 */
export function defaultCheckSlots(env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env.NETGRADE_CHECK_SLOTS);
  if (Number.isInteger(fromEnv) && fromEnv >= 1) return fromEnv;
  return Math.max(2, 4 * availableParallelism());
}

/** A reading of how contended the CPUs are (0–1), e.g. `CpuPressure`; undefined: unknown. */
export interface PressureGauge {
  now(): number | undefined;
  /** False where no reading exists (then nothing is held back); true: an undefined reading means "not yet known". */
  readonly available?: boolean;
  /** How long a reading takes to reflect what just started (default 100 ms). */
  readonly intervalMs?: number;
}

/**
 * Above this contended fraction (pressure stall information: share of the last interval in
 * which a runnable task waited for a CPU) no further check starts beside the running ones.
 */
export const MAX_PRESSURE = 0.2;
/** While the pressure holds a check back, the gate looks again this often. */
const PRESSURE_RETRY_MS = 25;

interface Waiting {
  exclusive: boolean;
  start: () => void;
}

/**
 * A first-in, first-out gate: up to `slots` shared tasks at once, or one exclusive task
 * alone. The head of the queue blocks the tasks behind it (an exclusive task waiting for the
 * running ones to end is never overtaken, so it cannot starve).
 */
export class CheckGate {
  readonly slots: number;
  readonly #queue: Waiting[] = [];
  #running = 0;
  #exclusiveRunning = false;
  /** Arrivals still awaited before anything starts (see `arrive`). */
  #holdFor: number;
  readonly #pressure: PressureGauge | undefined;
  readonly #maxPressure: number;
  #retry: NodeJS.Timeout | undefined;
  /** When the last task started beside running ones (one per gauge interval, so that each sees the last one's load). */
  #lastBesideAt = -Infinity;

  /**
   * `holdFor`: nothing starts until `arrive()` has been called that many times (every producer
   * has queued its tasks); then the queued exclusive tasks move ahead of the shared ones, in
   * their order, and run first, alone, before anything else has started.
   */
  /**
   * `pressure`: a shared task starts beside running ones only while the gauge reads at most
   * `maxPressure` (default MAX_PRESSURE); with nothing running, it starts whatever the gauge says.
   */
  constructor(slots: number, options: { holdFor?: number; pressure?: PressureGauge; maxPressure?: number } = {}) {
    this.slots = Math.max(1, Math.floor(slots));
    this.#holdFor = Math.max(0, options.holdFor ?? 0);
    this.#pressure = options.pressure;
    this.#maxPressure = options.maxPressure ?? MAX_PRESSURE;
  }

  /** One producer has queued all its tasks (see the constructor's `holdFor`). */
  arrive(): void {
    if (this.#holdFor === 0) return;
    this.#holdFor--;
    if (this.#holdFor > 0) return;
    const exclusive = this.#queue.filter((w) => w.exclusive);
    const shared = this.#queue.filter((w) => !w.exclusive);
    this.#queue.splice(0, this.#queue.length, ...exclusive, ...shared);
    this.#pump();
  }

  /** Runs `task` when its turn comes; `alone` tells it whether it had the machine to itself. */
  run<T>(exclusive: boolean, task: (turn: { queuedMs: number; alone: boolean }) => Promise<T>): Promise<T> {
    const queued = performance.now();
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({
        exclusive,
        start: () => {
          const turn = { queuedMs: performance.now() - queued, alone: exclusive };
          // A task that throws before returning its promise rejects like one that rejects
          // (and frees its slot): otherwise its slot stays taken and the grading hangs.
          let pending: Promise<T>;
          try {
            pending = task(turn);
          } catch (error) {
            pending = Promise.reject(error);
          }
          pending
            .then(resolve, reject)
            .finally(() => {
              this.#running--;
              if (exclusive) this.#exclusiveRunning = false;
              this.#pump();
            });
        },
      });
      this.#pump();
    });
  }

  /** Tasks running now (for tests). */
  get running(): number {
    return this.#running;
  }

  #pump(): void {
    while (this.#holdFor === 0 && this.#queue.length > 0 && !this.#exclusiveRunning) {
      const head = this.#queue[0]!;
      if (head.exclusive ? this.#running > 0 : this.#running >= this.slots) return;
      const beside = !head.exclusive && this.#running > 0;
      if (beside && this.#pressure && this.#pressure.available !== false) {
        const reading = this.#pressure.now();
        const fresh = performance.now() - this.#lastBesideAt >= (this.#pressure.intervalMs ?? 100);
        if (!fresh || reading === undefined || reading > this.#maxPressure) {
          // Contended, or not yet known, or the last start not yet in the reading: look again
          // shortly (a running task's end also looks again).
          this.#retry ??= setTimeout(() => {
            this.#retry = undefined;
            this.#pump();
          }, PRESSURE_RETRY_MS);
          return;
        }
        this.#lastBesideAt = performance.now();
      }
      this.#queue.shift();
      this.#running++;
      if (head.exclusive) this.#exclusiveRunning = true;
      head.start();
    }
  }
}
