/**
 * stage-exam, part singleton: each check runs the grader's harness (singleton-harness.ts)
 * in a fresh Node process; the harness imports the student's singleton.ts and prints a
 * verdict line, judged here.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckContext, CheckDefinition } from '../../grader/exercise/define.ts';
import { CheckFailure, SubmissionError } from '../../grader/model/errors.ts';
import { SkipCheck } from '../../grader/runner/run-check.ts';
import { findStripError } from '../../grader/sandbox/diagnose.ts';

export const HARNESS = fileURLToPath(new URL('./singleton-harness.ts', import.meta.url));
const MARKER = 'NETGRADE-VERDICT ';
/** The whole harness run; every call must settle within SETTLE_MS inside it. */
const RUN_MS = 10_000;
const SETTLE_MS = 5_000;
/** Calls in the harness's synchronous block (keep in step with singleton-harness.ts). */
const CONCURRENT_CALLS = 100;

interface Verdict {
  ok: boolean;
  problem?: string;
  detail?: string;
  calls?: number;
  distinct?: number;
  skipped?: number;
  /** When results differed: two calls made after every build had finished (see the harness). */
  after?: { distinct: boolean; quick: boolean; copies: boolean };
}

/** The error Node's type stripper finds in `file` itself (not in other files of the folder), if any. */
async function stripErrorOf(codeDir: string, file: string): Promise<SubmissionError | undefined> {
  // Entry files are stripped first: when `file` fails, its error is the one returned.
  const error = await findStripError(codeDir, [file]);
  if (error === undefined) return undefined;
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`in ${escaped}(:\\d+:\\d+)?$`).test(error.title) ? error : undefined;
}

type Mode = 'module' | 'concurrent' | 'later';

async function runHarness(ctx: CheckContext, mode: Mode): Promise<Verdict> {
  const file = join(ctx.codeDir, 'singleton.ts');
  await ctx.shared('stage-exam:singleton-file', async () => {
    if (!existsSync(file)) {
      throw new SubmissionError(
        'MISSING_ENTRY',
        'Missing singleton.ts',
        'The folder stage-exam/ of your submission has no singleton.ts. Name the file exactly singleton.ts; it exports "async function getInstance()".',
      );
    }
    // Code Node cannot strip: stated once, on the first singleton check, with its place.
    // When server.ts cannot be stripped either, the echo part has already stated that
    // cause: the singleton checks are then skipped, naming singleton.ts's own spot.
    const error = await stripErrorOf(ctx.codeDir, 'singleton.ts');
    if (error === undefined) return;
    if (await stripErrorOf(ctx.codeDir, 'server.ts')) {
      throw new SkipCheck(`Not run: ${error.title}, like server.ts (see the first echo check). ${error.message}${error.excerpt ? `\n${error.excerpt}` : ''}`);
    }
    throw error;
  });
  const run = await ctx.runProgram({
    harness: HARNESS,
    args: [file, mode],
    env: { SETTLE_MS: String(ctx.ms(SETTLE_MS)) },
    timeoutMs: RUN_MS,
  });
  const line = run.stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(MARKER));
  if (line === undefined) {
    const why =
      run.killedFor === 'timeout'
        ? `did not finish within ${ctx.ms(RUN_MS)} ms (does importing it start a server or a loop that never ends?)`
        : `ended (${run.exit.signal ? `signal ${run.exit.signal}` : `exit code ${run.exit.exitCode}`}) without a verdict: does singleton.ts call process.exit() or flood stdout?`;
    throw new CheckFailure(`The grader imported singleton.ts in a fresh Node process, which ${why}`, {
      actual: run.stderr.trim().split('\n').slice(-15).join('\n') || run.stdout.slice(-1500) || '(no output)',
    });
  }
  const verdict = JSON.parse(line.slice(MARKER.length)) as Verdict;
  if (verdict.skipped) ctx.note(`${verdict.skipped} late call(s) were not made: the first build had already finished by then.`);
  // Problems the calling check words itself; everything else is the same for every check.
  if (verdict.ok || ['distinct', 'not-promise', 'not-object'].includes(verdict.problem ?? '')) return verdict;
  throw commonFailure(verdict, run.stderr);
}

function commonFailure(verdict: Verdict, stderr: string): CheckFailure {
  const tail = stderr.trim().split('\n').slice(-15).join('\n');
  const extra = tail ? { actual: tail } : {};
  switch (verdict.problem) {
    case 'import': {
      const detail = verdict.detail ?? '';
      const hint = /ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX|ERR_INVALID_TYPESCRIPT_SYNTAX/.test(detail)
        ? ' Node runs .ts files by stripping types only: no enum, no namespace, no constructor parameter properties.'
        : /ERR_MODULE_NOT_FOUND|Cannot find (module|package)/.test(detail)
          ? ' Import only Node built-ins ("node:timers/promises") and your own modules with relative "./x.ts" specifiers, extension included.'
          : '';
      return new CheckFailure(`singleton.ts could not be imported: ${detail}.${hint}`, extra);
    }
    case 'no-export':
      return new CheckFailure(`${verdict.detail}. Write "export async function getInstance(): Promise<object>".`);
    case 'throws':
    case 'rejected':
    case 'uncaught':
      return new CheckFailure(`${verdict.detail}. getInstance() must resolve to the instance.`, extra);
    case 'never-settles':
      return new CheckFailure(`${verdict.detail}: every call must resolve; does a caller wait for something that never happens?`);
    default:
      return new CheckFailure(`The singleton harness reported: ${verdict.problem}${verdict.detail ? `: ${verdict.detail}` : ''}.`, extra);
  }
}

/**
 * Why calls got different objects, told by the two calls the harness made once every build
 * had finished: a copy handed out per call (no new asynchronous work, the build ran once) or,
 * with `newBuilds`, a new build per call. Undefined when those two calls got the same object
 * (the objects came from builds racing), or when the calling check words the case itself.
 */
function differentObjects(verdict: Verdict, lead: string, options: { newBuilds: boolean }): CheckFailure | undefined {
  const after = verdict.after;
  if (after === undefined || !after.distinct) return undefined;
  const detail = { expected: '1 object', actual: `${verdict.distinct} different objects` };
  if (after.quick) {
    return new CheckFailure(
      `${lead} resolved to ${verdict.distinct} different objects, although the build ran once: once it had finished, two more calls each resolved at once, without new asynchronous work (no new build), and still got two different objects${after.copies ? ', every object a copy of the others (same properties holding the very same values)' : ''}. ` +
        'getInstance hands each caller a new object (a copy such as {...instance} or Object.freeze({...instance}), or a wrapper) instead of the instance: return the one instance itself, so that every call gets the very same object.',
      detail,
    );
  }
  if (!options.newBuilds) return undefined;
  return new CheckFailure(
    `${lead} resolved to ${verdict.distinct} different objects, and even two calls made one after the other once the first build had finished each got a new object, after new asynchronous work: every call builds an instance of its own. ` +
      'Build once: keep the promise of the build in a module variable, set it before the first await, and return it to every caller.',
    detail,
  );
}

export const singletonChecks: CheckDefinition[] = [
  {
    id: 'singleton.module',
    title: 'singleton.ts exports an async getInstance that resolves to an object',
    points: 4,
    part: 'singleton',
    async run(ctx) {
      const verdict = await runHarness(ctx, 'module');
      if (verdict.problem === 'not-promise') {
        throw new CheckFailure(`${verdict.detail}: declare it "export async function getInstance()" so that every call returns a Promise, even when the instance already exists.`);
      }
      if (verdict.problem === 'not-object') {
        throw new CheckFailure(`${verdict.detail}: resolve to the instance itself, a non-null object of your choice.`);
      }
      if (!verdict.ok) throw new CheckFailure(`The singleton harness reported: ${verdict.problem}.`);
    },
  },
  {
    id: 'singleton.concurrent',
    title: 'Calls made while the instance is being built all get the same object',
    points: 10,
    part: 'singleton',
    async run(ctx) {
      const verdict = await runHarness(ctx, 'concurrent');
      if (verdict.ok) return;
      const lead = `${verdict.calls} calls to getInstance() made while the instance was being built (${CONCURRENT_CALLS} in one synchronous block, then after a microtask, after setImmediate and after a 1 ms timer)`;
      const other = differentObjects(verdict, lead, { newBuilds: true });
      if (other) throw other;
      throw new CheckFailure(
        `${verdict.calls} calls to getInstance() made while the instance was being built (${CONCURRENT_CALLS} in one synchronous block, then after a microtask, after setImmediate and after a 1 ms timer) resolved to ${verdict.distinct} different objects. ` +
          'The check "no instance yet?" and the build are separated by an await, so every early caller starts its own build. Cache the promise of the build, and store it before the first await.',
        { expected: '1 object', actual: `${verdict.distinct} different objects` },
      );
    },
  },
  {
    id: 'singleton.later',
    title: 'Calls made after the instance was built get the same object',
    points: 6,
    part: 'singleton',
    async run(ctx) {
      const verdict = await runHarness(ctx, 'later');
      if (verdict.ok) return;
      const other = differentObjects(verdict, `Calls made one after another (each once the previous had resolved), and two more 100 ms later,`, { newBuilds: false });
      if (other) throw other;
      throw new CheckFailure(
        `Calls made one after another (each once the previous had resolved), and two more 100 ms later, resolved to ${verdict.distinct} different objects among ${verdict.calls}. ` +
          'Keep the instance (or its promise) for the life of the process; do not clear it once the build has finished.',
        { expected: '1 object', actual: `${verdict.distinct} different objects` },
      );
    },
  },
];
