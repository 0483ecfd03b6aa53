/**
 * Submissions that do not behave: each gets its specific verdict within its deadline, and
 * no process outlives the grading.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { symlink } from 'node:fs/promises';
import { isolationModeFromEnv, resolveIsolation } from '../../grader/sandbox/isolation.ts';
import type { ResourceLimits } from '../../grader/sandbox/limits.ts';
import type { CheckResult } from '../../grader/model/results.ts';
import { REPO_ROOT } from '../../grader/exercise/registry.ts';
import { gradeExerciseFolder, HOSTILE, leftoverGroups } from '../helpers/grade.ts';
import { markedFixture, processesWithMarker } from '../helpers/processes.ts';

/** The sandbox this machine gives (CI installs bubblewrap; a laptop may not have it). */
const ISOLATION = resolveIsolation(isolationModeFromEnv());
const SANDBOXED = ISOLATION.kind === 'bwrap';
/** A process-count limit needs an unprivileged uid of the run's own (bwrap as root). */
const PROCESS_LIMIT = SANDBOXED && ISOLATION.setpriv !== undefined;

/** Everything the probes received during a check, as text. */
function received(check: CheckResult): string {
  return check.transcript
    .filter((t) => t.kind === 'received' && t.data)
    .map((t) => Buffer.from(t.data!, 'base64').toString('utf8'))
    .join('');
}

const EXERCISE = 'sticky-packets';

async function grade(
  fixture: string,
  checkIds?: string[],
  limits?: Partial<ResourceLimits>,
  timeScale?: number,
  prepare?: (folder: string) => Promise<void>,
) {
  const marked = await markedFixture(join(HOSTILE, fixture));
  try {
    await prepare?.(marked.folder);
    const started = performance.now();
    const { exercise } = await gradeExerciseFolder(EXERCISE, marked.folder, {
      ...(checkIds ? { checkIds } : {}),
      ...(limits ? { limits } : {}),
      ...(timeScale ? { timeScale } : {}),
    });
    return { exercise, seconds: (performance.now() - started) / 1000, nonce: marked.nonce };
  } finally {
    await marked.dispose();
  }
}


describe('hostile submissions get specific verdicts and leave nothing behind', () => {
  test('never listens: NEVER_LISTENS after the start deadline, other checks skipped quickly', async () => {
    const { exercise, seconds } = await grade('never-listens');
    expect(exercise.verdict?.code).toBe('NEVER_LISTENS');
    expect(exercise.verdict?.title).toMatch(/Never listened on port \d+ within 5,000 ms/);
    expect(exercise.checks[0]!.status).toBe('error');
    // Checks that start the server the same way are skipped; one that starts it otherwise
    // (batch.appends: a student.txt is already there) tries again, since a start may depend
    // on its settings (docs/scoring.md).
    const errors = exercise.checks.filter((c) => c.status === 'error').map((c) => c.id);
    expect(errors).toEqual(['batch.classic', 'batch.appends']);
    expect(exercise.checks.every((c) => c.status === 'error' || c.status === 'skipped')).toBe(true);
    expect(exercise.score).toBe(0);
    // One start deadline (5 s) per way of starting, not one per check: no skipped check began
    // a start of its own once the first start had failed (checks already starting beside it
    // are skipped when it fails). Judged from the checks' own timing, not the wall clock: a
    // bound of 20 s on the whole grading failed at 20.3 s on a loaded machine.
    const first = exercise.checks.find((c) => c.id === 'batch.classic')!;
    const failedAt = first.timing!.startedAtMs + first.timing!.serverStartMs;
    const startedAfter = exercise.checks.filter((c) => c.status === 'skipped' && (c.timing?.starts ?? 0) > 0 && c.timing!.startedAtMs >= failedAt);
    expect(startedAfter.map((c) => `${c.id} started at ${c.timing!.startedAtMs} ms`)).toEqual([]);
    expect(seconds).toBeGreaterThan(0);
    expect(leftoverGroups()).toEqual([]);
  });

  test('binds 8888 instead of PORT: WRONG_PORT naming 8888', async () => {
    const { exercise } = await grade('binds-8888', ['batch.classic']);
    expect(exercise.verdict?.code).toBe('WRONG_PORT');
    expect(exercise.verdict?.title).toContain('8888');
    expect(exercise.checks[0]!.message).toContain('process.env.PORT');
  });

  test('syntax error: SYNTAX_ERROR with the file, line and column, the line and a caret, as Node prints them', async () => {
    const { exercise } = await grade('syntax-error', ['batch.classic']);
    expect(exercise.verdict?.code).toBe('SYNTAX_ERROR');
    expect(exercise.verdict?.title).toBe('Syntax error in server.ts:5:23');
    expect(exercise.verdict?.excerpt).toBe(
      ['server.ts:5:23', '    socket.write(chunk;', '                      ^', "SyntaxError: Expected ',', got ';'"].join('\n'),
    );
  });

  test('enum: UNSUPPORTED_TYPESCRIPT says what to write instead', async () => {
    const { exercise } = await grade('uses-enum', ['batch.classic']);
    expect(exercise.verdict?.code).toBe('UNSUPPORTED_TYPESCRIPT');
    expect(exercise.verdict?.title).toMatch(/server\.ts:3:\d+$/);
    expect(exercise.verdict?.excerpt).toMatch(/^server\.ts:3:\d+\n.*enum.*\n\s*\^+\nSyntaxError: TypeScript enum is not supported/);
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
    // The flood is 40 MiB through a pipe with backpressure, and the server answers only once it
    // is out: on a loaded machine (the whole suite beside CPU burners) that outlasted the reply
    // deadline once, and the server was stopped mid-flood. The cap is under test, not the
    // speed, so it gets four times the deadlines.
    const { exercise } = await grade('floods-output', ['batch.classic'], undefined, 4);
    const check = exercise.checks[0]!;
    expect(check.status, check.message).toBe('failed');
    expect(check.output?.droppedBytes).toBeGreaterThan(30 * 1024 * 1024);
    expect(check.output?.stdout).toContain('FLOOD_DONE');
  });

  test('starts a child process that keeps running: the child is killed with the group', async () => {
    const { exercise, nonce } = await grade('spawns-child', ['batch.classic']);
    expect(exercise.checks[0]!.output?.stdout).toMatch(/CHILD_PID=\d+/);
    expect(processesWithMarker(`netgrade-hostile-child-${nonce}`)).toEqual([]);
    expect(leftoverGroups()).toEqual([]);
  });

  test('daemonises a grandchild (detached, own session, parent gone): killed all the same', async () => {
    const { exercise, nonce } = await grade('detached-grandchild', ['batch.classic']);
    expect(exercise.checks[0]!.status).toBe('failed');
    expect(processesWithMarker(`netgrade-hostile-grandchild-${nonce}`)).toEqual([]);
    expect(leftoverGroups()).toEqual([]);
  });

  test('ignores SIGTERM: killed anyway (the grader uses SIGKILL), grading goes on', async () => {
    const { exercise, seconds } = await grade('ignores-sigterm', ['batch.classic', 'framing.coalesced']);
    expect(exercise.checks.map((c) => c.status)).toEqual(['failed', 'failed']);
    expect(seconds).toBeLessThan(20);
    expect(leftoverGroups()).toEqual([]);
  });

  test('listens, then exits 0: the crash is named in the check that saw it', async () => {
    const { exercise } = await grade('listens-then-exits', ['batch.classic']);
    const check = exercise.checks[0]!;
    expect(check.status).toBe('error');
    expect(check.message).toMatch(/exited with code 0/);
  });

  test('exits 0 at once: EXITED_AT_START says nothing kept it alive', async () => {
    const { exercise } = await grade('exits-zero', ['batch.classic']);
    expect(exercise.verdict?.code).toBe('EXITED_AT_START');
    expect(exercise.verdict?.message).toMatch(/exited with code 0.*nothing kept it alive/);
  });

  test('burns CPU before listening: stopped at the start deadline, NEVER_LISTENS', async () => {
    const { exercise, seconds } = await grade('cpu-before-listening', ['batch.classic', 'framing.coalesced']);
    expect(exercise.verdict?.code).toBe('NEVER_LISTENS');
    expect(exercise.checks[1]!.status).toBe('skipped');
    expect(seconds).toBeLessThan(15);
    expect(leftoverGroups()).toEqual([]);
  });

  test('opens thousands of sockets: stopped by the open files limit, named in the verdict', async () => {
    const { exercise } = await grade('thousands-of-sockets', ['batch.classic']);
    const named = [exercise.verdict?.message ?? '', exercise.checks[0]!.message].join(' ');
    expect(named).toMatch(/open files limit \(4096\)/);
    expect(leftoverGroups()).toEqual([]);
  });

  test('ships a link to /etc/passwd: the link is left out (with a note) and nothing of the file is served', async () => {
    // The link is made here, not stored in git: a checkout that cannot hold links (Windows,
    // some archive tools) would turn it into a plain file and the test would prove nothing.
    const { exercise } = await grade('links-to-passwd', ['batch.classic'], undefined, undefined, (folder) =>
      symlink('/etc/passwd', join(folder, 'passwd')),
    );
    expect(exercise.notes.join(' ')).toMatch(/passwd \(a link; links are not followed\)/);
    const got = received(exercise.checks[0]!);
    expect(got, exercise.checks[0]!.message).toMatch(/^NO-LINK ENOENT/);
    expect(got).not.toContain('root:');
  });

  test.skipIf(!PROCESS_LIMIT)('fork loop: stopped by the process limit, named in the verdict, every child killed', async () => {
    // Its 256 forks of a Node process take seconds on a loaded machine (CI ran it beside
    // another test file and its deadline passed mid-loop: NEVER_LISTENS). The verdict under
    // test is the limit's, so it gets four times the start deadline to reach the limit.
    const { exercise, seconds, nonce } = await grade('fork-loop', ['batch.classic'], undefined, 4);
    expect(exercise.verdict?.code, exercise.verdict?.message).toBe('CRASH_AT_START');
    expect(exercise.verdict?.message).toMatch(/process limit \(256 processes and threads\)/);
    expect(seconds).toBeLessThan(40);
    expect(processesWithMarker(`netgrade-hostile-fork-loop-${nonce}`)).toEqual([]);
  });

  test.skipIf(!SANDBOXED)('reads the grader: sees no grader environment, no quiz key, and cannot write outside its directory', async () => {
    process.env.NETGRADE_TEST_CANARY = 'canary-env-7f3a91';
    try {
      const { exercise } = await grade('reads-grader-files', ['batch.classic']);
      const got = received(exercise.checks[0]!);
      expect(got, JSON.stringify(exercise.checks[0])).toContain('own env:'); // it did run and report
      expect(got).not.toContain('canary-env-7f3a91');
      expect(got).not.toContain('quiz key');
      expect(got).not.toContain('wrote ');
      const bank = readFileSync(join(REPO_ROOT, 'exercises/stage-exam/quiz/bank.json'), 'utf8');
      expect(got).not.toContain(JSON.parse(bank).questions[0].title);
      expect(existsSync('/tmp/netgrade-hostile-escape.txt')).toBe(false);
    } finally {
      delete process.env.NETGRADE_TEST_CANARY;
    }
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

  test('allocates Buffers (outside the heap) without end: stopped by the memory limit, named in the verdict', async () => {
    const { exercise } = await grade('buffer-hog', ['batch.classic'], { memoryBytes: 256 * 1024 ** 2 }, 5);
    const check = exercise.checks[0]!;
    expect(check.status, check.message).toBe('error');
    expect(check.message).toMatch(/hit the memory limit \(256 MiB resident, all its processes together\)/);
  });

  test('writes a file without end: stopped by the file size limit, the disk is untouched', async () => {
    const { exercise } = await grade('endless-file', ['batch.classic'], { fileSizeBytes: 8 * 1024 * 1024 });
    expect(exercise.verdict?.code).toBe('CRASH_AT_START');
    expect(exercise.verdict?.message).toMatch(/file size limit \(8 MiB\)/);
  });
});
