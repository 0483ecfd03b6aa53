/**
 * The checks of interleave (see checks.md): run main.ts with the stdout tap preloaded, judge
 * its exit, the exact order of its 78 lines (on an idle machine and on a busy one, where the
 * grader also pauses and resumes the process), and which thread wrote which line.
 */
import type { CheckContext, CheckDefinition } from '../../grader/exercise/define.ts';
import { CheckFailure } from '../../grader/model/errors.ts';
import {
  EXPECTED,
  LETTER_LINES,
  NUMBER_LINES,
  around,
  credit,
  describeDifference,
  describeEnd,
  firstDifference,
  planPauses,
  renderLines,
  runMany,
  runOnce,
  startLoad,
  threadList,
  threadName,
  type Run,
} from './runs.ts';

/** Unloaded runs judged by output.order (run 1 is shared with run.exit and the roles checks). */
const ORDER_RUNS = 1;
/**
 * Runs on the busy machine (output.under-load), and how many go at once. 8 (was 20): since
 * the pauses are timed from the first output they land while the workers take turns, and a
 * timing-based program (tests/variants/interleave/sleep-turns) went wrong on 20 of 20 runs
 * (10 of 20 with pauses timed from the start), so 8 runs still catch it with a wide margin,
 * and a correct program pays 2 waves of Node start-ups instead of 5.
 */
const LOADED_RUNS = 8;
const LOADED_PARALLEL = 4;

const SEQUENCE_HINT =
  'console.log in a worker is relayed by the main thread asynchronously; write with fs.writeSync(1, …) before handing over the turn.';

/** Run 1: one run on the otherwise idle machine, shared by every check that judges a single run. */
function firstRun(ctx: CheckContext): Promise<Run> {
  return ctx.shared('run-1', () => runOnce(ctx, 1));
}

function orderFailure(run: Run, lead: string, hint: string): CheckFailure | undefined {
  const d = firstDifference(run.lines);
  if (!d) return undefined;
  const end = describeEnd(run);
  return new CheckFailure(`${lead}${describeDifference(d, run.lines)}${end ? `; ${end}` : ''}. ${hint}`, {
    expected: around(EXPECTED, d),
    actual: run.lines.length === 0 ? '(no output)' : around(run.lines, d),
  });
}

export const checks: CheckDefinition[] = [
  {
    id: 'run.exit',
    title: 'main.ts exits with code 0 within 8 s',
    points: 10,
    async run(ctx) {
      const run = await firstRun(ctx);
      const { program } = run;
      if (program.killedFor !== undefined) {
        throw new CheckFailure(
          `main.ts did not exit: ${describeEnd(run)}. A worker or the main thread is still waiting for a signal that never comes (Atomics.wait without a matching Atomics.notify, an open MessagePort, a timer).`,
          { expected: 'exit code 0 within 8 s', actual: `stopped by the grader after ${Math.round(program.exit.durationMs)} ms\n${renderLines(run.lines)}` },
        );
      }
      if (program.exit.exitCode !== 0) {
        if (/ERR_(UNSUPPORTED|INVALID)_TYPESCRIPT_SYNTAX/.test(program.stderr)) {
          throw new CheckFailure(
            `Node cannot strip some TypeScript of your program: ${/ERR_\w+_TYPESCRIPT_SYNTAX\]?:? ?(.*)/.exec(program.stderr)?.[1] ?? 'see stderr'}. Node 24 runs .ts files by erasing types and cannot erase enum, namespace or constructor parameter properties: use a const object or a union instead of an enum, a module instead of a namespace, and assign fields in the constructor body.`,
            { actual: program.stderr.slice(-2000) },
          );
        }
        const how = program.exit.signal ? `was killed by ${program.exit.signal}` : `exited with code ${program.exit.exitCode}`;
        const thrown = /^(\w*Error)(?: \[\w+\])?: (.+)$/m.exec(program.stderr);
        throw new CheckFailure(
          `main.ts ${how}${thrown ? ` after ${thrown[1]}: ${thrown[2]}` : ''}; see stderr. It must exit with code 0 once both workers are done.`,
          { expected: 'exit code 0', actual: `${how}\n${program.stderr.trim().split('\n').slice(-15).join('\n')}` },
        );
      }
    },
  },
  {
    id: 'output.order',
    title: 'stdout is exactly the 78 lines 1 2 A 3 4 B … 51 52 Z',
    points: 30,
    timeoutMs: 60_000,
    async run(ctx) {
      const runs = [await firstRun(ctx)];
      for (let n = 2; n <= ORDER_RUNS; n++) runs.push(await runOnce(ctx, n));
      const wrong = runs.filter((run) => firstDifference(run.lines) !== undefined);
      ctx.note(`${runs.length - wrong.length} of ${runs.length} runs on the idle machine printed the 78 lines in order.`);
      const first = wrong[0];
      if (!first) return;
      // Right lines, different orders from run to run: the relay race.
      const sameSet = (run: Run) => [...run.lines].sort().join('\n') === [...EXPECTED].sort().join('\n');
      const orders = new Set(runs.map((run) => run.lines.join(',')));
      const relayed = credit(first.tap).relays > 0;
      const hint = !runs.every(sameSet)
        ? 'Print exactly the 78 lines, each with \\n, nothing else on stdout (logs go to stderr).'
        : relayed
          ? `The lines are all there but out of turn${orders.size > 1 ? ', in a different order from run to run' : ''}: ${SEQUENCE_HINT}`
          : 'The lines are all there but out of turn: hand the turn over with Atomics.wait/notify or messages (not timers), and write synchronously before handing it over.';
      const lead = runs.length === 1 ? 'On an idle machine, ' : `${wrong.length} of ${runs.length} runs on an idle machine printed wrong output; in run ${first.n}, `;
      throw orderFailure(first, lead, hint)!;
    },
  },
  {
    id: 'output.under-load',
    title: `The order holds on every one of ${LOADED_RUNS} runs on a busy machine, paused and resumed at random moments`,
    points: 25,
    timeoutMs: 150_000,
    async run(ctx) {
      const stopLoad = startLoad(ctx);
      let runs: Run[];
      try {
        const plans = Array.from({ length: LOADED_RUNS }, () => planPauses(ctx.random));
        runs = await runMany(LOADED_RUNS, LOADED_PARALLEL, (i) => runOnce(ctx, i + 1, { pauses: plans[i]!, loaded: true }));
      } finally {
        await stopLoad();
      }
      const wrong = runs.filter((run) => firstDifference(run.lines) !== undefined);
      ctx.note(
        `${runs.length - wrong.length} of ${runs.length} runs on a busy machine (busy loops on every core, ${LOADED_PARALLEL} runs at a time, each paused up to twice for 100–200 ms once it had started printing; ${runs.reduce((sum, r) => sum + r.pausesDone, 0)} pauses in all) printed the 78 lines in order.`,
      );
      const first = wrong[0];
      if (!first) return;
      const done = first.pauses.slice(0, first.pausesDone).map((p) => `${p.length} ms`);
      const pauses = done.length === 0 ? 'not paused: it ended before its first pause' : `paused for ${done.join(' and ')}`;
      const d = firstDifference(first.lines)!;
      const end = describeEnd(first);
      throw new CheckFailure(
        `${wrong.length} of ${runs.length} runs on a busy machine printed the lines out of turn, only ${runs.length - wrong.length} were right (first wrong: run ${first.n}, ${pauses}: ${describeDifference(d, first.lines)}${end ? `; ${end}` : ''}). The order must hold on every run. Sleeps/timers are not coordination: hand the turn over with Atomics.wait/notify or messages, and write synchronously (fs.writeSync) before handing it over.`,
        { expected: around(EXPECTED, d), actual: first.lines.length === 0 ? '(no output)' : around(first.lines, d) },
      );
    },
  },
  {
    id: 'roles.two-workers',
    title: 'One worker thread writes every number, another every letter',
    points: 20,
    async run(ctx) {
      const run = await firstRun(ctx);
      const { byLine } = credit(run.tap);
      const writers = (lines: Set<string>) => {
        const threads = new Set<number>();
        const printed = [...lines].filter((l) => byLine.get(l)!.size > 0);
        for (const line of printed) for (const t of byLine.get(line)!) threads.add(t);
        return { threads, printed };
      };
      const numbers = writers(NUMBER_LINES);
      const letters = writers(LETTER_LINES);
      const all = new Set([...numbers.threads, ...letters.threads]);
      const summary = `numbers: ${threadList(numbers.threads)}\nletters: ${threadList(letters.threads)}`;
      const expected = 'numbers: one worker thread (N)\nletters: another worker thread (L ≠ N)';
      if (numbers.printed.length + letters.printed.length === 0) {
        throw new CheckFailure(
          run.lines.length === 0
            ? 'Nothing of the 78 lines was printed, so no worker can be credited with them.'
            : 'None of the 78 lines was credited to any thread: write them with fs.writeSync(1, …), process.stdout.write or console.log from the workers (and keep the workers\' execArgv as Node sets it).',
          { expected, actual: summary },
        );
      }
      if ([...all].every((t) => t === 0)) {
        throw new CheckFailure('No worker wrote any line, the main thread wrote them all: start two node:worker_threads workers that print (one the numbers, one the letters).', { expected, actual: summary });
      }
      for (const [kind, who] of [['numbers', numbers], ['letters', letters]] as const) {
        if (who.threads.size !== 1 || who.threads.has(0)) {
          throw new CheckFailure(
            `The ${kind} were written by ${threadList(who.threads)}; one worker must write all of them.${who.threads.has(0) ? ' The main thread must only start the workers and wait for them.' : ''}`,
            { expected, actual: summary },
          );
        }
      }
      const n = [...numbers.threads][0]!;
      const l = [...letters.threads][0]!;
      if (n === l) {
        throw new CheckFailure(
          `The numbers and the letters were written by the same worker (${threadName(n)}): use two workers, one per kind, that hand the turn to each other.`,
          { expected, actual: summary },
        );
      }
    },
  },
  {
    id: 'roles.main-silent',
    title: 'The main thread writes none of the 78 lines',
    points: 15,
    async run(ctx) {
      const run = await firstRun(ctx);
      const { byLine } = credit(run.tap);
      const byMain = EXPECTED.filter((line) => byLine.get(line)!.has(0));
      if (byMain.length > 0) {
        throw new CheckFailure(
          `The main thread wrote ${byMain.length} of the 78 lines (e.g. \`${byMain[0]}\`); it must only start the workers and wait for them. (A worker's console.log relayed by the main thread is credited to the worker, not to the main thread.)`,
          { expected: 'the main thread writes none of the 78 lines', actual: `written by the main thread: ${byMain.slice(0, 20).join(' ')}${byMain.length > 20 ? ' …' : ''}` },
        );
      }
    },
  },
];

