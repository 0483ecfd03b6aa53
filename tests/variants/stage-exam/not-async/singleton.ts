// VARIANT not-async: getInstance is a plain synchronous function returning the object itself, not a Promise
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
let instance: object | undefined;

export function getInstance(): object {
  // The instance is plain data, so it can be made on the spot.
  instance ??= Object.freeze({ name: 'singleton', createdAt: new Date().toISOString() });
  return instance;
}
