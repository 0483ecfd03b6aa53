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
import { renderReport } from '../../grader/reporters/html.ts';
import { hexDump, transcriptRow } from '../../grader/reporters/html-view.ts';
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
