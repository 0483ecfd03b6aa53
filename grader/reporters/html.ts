/**
 * One self-contained HTML file per submission (inline CSS, no scripts, no network), from
 * a handlebars template. Handlebars escapes every `{{value}}`; the template never uses the
 * raw `{{{value}}}` form, so nothing from a submission is rendered as markup.
 */
import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import type { SubmissionResult } from '../model/results.ts';
import { reportView } from './html-view.ts';
import type { Reporter } from './reporter.ts';

const templateSource = readFileSync(new URL('./templates/report.hbs', import.meta.url), 'utf8');
const handlebars = Handlebars.create();
handlebars.registerHelper('eq', (a: unknown, b: unknown) => a === b);
/**
 * A title or message as HTML: escaped, with its `code spans` (command lines, protocol bytes,
 * APIs, as the messages write them) set in <code> rather than shown with their backticks.
 */
handlebars.registerHelper('prose', proseHelper);

/** The `prose` helper of every report template. */
export function proseHelper(text: unknown): Handlebars.SafeString {
  return new Handlebars.SafeString(proseHtml(String(text ?? '')));
}

export function proseHtml(text: string): string {
  return Handlebars.escapeExpression(text).replace(/&#x60;((?:(?!&#x60;)[^\n])+)&#x60;/g, '<code>$1</code>');
}
// preventIndent: a standalone partial call must not indent every line it renders, or each line
// after the first of a multi-line <pre> (expected, actual, a caret excerpt) gains the call's indent.
const template = handlebars.compile(templateSource, { strict: false, noEscape: false, preventIndent: true });
const PERCENTS = Array.from({ length: 100 }, (_, i) => i + 1);

export function renderReport(result: SubmissionResult, replayCommand: string): string {
  return template({ ...reportView(result, replayCommand), percents: PERCENTS });
}

export class HtmlReporter implements Reporter {
  readonly #outDir: (result: SubmissionResult) => string;
  readonly #replay: (result: SubmissionResult) => string;
  constructor(outDir: (result: SubmissionResult) => string, replay: (result: SubmissionResult) => string) {
    this.#outDir = outDir;
    this.#replay = replay;
  }

  async onSubmissionEnd(result: SubmissionResult): Promise<void> {
    const dir = this.#outDir(result);
    await mkdir(dir, { recursive: true });
    const path = join(dir, 'report.html');
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, renderReport(result, this.#replay(result)));
    await rename(temp, path);
  }
}
