/**
 * A failure to start skips only the later checks that would start the program the same way:
 * a failure in the code (TypeScript Node cannot strip, a syntax error) skips every later
 * start; a crash at start skips only starts with the same settings (env, fixtures, args).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { defineExercise, type CheckDefinition } from '../../grader/exercise/define.ts';
import { Multiplexer } from '../../grader/reporters/reporter.ts';
import { gradeSubmission } from '../../grader/runner/grade-submission.ts';
import { DEFAULT_SANDBOX_CONFIG } from '../../grader/sandbox/sandbox.ts';
import { leftoverGroups } from '../helpers/grade.ts';

const EXERCISE = 'start-demo';

/** A check that starts the server with `env` and passes once it listens. */
function startsWith(id: string, env: Record<string, string>): CheckDefinition {
  return {
    id,
    title: `Starts with ${JSON.stringify(env)}`,
    points: 1,
    async run(ctx) {
      await ctx.startServer({ env });
    },
  };
}

const exercise = defineExercise({
  meta: { id: EXERCISE, title: 'Start demo', titleZh: '启动', kind: 'tcp-server', entryFiles: ['server.ts'] },
  dir: '/nonexistent',
  checks: [
    startsWith('starts.bad-dir', { DATA_DIR: 'missing/deep' }),
    startsWith('starts.bad-dir-again', { DATA_DIR: 'missing/deep' }),
    startsWith('starts.default', {}),
    startsWith('starts.good-dir', { DATA_DIR: '.' }),
  ],
});

/** Crashes at start when DATA_DIR names a folder that does not exist; listens otherwise. */
const CRASHES_ON_MISSING_DIR = `
import { createServer } from 'node:net';
import { readdirSync } from 'node:fs';
if (process.env.DATA_DIR) readdirSync(process.env.DATA_DIR);
createServer((s) => s.end()).listen(Number(process.env.PORT), '127.0.0.1');
`;

const UNSTRIPPABLE = `enum Mode { A }\n${CRASHES_ON_MISSING_DIR}`;

const temps: string[] = [];
afterAll(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

async function grade(code: string) {
  const submission = await mkdtemp(join(tmpdir(), 'netgrade-start-'));
  temps.push(submission);
  await mkdir(join(submission, EXERCISE));
  await writeFile(join(submission, EXERCISE, 'server.ts'), code);
  const result = await gradeSubmission({
    submissionDir: submission,
    exercises: [exercise],
    seed: 1,
    options: {},
    sandbox: DEFAULT_SANDBOX_CONFIG,
    reporter: new Multiplexer([]),
    retries: 0,
  });
  expect(leftoverGroups()).toEqual([]);
  return result.exercises[0]!;
}

describe('start failures skip only the starts they concern', () => {
  test('a crash under one check’s settings skips only the checks with those settings', async () => {
    const result = await grade(CRASHES_ON_MISSING_DIR);
    const statuses = Object.fromEntries(result.checks.map((c) => [c.id, c.status]));
    expect(statuses).toEqual({
      'starts.bad-dir': 'error',
      'starts.bad-dir-again': 'skipped',
      'starts.default': 'passed',
      'starts.good-dir': 'passed',
    });
    expect(result.checks[1]!.message).toMatch(/with the same settings \(see check starts\.bad-dir\)/);
    expect(result.score).toBe(2);
  });

  test('TypeScript Node cannot strip: the first check says why, every other is skipped, 0 points', async () => {
    const result = await grade(UNSTRIPPABLE);
    expect(result.checks.map((c) => c.status)).toEqual(['error', 'skipped', 'skipped', 'skipped']);
    expect(result.verdict?.code).toBe('UNSUPPORTED_TYPESCRIPT');
    expect(result.checks[2]!.message).not.toMatch(/same settings/);
    expect(result.score).toBe(0);
  });
});
