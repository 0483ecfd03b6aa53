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
  quote,
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
import { text } from './messages.ts';

const { t } = text;

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

/** The message of an order failure, given the difference (with how the run ended, if it did badly). */
function orderFailure(run: Run, message: (difference: string) => string): CheckFailure | undefined {
  const d = firstDifference(run.lines);
  if (!d) return undefined;
  const end = describeEnd(run);
  const difference = describeDifference(d, run.lines);
  return new CheckFailure(message(end ? t('diff.withEnd', { difference, end }) : difference), {
    expected: around(EXPECTED, d),
    actual: run.lines.length === 0 ? t('lines.noOutput') : around(run.lines, d),
  });
}

export const checks: CheckDefinition[] = [
  {
    id: 'run.exit',
    get title() {
      return t('run.exit.title');
    },
    points: 10,
    async run(ctx) {
      const run = await firstRun(ctx);
      const { program } = run;
      if (program.killedFor !== undefined) {
        throw new CheckFailure(t('exit.hung', { end: describeEnd(run) }), {
          expected: t('exit.hung.expected'),
          actual: t('exit.hung.actual', { ms: { ms: Math.round(program.exit.durationMs) }, lines: renderLines(run.lines) }),
        });
      }
      if (program.exit.exitCode !== 0) {
        const how = program.exit.signal ? t('exit.signal', { signal: program.exit.signal }) : t('exit.code', { code: String(program.exit.exitCode) });
        const thrown = /^(\w*Error)(?: \[\w+\])?: (.+)$/m.exec(program.stderr);
        throw new CheckFailure(thrown ? t('exit.nonzeroThrown', { how, error: `${thrown[1]}: ${thrown[2]}` }) : t('exit.nonzero', { how }), {
          expected: t('exit.nonzero.expected'),
          actual: `${how}\n${program.stderr.trim().split('\n').slice(-15).join('\n')}`,
        });
      }
      // An exit counts once the program did its work: numbers and letters on stdout (which
      // ones, in which order and by whom is judged by the other checks).
      const missing = missingKinds(kindsPrinted(run.lines));
      if (missing) {
        throw new CheckFailure(t('exit.nothingPrinted', { missing }), {
          expected: t('exit.nothingPrinted.expected'),
          actual: t('exit.nothingPrinted.actual', { lines: renderLines(run.lines) }),
        });
      }
    },
  },
  {
    id: 'output.order',
    get title() {
      return t('output.order.title');
    },
    points: 30,
    // Run 1 is the idle machine's run: alone under the concurrent scheduling.
    exclusive: true,
    timeoutMs: 60_000,
    async run(ctx) {
      const runs = [await firstRun(ctx)];
      for (let n = 2; n <= ORDER_RUNS; n++) runs.push(await runOnce(ctx, n));
      const wrong = runs.filter((run) => firstDifference(run.lines) !== undefined);
      ctx.note(t('order.note', { right: runs.length - wrong.length, runs: runs.length }));
      const first = wrong[0];
      if (!first) return;
      // Right lines, different orders from run to run: the relay race.
      const sameSet = (run: Run) => [...run.lines].sort().join('\n') === [...EXPECTED].sort().join('\n');
      const orders = new Set(runs.map((run) => run.lines.join(',')));
      const relayed = credit(first.tap).relays > 0;
      const sequence = t('hint.sequence');
      const hint = !runs.every(sameSet)
        ? t('hint.exact')
        : relayed
          ? orders.size > 1
            ? t('hint.outOfTurnRelayedVarying', { sequence })
            : t('hint.outOfTurnRelayed', { sequence })
          : t('hint.outOfTurn');
      throw orderFailure(first, (difference) =>
        runs.length === 1
          ? t('order.failOne', { difference, hint })
          : t('order.failMany', { wrong: wrong.length, runs: runs.length, run: first.n, difference, hint }),
      )!;
    },
  },
  {
    id: 'output.under-load',
    get title() {
      return t('output.under-load.title', { runs: LOADED_RUNS });
    },
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
        throw new CheckFailure(t('load.nothingIdle', { missing }), { expected: t('load.nothingIdle.expected'), actual: renderLines(idle.lines) });
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
      const of = reference.size === 78 ? t('load.ofAll') : t('load.ofSome', { n: reference.size });
      ctx.note(
        t('load.note', {
          right: runs.length - wrong.length,
          runs: runs.length,
          parallel: LOADED_PARALLEL,
          pauses: runs.reduce((sum, r) => sum + r.pausesDone, 0),
          of,
        }),
      );
      const first = wrong[0];
      if (!first) return;
      const { run } = first;
      const d = first.d!;
      const done = run.pauses.slice(0, run.pausesDone).map((p) => t('load.pauseMs', { ms: { ms: p.length } }));
      const pauses = done.length === 0 ? t('load.notPaused') : t('load.paused', { pauses: done });
      const end = describeEnd(run);
      const printed = turnLines(run.lines).length;
      let what: string;
      let hint: string;
      if (d.got !== undefined && d.want !== undefined) {
        what = t('load.outOfTurn', { at: d.got.at, got: quote(d.got.line), want: quote(d.want) });
        hint = t('hint.loadOrder');
      } else if (d.got === undefined) {
        const last = quote(EXPECTED.filter((l) => reference.has(l))[printed - 1]);
        what = end ? t('load.printedOnlyEnd', { printed, of, last, end }) : t('load.printedOnly', { printed, of, last });
        hint = t('hint.loadLost');
      } else {
        what = t('load.again', { of, at: d.got.at, got: quote(d.got.line) });
        hint = t('hint.loadTwice');
      }
      throw new CheckFailure(t('load.fail', { wrong: wrong.length, runs: runs.length, right: runs.length - wrong.length, run: run.n, pauses, what, hint }), {
        expected: around(EXPECTED, { line: d.index + 1, got: undefined, want: d.want }),
        actual: run.lines.length === 0 ? t('lines.noOutput') : around(run.lines, { line: d.got?.at ?? run.lines.length + 1, got: d.got?.line, want: d.want }),
      });
    },
  },
  {
    id: 'roles.two-workers',
    get title() {
      return t('roles.two-workers.title');
    },
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
      const summary = t('roles.summary', { numbers: threadList(numbers.threads), letters: threadList(letters.threads) });
      const expected = t('roles.expected');
      if (numbers.printed.length + letters.printed.length === 0) {
        throw new CheckFailure(run.lines.length === 0 ? t('roles.nothingPrinted') : t('roles.nothingCredited'), { expected, actual: summary });
      }
      if ([...all].every((t) => t === 0)) {
        throw new CheckFailure(t('roles.mainOnly'), { expected, actual: summary });
      }
      for (const [kind, who] of [['numbers', numbers], ['letters', letters]] as const) {
        if (who.threads.size !== 1 || who.threads.has(0)) {
          const threads = threadList(who.threads);
          const message =
            kind === 'numbers'
              ? t(who.threads.has(0) ? 'roles.numbersSplitMain' : 'roles.numbersSplit', { threads })
              : t(who.threads.has(0) ? 'roles.lettersSplitMain' : 'roles.lettersSplit', { threads });
          throw new CheckFailure(message, { expected, actual: summary });
        }
      }
      const n = [...numbers.threads][0]!;
      const l = [...letters.threads][0]!;
      if (n === l) {
        throw new CheckFailure(t('roles.sameWorker', { thread: threadName(n) }), { expected, actual: summary });
      }
    },
  },
  {
    id: 'roles.main-silent',
    get title() {
      return t('roles.main-silent.title');
    },
    points: 15,
    async run(ctx) {
      const run = await firstRun(ctx);
      const { byLine } = credit(run.tap);
      const byMain = EXPECTED.filter((line) => byLine.get(line)!.has(0));
      if (byMain.length > 0) {
        throw new CheckFailure(t('silent.mainWrote', { n: byMain.length, line: byMain[0]! }), {
          expected: t('silent.mainWrote.expected'),
          actual: t('silent.mainWrote.actual', { lines: `${byMain.slice(0, 20).join(' ')}${byMain.length > 20 ? ' …' : ''}` }),
        });
      }
      // The main thread's silence counts only once the lines were written, by the workers.
      const byWorkers = EXPECTED.filter((line) => [...byLine.get(line)!].some((t) => t !== 0));
      const missing = missingKinds(kindsPrinted(byWorkers));
      if (missing) {
        throw new CheckFailure(t(run.lines.length === 0 ? 'silent.workersMissingEmpty' : 'silent.workersMissing', { missing }), {
          expected: t('silent.workersMissing.expected'),
          actual: t('silent.workersMissing.actual', { lines: byWorkers.slice(0, 20).join(' ') || t('line.nothing') }),
        });
      }
    },
  },
];

