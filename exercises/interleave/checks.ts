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
  cannotStart,
  credit,
  describeDifference,
  describeEnd,
  firstDifference,
  kindsPrinted,
  missingKinds,
  planPauses,
  renderLines,
  runMany,
  runOnce,
  startLoad,
  threadList,
  threadName,
  turnDifference,
  turnLines,
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

/**
 * Run 1: one run on the otherwise idle machine, shared by every check (output.under-load
 * compares its runs with it). A program Node cannot strip or load throws here: the first
 * check reports it once, every other check is skipped.
 */
function firstRun(ctx: CheckContext): Promise<Run> {
  return ctx.shared('run-1', async () => {
    const run = await runOnce(ctx, 1);
    const error = await cannotStart(ctx, run);
    if (error) throw error;
    return run;
  });
}

const quoteLine = (line: string | undefined) => (line === undefined ? '(nothing)' : line === '' ? '(an empty line)' : `\`${line}\``);

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
    title: 'main.ts exits with code 0 within 8 s, once the workers have printed',
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
        const how = program.exit.signal ? `was killed by ${program.exit.signal}` : `exited with code ${program.exit.exitCode}`;
        const thrown = /^(\w*Error)(?: \[\w+\])?: (.+)$/m.exec(program.stderr);
        throw new CheckFailure(
          `main.ts ${how}${thrown ? ` after ${thrown[1]}: ${thrown[2]}` : ''}; see stderr. It must exit with code 0 once both workers are done.`,
          { expected: 'exit code 0', actual: `${how}\n${program.stderr.trim().split('\n').slice(-15).join('\n')}` },
        );
      }
      // An exit counts once the program did its work: numbers and letters on stdout (which
      // ones, in which order and by whom is judged by the other checks).
      const missing = missingKinds(kindsPrinted(run.lines));
      if (missing) {
        throw new CheckFailure(
          `main.ts exited with code 0, but its stdout had ${missing}: an exit is credited only once the workers have printed (the numbers and the letters). Start the two workers and wait for them before the program ends.`,
          { expected: 'exit code 0 after printing the numbers and the letters', actual: `exit code 0\n${renderLines(run.lines)}` },
        );
      }
    },
  },
  {
    id: 'output.order',
    title: 'stdout is exactly the 78 lines 1 2 A 3 4 B … 51 52 Z',
    points: 30,
    // Run 1 is the idle machine's run: alone under the concurrent scheduling.
    exclusive: true,
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
    title: `The turns hold on every one of ${LOADED_RUNS} runs on a busy machine, paused and resumed at random moments`,
    points: 25,
    // Loads every core itself and judges turns under that load: alone under the concurrent scheduling.
    exclusive: true,
    timeoutMs: 150_000,
    async run(ctx) {
      // Turn-taking only: the lines of the 78 that run 1 (idle machine) printed must come in
      // turn on every loaded run. A line that is never printed, or one that is not among the
      // 78 (a final `done`), is output.order's mistake, not a turn out of place.
      const idle = await firstRun(ctx);
      const reference = new Set(turnLines(idle.lines).map((t) => t.line));
      const missing = missingKinds(kindsPrinted(reference));
      if (missing) {
        throw new CheckFailure(
          `On the idle machine (run 1) stdout had ${missing}: there are no turns to hold under load. Two workers must print, one the numbers and one the letters, taking turns.`,
          { expected: 'numbers and letters printed in turns', actual: renderLines(idle.lines) },
        );
      }
      const stopLoad = startLoad(ctx);
      let runs: Run[];
      try {
        const plans = Array.from({ length: LOADED_RUNS }, () => planPauses(ctx.random));
        runs = await runMany(LOADED_RUNS, LOADED_PARALLEL, (i) => runOnce(ctx, i + 1, { pauses: plans[i]!, loaded: true }));
      } finally {
        await stopLoad();
      }
      const judged = runs.map((run) => ({ run, d: turnDifference(run.lines, reference) }));
      const wrong = judged.filter((j) => j.d !== undefined);
      const of = reference.size === 78 ? 'the 78 lines' : `the ${reference.size} lines of the 78 it printed on the idle machine`;
      ctx.note(
        `${runs.length - wrong.length} of ${runs.length} runs on a busy machine (busy loops on every core, ${LOADED_PARALLEL} runs at a time, each paused up to twice for 100–200 ms once it had started printing; ${runs.reduce((sum, r) => sum + r.pausesDone, 0)} pauses in all) printed ${of} in turn.`,
      );
      const first = wrong[0];
      if (!first) return;
      const { run } = first;
      const d = first.d!;
      const done = run.pauses.slice(0, run.pausesDone).map((p) => `${p.length} ms`);
      const pauses = done.length === 0 ? 'not paused: it ended before its first pause' : `paused for ${done.join(' and ')}`;
      const end = describeEnd(run);
      const lead = `${wrong.length} of ${runs.length} runs on a busy machine went wrong, only ${runs.length - wrong.length} were right (first wrong: run ${run.n}, ${pauses}: `;
      const printed = turnLines(run.lines).length;
      let what: string;
      let hint: string;
      if (d.got !== undefined && d.want !== undefined) {
        what = `stdout line ${d.got.at} is ${quoteLine(d.got.line)} where ${quoteLine(d.want)} was its turn`;
        hint = 'The order must hold on every run. Sleeps/timers are not coordination: hand the turn over with Atomics.wait/notify or messages, and write synchronously (fs.writeSync) before handing it over.';
      } else if (d.got === undefined) {
        what = `it printed only ${printed} of ${of}, up to ${quoteLine(EXPECTED.filter((l) => reference.has(l))[printed - 1])}${end ? `; ${end}` : ''}`;
        hint = 'Under load a turn must not get lost: wait with Atomics.wait(cell, i, value) on the value you last saw (it returns at once when the turn already changed), and notify after every store.';
      } else {
        what = `after ${of}, stdout line ${d.got.at} is ${quoteLine(d.got.line)} again`;
        hint = 'Each line is printed once, in its turn, on every run.';
      }
      throw new CheckFailure(`${lead}${what}). ${hint}`, {
        expected: around(EXPECTED, { line: d.index + 1, got: undefined, want: d.want }),
        actual: run.lines.length === 0 ? '(no output)' : around(run.lines, { line: d.got?.at ?? run.lines.length + 1, got: d.got?.line, want: d.want }),
      });
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
      // The main thread's silence counts only once the lines were written, by the workers.
      const byWorkers = EXPECTED.filter((line) => [...byLine.get(line)!].some((t) => t !== 0));
      const missing = missingKinds(kindsPrinted(byWorkers));
      if (missing) {
        throw new CheckFailure(
          `The main thread wrote none of the 78 lines, but the worker threads wrote ${missing}${run.lines.length === 0 ? ' (stdout was empty)' : ''}: a silent main thread counts only beside workers that print. Start two workers that write the numbers and the letters.`,
          { expected: 'the workers write the numbers and the letters, the main thread none', actual: `written by worker threads: ${byWorkers.slice(0, 20).join(' ') || '(nothing)'}` },
        );
      }
    },
  },
];

