/**
 * A check attaches evidence (`ctx.attach`, as Playwright's `testInfo.attach`): it reaches
 * results.json (images as base64, text as UTF-8), oversized evidence is replaced by a
 * sentence, and the evidence costs no points.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { defineExercise } from '../../grader/exercise/define.ts';
import { SubmissionResult } from '../../grader/model/results.ts';
import { Multiplexer } from '../../grader/reporters/reporter.ts';
import { gradeSubmission } from '../../grader/runner/grade-submission.ts';
import { MAX_ATTACHMENT_BYTES } from '../../grader/runner/run-check.ts';
import { DEFAULT_SANDBOX_CONFIG } from '../../grader/sandbox/sandbox.ts';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

const exercise = defineExercise({
  meta: { id: 'attach-demo', title: 'Attach demo', titleZh: '附件', kind: 'tcp-server', entryFiles: ['server.ts'] },
  dir: '/nonexistent',
  checks: [
    {
      id: 'evidence.kept',
      title: 'Attaches a screenshot and a log, then fails',
      points: 2,
      async run(ctx) {
        ctx.attach({ name: 'screenshot', contentType: 'image/png', body: PNG });
        ctx.attach({ name: 'network log', contentType: 'application/json', body: '[{"url":"/中文.png"}]' });
        ctx.attach({ name: 'huge', contentType: 'text/plain', body: 'x'.repeat(MAX_ATTACHMENT_BYTES + 1) });
        throw new Error('the check failed after attaching');
      },
    },
  ],
});

const temps: string[] = [];
afterAll(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

test('attachments reach the results: image as base64, text as UTF-8, oversized ones as a sentence', async () => {
  const submission = await mkdtemp(join(tmpdir(), 'netgrade-attach-'));
  temps.push(submission);
  await mkdir(join(submission, 'attach-demo'));
  const result = await gradeSubmission({
    submissionDir: submission,
    exercises: [exercise],
    seed: 1,
    options: {},
    sandbox: DEFAULT_SANDBOX_CONFIG,
    reporter: new Multiplexer([]),
    retries: 0,
  });
  SubmissionResult.parse(result);
  const check = result.exercises[0]!.checks[0]!;
  expect(check.points).toBe(0);
  expect(check.attachments).toEqual([
    { name: 'screenshot', contentType: 'image/png', encoding: 'base64', body: PNG.toString('base64') },
    { name: 'network log', contentType: 'application/json', encoding: 'utf8', body: '[{"url":"/中文.png"}]' },
    { name: 'huge', contentType: 'text/plain', encoding: 'utf8', body: expect.stringMatching(/larger than a report keeps .* and was left out/) },
  ]);
});
