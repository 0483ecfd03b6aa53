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
// fs.appendFileSync to the file named by the env variable NETGRADE_TAP (a path relative to the
// program's working directory, or absolute):
//
//   {"thread": <threadId, 0 = main>, "via": "writeSync" | "stdout.write" | …, "text": "…", "relay": true?}
//
// In a worker, console.log does not write to stdout: the text is posted to the main thread,
// whose worker-stdio stream writes it to process.stdout later. That write is recorded with
// "relay": true (its stack runs through node:internal/worker), so it is not credited to the main
// thread; the worker's own record of the same text (its process.stdout.write) credits the worker.
import fs from 'node:fs';
import module from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';

const target = process.env.NETGRADE_TAP;
if (target) install(isAbsolute(target) ? target : resolve(process.cwd(), target));

function install(file) {
  const append = fs.appendFileSync;
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
      append(file, `${JSON.stringify({ thread: threadId, via, text, ...extra })}\n`);
    } catch {
      // The tap must never change what the program does.
    }
  };
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
    const written = guarded(() => original.writeSync.call(this, fd, data, ...args));
    const bytes = writtenBytes(data, args, written);
    if (bytes) record('writeSync', bytes);
    return written;
  };
  fs.write = function write(fd, data, ...args) {
    const callback = args.at(-1);
    if (fd !== 1 || depth > 0 || typeof callback !== 'function') return original.write.call(this, fd, data, ...args);
    const rest = args.slice(0, -1);
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
      const text = typeof chunk === 'string' && typeof args[0] === 'string' ? Buffer.from(chunk, args[0]) : chunk;
      // The main thread relaying a worker's console.log: its stack runs through the worker's stdio stream.
      const relay = threadId === 0 && /ReadableWorkerStdio|node:internal\/worker/.test(stackHere());
      record('stdout.write', text, relay ? { relay: true } : undefined);
    }
    return guarded(() => write.call(this, chunk, ...args));
  };
}
