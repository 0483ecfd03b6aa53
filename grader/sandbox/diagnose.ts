/**
 * Turns "the process did not come up" into a specific verdict a student can act on.
 *
 * Type stripping is checked with Node's own `module.stripTypeScriptTypes` (the same
 * stripper that runs the submission), which reports a stable error code; only what
 * happens inside the student's process is read from its stderr.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import * as nodeModule from 'node:module';
import { SubmissionError } from '../model/errors.ts';
import { verdicts } from '../i18n/verdicts.ts';
import type { ExitInfo } from './process.ts';
import { describeLimitHit, type ResourceLimits } from './limits.ts';

type StripFunction = (code: string, options?: { mode?: 'strip' }) => string;
const strip = (nodeModule as unknown as { stripTypeScriptTypes?: StripFunction }).stripTypeScriptTypes;

const { t } = verdicts;

const UNSUPPORTED_ADVICE: Array<[RegExp, () => string]> = [
  [/enum/i, () => t('advice.enum')],
  [/namespace|module declaration/i, () => t('advice.namespace')],
  [/parameter propert/i, () => t('advice.parameterProperty')],
  [/import.*=|export.*=/i, () => t('advice.importEquals')],
];

async function tsFilesUnder(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && /\.(m|c)?ts$/.test(entry.name)) files.push(join(entry.parentPath, entry.name));
  }
  return files.sort();
}

/**
 * Checks every TypeScript file of the copied exercise folder for syntax Node cannot run.
 * Entry files are checked first so that their error is the one reported.
 */
export async function findStripError(codeDir: string, entryFiles: string[]): Promise<SubmissionError | undefined> {
  if (!strip) return undefined;
  const files = await tsFilesUnder(codeDir);
  const entries = entryFiles.map((f) => join(codeDir, f));
  files.sort((a, b) => Number(entries.includes(b)) - Number(entries.includes(a)));
  for (const file of files) {
    const source = await readFile(file, 'utf8');
    try {
      strip(source, { mode: 'strip' });
    } catch (error) {
      const err = error as Error & { code?: string };
      const name = relative(codeDir, file);
      const spot = stripErrorSpot(err.stack ?? '', source);
      const where = spot ? `${name}:${spot.line}:${spot.column}` : name;
      // As Node prints it: the place, the line, a caret under the spot, the error.
      const excerpt = [where, ...(spot ? [spot.sourceLine, spot.caret] : []), `SyntaxError: ${err.message}`].join('\n');
      if (err.code === 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX') {
        const advice = UNSUPPORTED_ADVICE.find(([re]) => re.test(err.message))?.[1]() ?? t('advice.erasable');
        return new SubmissionError(
          'UNSUPPORTED_TYPESCRIPT',
          t('strip.unsupported.title', { where }),
          t('strip.unsupported.message', { error: err.message, advice }),
          excerpt,
        );
      }
      if (err.code === 'ERR_INVALID_TYPESCRIPT_SYNTAX') {
        return new SubmissionError(
          'SYNTAX_ERROR',
          t('strip.syntax.title', { where }),
          t('strip.syntax.message', { error: err.message, where, file: name }),
          excerpt,
        );
      }
    }
  }
  return undefined;
}

/** Where Node's stripper says the error is: 1-based line and column, the line and its caret line. */
export interface StripErrorSpot {
  line: number;
  column: number;
  sourceLine: string;
  caret: string;
}

/**
 * Reads the spot from the stack of a `stripTypeScriptTypes` error, which starts like Node's
 * own report of a syntax error: `:<line>`, a few lines of source, and under the offending
 * line a line of spaces and `^` (e.g. `:2\nconst a = 1;\nfunction f(x: number {\n   ^`).
 * The column is the caret's; the line is taken from the source by its number, so the
 * excerpt shows the student's own line even when the stack shows context around it.
 */
export function stripErrorSpot(stack: string, source: string): StripErrorSpot | undefined {
  const lines = stack.split('\n');
  const lineNumber = /^:(\d+)$/.exec(lines[0] ?? '')?.[1];
  if (!lineNumber) return undefined;
  const line = Number(lineNumber);
  const sourceLine = source.split(/\r?\n/)[line - 1];
  if (sourceLine === undefined) return undefined;
  const caretAt = lines.findIndex((l, i) => i > 0 && /^\s*\^+\s*$/.test(l));
  const caret = caretAt > 0 ? lines[caretAt]!.trimEnd() : '^';
  return { line, column: caret.indexOf('^') + 1, sourceLine, caret };
}

/** "exited with code 1" or "was killed by SIGSEGV". */
export function describeExit(exit: ExitInfo): string {
  return exit.signal ? t('exit.signal', { signal: exit.signal }) : t('exit.code', { code: String(exit.exitCode) });
}

/** The error a Node process printed as it died ("TypeError: x is not a function"), if any. */
export function thrownError(stderr: string): string | undefined {
  const match = /^(\w*Error)(?: \[\w+\])?: (.+)$/m.exec(stderr);
  return match ? `${match[1]}: ${match[2]}` : undefined;
}

/** Classifies a process that ended before it was ready, from its exit and its stderr. */
export async function diagnoseEarlyExit(
  exit: ExitInfo,
  stderr: string,
  codeDir: string,
  entryFiles: string[],
  limits: ResourceLimits,
): Promise<SubmissionError> {
  const excerpt = stderr.trim().split('\n').slice(-25).join('\n');
  const stripError = await findStripError(codeDir, entryFiles);
  if (stripError && /ERR_(UNSUPPORTED|INVALID)_TYPESCRIPT_SYNTAX|SyntaxError/.test(stderr)) {
    return stripError;
  }
  const missing = /Cannot find (?:module|package) '([^']+)'/.exec(stderr);
  if (/ERR_MODULE_NOT_FOUND|ERR_UNSUPPORTED_DIR_IMPORT/.test(stderr) && missing) {
    const spec = missing[1]!;
    const advice = spec.startsWith('.') || spec.startsWith('/') ? t('import.own') : t('import.package');
    return new SubmissionError('MODULE_NOT_FOUND', t('import.title', { spec }), advice, excerpt);
  }
  if (/SyntaxError/.test(stderr)) {
    return new SubmissionError(
      'SYNTAX_ERROR',
      t('syntax.title'),
      t('syntax.message'),
      excerpt,
    );
  }
  const limit = describeLimitHit(exit, stderr, limits);
  if (limit) {
    return new SubmissionError('CRASH_AT_START', t('limit.title', { limit: limit.split(/[:：]/)[0]! }), t('limit.message', { limit }), excerpt || undefined);
  }
  if (exit.exitCode === 0 && !exit.signal) {
    return new SubmissionError(
      'EXITED_AT_START',
      t('exited.title'),
      t('exited.message'),
      excerpt || undefined,
    );
  }
  const thrown = thrownError(stderr);
  return new SubmissionError(
    'CRASH_AT_START',
    t('crash.title', { how: describeExit(exit) }),
    thrown ? t('crash.thrown', { how: describeExit(exit), error: thrown }) : t('crash.plain', { how: describeExit(exit) }),
    excerpt || undefined,
  );
}
