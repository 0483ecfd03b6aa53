// stage-exam, part 3: an async-safe singleton (单例模式).
//
// The course's Python singleton guards `__new__` with a lock and checks twice, because
// another *thread* may slip in between "is there an instance?" and "create it". In
// JavaScript there is one thread, but the same gap opens at every `await`: if we only
// stored the finished instance, every caller arriving while the first build is still
// pending would see "no instance yet" and start a build of its own.
//
// The fix is to cache the *promise* of the instance, and to store it synchronously, in the
// same turn as the check, before anything is awaited. Every caller, early or late, then
// awaits the one and only build.
import { setTimeout as delay } from 'node:timers/promises';

let instancePromise: Promise<object> | undefined;

/** Builds the instance. Stands in for real asynchronous set-up (connecting, reading config). */
async function build(): Promise<object> {
  await delay(20);
  return Object.freeze({ name: 'singleton', createdAt: new Date().toISOString() });
}

export async function getInstance(): Promise<object> {
  // Check and assignment run without an `await` in between: no other call can interleave.
  if (instancePromise === undefined) {
    instancePromise = build().catch((err: unknown) => {
      // A failed build is not cached: the callers waiting now see the error, and the next
      // call tries again instead of failing forever.
      instancePromise = undefined;
      throw err;
    });
  }
  return instancePromise;
}
