/**
 * stage-exam, part singleton: the grader's harness. Run by the grader in a fresh Node
 * process: `node singleton-harness.ts <absolute path of the student's singleton.ts> <mode>`.
 * It imports the student's module, calls `getInstance()` as the mode says, compares the
 * results by identity (`===`) and prints one verdict line on stdout:
 *
 *   NETGRADE-VERDICT {"ok": true, ...} | {"ok": false, "problem": "...", ...}
 *
 * Modes:
 * - `module`: getInstance is a named export, returns a Promise, resolves to an object.
 * - `concurrent`: 100 calls in one synchronous block, plus calls after a microtask, after
 *   setImmediate and after a 1 ms timer while the first build is still pending: one object.
 * - `later`: calls made one after another once the first has resolved, and two more 100 ms
 *   later: one object.
 *
 * Non-promise results are accepted in `concurrent` and `later` (identity is what they judge;
 * `module` judges the Promise). Every call must settle within SETTLE_MS.
 */
import { pathToFileURL } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';

const MARKER = 'NETGRADE-VERDICT ';
const [file, mode] = process.argv.slice(2);
const SETTLE_MS = Number(process.env['SETTLE_MS'] ?? 5000);
const CONCURRENT_CALLS = 100;

/**
 * What a value was, for messages; the grader words it in the grading's language (this script
 * runs jailed, alone, and cannot read the grader's message catalogues).
 */
interface Described {
  type: 'null' | 'undefined' | 'array' | 'function' | 'object' | 'string' | 'number' | 'other';
  text?: string;
}

interface Verdict {
  ok: boolean;
  problem?: string;
  /** Which call it was: `plain` (the one call of `module`), `sync:<i>`, `microtask`, `setImmediate`, `timer`, `settle:<i>:<n>`, `after-all`, `after-that`, `first`, `second`, `third`, `later-1`, `later-2`. */
  call?: string;
  /** The error thrown or the rejection, as `Name [code]: message`. */
  error?: string;
  /** The value returned or resolved to (not-promise, not-object; no-export: what getInstance is). */
  value?: Described;
  /** no-export: the module's named exports, and whether it has a default export. */
  exports?: string[];
  defaultExport?: boolean;
  /** never-settles: the deadline, in ms. */
  settleMs?: number;
  /** uncaught: whether it was an unhandled rejection (else an uncaught exception). */
  rejection?: boolean;
  calls?: number;
  distinct?: number;
  skipped?: number;
  /** When results differed: what two calls made after every result had settled show. */
  after?: AfterBuild;
}

/**
 * Two calls made one after the other once every earlier call has settled (the instance is
 * built by then). Tells "the build ran once, but each call hands out a new object" from "a
 * build per caller": with one build, a later call resolves without new asynchronous work.
 */
interface AfterBuild {
  /** The two later calls resolved to different objects. */
  distinct: boolean;
  /** Each later call resolved before a setImmediate fired: microtasks only, no timer or I/O (no new build). */
  quick: boolean;
  /** Every result (earlier and later) is a shallow copy of the others: same prototype, same own keys, each value identical. */
  copies: boolean;
}

function report(verdict: Verdict): never {
  // Pipes are written synchronously on Linux: the line is out before exit.
  process.stdout.write(`\n${MARKER}${JSON.stringify(verdict)}\n`);
  process.exit(0);
}

function describe(value: unknown): Described {
  if (value === null) return { type: 'null' };
  if (value === undefined) return { type: 'undefined' };
  if (Array.isArray(value)) return { type: 'array' };
  if (typeof value === 'function') return { type: 'function' };
  if (typeof value === 'object') return { type: 'object' };
  if (typeof value === 'string') return { type: 'string', text: JSON.stringify(value.slice(0, 40)) };
  return typeof value === 'number' ? { type: 'number', text: String(value) } : { type: 'other', text: `${typeof value} (${String(value)})` };
}

function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}${(error as NodeJS.ErrnoException).code ? ` [${(error as NodeJS.ErrnoException).code}]` : ''}: ${error.message}`;
  return String(error);
}

/** Settles `value` (a promise or not) within SETTLE_MS. */
async function settle(value: unknown, call: string): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`__timeout__`)), SETTLE_MS);
  });
  try {
    return await Promise.race([Promise.resolve(value), deadline]);
  } catch (error) {
    if (error instanceof Error && error.message === '__timeout__') {
      report({ ok: false, problem: 'never-settles', call, settleMs: SETTLE_MS });
    }
    report({ ok: false, problem: 'rejected', call, error: errorText(error) });
  } finally {
    clearTimeout(timer);
  }
}

process.on('uncaughtException', (error) => report({ ok: false, problem: 'uncaught', error: errorText(error) }));
process.on('unhandledRejection', (error) => report({ ok: false, problem: 'uncaught', rejection: true, error: errorText(error) }));

if (file === undefined || mode === undefined) report({ ok: false, problem: 'usage', error: 'usage: singleton-harness.ts <singleton.ts> <module|concurrent|later>' });

let mod: Record<string, unknown>;
try {
  mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
} catch (error) {
  report({ ok: false, problem: 'import', error: errorText(error) });
}

const getInstance = mod['getInstance'];
if (typeof getInstance !== 'function') {
  const defaultExport = typeof mod['default'] === 'function' || (typeof mod['default'] === 'object' && mod['default'] !== null);
  report({
    ok: false,
    problem: 'no-export',
    exports: Object.keys(mod),
    defaultExport,
    ...(getInstance === undefined ? {} : { value: describe(getInstance) }),
  });
}
const call = getInstance as () => unknown;

function distinct(values: unknown[]): number {
  return new Set(values).size;
}

function shallowCopies(values: unknown[]): boolean {
  const objects = values.filter((v): v is object => (typeof v === 'object' && v !== null) || typeof v === 'function');
  if (objects.length !== values.length || objects.length === 0) return false;
  const [first, ...rest] = objects;
  const keys = Reflect.ownKeys(first!);
  const same = (other: object) => {
    if (Object.getPrototypeOf(other) !== Object.getPrototypeOf(first)) return false;
    const otherKeys = Reflect.ownKeys(other);
    if (otherKeys.length !== keys.length) return false;
    return keys.every((k) => otherKeys.includes(k) && Object.is((other as Record<PropertyKey, unknown>)[k], (first as Record<PropertyKey, unknown>)[k]));
  };
  return rest.every(same);
}

/** One call made now; `quick` when it resolved before a setImmediate fired (microtasks only). */
async function timedCall(label: string): Promise<{ value: unknown; quick: boolean }> {
  let returned: unknown;
  try {
    returned = call();
  } catch (error) {
    report({ ok: false, problem: 'throws', call: label, error: errorText(error) });
  }
  let settled = false;
  Promise.resolve(returned).then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  const quick = settled;
  return { value: await settle(returned, label), quick };
}

/** Called once results differed: two more calls, one after the other, now that every build has finished. */
async function afterBuild(values: unknown[]): Promise<AfterBuild> {
  const a = await timedCall('after-all');
  const b = await timedCall('after-that');
  return { distinct: a.value !== b.value, quick: a.quick && b.quick, copies: shallowCopies([...values, a.value, b.value]) };
}

if (mode === 'module') {
  let returned: unknown;
  try {
    returned = call();
  } catch (error) {
    report({ ok: false, problem: 'throws', call: 'plain', error: errorText(error) });
  }
  const thenable = typeof returned === 'object' && returned !== null && typeof (returned as { then?: unknown }).then === 'function';
  if (!thenable) report({ ok: false, problem: 'not-promise', value: describe(returned) });
  const value = await settle(returned, 'plain');
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
    report({ ok: false, problem: 'not-object', value: describe(value) });
  }
  report({ ok: true, calls: 1 });
} else if (mode === 'concurrent') {
  const pending: unknown[] = [];
  const safeCall = (label: string): unknown => {
    try {
      return call();
    } catch (error) {
      report({ ok: false, problem: 'throws', call: label, error: errorText(error) });
    }
  };
  for (let i = 0; i < CONCURRENT_CALLS; i++) pending.push(safeCall(`sync:${i + 1}`));
  // Whether the first build has finished: a late call made after that is not concurrent.
  let firstDone = false;
  void Promise.resolve(pending[0]).then(
    () => (firstDone = true),
    () => (firstDone = true),
  );
  let skipped = 0;
  const late = (label: string) => {
    if (firstDone) skipped++;
    else pending.push(safeCall(label));
  };
  await Promise.resolve();
  late('microtask');
  await new Promise((resolve) => setImmediate(resolve));
  late('setImmediate');
  await new Promise((resolve) => setTimeout(resolve, 1));
  late('timer');
  const values: unknown[] = [];
  for (const [i, p] of pending.entries()) values.push(await settle(p, `settle:${i + 1}:${pending.length}`));
  const n = distinct(values);
  report(n === 1 ? { ok: true, calls: values.length, distinct: 1, skipped } : { ok: false, problem: 'distinct', calls: values.length, distinct: n, skipped, after: await afterBuild(values) });
} else if (mode === 'later') {
  const values: unknown[] = [];
  const one = async (label: string) => {
    let returned: unknown;
    try {
      returned = call();
    } catch (error) {
      report({ ok: false, problem: 'throws', call: label, error: errorText(error) });
    }
    return settle(returned, label);
  };
  values.push(await one('first'));
  values.push(await one('second'));
  values.push(await one('third'));
  await delay(100);
  values.push(...(await Promise.all([one('later-1'), one('later-2')])));
  const n = distinct(values);
  report(n === 1 ? { ok: true, calls: values.length, distinct: 1 } : { ok: false, problem: 'distinct', calls: values.length, distinct: n, after: await afterBuild(values) });
} else {
  report({ ok: false, problem: 'usage', error: `unknown mode ${mode}` });
}
