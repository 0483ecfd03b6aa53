/**
 * The concurrent scheduling (issue #11) keeps what the sequential one promised: reporters see
 * checks in check order, an exclusive check runs alone, the same seed gives the same per-check
 * seeds and results under both schedulings, and a failing check's re-run may overlap other
 * checks and still decides `failed` / `flaky` as before. A start failure is reported by the
 * first check in plan order, the later ones skipped, whichever met it first.
 *
 * The exercises here are the test's own (a tiny echo server), so the timings they arrange
 * (one check slower than the next) come from the checks, not from a student's program.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { defineExercise, type CheckContext, type CheckDefinition } from '../../grader/exercise/define.ts';
import { CheckFailure } from '../../grader/model/errors.ts';
import type { CheckResult, SubmissionResult } from '../../grader/model/results.ts';
import { Multiplexer, type Reporter } from '../../grader/reporters/reporter.ts';
import { gradeSubmission } from '../../grader/runner/grade-submission.ts';
import { CheckGate, resolveSchedule, type Schedule } from '../../grader/runner/scheduler.ts';
import { isExclusive } from '../../grader/runner/exclusive-checks.ts';
import { loadExercise } from '../../grader/exercise/registry.ts';
import { DEFAULT_SANDBOX_CONFIG } from '../../grader/sandbox/sandbox.ts';
import { leftoverGroups } from '../helpers/grade.ts';

const ECHO_SERVER = `import net from 'node:net';
net.createServer((socket) => { socket.on('error', () => {}); socket.on('data', (d) => socket.write(d)); }).listen(Number(process.env.PORT), '127.0.0.1');
`;

/** What the checks did, with times: [exercise/check, attempt start, attempt end]. */
let intervals: Array<{ name: string; from: number; to: number }> = [];
const attemptsOf = new Map<string, number>();
/** `exercise/check#attempt` → resolves when that attempt has started. */
const attemptStarted = new Map<string, PromiseWithResolvers<void>>();
const startedSignal = (key: string) => {
  if (!attemptStarted.has(key)) attemptStarted.set(key, Promise.withResolvers<void>());
  return attemptStarted.get(key)!;
};

/** A check that starts a server, echoes a line of seeded bytes, and holds for `holdMs`. */
function echoCheck(
  exercise: string,
  id: string,
  holdMs: number,
  extra: Partial<CheckDefinition> & { failUntil?: number; holdUntilStarted?: string[] } = {},
): CheckDefinition {
  const { failUntil, holdUntilStarted, ...rest } = extra;
  return {
    id,
    title: `check ${id}`,
    points: 1,
    async run(ctx: CheckContext) {
      const name = `${exercise}/${id}`;
      const attempt = (attemptsOf.get(name) ?? 0) + 1;
      attemptsOf.set(name, attempt);
      startedSignal(`${name}#${attempt}`).resolve();
      const from = performance.now();
      try {
        const server = await ctx.startServer();
        const probe = await ctx.connect(server);
        const line = `${id} ${ctx.random.int(0, 1_000_000)}\n`;
        ctx.note(`seeded line ${line.trim()}`);
        await probe.send(line);
        const reply = await probe.readLine(ctx.ms(5000));
        if (reply.kind !== 'ok' || `${reply.value}\n` !== line) throw new CheckFailure(`no echo of ${line.trim()}`);
        // The test's own pacing of its fake checks (not a probe waiting for a program).
        await delay(holdMs);
        // Or until other attempts have begun (they can only begin while this one runs if they overlap it).
        if (holdUntilStarted) await Promise.all(holdUntilStarted.map((key) => startedSignal(key).promise));
        if (failUntil !== undefined && attempt <= failUntil) throw new CheckFailure(`${id} fails on attempt ${attempt}`);
      } finally {
        intervals.push({ name, from, to: performance.now() });
      }
    },
    ...rest,
  };
}

function exercise(id: string, checks: CheckDefinition[]) {
  return defineExercise({ meta: { id, title: id, titleZh: '测试', kind: 'tcp-server', entryFiles: ['server.ts'] }, dir: tmpdir(), checks });
}

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'netgrade-test-scheduling-'));
  for (const id of ['sched-a', 'sched-b']) {
    await mkdir(join(root, 'good', id), { recursive: true });
    await writeFile(join(root, 'good', id, 'server.ts'), ECHO_SERVER);
  }
  // A submission whose server does not start (a syntax error, in the code): every check meets it.
  await mkdir(join(root, 'broken', 'sched-a'), { recursive: true });
  await writeFile(join(root, 'broken', 'sched-a', 'server.ts'), 'const x: number = ;\n');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function grade(folder: string, exercises: ReturnType<typeof exercise>[], schedule: Schedule, seed = 42, retries?: number) {
  intervals = [];
  attemptsOf.clear();
  attemptStarted.clear();
  const order: string[] = [];
  const reporter: Reporter = { onCheckEnd: (exerciseId, check) => void order.push(`${exerciseId}/${check.id}`) };
  const result = await gradeSubmission({
    submissionDir: join(root, folder),
    exercises,
    seed,
    options: {},
    sandbox: DEFAULT_SANDBOX_CONFIG,
    reporter: new Multiplexer([reporter]),
    schedule,
    checkSlots: 4,
    // These tests are about order and overlap: start checks side by side whatever the machine's load.
    throttle: false,
    ...(retries === undefined ? {} : { retries }),
  });
  expect(leftoverGroups()).toEqual([]);
  return { result, order, intervals: [...intervals] };
}

const summary = (result: SubmissionResult) =>
  result.exercises.flatMap((e) =>
    e.checks.map((c: CheckResult) => ({ id: `${e.id}/${c.id}`, status: c.status, points: c.points, seed: c.seed, message: c.message, notes: c.transcript.filter((t) => t.kind === 'note').map((t) => t.text) })),
  );

const overlaps = (a: { from: number; to: number }, b: { from: number; to: number }) => a.from < b.to && b.from < a.to;

describe('concurrent scheduling', () => {
  // The first check is the slowest: it ends last, yet is reported first.
  const plan = () => [
    exercise('sched-a', [echoCheck('sched-a', 'slow', 600), echoCheck('sched-a', 'quick', 20), echoCheck('sched-a', 'alone', 150, { exclusive: true }), echoCheck('sched-a', 'quick-2', 20)]),
    exercise('sched-b', [echoCheck('sched-b', 'one', 300), echoCheck('sched-b', 'two', 20)]),
  ];

  test('checks overlap, yet reporters see them in check order; the exclusive check ran alone', async () => {
    const { result, order, intervals } = await grade('good', plan(), 'concurrent');
    expect(result.schedule).toBe('concurrent');
    expect(order).toEqual(['sched-a/slow', 'sched-a/quick', 'sched-a/alone', 'sched-a/quick-2', 'sched-b/one', 'sched-b/two']);
    expect(result.score).toBe(result.maxScore);
    // They really ran side by side: the quick ones ended before the slow one.
    const slow = intervals.find((i) => i.name === 'sched-a/slow')!;
    expect(intervals.filter((i) => i !== slow && overlaps(i, slow)).length).toBeGreaterThan(0);
    // Nothing overlapped the exclusive check.
    const alone = intervals.find((i) => i.name === 'sched-a/alone')!;
    expect(intervals.filter((i) => i !== alone && overlaps(i, alone))).toEqual([]);
    const timing = result.exercises[0]!.checks.find((c) => c.id === 'alone')!.timing!;
    expect(timing.alone).toBe(true);
    expect(timing.starts).toBe(1);
    expect(timing.serverStartMs).toBeGreaterThan(0);
    expect(timing.probeMs).toBeGreaterThanOrEqual(150);
  });

  test('the same seed gives the same per-check seeds and results under both schedulings', async () => {
    const sequential = await grade('good', plan(), 'sequential', 7);
    const concurrent = await grade('good', plan(), 'concurrent', 7);
    expect(sequential.result.schedule).toBe('sequential');
    expect(summary(concurrent.result)).toEqual(summary(sequential.result));
    // The seeded random choices (the line each check sent) are the same too.
    expect(summary(concurrent.result).map((c) => c.notes)).toEqual(summary(sequential.result).map((c) => c.notes));
    // Sequentially, no two checks overlapped.
    const seq = sequential.intervals;
    expect(seq.filter((a, i) => seq.some((b, j) => i !== j && overlaps(a, b)))).toEqual([]);
  });

  test("a failing check's re-run overlaps other checks and still decides flaky and failed", async () => {
    // Under concurrency `long` holds until both re-runs have begun: they overlap it by construction (or it times out).
    // Sequentially it cannot wait for re-runs that only come after it, so there it just passes.
    const failing = (hold: boolean) => [
      exercise('sched-a', [
        echoCheck('sched-a', 'flaky', 100, { failUntil: 1 }),
        echoCheck('sched-a', 'broken', 100, { failUntil: 99 }),
        echoCheck('sched-a', 'long', 0, hold ? { holdUntilStarted: ['sched-a/flaky#2', 'sched-a/broken#2'], timeoutMs: 60_000 } : {}),
        echoCheck('sched-a', 'fine', 20),
      ]),
    ];
    const { result, order, intervals } = await grade('good', failing(true), 'concurrent', 42, 1);
    expect(order).toEqual(['sched-a/flaky', 'sched-a/broken', 'sched-a/long', 'sched-a/fine']);
    const checks = result.exercises[0]!.checks;
    expect(checks.map((c) => c.status)).toEqual(['flaky', 'failed', 'passed', 'passed']);
    expect(checks[0]!.attempts?.map((a) => a.status)).toEqual(['passed']);
    expect(checks[1]!.attempts?.map((a) => a.status)).toEqual(['failed']);
    expect(checks[1]!.timing?.reruns?.map((t) => t.starts)).toEqual([1]);
    // The re-runs (second interval of each) ran while the long check did.
    const long = intervals.find((i) => i.name === 'sched-a/long')!;
    for (const name of ['sched-a/flaky', 'sched-a/broken']) {
      const rerun = intervals.filter((i) => i.name === name)[1]!;
      expect(overlaps(rerun, long), name).toBe(true);
    }
    const sequential = await grade('good', failing(false), 'sequential', 42, 1);
    expect(summary(result)).toEqual(summary(sequential.result));
  });

  test('a start failure is reported by the first check in plan order, the others skipped, under both schedulings', async () => {
    const broken = () => [exercise('sched-a', [echoCheck('sched-a', 'first', 0), echoCheck('sched-a', 'second', 0), echoCheck('sched-a', 'third', 0, { exclusive: true })])];
    const sequential = await grade('broken', broken(), 'sequential');
    const concurrent = await grade('broken', broken(), 'concurrent');
    const statuses = (r: SubmissionResult) => r.exercises[0]!.checks.map((c) => c.status);
    expect(statuses(sequential.result)).toEqual(['error', 'skipped', 'skipped']);
    expect(summary(concurrent.result)).toEqual(summary(sequential.result));
    expect(concurrent.result.exercises[0]!.verdict).toEqual(sequential.result.exercises[0]!.verdict);
  });
});

describe('CheckGate', () => {
  test('at most `slots` at once; an exclusive task waits for the running ones and runs alone; held until every producer arrived', async () => {
    const gate = new CheckGate(2, { holdFor: 1 });
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const task = (name: string, ms: number) => async () => {
      running++;
      most = Math.max(most, running);
      log.push(`+${name}:${running}`);
      await delay(ms);
      running--;
      log.push(`-${name}`);
      return name;
    };
    const all = [gate.run(false, task('a', 40)), gate.run(false, task('b', 40)), gate.run(false, task('c', 40)), gate.run(true, task('x', 20))];
    await delay(20);
    expect(log).toEqual([]); // held
    gate.arrive();
    expect(await Promise.all(all)).toEqual(['a', 'b', 'c', 'x']);
    expect(most).toBe(2);
    // The exclusive one moved ahead and ran alone, first.
    expect(log[0]).toBe('+x:1');
    expect(log[1]).toBe('-x');
  });

  test('a task that throws before returning a promise rejects and frees its slot (an aborted grading once hung here)', async () => {
    const gate = new CheckGate(1);
    const thrown = gate.run(false, () => {
      throw new Error('aborted before it began');
    });
    await expect(thrown).rejects.toThrow('aborted before it began');
    await expect(gate.run(false, async () => 'next')).resolves.toBe('next');
    expect(gate.running).toBe(0);
  });

  test('while the CPUs are contended, nothing starts beside a running task; it starts once the pressure drops', async () => {
    let pressure = 0.9;
    const gate = new CheckGate(4, { pressure: { now: () => pressure, intervalMs: 10 } });
    const order: string[] = [];
    const first = Promise.withResolvers<void>();
    const a = gate.run(false, async () => {
      order.push('+a');
      await first.promise;
      order.push('-a');
    });
    const b = gate.run(false, async () => void order.push('+b'));
    await delay(80);
    expect(order).toEqual(['+a']); // contended: b waits although a slot is free
    pressure = 0.05;
    await delay(80);
    expect(order).toEqual(['+a', '+b']);
    first.resolve();
    await Promise.all([a, b]);
    // With nothing running, a task starts whatever the pressure.
    pressure = 1;
    await gate.run(false, async () => void order.push('+c'));
    expect(order).toEqual(['+a', '+b', '-a', '+c']);
  });

  test.runIf(process.platform === 'linux')('CpuPressure reads a fraction from 0 to 1 on Linux', async () => {
    const { CpuPressure } = await import('../../grader/runner/cpu-pressure.ts');
    const gauge = new CpuPressure(10);
    expect(gauge.available).toBe(true);
    await delay(30);
    const value = gauge.now();
    expect(value).toBeGreaterThanOrEqual(0);
    expect(value).toBeLessThanOrEqual(1);
  });

  test('NETGRADE_SCHEDULE and the exclusive table', () => {
    expect(resolveSchedule(undefined, {})).toBe('concurrent');
    expect(resolveSchedule(undefined, { NETGRADE_SCHEDULE: 'concurrent' })).toBe('concurrent');
    expect(resolveSchedule('sequential', { NETGRADE_SCHEDULE: 'concurrent' })).toBe('sequential');
    expect(() => resolveSchedule(undefined, { NETGRADE_SCHEDULE: 'fast' })).toThrow(/NETGRADE_SCHEDULE/);
    expect(isExclusive('bank-transfer', { id: 'parallel.disjoint-pairs', exclusive: true }, {})).toBe(true);
    expect(isExclusive('bank-transfer', { id: 'parallel.disjoint-pairs', exclusive: false }, { NETGRADE_EXCLUSIVE: '*' })).toBe(false);
    expect(isExclusive('bank-transfer', { id: 'parallel.disjoint-pairs' }, { NETGRADE_EXCLUSIVE_TABLE: '0' })).toBe(false);
    expect(isExclusive('chat', { id: 'login.ok' }, { NETGRADE_EXCLUSIVE: 'chat/login.ok' })).toBe(true);
    expect(isExclusive('chat', { id: 'login.ok' }, { NETGRADE_EXCLUSIVE: '*' })).toBe(true);
    expect(isExclusive('chat', { id: 'login.ok' }, {})).toBe(false);
  });
});

test('every check that judges timing declares that it needs the machine to itself', async () => {
  const timing: Record<string, string[]> = {
    'bank-transfer': ['transfer.delay', 'parallel.disjoint-pairs', 'concurrency.idle-client'],
    interleave: ['output.under-load', 'output.order'],
    ftp: ['concurrency.stalled'],
    'sticky-packets': ['concurrency.idle-client'],
    'file-upload': ['concurrency.stalled'],
    'qa-bot': ['clients.idle', 'clients.load'],
    'process-pool': ['sum.large', 'parallel.share', 'parallel.spread', 'parallel.overlap'],
    'ticket-sale': ['run.exit', 'sale.concurrent', 'env.sale-ms', 'sales.under-load'],
    'udp-dict': ['start.large-file', 'load.twenty-clients'],
    'stage-exam': ['echo.idle-client'],
    'web-server': ['hostile.slowloris', 'hostile.c10k'],
  };
  for (const [id, checkIds] of Object.entries(timing)) {
    const checks = await (await loadExercise(id)).checks({ options: {} });
    const declared = checks.filter((c) => c.exclusive === true).map((c) => c.id);
    expect(declared, id).toEqual(expect.arrayContaining(checkIds));
  }
});

describe('CPU burners of the exercise suite (NETGRADE_TEST_BURNERS)', () => {
  test('they run while started, spin a core each, and are gone after stop', async () => {
    const { cpuBurners, burnerCount, BURNER_MARKER } = await import('../helpers/burners.ts');
    expect(burnerCount({})).toBe(0);
    expect(burnerCount({ NETGRADE_TEST_BURNERS: '2' })).toBe(2);
    expect(() => burnerCount({ NETGRADE_TEST_BURNERS: 'two' })).toThrow(/NETGRADE_TEST_BURNERS/);
    const burners = cpuBurners(2);
    await burners.start();
    const pids = burners.pids;
    expect(pids).toHaveLength(2);
    const { processesWithMarker } = await import('../helpers/processes.ts');
    expect(processesWithMarker(BURNER_MARKER).filter((p) => pids.includes(p)).sort()).toEqual([...pids].sort());
    await burners.stop();
    expect(processesWithMarker(BURNER_MARKER).filter((p) => pids.includes(p))).toEqual([]);
  });

  test('one pair for the whole machine: started by the first lease, stopped after the last', async () => {
    const { startBurnerCoordinator, leaseBurners, BURNER_MARKER } = await import('../helpers/burners.ts');
    const { processesWithMarker } = await import('../helpers/processes.ts');
    const dir = await mkdtemp(join(tmpdir(), 'netgrade-burners-'));
    const coordinator = await startBurnerCoordinator(2, join(dir, 'burners.sock'));
    try {
      expect(coordinator.pids).toEqual([]);
      const first = await leaseBurners(coordinator.address);
      const pids = coordinator.pids;
      expect(pids).toHaveLength(2);
      // A second test file's lease shares the same two processes.
      const second = await leaseBurners(coordinator.address);
      expect(coordinator.pids).toEqual(pids);
      expect(processesWithMarker(BURNER_MARKER).filter((p) => pids.includes(p)).sort()).toEqual([...pids].sort());
      await first.release();
      expect(processesWithMarker(BURNER_MARKER).filter((p) => pids.includes(p))).toHaveLength(2);
      await second.release();
      await coordinator.idle();
      expect(processesWithMarker(BURNER_MARKER).filter((p) => pids.includes(p))).toEqual([]);
      // A lease after that starts a fresh pair, which closing the coordinator (vitest's
      // teardown) stops even while it is held.
      await leaseBurners(coordinator.address);
      const again = coordinator.pids;
      expect(again).toHaveLength(2);
      expect(again.some((p) => pids.includes(p))).toBe(false);
      await coordinator.close();
      expect(processesWithMarker(BURNER_MARKER).filter((p) => again.includes(p))).toEqual([]);
    } finally {
      await coordinator.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
