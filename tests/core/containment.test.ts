/**
 * Containment seen from outside, through the command line as instructors and CI run it:
 * a submission reaches no service of the host, the other students of a class are graded
 * normally, and a grader killed with SIGKILL leaves no process behind. Needs the bubblewrap
 * sandbox (CI installs it); skipped, with the reason in the test name, where it is missing.
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../../grader/exercise/registry.ts';
import { ClassResult } from '../../grader/model/class.ts';
import { SubmissionResult } from '../../grader/model/results.ts';
import { isolationModeFromEnv, resolveIsolation } from '../../grader/sandbox/isolation.ts';
import { HOSTILE, SOLUTIONS } from '../helpers/grade.ts';
import { processesWithMarker } from '../helpers/processes.ts';

const CLI = join(REPO_ROOT, 'grader', 'cli', 'netgrade.ts');
const ISOLATION = resolveIsolation(isolationModeFromEnv());
const SANDBOXED = ISOLATION.kind === 'bwrap';

/** A service on the host's own loopback that no submission may reach (ports 47100-47199, where the fixture knocks). */
async function canary(): Promise<{ server: Server; port: number; connections: () => number }> {
  let connections = 0;
  for (let port = 47100; port < 47200; port++) {
    const server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (ok) return { server, port, connections: () => connections };
  }
  throw new Error('no free port in 47100-47199 for the canary');
}

/** Polls a condition until it holds or the deadline passes (a wait on an observable state, not a sleep). */
async function until(condition: () => boolean, deadlineMs: number): Promise<boolean> {
  const end = performance.now() + deadlineMs;
  while (performance.now() < end) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return condition();
}

let scratch: string;
let tmp: string;
beforeEach(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'netgrade-test-containment-'));
  nonce = randomBytes(6).toString('hex');
  // The grader's own temporary files go here, so "nothing left behind" can be checked exactly.
  tmp = join(scratch, 'tmp');
  await mkdir(tmp);
});
afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** The nonce every fixture of this test puts in its processes' command lines. */
let nonce: string;

async function submission(name: string, exerciseFolder: string): Promise<string> {
  const dir = join(scratch, 'class', name);
  await cp(exerciseFolder, join(dir, 'sticky-packets'), { recursive: true });
  await writeFile(join(dir, 'sticky-packets', 'marker.txt'), nonce);
  return dir;
}

/**
 * `netgrade grade` on a submission that daemonises a grandchild, once that grandchild runs
 * (the first check's server has started): the moment to interrupt the grader.
 */
async function gradingDaemonSubmission() {
  const dir = await submission('daemon', join(HOSTILE, 'detached-grandchild'));
  const child = execa(process.execPath, [CLI, 'grade', dir, '--reporter', 'json', '--out', join(scratch, 'out')], {
    env: { TMPDIR: tmp },
    reject: false,
  });
  expect(await until(() => processesWithMarker(`netgrade-hostile-grandchild-${nonce}`).length > 0, 30_000)).toBe(true);
  return { dir, child };
}

const netgrade = (args: string[]) =>
  execa(process.execPath, [CLI, ...args], { env: { TMPDIR: tmp, NO_COLOR: '1' }, reject: false, timeout: 120_000 });

describe.skipIf(!SANDBOXED)('containment through the command line (bubblewrap sandbox)', () => {
  test('a submission that knocks on every loopback port and an outside address reaches nothing', async () => {
    const watch = await canary();
    try {
      const dir = await submission('knocker', join(HOSTILE, 'reaches-outside'));
      const out = join(scratch, 'out');
      const run = await netgrade(['grade', dir, '--check', 'batch.classic', '--reporter', 'json', '--out', out, '--retries', '0']);
      expect(run.exitCode, run.stderr).toBe(1);
      const result = SubmissionResult.parse(JSON.parse(await readFile(join(out, 'results.json'), 'utf8')));
      expect(result.isolation).toContain('network: private loopback only');
      // It ran and tried: its own reply lists what it reached, which is nothing.
      expect(result.exercises.find((e) => e.id === 'sticky-packets')!.checks[0]!.actual).toBe('REACHED=\n');
      expect(watch.connections()).toBe(0);
      expect(await readdir(tmp)).toEqual([]);
    } finally {
      watch.server.close();
    }
  });

  test('a class with hostile students: the good one gets full marks, nothing escapes, nothing is left', async () => {
    const watch = await canary();
    try {
      await submission('ada', join(SOLUTIONS, 'sticky-packets'));
      await submission('knocker', join(HOSTILE, 'reaches-outside'));
      await submission('daemon', join(HOSTILE, 'detached-grandchild'));
      await submission('forker', join(HOSTILE, ISOLATION.setpriv ? 'fork-loop' : 'spawns-child'));
      const out = join(scratch, 'class-out');
      const run = await netgrade(['batch', join(scratch, 'class'), '--exercise', 'sticky-packets', '-j', '2', '--out', out, '--progress', 'none', '--retries', '0']);
      expect(run.exitCode, run.stderr).toBe(1);
      const result = ClassResult.parse(JSON.parse(await readFile(join(out, 'results.json'), 'utf8')));
      const byName = new Map(result.students.map((s) => [s.name, s]));
      expect(byName.get('ada')?.result?.score).toBe(byName.get('ada')?.result?.maxScore);
      for (const name of ['knocker', 'daemon', 'forker']) {
        expect(byName.get(name)?.result?.score, name).toBe(0);
      }
      expect(watch.connections()).toBe(0);
      expect(processesWithMarker(nonce)).toEqual([]);
      expect(await readdir(tmp)).toEqual([]);
    } finally {
      watch.server.close();
    }
  });

  test('the grader stopped with SIGTERM mid-grading cleans up after itself: no process, no temporary file', async () => {
    const { dir, child } = await gradingDaemonSubmission();
    child.kill('SIGTERM');
    const ended = await child;
    expect(ended.exitCode ?? ended.signal, ended.stderr).not.toBe(0);
    // The signal reached the grader inside the network sandbox (not only the sandbox around
    // it, which would have killed it outright), so it removed its own files before exiting.
    expect(processesWithMarker(nonce)).toEqual([]);
    expect(processesWithMarker(dir)).toEqual([]);
    expect(await readdir(tmp)).toEqual([]);
  });

  test('the grader killed with SIGKILL mid-grading leaves no process of the submission behind', async () => {
    const { dir, child } = await gradingDaemonSubmission();
    child.kill('SIGKILL');
    await child;
    // Everything goes: the submission's processes and the grader inside the network sandbox
    // (its command line names the submission folder).
    expect(await until(() => processesWithMarker(nonce).length === 0 && processesWithMarker(dir).length === 0, 5_000)).toBe(true);
    // Its temporary files stay (a SIGKILL cannot be caught) until the next grader sweeps them.
    const sweep = await netgrade(['grade', await submission('ada', join(SOLUTIONS, 'sticky-packets')), '--check', 'batch.classic', '--reporter', 'json', '--out', join(scratch, 'out2')]);
    expect(sweep.exitCode, sweep.stderr).toBe(0);
    expect(await readdir(tmp)).toEqual([]);
  });
});
