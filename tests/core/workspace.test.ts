/**
 * Temporary folders a killed grader leaves behind are removed by the next one, and only
 * those: a folder whose owner still runs, or that is not ours, is never touched.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { sweepStaleWorkspaces } from '../../grader/sandbox/workspace.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'netgrade-test-sweep-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function folder(name: string, owner?: number): Promise<string> {
  const path = join(dir, name);
  await mkdir(path);
  await writeFile(join(path, 'left-behind.txt'), 'x');
  if (owner !== undefined) await writeFile(join(path, '.netgrade-owner'), String(owner));
  return path;
}

describe('sweeping stale temporary folders', () => {
  test('removes the workspace, batch and worker folders of a grader that is gone, keeps the rest', async () => {
    // The pid of a process that has ended (and been reaped).
    const gone = spawnSync('true').pid!;
    await folder('netgrade-AbC123', gone);
    await folder('netgrade-batch-dEf456', gone);
    await folder('netgrade-worker-GhI789', gone);
    const alive = await folder('netgrade-worker-JkL012', process.pid);
    const notOurs = await folder('netgrade-MnO345');
    const otherName = await folder('netgrade-cache', gone);

    const removed = await sweepStaleWorkspaces(dir);

    expect(removed.map((p) => p.slice(dir.length + 1)).sort()).toEqual(['netgrade-AbC123', 'netgrade-batch-dEf456', 'netgrade-worker-GhI789']);
    for (const kept of [alive, notOurs, otherName]) expect(existsSync(kept)).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['netgrade-MnO345', 'netgrade-cache', 'netgrade-worker-JkL012']);
  });
});
