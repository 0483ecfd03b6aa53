/**
 * Issue #12: a student with a Chinese locale gets every word of the terminal and HTML report
 * in Chinese. samples/ben-mistakes (a weak submission: every exercise loses points) is graded
 * once in zh-CN through the command line, as a student runs it; both reports must hold no
 * English word outside code, protocol bytes (quoted), ids and file names, and the HTML must
 * pass html-validate.
 */
import { execa } from 'execa';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HtmlValidate } from 'html-validate';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SubmissionResult } from '../../grader/model/results.ts';
import { REPO_ROOT } from '../../grader/exercise/registry.ts';

/**
 * Latin words a Chinese instructor of this course writes as they are: acronyms and names of
 * protocols, tools and APIs (the quiz asks about Python's `threading`, as the course does).
 */
const TERMS = new Set(
  `TCP UDP FIN RST SYN HTTP Web CPU MiB GiB KiB PID Node GIL Python UTF IPC CRLF ASCII NUL JSON Chromium bubblewrap netgrade
   stdout stderr Thread threading Lock RLock Semaphore Event set Queue queue get pool submit result Future recv send sleep
   accept select epoll getInstance join true false fetch undici await Buffer byteLength string length StringDecoder
   setEncoding console log Atomics SharedArrayBuffer wait notify let writeSync toString index html png txt css mjs node keyword
   constructor`.split(/\s+/),
);

/**
 * Protocol bytes written as the spec writes them, unquoted: a reply or request that starts with
 * its keyword (`FAIL bad name`, `ERR too large`, `BALANCE Tom`), a header (`Connection: close`),
 * a placeholder (`<size>`), an escape (`\xNN`), and the dictionary's and bank's own data words.
 */
const PROTOCOL = [
  /(?<![\p{L}.\-])[A-Z][A-Z_]+(?![\p{L}])(?: (?:[A-Za-z][A-Za-z0-9]*|<[a-z]+>))*/gu,
  /\b[A-Z][A-Za-z]*(?:-[A-Z][A-Za-z]*)*: [a-z-]+/g,
  /<[a-z-]+>/g,
  /\\[a-zA-Z]+/g,
  /(?<![\p{L}.\-])(?:Tom|Abby|Carl|Dora|Eve|Ivo|Hana|Gus|Finn|quit|accent|Apple|apple|Banana|banana|ÄRGER|ärger|STRAßE|Straße)(?![\p{L}.\-])/gu,
  // The dictionary's parts of speech (`adj. 能够的`): its data, shown as the server sent it.
  /(?<![\p{L}])(?:adj|adv|prep|conj|pron|interj|num|art|aux)\.(?= )/gu,
  // An HTTP status line's reason phrase (404 Not Found) and machine-readable data lines (`cpu-per-thread {"unit":…}`).
  /\b[1-5]\d\d(?: [A-Z][a-z]+)+/g,
  /\{"[^\n]*\}/g,
];

/** Latin words of 3+ letters in `text` that are neither terms nor code-like (ids, names, protocol words). */
function englishWords(text: string, ids: Set<string>): string[] {
  const words: string[] = [];
  // Quoted protocol bytes ("…" within a line, or up to the line's end where the terminal wrapped
  // it), “…”, code in backticks and one-line JSON data are shown as they are.
  let prose = text.replace(/\{"[^\n]*\}/g, ' ');
  prose = prose.replace(/"(?:[^"\\\n]|\\.)*(?:"|$)/gm, ' ').replace(/“[^”\n]*”/g, ' ').replace(/`[^`\n]*`/g, ' ');
  for (const pattern of PROTOCOL) prose = prose.replace(pattern, ' ');
  for (const match of prose.matchAll(/[A-Za-z][A-Za-z0-9_.\-/']*/g)) {
    const word = match[0].replace(/[.'-]+$/, '');
    if (word.length < 3 || TERMS.has(word) || ids.has(word)) continue;
    if (/[0-9_./-]/.test(word) || word === word.toUpperCase()) continue; // ids, file names, PROTOCOL words
    words.push(`${word} :: ${prose.slice(Math.max(0, match.index - 50), match.index + 50).replace(/\s+/g, ' ')}`);
  }
  return words;
}

let out: string;
let terminal: string;
let result: SubmissionResult;
let ids: Set<string>;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'netgrade-zh-'));
  const run = await execa('node', ['grader/cli/netgrade.ts', 'grade', 'samples/ben-mistakes', '--seed', '20261202', '--out', out, '--retries', '0', '--schedule', 'concurrent', '--exit-zero'], {
    cwd: REPO_ROOT,
    env: { LANG: 'zh_CN.UTF-8', LC_ALL: '', LC_MESSAGES: '', NETGRADE_LANG: '', NO_COLOR: '1' },
    preferLocal: true,
    reject: false,
  });
  expect(run.exitCode, run.stderr).toBe(0);
  terminal = run.stdout;
  result = SubmissionResult.parse(JSON.parse(await readFile(join(out, 'results.json'), 'utf8')));
  ids = new Set([result.submission.name, ...result.exercises.flatMap((e) => [e.id, ...e.parts.map((p) => p.id), ...e.checks.map((c) => c.id)])]);
}, 900_000);

afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

// One grading of every exercise in zh-CN (about 2 min), with a fixed seed: a failure replays.
describe('a Chinese locale gets a Chinese report (samples/ben-mistakes)', () => {
  test('the locale chose zh-CN, and every exercise lost points (the messages are there to read)', () => {
    expect(result.language).toBe('zh-CN');
    for (const exercise of result.exercises) expect(exercise.score, exercise.id).toBeLessThan(exercise.maxScore);
  });

  test('the terminal report has no English word outside code, protocol bytes and ids', () => {
    expect(terminal).toMatch(/总分/);
    // The replay command and the paths of the reports are commands and file names.
    // Whole text, not line by line: a quoted reply may wrap onto the next line.
    const shown = terminal.split('\n').filter((line) => !/npx netgrade|report\.html|results\.json/.test(line)).join('\n');
    expect(englishWords(shown, ids)).toEqual([]);
  });

  test('the HTML report has no English word outside <code>, <pre>, ids and protocol bytes, and passes html-validate', async () => {
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<html lang="zh-CN">');
    const text = html
      .replace(/<style>[\s\S]*?<\/style>/g, ' ')
      .replace(/<(pre|code)>[\s\S]*?<\/\1>/g, ' ')
      .replace(/<span class="id">[^<]*<\/span>/g, ' ')
      .replace(/<div class="waterfall">[\s\S]*?<\/div>/g, (block) => block.replace(/<a [^>]*>[^<]*<\/a>/g, ' ')) // check ids
      .replace(/<[^>]+>/g, ' ')
      .replace(/&quot;/g, '"')
      .replace(/&#x27;/g, "'")
      .replace(/&#x60;/g, '`')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&')
      .replace(/&[a-z#0-9]+;/gi, ' ');
    const shown = text.split('\n').filter((line) => !/npx netgrade/.test(line)).join('\n');
    expect(englishWords(shown, ids)).toEqual([]);
    const validator = new HtmlValidate({ extends: ['html-validate:recommended'], rules: { 'no-trailing-whitespace': 'off' } });
    const report = await validator.validateString(html);
    expect(report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId}: ${m.message} (line ${m.line})`))).toEqual([]);
  });
});
