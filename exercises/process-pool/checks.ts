/**
 * The checks of process-pool (see checks.md): the sums of many runs, the argument rules, and
 * the pool and its parallelism judged from the CPU time of every thread and process of one
 * run of N = 10^9 (read from /proc every 50 ms, see cpu.ts and analysis.ts).
 */
import type { CheckContext, CheckDefinition } from '../../grader/exercise/define.ts';
import { CheckFailure } from '../../grader/model/errors.ts';
import { DEFAULT_LIMITS, describeLimitHit } from '../../grader/sandbox/limits.ts';
import { analyse, cpuChart, cpuChartData, percent, RUNNING_FRACTION, type PoolAnalysis } from './analysis.ts';
import {
  EXAMPLE_N,
  LARGE_N,
  LARGE_RUN_CAP_MS,
  LARGE_RUN_MS,
  command,
  describeEnd,
  expectedSum,
  isPrime,
  mainThreadCpuAtExit,
  printedSum,
  runEach,
  runPool,
  showStdout,
  stderrExcerpt,
  type PoolRun,
} from './runs.ts';
import { text } from './messages.ts';

const { t } = text;

/** The contract's bounds of the pool. */
const MIN_WORKERS = 2;
const MAX_CREATED = 16;
/** "Fed many chunks": at least this many hand-outs per worker alive at once (N = 10^9). */
const CHUNKS_PER_WORKER = 4;
/** …or, in a run stopped before its end, at least this many (each worker came back for more). */
const CHUNKS_PER_WORKER_UNFINISHED = 2;
const WORKERS_MIN_SHARE = 0.85;
const MAIN_MAX_SHARE = 0.15;
const ONE_WORKER_MAX_SHARE = 0.75;
/** Less CPU time than this in the N = 10^9 run is too little to judge its parallelism. */
const MIN_JUDGED_CPU_MS = 1000;
/** Chunk counts whose equal chunks get an edge on a prime in sum.edges: common choices (2 or 4 workers, 10, 16, 64, 100 chunks). */
const EDGE_CHUNK_COUNTS = [2, 4, 10, 16, 64, 100];
/** How many small runs go at once. */
const PARALLEL_RUNS = 2;

const example = (ctx: CheckContext) => ctx.shared('example', () => runPool(ctx, [String(EXAMPLE_N)]));
const large = (ctx: CheckContext) =>
  ctx.shared('large', () => runPool(ctx, [String(LARGE_N)], { sampled: true, ownTimeMs: LARGE_RUN_MS, timeoutMs: LARGE_RUN_CAP_MS }));
/** `node main.ts 1`: Node's start-up alone (the main thread's CPU time, from the tap), not counted in the shares. */
const startup = (ctx: CheckContext) => ctx.shared('startup', () => runPool(ctx, ['1']));
const largeAnalysis = (ctx: CheckContext) =>
  ctx.shared('large-analysis', async () => {
    const startupMs = mainThreadCpuAtExit((await startup(ctx)).tap);
    const run = await large(ctx);
    return { run, analysis: analyse(run, startupMs) };
  });

function listPrimes(n: number): string {
  const primes: number[] = [];
  for (let i = 2; i <= n && primes.length < 12; i++) if (isPrime(i)) primes.push(i);
  if (primes.length === 0) return t('primes.none');
  const shown = primes.join(t('list.sep'));
  return n > 37 ? t('primes.listMore', { primes: shown }) : t('primes.list', { primes: shown });
}

/** Why `printed` differs from `expected` for N = n, when a classic mistake explains it. */
function diagnoseSum(n: number, printed: bigint, expected: bigint): string {
  const diff = printed - expected;
  if (diff === 1n) return t('diag.one');
  if (isPrime(n) && diff === -BigInt(n)) return t('diag.nPrime', { n: String(n) });
  if (diff > 0n && diff <= BigInt(n) && isPrime(Number(diff))) return t('diag.twice', { diff: String(diff) });
  // Off by a little, and the printed value is a double: the sum went through a `number`.
  const small = (diff < 0n ? -diff : diff) * 1_000_000n < expected;
  if (expected > 2n ** 53n && diff !== 0n && small && BigInt(Number(printed)) === printed) {
    return t('diag.double');
  }
  if (diff < 0n) return t('diag.few', { diff: String(-diff) });
  return t('diag.many', { diff: String(diff) });
}

/** Undefined when the run printed the right sum; otherwise the failure. */
function sumFailure(run: PoolRun, n: number): CheckFailure | undefined {
  const expected = expectedSum(n);
  const got = printedSum(run);
  const cmd = `\`${command(run.args)}\``;
  if (got?.value === expected) return undefined;
  const actual = t('sum.actual', { stdout: showStdout(run), end: describeEnd(run), stderr: stderrExcerpt(run) });
  if (!got) {
    const bigintN = run.lines.find((l) => /^[0-9]+n$/.test(l.trim()));
    if (bigintN) {
      return new CheckFailure(t('sum.bigintN', { cmd, line: bigintN }), { expected: String(expected), actual });
    }
    const message =
      run.lines.length === 0
        ? t('sum.nothing', { cmd, end: describeEnd(run), n: String(n), expected: String(expected) })
        : t('sum.noDigits', { cmd, lines: run.lines.length, n: String(n), expected: String(expected) });
    return new CheckFailure(message, { expected: String(expected), actual });
  }
  return new CheckFailure(
    t('sum.wrong', { cmd, got: String(got.value), expected: String(expected), primes: listPrimes(n), n: String(n), diagnosis: diagnoseSum(n, got.value, expected) }),
    {
    expected: String(expected),
    actual,
  });
}

/** Runs main.ts for each N (a few at a time), stops at the first wrong sum, and throws it. */
async function expectSums(ctx: CheckContext, ns: number[]): Promise<void> {
  await example(ctx);
  const results = await runEach(
    ns,
    PARALLEL_RUNS,
    async (n) => ({ n, run: await runPool(ctx, [String(n)]) }),
    ({ n, run }) => sumFailure(run, n) !== undefined,
  );
  const done = results.filter((r) => r !== undefined);
  for (const { n, run } of done) {
    const failure = sumFailure(run, n);
    if (failure) throw failure;
  }
  ctx.note(t('sum.note', { ns: ns.map(String).join(t('list.sep')) }));
}

/** N = k · p (p prime): a range cut into k equal chunks has an edge on the prime p. */
function edgeCases(ctx: CheckContext): number[] {
  const ns: number[] = [];
  for (const k of EDGE_CHUNK_COUNTS) {
    for (;;) {
      const p = ctx.random.int(Math.ceil(200_000 / k), Math.floor(10_000_000 / k));
      if (isPrime(p)) {
        ns.push(k * p);
        break;
      }
    }
  }
  return ns;
}

/** The argument runs: each must print nothing on stdout, something on stderr, and exit 2. */
type Why = 'none' | 'two' | 'exponent' | 'sign' | 'negative' | 'leadingSpace' | 'trailingSpace' | 'empty' | 'notNumber' | 'fraction' | 'hex' | 'above';

async function expectRefusals(ctx: CheckContext, cases: Array<{ args: string[]; why: Why }>): Promise<void> {
  // Presence first: the refusal means something only from a program that answers a valid N.
  const valid = await example(ctx);
  if (!printedSum(valid)) {
    throw new CheckFailure(t('args.noSum', { cmd: `\`${command(valid.args)}\``, end: describeEnd(valid) }), {
      expected: t('args.noSum.expected'),
      actual: showStdout(valid),
    });
  }
  const wrong = (run: PoolRun) => run.program.exit.exitCode !== 2 || run.program.stdout.length > 0 || run.program.stderr.trim() === '' || run.stopped !== undefined;
  const results = await runEach(cases, 3, async (c) => ({ c, run: await runPool(ctx, c.args) }), ({ run }) => wrong(run));
  for (const result of results) {
    if (!result || !wrong(result.run)) continue;
    const { c, run } = result;
    const problems: string[] = [];
    if (run.stopped !== undefined || run.program.exit.exitCode !== 2) problems.push(t('args.exit', { end: describeEnd(run) }));
    if (run.program.stdout.length > 0) problems.push(t('args.stdout', { stdout: JSON.stringify(run.program.stdout.slice(0, 80)) }));
    if (run.program.stderr.trim() === '') problems.push(t('args.stderr'));
    throw new CheckFailure(t('args.wrong', { cmd: `\`${command(c.args)}\``, why: t(`why.${c.why}`), problems: problems.join(t('args.problemSep')) }), {
      expected: t('args.wrong.expected'),
      actual: t('args.wrong.actual', { stdout: JSON.stringify(run.program.stdout.slice(0, 200)), stderr: stderrExcerpt(run), end: describeEnd(run) }),
    });
  }
  ctx.note(t('args.note', { cmds: cases.map((c) => `\`${command(c.args)}\``).join(t('list.sep')) }));
}

/** The N = 10^9 run judged for its pool: fails when there is too little to judge. */
async function judgedPool(ctx: CheckContext): Promise<{ run: PoolRun; analysis: PoolAnalysis }> {
  await example(ctx);
  const { run, analysis } = await largeAnalysis(ctx);
  if (!analysis.sampled) {
    throw new CheckFailure(t('pool.noProc'));
  }
  ctx.note(
    t('pool.runNote', {
      cmd: `\`${command(run.args)}\``,
      end: describeEnd(run),
      ms: { ms: Math.round(run.program.exit.durationMs) },
      samples: analysis.samples,
      interval: { ms: Math.round(analysis.meanIntervalMs) },
    }),
  );
  ctx.note(t('pool.chartNote', { chart: cpuChart(analysis) }));
  ctx.note(cpuChartData(analysis));
  if (analysis.ownMs < MIN_JUDGED_CPU_MS) {
    throw new CheckFailure(t('pool.tooLittle', { cmd: `\`${command(run.args)}\``, ms: { ms: Math.round(analysis.ownMs) }, end: describeEnd(run) }), {
      actual: cpuChart(analysis),
    });
  }
  return { run, analysis };
}

function noWorkers(analysis: PoolAnalysis): CheckFailure | undefined {
  if (analysis.workers.length > 0 || analysis.created > 0) return undefined;
  return new CheckFailure(t('pool.noWorkers', { share: percent(analysis.mainMs, analysis.ownMs) }), {
    expected: t('pool.noWorkers.expected', { n: MIN_WORKERS }),
    actual: cpuChart(analysis),
  });
}

export const checks: CheckDefinition[] = [
  {
    id: 'sum.example',
    get title() {
      return t('sum.example.title');
    },
    points: 10,
    timeoutMs: 60_000,
    async run(ctx) {
      const failure = sumFailure(await example(ctx), EXAMPLE_N);
      if (failure) throw failure;
    },
  },
  {
    id: 'sum.below-two',
    get title() {
      return t('sum.below-two.title');
    },
    points: 5,
    timeoutMs: 60_000,
    run: (ctx) => expectSums(ctx, [0, 1]),
  },
  {
    id: 'sum.small',
    get title() {
      return t('sum.small.title');
    },
    points: 5,
    timeoutMs: 90_000,
    async run(ctx) {
      await expectSums(ctx, [4, 100, 1000]);
      // Leading zeros are digits too: N is [0-9]+.
      const run = await runPool(ctx, ['0010']);
      const failure = sumFailure(run, 10);
      if (failure) throw new CheckFailure(t('sum.leadingZeros', { message: failure.message }), { ...(failure.expected ? { expected: failure.expected } : {}), ...(failure.actual ? { actual: failure.actual } : {}) });
    },
  },
  {
    id: 'sum.n-prime',
    get title() {
      return t('sum.n-prime.title');
    },
    points: 5,
    timeoutMs: 90_000,
    run: (ctx) => expectSums(ctx, [2, 3, 7919, 999983]),
  },
  {
    id: 'sum.edges',
    get title() {
      return t('sum.edges.title');
    },
    points: 5,
    timeoutMs: 240_000,
    run: (ctx) => expectSums(ctx, edgeCases(ctx)),
  },
  {
    id: 'sum.large',
    get title() {
      return t('sum.large.title');
    },
    points: 10,
    // The N = 10^9 run, shared by the pool and parallel checks: run first, alone under the concurrent scheduling.
    exclusive: true,
    timeoutMs: 240_000,
    async run(ctx) {
      await example(ctx);
      const run = await large(ctx);
      const failure = sumFailure(run, LARGE_N);
      if (!failure) return;
      if (run.stopped === 'timeout') {
        throw new CheckFailure(
          t('sum.timeout', { message: failure.message }),
          { ...(failure.expected ? { expected: failure.expected } : {}), ...(failure.actual ? { actual: failure.actual } : {}) },
        );
      }
      const limit = describeLimitHit(run.program.exit, run.program.stderr, DEFAULT_LIMITS);
      if (limit && run.program.exit.limit !== 'memory') {
        throw new CheckFailure(
          t('sum.limit', { message: failure.message, limit }),
          { ...(failure.expected ? { expected: failure.expected } : {}), ...(failure.actual ? { actual: failure.actual } : {}) },
        );
      }
      if (run.program.exit.limit === 'memory') {
        throw new CheckFailure(
          t('sum.memory', { message: failure.message }),
          { ...(failure.expected ? { expected: failure.expected } : {}), ...(failure.actual ? { actual: failure.actual } : {}) },
        );
      }
      throw failure;
    },
  },
  {
    id: 'output.one-line',
    get title() {
      return t('output.one-line.title');
    },
    points: 5,
    timeoutMs: 240_000,
    async run(ctx) {
      const first = await example(ctx);
      const runs = [first, await large(ctx)];
      const printed = runs.filter((r) => printedSum(r) !== undefined);
      if (printed.length === 0) {
        const run = runs[0]!;
        throw new CheckFailure(t('oneLine.noDigits', { cmd: `\`${command(run.args)}\``, end: describeEnd(run) }), { actual: showStdout(run) });
      }
      for (const run of printed) {
        if (run.lines.length !== 1) {
          const other = run.lines.find((l) => !/^[0-9]+$/.test(l.trim())) ?? run.lines[1];
          throw new CheckFailure(
            t('oneLine.many', { cmd: `\`${command(run.args)}\``, n: run.lines.length, other: other ?? '' }),
            { expected: String(printedSum(run)!.value), actual: showStdout(run) },
          );
        }
        if (run.lines[0] !== run.lines[0]!.trim()) {
          throw new CheckFailure(t('oneLine.spaces', { cmd: `\`${command(run.args)}\``, line: JSON.stringify(run.lines[0]) }), { actual: showStdout(run) });
        }
      }
    },
  },
  {
    id: 'run.exit',
    get title() {
      return t('run.exit.title');
    },
    points: 5,
    timeoutMs: 60_000,
    async run(ctx) {
      const run = await example(ctx);
      if (!printedSum(run)) {
        throw new CheckFailure(t('exit.noSum', { cmd: `\`${command(run.args)}\``, end: describeEnd(run) }), { actual: showStdout(run) });
      }
      if (run.stopped !== undefined || run.program.exit.exitCode !== 0) {
        throw new CheckFailure(t('exit.wrong', { cmd: `\`${command(run.args)}\``, end: describeEnd(run) }), {
          expected: t('exit.wrong.expected'),
          actual: t('exit.wrong.actual', { end: describeEnd(run), stderr: stderrExcerpt(run) }),
        });
      }
    },
  },
  {
    id: 'args.count',
    get title() {
      return t('args.count.title');
    },
    points: 5,
    timeoutMs: 90_000,
    run: (ctx) =>
      expectRefusals(ctx, [
        { args: [], why: 'none' },
        { args: ['100000', '10'], why: 'two' },
      ]),
  },
  {
    id: 'args.bad-n',
    get title() {
      return t('args.bad-n.title');
    },
    points: 5,
    timeoutMs: 240_000,
    run: (ctx) =>
      expectRefusals(ctx, [
        { args: ['1e5'], why: 'exponent' },
        { args: ['+5'], why: 'sign' },
        { args: ['-3'], why: 'negative' },
        { args: [' 10'], why: 'leadingSpace' },
        { args: ['10 '], why: 'trailingSpace' },
        { args: [''], why: 'empty' },
        { args: ['abc'], why: 'notNumber' },
        { args: ['1.5'], why: 'fraction' },
        { args: ['0x10'], why: 'hex' },
        { args: ['1000000001'], why: 'above' },
      ]),
  },
  {
    id: 'pool.workers',
    get title() {
      return t('pool.workers.title');
    },
    points: 5,
    timeoutMs: 240_000,
    async run(ctx) {
      const { analysis } = await judgedPool(ctx);
      const none = noWorkers(analysis);
      if (none) throw none;
      ctx.note(t('workers.note', { alive: analysis.maxAlive, created: analysis.created }));
      if (analysis.maxAlive < MIN_WORKERS) {
        throw new CheckFailure(t('workers.few', { alive: analysis.maxAlive, created: analysis.created, min: MIN_WORKERS }), {
          expected: t('workers.few.expected', { min: MIN_WORKERS }),
          actual: cpuChart(analysis),
        });
      }
    },
  },
  {
    id: 'pool.created-once',
    get title() {
      return t('pool.created-once.title');
    },
    points: 5,
    timeoutMs: 240_000,
    async run(ctx) {
      const { analysis } = await judgedPool(ctx);
      const none = noWorkers(analysis);
      if (none) throw none;
      ctx.note(t('created.note', { created: analysis.created, alive: analysis.maxAlive }));
      if (analysis.created > MAX_CREATED) {
        throw new CheckFailure(t('created.many', { created: analysis.created, alive: analysis.maxAlive, max: MAX_CREATED }), {
          expected: t('created.many.expected', { max: MAX_CREATED }),
          actual: t('created.many.actual', { created: analysis.created }),
        });
      }
    },
  },
  {
    id: 'pool.chunks',
    get title() {
      return t('pool.chunks.title');
    },
    points: 5,
    timeoutMs: 240_000,
    async run(ctx) {
      const { run, analysis } = await judgedPool(ctx);
      const none = noWorkers(analysis);
      if (none) throw none;
      const pool = Math.max(1, analysis.maxAlive);
      const { post, recv, take, total, capped } = analysis.handouts;
      // A run that did not get to its end (stopped, killed at a limit) is judged on what it
      // handed out meanwhile: every worker coming back for a second chunk shows the feeding.
      const finished = run.stopped === undefined && run.program.exit.exitCode === 0;
      const perWorker = finished ? CHUNKS_PER_WORKER : CHUNKS_PER_WORKER_UNFINISHED;
      const handed = { total: `${total}${capped ? '+' : ''}`, post, recv, take, pool };
      ctx.note(finished ? t('chunks.note', handed) : t('chunks.noteUnfinished', { ...handed, perWorker }));
      if (total < perWorker * pool) {
        throw new CheckFailure(finished ? t('chunks.few', { pool, total }) : t('chunks.fewUnfinished', { pool, total }), {
          expected: t('chunks.few.expected', { perWorker, needed: perWorker * pool, pool }),
          actual: t('chunks.few.actual', { total, post, recv, take }),
        });
      }
    },
  },
  {
    id: 'parallel.share',
    get title() {
      return t('parallel.share.title');
    },
    points: 10,
    // CPU shares of the N = 10^9 run: other programs on the cores must not run beside it.
    exclusive: true,
    timeoutMs: 240_000,
    async run(ctx) {
      const { analysis } = await judgedPool(ctx);
      const { totalMs, ownMs, workersMs, mainMs } = analysis;
      ctx.note(
        t('share.note', {
          own: { ms: Math.round(ownMs) },
          workers: { ms: Math.round(workersMs) },
          workersShare: percent(workersMs, ownMs),
          ended: { ms: Math.round(analysis.endedMs) },
          main: { ms: Math.round(mainMs) },
          mainShare: percent(mainMs, ownMs),
          startup: { ms: Math.round(analysis.startupMs) },
          helpers: { ms: Math.round(analysis.helpersMs) },
          total: { ms: Math.round(totalMs) },
        }),
      );
      const none = noWorkers(analysis);
      if (none) throw none;
      if (mainMs > MAIN_MAX_SHARE * ownMs || workersMs < WORKERS_MIN_SHARE * ownMs) {
        const shares = { mainMax: percent(MAIN_MAX_SHARE, 1), workersMin: percent(WORKERS_MIN_SHARE, 1) };
        throw new CheckFailure(t('share.wrong', { ...shares, mainShare: percent(mainMs, ownMs), workersShare: percent(workersMs, ownMs) }), {
          expected: t('share.wrong.expected', shares),
          actual: cpuChart(analysis),
        });
      }
    },
  },
  {
    id: 'parallel.spread',
    get title() {
      return t('parallel.spread.title');
    },
    points: 5,
    // (as parallel.share)
    exclusive: true,
    timeoutMs: 240_000,
    async run(ctx) {
      const { analysis } = await judgedPool(ctx);
      const none = noWorkers(analysis);
      if (none) throw none;
      const top = [...analysis.workers].sort((a, b) => b.cpuMs - a.cpuMs)[0]!;
      if (top.cpuMs > ONE_WORKER_MAX_SHARE * analysis.ownMs) {
        throw new CheckFailure(t('spread.wrong', { name: top.name, share: percent(top.cpuMs, analysis.ownMs), max: percent(ONE_WORKER_MAX_SHARE, 1) }), {
          expected: t('spread.wrong.expected', { max: percent(ONE_WORKER_MAX_SHARE, 1) }),
          actual: cpuChart(analysis),
        });
      }
    },
  },
  {
    id: 'parallel.overlap',
    get title() {
      return t('parallel.overlap.title');
    },
    points: 10,
    // Workers running in the same 50 ms intervals: judged alone under the concurrent scheduling.
    exclusive: true,
    timeoutMs: 240_000,
    async run(ctx) {
      const { analysis } = await judgedPool(ctx);
      const none = noWorkers(analysis);
      if (none) throw none;
      const { phaseIntervals, overlapIntervals } = analysis;
      const rule = analysis.schedstat ? t('overlap.ruleSchedstat', { share: percent(RUNNING_FRACTION, 1) }) : t('overlap.ruleCpu');
      const counts = { overlap: overlapIntervals, phase: phaseIntervals };
      ctx.note(t('overlap.note', { ...counts, rule }));
      if (phaseIntervals === 0 || 2 * overlapIntervals <= phaseIntervals) {
        throw new CheckFailure(t('overlap.wrong', { ...counts, rule }), {
          expected: t('overlap.wrong.expected'),
          actual: t('overlap.wrong.actual', { ...counts, chart: cpuChart(analysis) }),
        });
      }
    },
  },
];
