/**
 * Reporter events of exercises graded at the same time, delivered as if they had been
 * graded one after another: the first unfinished exercise (the head) reports live; the
 * others record their events, which are played back, in order, when their turn comes.
 * Reporters thus keep their simple sequential model (a terminal prints an exercise's
 * header, then its checks) whatever the concurrency.
 */
import type { Multiplexer, Reporter, ReporterHook } from '../reporters/reporter.ts';

type Event = { hook: ReporterHook; args: unknown[] };

export class OrderedLanes {
  readonly #reporter: Multiplexer;
  readonly #buffers: Event[][];
  readonly #finished: boolean[];
  #head = 0;
  /** Events go out one at a time, in order, even when lanes emit at once. */
  #chain: Promise<void> = Promise.resolve();

  constructor(reporter: Multiplexer, lanes: number) {
    this.#reporter = reporter;
    this.#buffers = Array.from({ length: lanes }, () => []);
    this.#finished = Array.from({ length: lanes }, () => false);
  }

  /** The emit function of lane `index`. */
  lane(index: number): <H extends ReporterHook>(hook: H, ...args: Parameters<NonNullable<Reporter[H]>>) => Promise<void> {
    return (hook, ...args) => {
      if (index === this.#head) return this.#send({ hook, args });
      this.#buffers[index]!.push({ hook, args });
      return Promise.resolve();
    };
  }

  /** Lane `index` has emitted its last event: the next lanes' recorded events go out. */
  finish(index: number): Promise<void> {
    this.#finished[index] = true;
    while (this.#head < this.#buffers.length && this.#finished[this.#head]) {
      this.#head++;
      if (this.#head < this.#buffers.length) {
        for (const event of this.#buffers[this.#head]!.splice(0)) void this.#send(event);
      }
    }
    return this.#chain;
  }

  #send(event: Event): Promise<void> {
    this.#chain = this.#chain.then(() => (this.#reporter.emit as (hook: ReporterHook, ...a: unknown[]) => Promise<void>)(event.hook, ...event.args));
    return this.#chain;
  }
}
