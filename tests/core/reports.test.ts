/**
 * Reports render from results only, escape everything that came from a submission, pass
 * HTML validation, and the JSON matches its versioned schema.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HtmlValidate } from 'html-validate';
import { beforeAll, describe, expect, test } from 'vitest';
import { SubmissionResult } from '../../grader/model/results.ts';
import { proseHtml, renderReport } from '../../grader/reporters/html.ts';
import { hexDump, timelineView, transcriptRow } from '../../grader/reporters/html-view.ts';
import { messages } from '../../grader/i18n/messages.ts';
import { JsonReporter } from '../../grader/reporters/json.ts';
import { gradeExerciseFolder, HOSTILE, SOLUTIONS } from '../helpers/grade.ts';

let hostile: SubmissionResult;
let good: SubmissionResult;

beforeAll(async () => {
  hostile = (await gradeExerciseFolder('sticky-packets', join(HOSTILE, 'script-injection'), { checkIds: ['batch.classic', 'limits.too-large'] })).result;
  good = (await gradeExerciseFolder('sticky-packets', join(SOLUTIONS, 'sticky-packets'), { checkIds: ['batch.classic', 'framing.bytewise'] })).result;
});

describe('HTML report', () => {
  test('escapes markup from stdout, stderr and protocol data', () => {
    const html = renderReport(hostile, 'npx netgrade grade x --seed 1');
    expect(hostile.exercises[0]!.checks[0]!.output?.stdout).toContain('<script>');
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;');
    // Protocol data is shown too (escaped), as text with the line end made visible.
    expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;&quot;alert(1)&quot;&gt;{{constructor}}↵');
  });

  test('a title\'s or message\'s `code spans` become <code>, everything else escaped', () => {
    expect(proseHtml('405 with `Allow: GET, HEAD`, then `<b>` & "x"')).toBe('405 with <code>Allow: GET, HEAD</code>, then <code>&lt;b&gt;</code> &amp; &quot;x&quot;');
    // A lone backtick, or a pair broken by a line end, stays as it is.
    expect(proseHtml('a ` b\nc ` d')).toBe('a &#x60; b\nc &#x60; d');
    const check = hostile.exercises[0]!.checks[0]!;
    const html = renderReport({ ...hostile, exercises: [{ ...hostile.exercises[0]!, checks: [{ ...check, title: 'Use `fs.writeSync(1, …)`', message: 'Sent `<script>`' }] }] }, 'x');
    expect(html).toContain('Use <code>fs.writeSync(1, …)</code>');
    expect(html).toContain('Sent <code>&lt;script&gt;</code>');
  });

  test('passes html-validate, for a failing and for a passing submission', async () => {
    // Trailing whitespace is allowed: <pre> blocks show the submission's bytes exactly,
    // including spaces at the end of a line.
    const validator = new HtmlValidate({ extends: ['html-validate:recommended'], rules: { 'no-trailing-whitespace': 'off' } });
    for (const result of [hostile, good]) {
      const report = await validator.validateString(renderReport(result, 'npx netgrade grade x --seed 1'));
      const messages = report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId}: ${m.message} (line ${m.line})`));
      expect(messages).toEqual([]);
    }
  });

  test('multi-line expected and actual text is shown as it is: no line gains the template\'s indent', () => {
    const result = structuredClone(good);
    const check = result.exercises[0]!.checks[0]!;
    Object.assign(check, { status: 'failed', points: 0, message: 'm', expected: 'line one\nline two\n  ^', actual: 'first\nsecond' });
    const html = renderReport(result, 'npx netgrade grade x --seed 1');
    expect(html).toContain('<pre>line one\nline two\n  ^</pre>');
    expect(html).toContain('<pre>first\nsecond</pre>');
  });

  test('shows a check\'s attachments: an image inline, a log as text, markup escaped; valid HTML', async () => {
    const result = structuredClone(good);
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    result.exercises[0]!.checks[0]!.attachments = [
      { name: 'Screenshot of /index.html', contentType: 'image/png', encoding: 'base64', body: png.toString('base64') },
      { name: 'Network log', contentType: 'application/json', encoding: 'utf8', body: '[{"url":"/<b>x</b>","status":200}]' },
    ];
    expect(SubmissionResult.parse(result)).toBeTruthy();
    const html = renderReport(result, 'npx netgrade grade x --seed 1');
    expect(html).toContain(`src="data:image/png;base64,${png.toString('base64').replace(/=/g, '&#x3D;')}" alt="Screenshot of /index.html"`);
    expect(html).toContain('&quot;url&quot;: &quot;/&lt;b&gt;x&lt;/b&gt;&quot;');
    expect(html).not.toContain('<b>x</b>');
    const validator = new HtmlValidate({ extends: ['html-validate:recommended'], rules: { 'no-trailing-whitespace': 'off' } });
    const report = await validator.validateString(html);
    expect(report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId}: ${m.message}`))).toEqual([]);
  });

  test('draws a timeline of each check\'s time: one bar per attempt, parts in proportion, re-runs after their check', () => {
    const result = structuredClone(good);
    const [first, second] = result.exercises[0]!.checks;
    const base = { queuedMs: 0, serverStartMs: 0, programMs: 0, probeMs: 0, exitGraceMs: 0, teardownMs: 0, starts: 1 };
    first!.timing = { ...base, startedAtMs: 0, serverStartMs: 100, probeMs: 300, teardownMs: 100 };
    second!.timing = { ...base, startedAtMs: 250, queuedMs: 250, serverStartMs: 100, probeMs: 400, alone: true, reruns: [{ ...base, startedAtMs: 750, serverStartMs: 100, probeMs: 150 }] };
    const timeline = timelineView(messages.in('en'), result.exercises[0]!)!;
    expect(timeline.rows.map((row) => row.id)).toEqual([first!.id, second!.id, `${second!.id}, re-run 1`]);
    // The span runs from 0 to 1000 ms: the first check's server start is 10% of it, from x = 0.
    expect(timeline.rows[0]!.segments.map((s) => [s.kind, s.x, s.width])).toEqual([['serverStart', 0, 100], ['probe', 100, 300], ['teardown', 400, 100]]);
    expect(timeline.rows[1]!.segments[0]).toMatchObject({ kind: 'queued', x: 0, width: 250 });
    expect(timeline.rows[1]!.alone).toMatch(/machine to itself/);
    expect(timeline.rows[2]!.segments[0]).toMatchObject({ kind: 'serverStart', x: 750 });
    expect(timeline.caption).toBe('Timeline: where the 1,000 ms went');
    const html = renderReport(result, 'npx netgrade grade x --seed 1');
    expect(html).toContain('<rect class="seg serverStart" x="0" width="100" height="10"><title>');
  });

  test('shows binary data as a hex dump and text with visible line ends', () => {
    const binary = transcriptRow({ at: 1, conn: 'c1', kind: 'sent', data: Buffer.from([0, 0, 0, 3, 0xe5, 0xbc, 0xa0, 0xff]).toString('base64') });
    expect(binary.hex).toContain('000000  00 00 00 03 e5 bc a0 ff');
    expect(binary.text).toBeUndefined();
    expect(binary.escaped).toBe('\\x00\\x00\\x00\\x03张\\xff');
    const text = transcriptRow({ at: 1, conn: 'c1', kind: 'received', data: Buffer.from('OK 3\r\n').toString('base64') });
    expect(text.text).toBe('OK 3\\r↵\n');
    expect(hexDump(Buffer.alloc(40), 16)).toMatch(/… 24 more bytes$/);
  });
});

describe('JSON results', () => {
  test('results.json parses with the versioned schema and holds what the issue lists', async () => {
    const out = await mkdtemp(join(tmpdir(), 'netgrade-json-'));
    try {
      await new JsonReporter(() => out).onSubmissionEnd(good);
      const parsed = SubmissionResult.parse(JSON.parse(await readFile(join(out, 'results.json'), 'utf8')));
      expect(parsed.schemaVersion).toBe(2);
      const exercise = parsed.exercises[0]!;
      expect(exercise).toMatchObject({ id: 'sticky-packets', score: 15, maxScore: 15 });
      expect(exercise.checks.map((c) => [c.id, c.status, c.points, c.maxPoints])).toEqual([
        ['batch.classic', 'passed', 10, 10],
        ['framing.bytewise', 'passed', 5, 5],
      ]);
      expect(exercise.checks[1]!.transcript.some((t) => t.kind === 'sent' && /segments, one byte per segment/.test(t.text ?? ''))).toBe(true);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  test('the schema rejects a result of another version', () => {
    expect(SubmissionResult.safeParse({ ...good, schemaVersion: 1 }).success).toBe(false);
  });
});
