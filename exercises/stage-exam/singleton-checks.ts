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
import { text } from './messages.ts';

const { t } = text;

export const HARNESS = fileURLToPath(new URL('./singleton-harness.ts', import.meta.url));
const MARKER = 'NETGRADE-VERDICT ';
/** The whole harness run; every call must settle within SETTLE_MS inside it. */
const RUN_MS = 10_000;
const SETTLE_MS = 5_000;
/** Calls in the harness's synchronous block (keep in step with singleton-harness.ts). */
const CONCURRENT_CALLS = 100;

/** A value as the harness saw it (see singleton-harness.ts). */
interface Described {
  type: 'null' | 'undefined' | 'array' | 'function' | 'object' | 'string' | 'number' | 'other';
  text?: string;
}

/** The harness's verdict line: facts only, worded here in the grading's language. */
interface Verdict {
  ok: boolean;
  problem?: string;
  call?: string;
  error?: string;
  value?: Described;
  exports?: string[];
  defaultExport?: boolean;
  settleMs?: number;
  rejection?: boolean;
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

function describeValue(value: Described | undefined): string {
  const text = value?.text ?? '';
  switch (value?.type) {
    case 'null':
      return t('value.null');
    case 'array':
      return t('value.array');
    case 'function':
      return t('value.function');
    case 'object':
      return t('value.object');
    case 'string':
      return t('value.string', { text });
    case 'number':
      return t('value.number', { text });
    case 'other':
      return t('value.other', { text });
    default:
      return t('value.undefined');
  }
}

/** Which call the harness means (its `call` code), as the subject of a sentence. */
function describeCall(call: string | undefined): string {
  const [kind, i, n] = (call ?? 'plain').split(':');
  switch (kind) {
    case 'sync':
      return t('call.sync', { i: i ?? '?' });
    case 'settle':
      return t('call.settle', { i: i ?? '?', n: n ?? '?' });
    case 'microtask':
    case 'setImmediate':
    case 'timer':
    case 'after-all':
    case 'after-that':
    case 'first':
    case 'second':
    case 'third':
    case 'later-1':
    case 'later-2':
      return t(`call.${kind}`);
    default:
      return t('call.plain');
  }
}

async function runHarness(ctx: CheckContext, mode: Mode): Promise<Verdict> {
  const file = join(ctx.codeDir, 'singleton.ts');
  await ctx.shared('stage-exam:singleton-file', async () => {
    if (!existsSync(file)) {
      throw new SubmissionError('MISSING_ENTRY', t('single.missing.title'), t('single.missing'));
    }
    // Code Node cannot strip: stated once, on the first singleton check, with its place.
    // When server.ts cannot be stripped either, the echo part has already stated that
    // cause: the singleton checks are then skipped, naming singleton.ts's own spot.
    const error = await stripErrorOf(ctx.codeDir, 'singleton.ts');
    if (error === undefined) return;
    if (await stripErrorOf(ctx.codeDir, 'server.ts')) {
      throw new SkipCheck(`${t('single.skip', { title: error.title, message: error.message })}${error.excerpt ? `\n${error.excerpt}` : ''}`);
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
    const how = run.exit.signal ? t('single.signal', { signal: run.exit.signal }) : t('single.exitCode', { code: String(run.exit.exitCode) });
    throw new CheckFailure(run.killedFor === 'timeout' ? t('single.timeout', { ms: { ms: ctx.ms(RUN_MS) } }) : t('single.ended', { how }), {
      actual: run.stderr.trim().split('\n').slice(-15).join('\n') || run.stdout.slice(-1500) || t('single.noOutput'),
    });
  }
  const verdict = JSON.parse(line.slice(MARKER.length)) as Verdict;
  if (verdict.skipped) ctx.note(t('single.skippedNote', { n: verdict.skipped }));
  // Problems the calling check words itself; everything else is the same for every check.
  if (verdict.ok || ['distinct', 'not-promise', 'not-object'].includes(verdict.problem ?? '')) return verdict;
  throw commonFailure(verdict, run.stderr);
}

function commonFailure(verdict: Verdict, stderr: string): CheckFailure {
  const tail = stderr.trim().split('\n').slice(-15).join('\n');
  const extra = tail ? { actual: tail } : {};
  switch (verdict.problem) {
    case 'import': {
      const error = verdict.error ?? '';
      const key = /ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX|ERR_INVALID_TYPESCRIPT_SYNTAX/.test(error)
        ? 'single.importStrip'
        : /ERR_MODULE_NOT_FOUND|Cannot find (module|package)/.test(error)
          ? 'single.importModule'
          : 'single.import';
      return new CheckFailure(t(key, { error }), extra);
    }
    case 'no-export':
      if (verdict.value !== undefined) return new CheckFailure(t('single.noExportNotFunction', { value: describeValue(verdict.value) }));
      if (verdict.defaultExport) return new CheckFailure(t('single.noExportDefault'));
      if (verdict.exports && verdict.exports.length > 0) return new CheckFailure(t('single.noExportOthers', { exports: verdict.exports.join(', ') }));
      return new CheckFailure(t('single.noExportNothing'));
    case 'throws':
      return new CheckFailure(t('single.throws', { call: describeCall(verdict.call), error: verdict.error ?? '' }), extra);
    case 'rejected':
      return new CheckFailure(t('single.rejected', { call: describeCall(verdict.call), error: verdict.error ?? '' }), extra);
    case 'uncaught':
      return new CheckFailure(t(verdict.rejection ? 'single.unhandled' : 'single.uncaught', { error: verdict.error ?? '' }), extra);
    case 'never-settles':
      return new CheckFailure(t('single.neverSettles', { call: describeCall(verdict.call), ms: { ms: verdict.settleMs ?? SETTLE_MS } }));
    default:
      return new CheckFailure(
        verdict.error ? t('single.reportedDetail', { problem: verdict.problem ?? '', detail: verdict.error }) : t('single.reported', { problem: verdict.problem ?? '' }),
        extra,
      );
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
  const n = verdict.distinct ?? 0;
  const detail = { expected: t('objects.expected'), actual: t('objects.actual', { n }) };
  if (after.quick) return new CheckFailure(t(after.copies ? 'objects.copies' : 'objects.copy', { lead, n }), detail);
  if (!options.newBuilds) return undefined;
  return new CheckFailure(t('objects.newBuilds', { lead, n }), detail);
}

export const singletonChecks: CheckDefinition[] = [
  {
    id: 'singleton.module',
    get title() {
      return t('singleton.module.title');
    },
    points: 4,
    part: 'singleton',
    async run(ctx) {
      const verdict = await runHarness(ctx, 'module');
      if (verdict.problem === 'not-promise') {
        throw new CheckFailure(t('single.notPromise', { value: describeValue(verdict.value) }));
      }
      if (verdict.problem === 'not-object') {
        throw new CheckFailure(t('single.notObject', { value: describeValue(verdict.value) }));
      }
      if (!verdict.ok) throw new CheckFailure(t('single.reported', { problem: verdict.problem ?? '' }));
    },
  },
  {
    id: 'singleton.concurrent',
    get title() {
      return t('singleton.concurrent.title');
    },
    points: 10,
    part: 'singleton',
    async run(ctx) {
      const verdict = await runHarness(ctx, 'concurrent');
      if (verdict.ok) return;
      const lead = t('concurrent.lead', { calls: verdict.calls ?? 0, sync: CONCURRENT_CALLS });
      const other = differentObjects(verdict, lead, { newBuilds: true });
      if (other) throw other;
      const n = verdict.distinct ?? 0;
      throw new CheckFailure(t('concurrent.race', { lead, n }), { expected: t('objects.expected'), actual: t('objects.actual', { n }) });
    },
  },
  {
    id: 'singleton.later',
    get title() {
      return t('singleton.later.title');
    },
    points: 6,
    part: 'singleton',
    async run(ctx) {
      const verdict = await runHarness(ctx, 'later');
      if (verdict.ok) return;
      const lead = t('later.lead');
      const other = differentObjects(verdict, lead, { newBuilds: false });
      if (other) throw other;
      const n = verdict.distinct ?? 0;
      throw new CheckFailure(t('later.fail', { lead, n, calls: verdict.calls ?? 0 }), { expected: t('objects.expected'), actual: t('objects.actual', { n }) });
    },
  },
];
