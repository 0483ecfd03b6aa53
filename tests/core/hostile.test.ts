/**
 * Submissions that do not behave: each gets its specific verdict within its deadline, and
 * no process outlives the grading.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { isProcessAlive } from '../../grader/sandbox/proc-net.ts';
import type { ResourceLimits } from '../../grader/sandbox/limits.ts';
import { gradeExerciseFolder, HOSTILE, leftoverGroups } from '../helpers/grade.ts';

const EXERCISE = 'sticky-packets';

async function grade(fixture: string, checkIds?: string[], limits?: Partial<ResourceLimits>, timeScale?: number) {
  const started = performance.now();
  const { exercise } = await gradeExerciseFolder(EXERCISE, join(HOSTILE, fixture), {
    ...(checkIds ? { checkIds } : {}),
    ...(limits ? { limits } : {}),
    ...(timeScale ? { timeScale } : {}),
  });
  return { exercise, seconds: (performance.now() - started) / 1000 };
}


describe('hostile submissions get specific verdicts and leave nothing behind', () => {
  test('never listens: NEVER_LISTENS after the start deadline, other checks skipped quickly', async () => {
    const { exercise, seconds } = await grade('never-listens');
    expect(exercise.verdict?.code).toBe('NEVER_LISTENS');
    expect(exercise.verdict?.title).toMatch(/Never listened on port \d+ within 5000 ms/);
    expect(exercise.checks[0]!.status).toBe('error');
    expect(exercise.checks.slice(1).every((c) => c.status === 'skipped')).toBe(true);
    expect(exercise.score).toBe(0);
    // One start deadline (5 s), not one per check.
    expect(seconds).toBeLessThan(12);
    expect(leftoverGroups()).toEqual([]);
  });

  test('binds 8888 instead of PORT: WRONG_PORT naming 8888', async () => {
    const { exercise } = await grade('binds-8888', ['batch.classic']);
    expect(exercise.verdict?.code).toBe('WRONG_PORT');
    expect(exercise.verdict?.title).toContain('8888');
    expect(exercise.checks[0]!.message).toContain('process.env.PORT');
  });

  test('syntax error: SYNTAX_ERROR with the file and line', async () => {
    const { exercise } = await grade('syntax-error', ['batch.classic']);
    expect(exercise.verdict?.code).toBe('SYNTAX_ERROR');
    expect(exercise.verdict?.title).toContain('server.ts');
  });

  test('enum: UNSUPPORTED_TYPESCRIPT says what to write instead', async () => {
    const { exercise } = await grade('uses-enum', ['batch.classic']);
    expect(exercise.verdict?.code).toBe('UNSUPPORTED_TYPESCRIPT');
    expect(exercise.verdict?.title).toContain('server.ts:3');
    expect(exercise.verdict?.message).toMatch(/const object/);
  });

  test('exits at once: EXITED_AT_START', async () => {
    const { exercise } = await grade('exits-at-once', ['batch.classic']);
    expect(exercise.verdict?.code).toBe('EXITED_AT_START');
  });

  test('imports an npm package: MODULE_NOT_FOUND explains that only built-ins are available', async () => {
    const { exercise } = await grade('npm-import', ['batch.classic']);
    expect(exercise.verdict?.code).toBe('MODULE_NOT_FOUND');
    expect(exercise.verdict?.message).toMatch(/Node built-ins/);
  });

  test('crashes on the first request: CRASH_DURING_CHECK with the thrown error', async () => {
    const { exercise } = await grade('crash-on-request', ['batch.classic', 'framing.coalesced']);
    for (const check of exercise.checks) {
      expect(check.status).toBe('error');
      expect(check.message).toMatch(/crashed during the check.*TypeError: cannot handle/);
    }
    expect(leftoverGroups()).toEqual([]);
  });

  test('prints tens of MiB: output capped (head and tail kept), grading goes on', async () => {
    const { exercise } = await grade('floods-output', ['batch.classic']);
    const check = exercise.checks[0]!;
    expect(check.status).toBe('failed');
    expect(check.output?.droppedBytes).toBeGreaterThan(30 * 1024 * 1024);
    expect(check.output?.stdout).toContain('FLOOD_DONE');
  });

  test('starts a child process that keeps running: the child is killed with the group', async () => {
    const { exercise } = await grade('spawns-child', ['batch.classic']);
    const pid = Number(/CHILD_PID=(\d+)/.exec(exercise.checks[0]!.output?.stdout ?? '')?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(isProcessAlive(pid)).toBe(false);
    expect(leftoverGroups()).toEqual([]);
  });

  test('burns CPU after listening: stopped by the CPU time limit, named in the verdict', async () => {
    // Deadlines ×5: on a loaded machine 1 s of CPU can take longer than a reply deadline.
    const { exercise } = await grade('cpu-burner', ['batch.classic'], { cpuSeconds: 1 }, 5);
    const check = exercise.checks[0]!;
    expect(check.status).toBe('error');
    expect(check.message).toMatch(/hit the CPU time limit \(1 s\)/);
    expect(leftoverGroups()).toEqual([]);
  });

  test('allocates until out of memory: stopped by the heap limit, named in the verdict', async () => {
    const { exercise } = await grade('memory-hog', ['batch.classic'], { heapMb: 64 }, 5);
    const check = exercise.checks[0]!;
    expect(check.status).toBe('error');
    expect(check.message).toMatch(/hit the memory limit \(64 MiB of heap\)/);
  });

  test('writes a file without end: stopped by the file size limit, the disk is untouched', async () => {
    const { exercise } = await grade('endless-file', ['batch.classic'], { fileSizeBytes: 8 * 1024 * 1024 });
    expect(exercise.verdict?.code).toBe('CRASH_AT_START');
    expect(exercise.verdict?.message).toMatch(/file size limit \(8 MiB\)/);
  });
});
