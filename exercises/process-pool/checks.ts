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
  printedSum,
  runEach,
  runPool,
  showStdout,
  stderrExcerpt,
  type PoolRun,
} from './runs.ts';

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
const largeAnalysis = (ctx: CheckContext) =>
  ctx.shared('large-analysis', async () => {
    const run = await large(ctx);
    return { run, analysis: analyse(run) };
  });

function listPrimes(n: number): string {
  const primes: number[] = [];
  for (let i = 2; i <= n && primes.length < 12; i++) if (isPrime(i)) primes.push(i);
  return primes.length === 0 ? 'no prime' : `the primes ${primes.join(', ')}${n > 37 ? ', …' : ''}`;
}

/** Why `printed` differs from `expected` for N = n, when a classic mistake explains it. */
function diagnoseSum(n: number, printed: bigint, expected: bigint): string {
  const diff = printed - expected;
  if (diff === 1n) return '1 too many: 1 is not a prime.';
  if (isPrime(n) && diff === -BigInt(n)) return `${n} too few: N itself is a prime and belongs to the sum (p <= N).`;
  if (diff > 0n && diff <= BigInt(n) && isPrime(Number(diff))) {
    return `${diff} too many, and ${diff} is a prime: a prime counted twice, typically at the edge between two chunks (make the chunks [lo, hi] meet without overlap, e.g. hi = next lo - 1).`;
  }
  // Off by a little, and the printed value is a double: the sum went through a `number`.
  const small = (diff < 0n ? -diff : diff) * 1_000_000n < expected;
  if (expected > 2n ** 53n && diff !== 0n && small && BigInt(Number(printed)) === printed) {
    return 'Off by a little above 2^53: the sum was added up in a `number`, which cannot hold every integer above 2^53 = 9007199254740992. Add the chunk sums as a BigInt.';
  }
  if (diff < 0n) return `${-diff} too few: some primes are missing (a chunk left out, or the last numbers of the range).`;
  return `${diff} too many.`;
}

/** Undefined when the run printed the right sum; otherwise the failure. */
function sumFailure(run: PoolRun, n: number): CheckFailure | undefined {
  const expected = expectedSum(n);
  const got = printedSum(run);
  const cmd = `\`${command(run.args)}\``;
  if (got?.value === expected) return undefined;
  const actual = `${showStdout(run)}\n(the program ${describeEnd(run)})\nstderr: ${stderrExcerpt(run)}`;
  if (!got) {
    const bigintN = run.lines.find((l) => /^[0-9]+n$/.test(l.trim()));
    if (bigintN) {
      return new CheckFailure(
        `${cmd} printed \`${bigintN}\`: console.log of a BigInt adds an \`n\`. Print the digits only, e.g. console.log(sum.toString()).`,
        { expected: String(expected), actual },
      );
    }
    const how =
      run.lines.length === 0
        ? `printed nothing on stdout: it ${describeEnd(run)}.`
        : `printed no line that is just the sum in decimal digits (${run.lines.length} line(s); the sum must be a line of its own, digits only).`;
    return new CheckFailure(`${cmd} ${how} Expected the sum of the primes p <= ${n}: ${expected}.`, { expected: String(expected), actual });
  }
  return new CheckFailure(`${cmd} printed ${got.value}, expected ${expected} (the sum of ${listPrimes(n)} up to ${n}): ${diagnoseSum(n, got.value, expected)}`, {
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
  ctx.note(`Right sums for N = ${ns.join(', ')}.`);
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
async function expectRefusals(ctx: CheckContext, cases: Array<{ args: string[]; why: string }>): Promise<void> {
  // Presence first: the refusal means something only from a program that answers a valid N.
  const valid = await example(ctx);
  if (!printedSum(valid)) {
    throw new CheckFailure(
      `\`${command(valid.args)}\` printed no sum (it ${describeEnd(valid)}), so its refusing bad arguments shows nothing: the program must first answer a valid N.`,
      { expected: 'a line of digits for N = 100000', actual: showStdout(valid) },
    );
  }
  const wrong = (run: PoolRun) => run.program.exit.exitCode !== 2 || run.program.stdout.length > 0 || run.program.stderr.trim() === '' || run.stopped !== undefined;
  const results = await runEach(cases, 3, async (c) => ({ c, run: await runPool(ctx, c.args) }), ({ run }) => wrong(run));
  for (const result of results) {
    if (!result || !wrong(result.run)) continue;
    const { c, run } = result;
    const problems: string[] = [];
    if (run.stopped !== undefined || run.program.exit.exitCode !== 2) problems.push(`it ${describeEnd(run)}, expected exit code 2`);
    if (run.program.stdout.length > 0) problems.push(`it printed ${JSON.stringify(run.program.stdout.slice(0, 80))} on stdout, expected nothing there`);
    if (run.program.stderr.trim() === '') problems.push('it printed no message on stderr');
    throw new CheckFailure(
      `\`${command(c.args)}\` (${c.why}): ${problems.join('; ')}. A missing or extra argument or an N that is not [0-9]+ at most 1000000000 gets a message on stderr, nothing on stdout, and exit code 2 (process.exit(2)); test the text with /^[0-9]+$/ before converting it (Number and parseInt accept "1e5", "+5", " 10", "0x10").`,
      { expected: 'stdout: (nothing)\nstderr: a message\nexit code 2', actual: `stdout: ${JSON.stringify(run.program.stdout.slice(0, 200))}\nstderr: ${stderrExcerpt(run)}\n${describeEnd(run)}` },
    );
  }
  ctx.note(`Refused as required: ${cases.map((c) => `\`${command(c.args)}\``).join(', ')}.`);
}

/** The N = 10^9 run judged for its pool: fails when there is too little to judge. */
async function judgedPool(ctx: CheckContext): Promise<{ run: PoolRun; analysis: PoolAnalysis }> {
  await example(ctx);
  const { run, analysis } = await largeAnalysis(ctx);
  if (!analysis.sampled) {
    throw new CheckFailure('The grader could not read the run\'s threads from /proc (not Linux?), so the pool cannot be judged here.');
  }
  ctx.note(
    `\`${command(run.args)}\`: it ${describeEnd(run)} after ${Math.round(run.program.exit.durationMs)} ms wall time (reported, never judged); ${analysis.samples} samples, one every ${analysis.meanIntervalMs.toFixed(0)} ms on average.`,
  );
  ctx.note(`CPU time per thread (ms):\n${cpuChart(analysis)}`);
  ctx.note(cpuChartData(analysis));
  if (analysis.ownMs < MIN_JUDGED_CPU_MS) {
    throw new CheckFailure(
      `\`${command(run.args)}\` used only ${Math.round(analysis.ownMs)} ms of CPU time in all (it ${describeEnd(run)}): too little computing to judge a pool by. Summing the primes up to 10^9 takes seconds of CPU time.`,
      { actual: cpuChart(analysis) },
    );
  }
  return { run, analysis };
}

function noWorkers(analysis: PoolAnalysis): CheckFailure | undefined {
  if (analysis.workers.length > 0 || analysis.created > 0) return undefined;
  return new CheckFailure(
    `No worker thread and no child process ran: the main thread did all the computing (${percent(analysis.mainMs, analysis.ownMs)} of the CPU time). async functions and Promise.all run on the main thread, one at a time; create a pool of node:worker_threads workers (or child processes) and hand them the chunks.`,
    { expected: `at least ${MIN_WORKERS} workers`, actual: cpuChart(analysis) },
  );
}

export const checks: CheckDefinition[] = [
  {
    id: 'sum.example',
    title: 'node main.ts 100000 prints 454396537',
    points: 10,
    timeoutMs: 60_000,
    async run(ctx) {
      const failure = sumFailure(await example(ctx), EXAMPLE_N);
      if (failure) throw failure;
    },
  },
  {
    id: 'sum.below-two',
    title: 'N = 0 and N = 1 print 0',
    points: 5,
    timeoutMs: 60_000,
    run: (ctx) => expectSums(ctx, [0, 1]),
  },
  {
    id: 'sum.small',
    title: 'Small N that are not primes (4, 100, 1000, 0010) give the exact sums: 1 is not a prime',
    points: 5,
    timeoutMs: 90_000,
    async run(ctx) {
      await expectSums(ctx, [4, 100, 1000]);
      // Leading zeros are digits too: N is [0-9]+.
      const run = await runPool(ctx, ['0010']);
      const failure = sumFailure(run, 10);
      if (failure) throw new CheckFailure(`${failure.message} (N is [0-9]+, so 0010 is 10.)`, { ...(failure.expected ? { expected: failure.expected } : {}), ...(failure.actual ? { actual: failure.actual } : {}) });
    },
  },
  {
    id: 'sum.n-prime',
    title: 'When N is a prime it is in the sum (N = 2, 3, 7919, 999983)',
    points: 5,
    timeoutMs: 90_000,
    run: (ctx) => expectSums(ctx, [2, 3, 7919, 999983]),
  },
  {
    id: 'sum.edges',
    title: 'No prime counted twice at a chunk edge: N = k·p for a prime p and k = 2, 4, 10, 16, 64, 100',
    points: 5,
    timeoutMs: 240_000,
    run: (ctx) => expectSums(ctx, edgeCases(ctx)),
  },
  {
    id: 'sum.large',
    title: 'node main.ts 1000000000 prints 24739512092254535 (above 2^53) within 60 s and 1 GiB',
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
          `${failure.message} Sixty seconds are plenty for a sieve: trial division of every number up to 10^9 is not. Sieve each chunk (a segmented sieve of Eratosthenes with the primes up to √N).`,
          { ...(failure.expected ? { expected: failure.expected } : {}), ...(failure.actual ? { actual: failure.actual } : {}) },
        );
      }
      const limit = describeLimitHit(run.program.exit, run.program.stderr, DEFAULT_LIMITS);
      if (limit && run.program.exit.limit !== 'memory') {
        throw new CheckFailure(
          `${failure.message} It hit ${limit}. A sieve per chunk needs a few seconds of CPU time for 10^9; trial division of every number needs minutes.`,
          { ...(failure.expected ? { expected: failure.expected } : {}), ...(failure.actual ? { actual: failure.actual } : {}) },
        );
      }
      if (run.program.exit.limit === 'memory') {
        throw new CheckFailure(
          `${failure.message} One array for the whole range (10^9 numbers) does not fit in 1 GiB: sieve chunk by chunk, each worker with an array the size of its chunk.`,
          { ...(failure.expected ? { expected: failure.expected } : {}), ...(failure.actual ? { actual: failure.actual } : {}) },
        );
      }
      throw failure;
    },
  },
  {
    id: 'output.one-line',
    title: 'stdout is exactly one line, the sum (no timings or logs on stdout)',
    points: 5,
    timeoutMs: 240_000,
    async run(ctx) {
      const first = await example(ctx);
      const runs = [first, await large(ctx)];
      const printed = runs.filter((r) => printedSum(r) !== undefined);
      if (printed.length === 0) {
        const run = runs[0]!;
        throw new CheckFailure(`\`${command(run.args)}\` printed no line of digits (it ${describeEnd(run)}), so there is no output to judge the form of.`, { actual: showStdout(run) });
      }
      for (const run of printed) {
        if (run.lines.length !== 1) {
          const other = run.lines.find((l) => !/^[0-9]+$/.test(l.trim())) ?? run.lines[1];
          throw new CheckFailure(
            `\`${command(run.args)}\` printed ${run.lines.length} lines on stdout, e.g. \`${other}\`: stdout must be the sum alone, one line. Print timings and logs on stderr (console.error).`,
            { expected: String(printedSum(run)!.value), actual: showStdout(run) },
          );
        }
        if (run.lines[0] !== run.lines[0]!.trim()) {
          throw new CheckFailure(`\`${command(run.args)}\` printed ${JSON.stringify(run.lines[0])}: the line must be the digits only, no spaces.`, { actual: showStdout(run) });
        }
      }
    },
  },
  {
    id: 'run.exit',
    title: 'After printing the sum the program exits with code 0 by itself',
    points: 5,
    timeoutMs: 60_000,
    async run(ctx) {
      const run = await example(ctx);
      if (!printedSum(run)) {
        throw new CheckFailure(`\`${command(run.args)}\` printed no sum (it ${describeEnd(run)}), so its exit after the sum cannot be judged.`, { actual: showStdout(run) });
      }
      if (run.stopped !== undefined || run.program.exit.exitCode !== 0) {
        throw new CheckFailure(
          `\`${command(run.args)}\` printed its sum and then ${describeEnd(run)}; it must exit with code 0 once the sum is printed. Close the pool when the queue is empty (worker.terminate(), or let each worker end; child.disconnect()/kill()).`,
          { expected: 'exit code 0', actual: `${describeEnd(run)}\nstderr: ${stderrExcerpt(run)}` },
        );
      }
    },
  },
  {
    id: 'args.count',
    title: 'A missing or an extra argument: a message on stderr, nothing on stdout, exit code 2',
    points: 5,
    timeoutMs: 90_000,
    run: (ctx) =>
      expectRefusals(ctx, [
        { args: [], why: 'no argument' },
        { args: ['100000', '10'], why: 'two arguments' },
      ]),
  },
  {
    id: 'args.bad-n',
    title: 'An N that is not [0-9]+ or is above 10^9 (1e5, +5, -3, " 10", 1.5, 0x10, 1000000001, …): stderr, nothing on stdout, exit code 2',
    points: 5,
    timeoutMs: 240_000,
    run: (ctx) =>
      expectRefusals(ctx, [
        { args: ['1e5'], why: 'exponent notation' },
        { args: ['+5'], why: 'a sign' },
        { args: ['-3'], why: 'a negative number' },
        { args: [' 10'], why: 'a leading space' },
        { args: ['10 '], why: 'a trailing space' },
        { args: [''], why: 'an empty argument' },
        { args: ['abc'], why: 'not a number' },
        { args: ['1.5'], why: 'a fraction' },
        { args: ['0x10'], why: 'hexadecimal' },
        { args: ['1000000001'], why: 'above 1000000000' },
      ]),
  },
  {
    id: 'pool.workers',
    title: 'At least 2 workers (threads or processes) run at the same time (N = 10^9)',
    points: 5,
    timeoutMs: 240_000,
    async run(ctx) {
      const { analysis } = await judgedPool(ctx);
      const none = noWorkers(analysis);
      if (none) throw none;
      ctx.note(`At most ${analysis.maxAlive} worker(s) alive at once (${analysis.created} created in the run).`);
      if (analysis.maxAlive < MIN_WORKERS) {
        throw new CheckFailure(
          `At most ${analysis.maxAlive} worker was alive at any moment of the run (${analysis.created} created in all): a pool has at least ${MIN_WORKERS} workers, started together, that compute side by side.`,
          { expected: `at least ${MIN_WORKERS} workers alive at once`, actual: cpuChart(analysis) },
        );
      }
    },
  },
  {
    id: 'pool.created-once',
    title: 'The workers are created once: at most 16 in the run of N = 10^9',
    points: 5,
    timeoutMs: 240_000,
    async run(ctx) {
      const { analysis } = await judgedPool(ctx);
      const none = noWorkers(analysis);
      if (none) throw none;
      ctx.note(`${analysis.created} worker(s) created in the run, at most ${analysis.maxAlive} alive at once.`);
      if (analysis.created > MAX_CREATED) {
        throw new CheckFailure(
          `The run created ${analysis.created} workers (at most ${analysis.maxAlive} alive at once): a new worker per chunk. Starting a worker costs tens of milliseconds; create the pool once (at most ${MAX_CREATED} workers) and hand each worker chunk after chunk, like pool.submit.`,
          { expected: `at most ${MAX_CREATED} workers created`, actual: `${analysis.created} workers created` },
        );
      }
    },
  },
  {
    id: 'pool.chunks',
    title: 'The workers are fed many chunks: at least 4 per worker (N = 10^9)',
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
      ctx.note(
        `Chunks handed out: ${total}${capped ? '+' : ''} (${post} messages posted by the main thread, ${recv} IPC messages received by child processes, ${take} atomic takes from shared memory) for ${pool} worker(s) alive at once${finished ? '' : `; the run did not get to its end, so ${perWorker} per worker are enough`}.`,
      );
      if (total < perWorker * pool) {
        throw new CheckFailure(
          `The ${pool} workers were handed ${total} chunk(s) in all${finished ? '' : ' while the run lasted'}: the range was split once per worker instead of into many chunks fed to the pool. Cut [2, N] into many chunks (e.g. 10^7 numbers each: 100 chunks) and give each worker the next chunk when it finishes one, like pool.submit: a work queue keeps every worker busy to the end.`,
          {
            expected: `at least ${perWorker} chunks per worker: ${perWorker * pool} for ${pool} workers`,
            actual: `${total} (posted ${post}, received over IPC ${recv}, atomic takes ${take})`,
          },
        );
      }
    },
  },
  {
    id: 'parallel.share',
    title: 'The workers use at least 85% of the CPU time and the main thread at most 15% (N = 10^9)',
    points: 10,
    // CPU shares of the N = 10^9 run: other programs on the cores must not run beside it.
    exclusive: true,
    timeoutMs: 240_000,
    async run(ctx) {
      const { analysis } = await judgedPool(ctx);
      const { totalMs, ownMs, workersMs, mainMs } = analysis;
      ctx.note(
        `CPU time of the main thread and the workers: ${Math.round(ownMs)} ms; workers ${Math.round(workersMs)} ms (${percent(workersMs, ownMs)}, of which ${Math.round(analysis.endedMs)} ms in threads or processes that ended between two samples); main thread ${Math.round(mainMs)} ms (${percent(mainMs, ownMs)}). Node's own threads (apart): ${Math.round(analysis.helpersMs)} ms; all together ${Math.round(totalMs)} ms.`,
      );
      const none = noWorkers(analysis);
      if (none) throw none;
      if (mainMs > MAIN_MAX_SHARE * ownMs || workersMs < WORKERS_MIN_SHARE * ownMs) {
        throw new CheckFailure(
          `The main thread used ${percent(mainMs, ownMs)} of the run's CPU time (at most ${percent(MAIN_MAX_SHARE, 1)}) and the workers ${percent(workersMs, ownMs)} (at least ${percent(WORKERS_MIN_SHARE, 1)}): the main thread computes. It should only cut the range, hand out chunks and add up the chunk sums; async functions and Promise.all in the main thread are not parallelism.`,
          { expected: `workers ≥ ${percent(WORKERS_MIN_SHARE, 1)}, main thread ≤ ${percent(MAIN_MAX_SHARE, 1)}`, actual: cpuChart(analysis) },
        );
      }
    },
  },
  {
    id: 'parallel.spread',
    title: 'No single worker uses more than 75% of the CPU time (N = 10^9)',
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
        throw new CheckFailure(
          `${top.name} used ${percent(top.cpuMs, analysis.ownMs)} of the run's CPU time (at most ${percent(ONE_WORKER_MAX_SHARE, 1)}): the work is not spread over the pool. Give every worker chunks of the range to sieve (not one worker sieving while others only add up or wait).`,
          { expected: `every worker ≤ ${percent(ONE_WORKER_MAX_SHARE, 1)}`, actual: cpuChart(analysis) },
        );
      }
    },
  },
  {
    id: 'parallel.overlap',
    title: 'Two workers run at the same time in most 50 ms intervals of the run (N = 10^9)',
    points: 10,
    // Workers running in the same 50 ms intervals: judged alone under the concurrent scheduling.
    exclusive: true,
    timeoutMs: 240_000,
    async run(ctx) {
      const { analysis } = await judgedPool(ctx);
      const none = noWorkers(analysis);
      if (none) throw none;
      const { phaseIntervals, overlapIntervals } = analysis;
      const rule = analysis.schedstat
        ? `on a CPU or waiting for one for at least ${percent(RUNNING_FRACTION, 1)} of the interval`
        : 'gaining CPU time in the interval';
      ctx.note(`${overlapIntervals} of ${phaseIntervals} intervals of the computing phase had at least two workers running (${rule}).`);
      if (phaseIntervals === 0 || 2 * overlapIntervals <= phaseIntervals) {
        throw new CheckFailure(
          `Only ${overlapIntervals} of the ${phaseIntervals} intervals (50 ms each) in which the workers computed had two or more workers running at the same time (${rule}): the workers take turns. Awaiting each worker's result before handing out the next chunk runs them one after the other; hand a chunk to every worker first, then give each the next one as its answer arrives.`,
          { expected: `more than half of the intervals with ≥ 2 workers running`, actual: `${overlapIntervals} of ${phaseIntervals}\n${cpuChart(analysis)}` },
        );
      }
    },
  },
];
