/**
 * How much the machine's CPUs are contended right now, for the concurrent scheduling: it starts
 * another check only while runnable tasks rarely wait for a CPU, so that checks side by side
 * never squeeze each other's margins (and on a machine that others load, it falls back to
 * about one check at a time, as the sequential scheduling did).
 *
 * Linux's pressure stall information (/proc/pressure/cpu, `some total`: microseconds during
 * which at least one runnable task waited for a CPU) gives the fraction of the last interval
 * spent contended. Where it is missing, the busy fraction of all CPUs from /proc/stat stands in.
 * Elsewhere: undefined (no throttling).
 */
import { readFileSync } from 'node:fs';

interface Sample {
  at: number;
  /** Cumulative contended time (PSI, µs) or busy jiffies (/proc/stat). */
  busy: number;
  /** Cumulative total in the same unit. */
  total: number;
}

function readPsi(): number | undefined {
  try {
    const text = readFileSync('/proc/pressure/cpu', 'latin1');
    const match = /^some .*total=(\d+)/m.exec(text);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The machine's busy and total CPU time since boot, in clock ticks (USER_HZ), from /proc/stat; undefined elsewhere. */
export function readStat(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0]!;
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest counted in user)
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

export class CpuPressure {
  readonly #source: 'psi' | 'stat' | undefined;
  readonly #minIntervalMs: number;
  #last: Sample | undefined;
  #value: number | undefined;

  constructor(minIntervalMs = 100) {
    this.#minIntervalMs = minIntervalMs;
    this.#source = readPsi() !== undefined ? 'psi' : readStat() ? 'stat' : undefined;
    this.#last = this.#sample();
  }

  /** Whether this machine offers a reading at all (Linux); `now()` is undefined until the first interval has passed. */
  get available(): boolean {
    return this.#source !== undefined;
  }

  /** How long one reading takes to become fresh. */
  get intervalMs(): number {
    return this.#minIntervalMs;
  }

  #sample(): Sample | undefined {
    const at = performance.now();
    if (this.#source === 'psi') {
      const stalled = readPsi();
      return stalled === undefined ? undefined : { at, busy: stalled, total: at * 1000 };
    }
    if (this.#source === 'stat') {
      const stat = readStat();
      return stat ? { at, ...stat } : undefined;
    }
    return undefined;
  }

  /**
   * The contended fraction (0–1) since the previous reading at least `minIntervalMs` ago; the
   * previous value while that interval has not passed; undefined when unknown.
   */
  now(): number | undefined {
    if (!this.#source) return undefined;
    const at = performance.now();
    if (this.#last && at - this.#last.at < this.#minIntervalMs) return this.#value;
    const sample = this.#sample();
    if (!sample) return this.#value;
    if (this.#last && sample.total > this.#last.total) {
      this.#value = Math.min(1, Math.max(0, (sample.busy - this.#last.busy) / (sample.total - this.#last.total)));
    }
    this.#last = sample;
    return this.#value;
  }
}
