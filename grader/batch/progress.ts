/**
 * Batch progress: a cli-progress bar on a TTY (done/total, students being graded, elapsed,
 * ETA), plain lines otherwise (CI logs, files), or nothing.
 */
import cliProgress from 'cli-progress';
import type { StudentEntry } from '../model/class.ts';

export interface Progress {
  start(total: number): void;
  begin(student: string): void;
  done(student: string, entry: StudentEntry, cached: boolean): void;
  stop(): void;
}

const outcome = (entry: StudentEntry) =>
  entry.result ? `${entry.result.score}/${entry.result.maxScore}` : `not graded (${entry.error?.code ?? 'unknown'})`;

const clock = (ms: number) => {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
};

export class LineProgress implements Progress {
  #total = 0;
  #done = 0;
  #started = 0;
  readonly #write: (line: string) => void;
  constructor(write: (line: string) => void = (line) => process.stderr.write(line + '\n')) {
    this.#write = write;
  }
  start(total: number): void {
    this.#total = total;
    this.#started = performance.now();
    this.#write(`netgrade batch: ${total} submission(s)`);
  }
  begin(): void {}
  done(student: string, entry: StudentEntry, cached: boolean): void {
    this.#done++;
    const elapsed = performance.now() - this.#started;
    const eta = this.#done < this.#total ? ` eta ${clock((elapsed / this.#done) * (this.#total - this.#done))}` : '';
    this.#write(`[${this.#done}/${this.#total}] ${student}: ${outcome(entry)}${cached ? ' (unchanged, reused)' : ''} elapsed ${clock(elapsed)}${eta}`);
  }
  stop(): void {}
}

export class BarProgress implements Progress {
  readonly #bar: cliProgress.SingleBar;
  constructor(forced = false) {
    this.#bar = new cliProgress.SingleBar(
      {
        // --progress bar on a non-TTY still draws (one line per redraw), so it can be seen in logs.
        noTTYOutput: forced,
        notTTYSchedule: 2000,
      format: '{bar} {value}/{total} | elapsed {duration_formatted} | ETA {eta_formatted} | {current}',
      hideCursor: true,
      etaBuffer: 20,
        stream: process.stderr,
      },
      cliProgress.Presets.shades_classic,
    );
  }
  readonly #current = new Set<string>();
  #value = 0;
  start(total: number): void {
    this.#bar.start(total, 0, { current: '' });
  }
  #names(): string {
    const names = [...this.#current];
    return names.length > 3 ? `${names.slice(0, 3).join(', ')} +${names.length - 3}` : names.join(', ');
  }
  begin(student: string): void {
    this.#current.add(student);
    this.#bar.update(this.#value, { current: this.#names() });
  }
  done(student: string): void {
    this.#current.delete(student);
    this.#bar.update(++this.#value, { current: this.#names() });
  }
  stop(): void {
    this.#bar.stop();
  }
}

export function progressFor(mode: 'auto' | 'bar' | 'lines' | 'none'): Progress | undefined {
  if (mode === 'none') return undefined;
  if (mode === 'bar') return new BarProgress(!process.stderr.isTTY);
  if (mode === 'auto' && process.stderr.isTTY) return new BarProgress();
  return new LineProgress();
}
