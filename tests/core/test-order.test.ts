/**
 * The suite's own file order (tests/setup/sequencer.ts): longest first by tests/durations.json,
 * so that on a fresh clone the longest exercise suite does not start last.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { REPO_ROOT } from '../../grader/exercise/registry.ts';
import { longestFirst, recordedDurations } from '../setup/sequencer.ts';

test('longest first; a file with no recorded duration first of all; ties by name', () => {
  const seconds = new Map([
    ['tests/core/i18n.test.ts', 2],
    ['tests/exercises/web-server.test.ts', 1000],
    ['tests/exercises/chat.test.ts', 60],
    ['tests/exercises/ftp.test.ts', 60],
  ]);
  expect(longestFirst(['tests/core/i18n.test.ts', 'tests/exercises/ftp.test.ts', 'tests/exercises/new.test.ts', 'tests/exercises/chat.test.ts', 'tests/exercises/web-server.test.ts'], seconds)).toEqual([
    'tests/exercises/new.test.ts',
    'tests/exercises/web-server.test.ts',
    'tests/exercises/chat.test.ts',
    'tests/exercises/ftp.test.ts',
    'tests/core/i18n.test.ts',
  ]);
});

test('the recorded table lists every test file of the suite, and a missing table reads as empty', async () => {
  const { globSync } = await import('node:fs');
  const files = globSync('tests/**/*.test.ts', { cwd: REPO_ROOT }).sort();
  const recorded = recordedDurations(join(REPO_ROOT, 'tests', 'durations.json'));
  expect([...recorded.keys()].sort()).toEqual(files);
  const dir = await mkdtemp(join(tmpdir(), 'netgrade-durations-'));
  try {
    expect(recordedDurations(join(dir, 'absent.json')).size).toBe(0);
    await writeFile(join(dir, 'broken.json'), '{');
    expect(recordedDurations(join(dir, 'broken.json')).size).toBe(0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
