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
import type { ExitInfo } from './process.ts';
import { describeLimitHit, type ResourceLimits } from './limits.ts';

type StripFunction = (code: string, options?: { mode?: 'strip' }) => string;
const strip = (nodeModule as unknown as { stripTypeScriptTypes?: StripFunction }).stripTypeScriptTypes;

const UNSUPPORTED_ADVICE: Array<[RegExp, string]> = [
  [/enum/i, 'Replace the enum with a const object (`const Color = { Red: "red" } as const`) or a union of string literals.'],
  [/namespace|module declaration/i, 'Replace the namespace with a module of its own (another .ts file) or a plain object.'],
  [/parameter propert/i, 'Declare the field in the class body and assign it in the constructor (`this.x = x`) instead of `constructor(private x: T)`.'],
  [/import.*=|export.*=/i, 'Use ES module `import`/`export` syntax.'],
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
        const advice = UNSUPPORTED_ADVICE.find(([re]) => re.test(err.message))?.[1] ?? 'Use only TypeScript that can be erased (types and annotations).';
        return new SubmissionError(
          'UNSUPPORTED_TYPESCRIPT',
          `TypeScript that Node cannot strip, in ${where}`,
          `Node 24 runs your .ts files by erasing types, and cannot erase this: ${err.message}. ${advice}`,
          excerpt,
        );
      }
      if (err.code === 'ERR_INVALID_TYPESCRIPT_SYNTAX') {
        return new SubmissionError(
          'SYNTAX_ERROR',
          `Syntax error in ${where}`,
          `Your code does not parse: ${err.message} (${where}, the caret in the excerpt marks the spot). Run \`node ${name}\` yourself to see the same error.`,
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
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.exitCode}`;
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
    const advice = spec.startsWith('.') || spec.startsWith('/')
      ? 'Import your own modules with a relative path and the `.ts` extension, e.g. `import { x } from "./util.ts"`, and keep them beside the entry file.'
      : 'Only Node built-ins may be imported (write `node:net`, `node:fs`, ...); npm packages are not installed when your code is graded.';
    return new SubmissionError('MODULE_NOT_FOUND', `Cannot import ${spec}`, advice, excerpt);
  }
  if (/SyntaxError/.test(stderr)) {
    return new SubmissionError(
      'SYNTAX_ERROR',
      'Syntax error',
      'Node could not load your code (SyntaxError). The excerpt shows where.',
      excerpt,
    );
  }
  const limit = describeLimitHit(exit, stderr, limits);
  if (limit) {
    return new SubmissionError('CRASH_AT_START', `Stopped at start: it hit ${limit.split(':')[0]}`, `The process was stopped before it was ready: it hit ${limit}.`, excerpt || undefined);
  }
  if (exit.exitCode === 0 && !exit.signal) {
    return new SubmissionError(
      'EXITED_AT_START',
      'The program ended before it listened',
      'The process exited with code 0 before it was ready: nothing kept it alive. Did you forget to call listen/bind, or close the server right away?',
      excerpt || undefined,
    );
  }
  const thrown = thrownError(stderr);
  return new SubmissionError(
    'CRASH_AT_START',
    `Crashed at start (${describeExit(exit)})`,
    thrown
      ? `The process ${describeExit(exit)} before it was ready, after throwing ${thrown}`
      : `The process ${describeExit(exit)} before it was ready.`,
    excerpt || undefined,
  );
}
