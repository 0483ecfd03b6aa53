// netgrade's stdout tap for the interleave exercise (a grader file, preloaded with
// `node --import <this file> main.ts`; never part of a submission).
//
// `--import` modules run in the main thread and again in every worker thread (workers inherit
// process.execArgv). In each thread the tap records every write to stdout with the writing
// thread's id, so the grader knows which thread printed which line:
//
//   - fs.writeSync(1, …), fs.write(1, …), fs.writeFileSync / fs.appendFileSync to fd 1 or
//     /dev/stdout (wrapped on the `node:fs` object, then module.syncBuiltinESMExports() so that
//     `import { writeSync } from 'node:fs'` sees the wrappers too);
//   - process.stdout.write (console.log, console.info, … go through it).
//
// Delivery (out of band, never on stdout): one JSON line per write, appended with the original
// fs functions to the file named by the env variable NETGRADE_TAP (a path relative to the
// program's working directory, or absolute):
//
//   {"thread": <threadId, 0 = main>, "via": "writeSync" | "stdout.write" | …, "text": "…", "relay": true?}
//
// In a worker, console.log does not write to stdout: the text is posted to the main thread,
// whose worker-stdio stream writes it to process.stdout later. That write is recorded with
// "relay": true (its stack runs through node:internal/worker), so it is not credited to the main
// thread; the worker's own record of the same text (its process.stdout.write) credits the worker.
//
// Every record also carries "at": when it was made, in ms of the process's monotonic clock
// (process.hrtime), comparable across threads. A write's record is made once its bytes are
// written, so "at" is when the line landed.
//
// Options for threaded exercises other than interleave (ticket-sale), each off unless its env
// variable is set, so the records interleave reads are unchanged:
//
//   NETGRADE_TAP_THREADS=1   also records when each thread started and ended:
//       {"kind": "start", "thread": <id>, "at": <ms>, "held"?: <ms>}   (when the thread's own code
//           is about to run: the preload runs just before the worker's module)
//       {"kind": "end", "thread": <id>, "at": <ms>}                   (process 'exit' in that thread;
//           a worker stopped with worker.terminate() has none)
//     These records have no "text": a reader of write records must skip records with a "kind".
//   NETGRADE_TAP_HOLD_MS=<ms>  holds back every worker thread but the first one to start (before its
//       start record) until the first one has written to stdout, waits with Atomics.wait without a
//       timeout (a barrier or a lock), calls Atomics.waitAsync or ends, at most <ms>: a worker that
//       acts before the others have even started is caught deterministically, and a worker that waits
//       for the others releases them at once. The threads share this state through a
//       SharedArrayBuffer handed down with worker_threads.setEnvironmentData.
//   NETGRADE_TAP_JITTER_MS=<ms>  delays each write to stdout, before its bytes are written, by 0 to
//       <ms> ms (every other write on average), as a preempted thread would be: a program that takes
//       a ticket and prints it in two steps shows it at once. NETGRADE_TAP_SEED seeds the delays
//       (per thread).
import fs from 'node:fs';
import module from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { getEnvironmentData, isMainThread, setEnvironmentData, threadId } from 'node:worker_threads';

const target = process.env.NETGRADE_TAP;
if (target) install(isAbsolute(target) ? target : resolve(process.cwd(), target));

function install(file) {
  // Records go through one descriptor per thread, opened on first use (O_APPEND: each record is
  // one write, appended whole), with the original fs functions.
  const openSync = fs.openSync;
  const writeRecord = fs.writeSync;
  let recordFd;
  const append = (path, text) => {
    recordFd ??= openSync(path, 'a');
    writeRecord(recordFd, text);
  };
  const original = {
    writeSync: fs.writeSync,
    write: fs.write,
    writeFileSync: fs.writeFileSync,
    appendFileSync: fs.appendFileSync,
  };
  // Inner writes of an outer recorded call (writeFileSync -> writeSync, stdout.write on a file
  // -> writeSync) are not recorded twice.
  let depth = 0;

  const record = (via, data, extra) => {
    try {
      const text = typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
      if (text.length === 0) return;
      append(file, `${JSON.stringify({ thread: threadId, via, text, ...extra, at: now() })}\n`);
    } catch {
      // The tap must never change what the program does.
    }
    threads.wrote();
  };
  const threads = threadEvents(file, append);
  const jitter = makeJitter();
  const isStdout = (target) => target === 1 || target === '/dev/stdout';
  const guarded = (fn) => {
    depth++;
    try {
      return fn();
    } finally {
      depth--;
    }
  };
  /** The bytes a write of `data` (string or buffer view) actually wrote. */
  const writtenBytes = (data, args, written) => {
    if (typeof data === 'string') {
      const encoding = typeof args[1] === 'string' ? args[1] : typeof args[2] === 'string' ? args[2] : 'utf8';
      return Buffer.from(data, encoding).subarray(0, written);
    }
    if (!ArrayBuffer.isView(data)) return undefined;
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const offset = typeof args[0] === 'object' && args[0] !== null ? (args[0].offset ?? 0) : (args[0] ?? 0);
    return bytes.subarray(offset, offset + written);
  };

  fs.writeSync = function writeSync(fd, data, ...args) {
    if (fd !== 1 || depth > 0) return original.writeSync.call(this, fd, data, ...args);
    jitter();
    const written = guarded(() => original.writeSync.call(this, fd, data, ...args));
    const bytes = writtenBytes(data, args, written);
    if (bytes) record('writeSync', bytes);
    return written;
  };
  fs.write = function write(fd, data, ...args) {
    const callback = args.at(-1);
    if (fd !== 1 || depth > 0 || typeof callback !== 'function') return original.write.call(this, fd, data, ...args);
    const rest = args.slice(0, -1);
    jitter();
    return original.write.call(this, fd, data, ...rest, (error, written, ...more) => {
      if (!error) {
        const bytes = writtenBytes(data, rest, written);
        if (bytes) record('write', bytes);
      }
      callback(error, written, ...more);
    });
  };
  for (const name of ['writeFileSync', 'appendFileSync']) {
    fs[name] = function (target, data, ...args) {
      if (!isStdout(target) || depth > 0) return original[name].call(this, target, data, ...args);
      jitter();
      const result = guarded(() => original[name].call(this, target, data, ...args));
      if (typeof data === 'string' || ArrayBuffer.isView(data)) record(name, data);
      return result;
    };
  }
  module.syncBuiltinESMExports();

  const stackHere = () => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 64;
    try {
      return new Error().stack ?? '';
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
  const stdout = process.stdout;
  const write = stdout.write;
  stdout.write = function (chunk, ...args) {
    if (depth > 0) return write.call(this, chunk, ...args);
    if (typeof chunk === 'string' || ArrayBuffer.isView(chunk)) {
      jitter();
      const text = typeof chunk === 'string' && typeof args[0] === 'string' ? Buffer.from(chunk, args[0]) : chunk;
      // The main thread relaying a worker's console.log: its stack runs through the worker's stdio stream.
      const relay = threadId === 0 && /ReadableWorkerStdio|node:internal\/worker/.test(stackHere());
      record('stdout.write', text, relay ? { relay: true } : undefined);
    }
    return guarded(() => write.call(this, chunk, ...args));
  };
}

/** ms of the process's monotonic clock, the same in every thread. */
function now() {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Blocks this thread for `ms` ms (the tap's own pauses; never used for the program's coordination). */
function pause(ms) {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Positive integer from an env variable, or 0. */
function envMs(name) {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * NETGRADE_TAP_JITTER_MS: a function that delays the calling thread by 0..max ms before a write,
 * every other write on average; the delays come from a generator seeded by NETGRADE_TAP_SEED and
 * the thread id (mulberry32).
 */
function makeJitter() {
  const max = envMs('NETGRADE_TAP_JITTER_MS');
  if (max === 0) return () => {};
  let state = ((Number(process.env.NETGRADE_TAP_SEED) || 1) ^ Math.imul(threadId + 1, 0x9e3779b1)) >>> 0;
  const next = () => {
    let t = (state = (state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => {
    if (next() < 0.5) pause(next() * max);
  };
}

/**
 * NETGRADE_TAP_THREADS and NETGRADE_TAP_HOLD_MS: start and end records, and the hold of every
 * worker thread but the first. Returns { wrote() }, called after each recorded write.
 */
function threadEvents(file, append) {
  const none = { wrote() {} };
  if (process.env.NETGRADE_TAP_THREADS !== '1') return none;
  const event = (kind, extra) => {
    try {
      append(file, `${JSON.stringify({ kind, thread: threadId, at: now(), ...extra })}\n`);
    } catch {
      // Never change what the program does.
    }
  };
  // Shared by every thread of the process: [worker threads started so far, released].
  const KEY = 'netgrade-tap-threads';
  const STARTED = 0;
  const RELEASED = 1;
  let shared;
  try {
    if (isMainThread) {
      shared = new Int32Array(new SharedArrayBuffer(8));
      setEnvironmentData(KEY, shared.buffer);
    } else {
      const buffer = getEnvironmentData(KEY);
      if (buffer instanceof SharedArrayBuffer) shared = new Int32Array(buffer);
    }
  } catch {
    shared = undefined;
  }
  const holdMs = envMs('NETGRADE_TAP_HOLD_MS');
  let release = () => {};
  let held;
  if (!isMainThread && shared && holdMs > 0) {
    if (Atomics.add(shared, STARTED, 1) === 0) {
      // The first worker thread: the others wait until it writes, waits or ends.
      release = () => {
        release = () => {};
        Atomics.store(shared, RELEASED, 1);
        Atomics.notify(shared, RELEASED);
      };
      const wait = Atomics.wait;
      const waitAsync = Atomics.waitAsync;
      try {
        Atomics.wait = function (typedArray, index, value, timeout) {
          if (timeout === undefined || timeout === Infinity) release();
          return wait.call(this, typedArray, index, value, timeout);
        };
        if (typeof waitAsync === 'function') {
          Atomics.waitAsync = function (...args) {
            release();
            return waitAsync.apply(this, args);
          };
        }
      } catch {
        // Atomics not writable: the hold ends by its deadline.
      }
    } else {
      const from = now();
      Atomics.wait(shared, RELEASED, 0, holdMs);
      held = Math.round(now() - from);
    }
  }
  event('start', held === undefined ? undefined : { held });
  process.on('exit', () => {
    event('end');
    release();
  });
  return {
    wrote() {
      release();
    },
  };
}
