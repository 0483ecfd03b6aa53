/**
 * The checks of ticket-sale (see checks.md): run main.ts with the stdout tap preloaded and judge
 * its stdout line by line, which thread wrote which line, when the threads started and ended,
 * and when each ticket was sold. Runs: the default run (env unset, worker threads held back at
 * start, writes delayed), a run for concurrency, three runs with other settings, three runs on
 * a busy machine.
 */
import type { CheckContext, CheckDefinition } from '../../grader/exercise/define.ts';
import { CheckFailure } from '../../grader/model/errors.ts';
import {
  SOLD_OUT,
  around,
  describeEnd,
  describeSettings,
  list,
  measureStartup,
  parseSale,
  planPauses,
  quote,
  renderSummary,
  runMany,
  runOnce,
  sequenceProblem,
  settingsOf,
  startLoad,
  threadList,
  threadName,
  throwIfCodeError,
  type Run,
  type Sale,
} from './runs.ts';

/** The default run delays each write to stdout by up to this many ms (every other write on average). */
const JITTER_MS = 1;
/** Runs on the busy machine (sales.under-load), how many at once, and their settings. */
const LOADED_RUNS = 3;
const LOADED_PARALLEL = 3;
const LOADED = settingsOf({ TICKETS: 1000, WINDOWS: 8, SALE_MS: 0 });
const LOADED_JITTER_MS = 1;

/**
 * The default run: TICKETS, WINDOWS and SALE_MS unset (500 tickets, 10 windows, 10 ms), every
 * worker thread but the first held back at start until the first one writes or waits, each
 * write delayed by up to 1 ms. Shared by most checks; every check awaits it first, so that a
 * program that cannot run at all is reported once.
 */
function defaultRun(ctx: CheckContext): Promise<Run> {
  return ctx.shared('run:default', async () => {
    const run = await runOnce(ctx, { label: 'the default run', settings: settingsOf({}), hold: true, jitterMs: JITTER_MS });
    await throwIfCodeError(ctx, run);
    return run;
  });
}

/**
 * The run that judges concurrency: 10 windows, 60 tickets, SALE_MS=100. Long pauses against
 * little work per sale: one window at a time takes 59 × 100 ms ≈ 6 s whatever the machine does
 * (within its deadline of 11.2 s, so that a serial program loses this check only), ten at a time
 * about 0.6 s, and CPU starved by a loaded machine (or windows that finish loading at different
 * times) counts for little beside the pauses.
 */
function concurrentRun(ctx: CheckContext): Promise<Run> {
  return ctx.shared('run:concurrent', async () =>
    runOnce(ctx, {
      label: 'the run with TICKETS=60 WINDOWS=10 SALE_MS=100',
      settings: settingsOf({ TICKETS: 60, WINDOWS: 10, SALE_MS: 100 }),
      startupMs: await laterStartup(ctx),
      ...(await afterHang(ctx)),
    }),
  );
}

/**
 * When the default run had to be stopped at its deadline, run.exit fails whatever the later
 * runs do, and they are judged by their stdout only: each is stopped 3 s after its 票已售罄
 * (following every ticket), or once it has printed nothing for its start-up allowance + 5 s,
 * instead of at its own deadline.
 */
async function afterHang(ctx: CheckContext): Promise<{ stopAfterSoldOutMs?: number; idleAfterStartupMs?: number }> {
  const first = await defaultRun(ctx);
  return first.program.killedFor === undefined ? {} : { stopAfterSoldOutMs: 3000, idleAfterStartupMs: 5000 };
}

/**
 * The start-up time for the runs after the default one (the concurrent run and the three with
 * other settings, run one after the other): measured once, with 10 threads, as they begin.
 */
function laterStartup(ctx: CheckContext): Promise<number> {
  return ctx.shared('startup:later', () => measureStartup(ctx, 10));
}

interface EnvRuns {
  noTickets: Run;
  oneWindow: Run;
  windows: Run;
}

/**
 * Three runs with the variables set (values from the check's seeded generator), one after the
 * other: each starts up to 11 threads, and three at once would eat into each other's deadline.
 */
function envRuns(ctx: CheckContext): Promise<EnvRuns> {
  return ctx.shared('run:env', async () => {
    const random = ctx.random.fork('env');
    const plans = [
      settingsOf({ TICKETS: 0 }),
      settingsOf({ TICKETS: random.int(20, 40), WINDOWS: 1, SALE_MS: random.int(20, 40) }),
      settingsOf({ TICKETS: random.int(100, 300), WINDOWS: random.pick([2, 3, 4, 5, 6, 7]), SALE_MS: random.int(2, 10) }),
    ];
    const startupMs = await laterStartup(ctx);
    const hang = await afterHang(ctx);
    const [noTickets, oneWindow, windows] = await runMany(plans.length, 1, (i) =>
      runOnce(ctx, { label: `the run with ${describeSettings(plans[i]!)}`, settings: plans[i]!, startupMs, ...hang }),
    );
    return { noTickets: noTickets!, oneWindow: oneWindow!, windows: windows! };
  });
}

function fail(message: string, detail: { expected?: string; actual?: string } = {}): never {
  throw new CheckFailure(message, detail);
}

const NO_SALES_HINT =
  'Start one node:worker_threads worker per window; each writes its lines `W<k> --- T<n>` with fs.writeSync(1, …).';

/** Presence: the run printed at least one sale line, else the check fails saying so. */
function requireSales(run: Run, what: string): void {
  if (run.sales.length > 0) return;
  const end = describeEnd(run);
  fail(
    `In ${run.label} (${describeSettings(run.settings)}) stdout has no sale line \`W<k> --- T<n>\`${end ? ` (${end})` : ''}, so ${what} cannot be seen. ${NO_SALES_HINT}`,
    { expected: 'W<k> --- T1\nW<k> --- T2\n…', actual: renderSummary(run) },
  );
}

/** Sales credited to a worker thread. */
const byWorkers = (run: Run): Sale[] => run.sales.filter((s) => s.thread !== undefined && s.thread !== 0);

export const checks: CheckDefinition[] = [
  {
    id: 'run.exit',
    /** Needs the machine to itself (timing): exit within a time budget; first in plan order, it runs the shared timed runs alone. */
    exclusive: true,
    title: 'main.ts sells and exits with code 0 within 10 s + 2 × TICKETS × SALE_MS / WINDOWS, with every setting',
    points: 10,
    timeoutMs: 240_000,
    async run(ctx) {
      const first = await defaultRun(ctx);
      const concurrent = await concurrentRun(ctx);
      const env = await envRuns(ctx);
      const all = [first, concurrent, env.noTickets, env.oneWindow, env.windows];
      for (const run of all) {
        const { program } = run;
        const settings = describeSettings(run.settings);
        const extra = [
          ...(run.allowanceMs > 0 ? [`up to ${run.allowanceMs} ms the grader added by holding threads back and delaying writes`] : []),
          `${run.startupMs} ms this machine needed just before to start Node and idle worker threads`,
        ];
        const budget = `${run.deadlineMs + run.allowanceMs + run.startupMs} ms (the contract's 10 s + 2 × ${run.settings.tickets} × ${run.settings.saleMs} / ${run.settings.windows} ms = ${run.deadlineMs} ms, plus ${extra.join(' and ')})`;
        if (program.killedFor !== undefined) {
          const soldOut = run.lines.includes(SOLD_OUT) ? `, ${SOLD_OUT} printed` : `, no ${SOLD_OUT}`;
          fail(
            `With ${settings}, main.ts did not exit within ${budget}: it was stopped after ${run.sales.length} sale line(s)${soldOut}. A window or the main thread is still waiting for something that never comes (Atomics.wait without a matching Atomics.notify, an open MessagePort, a timer), or the windows sell far too slowly.`,
            { expected: `exit code 0 within ${run.deadlineMs + run.allowanceMs + run.startupMs} ms`, actual: `stopped by the grader after ${Math.round(program.exit.durationMs)} ms\n${renderSummary(run)}` },
          );
        }
        if (program.exit.exitCode !== 0 || program.exit.signal !== null) {
          const how = describeEnd(run);
          fail(`With ${settings}, ${how}; see stderr. main.ts must exit with code 0 once the tickets are sold and ${SOLD_OUT} is printed.`, {
            expected: 'exit code 0',
            actual: `${how}\n${program.stderr.trim().split('\n').slice(-15).join('\n')}`,
          });
        }
        if (run === first && run.sales.length === 0) {
          fail(`With ${settings}, main.ts exited with code 0 after ${Math.round(program.exit.durationMs)} ms without selling a ticket: stdout has no line \`W<k> --- T<n>\`. ${NO_SALES_HINT}`, {
            expected: `${run.settings.tickets} sale lines, ${SOLD_OUT}, exit code 0`,
            actual: renderSummary(run),
          });
        }
      }
      ctx.note(
        `Run times: ${all.map((r) => `${describeSettings(r.settings)}: ${Math.round(r.program.exit.durationMs)} ms (start-up allowance ${r.startupMs} ms)`).join('; ')}.`,
      );
    },
  },
  {
    id: 'output.lines',
    title: `Every stdout line is \`W<k> --- T<n>\` (k from 1 to WINDOWS) or ${SOLD_OUT}, nothing else`,
    points: 5,
    async run(ctx) {
      const run = await defaultRun(ctx);
      requireSales(run, 'the form of the lines');
      const k = run.settings.windows;
      const bad: Array<{ line: number; text: string; why: string }> = [];
      run.lines.forEach((text, i) => {
        if (text === SOLD_OUT) return;
        const sale = parseSale(text);
        let why: string | undefined;
        if (!sale) {
          why = text === '' ? 'an empty line' : 'neither a sale line nor ' + SOLD_OUT;
        } else if (!sale.exact) {
          why = 'a sale line is exactly `W<k> --- T<n>`: W and the window number, one space, three dashes, one space, T and the ticket number (the course\'s print("%s --- %s"))';
        } else if (sale.window < 1 || sale.window > k) {
          why = `there are ${k} windows, W1 to W${k}`;
        }
        if (why) bad.push({ line: i + 1, text, why });
      });
      // A window numbered 0 does not parse as exact (`W0`): say so plainly.
      for (const b of bad) if (/^W0+ --- T/.test(b.text)) b.why = `windows are numbered from 1: W1 to W${k}`;
      const first = bad[0];
      if (!first) return;
      fail(
        `In ${run.label}, line ${first.line} is ${quote(first.text)}: ${first.why}.${bad.length > 1 ? ` ${bad.length} lines in all are not of the required form.` : ''} Stdout holds exactly one sale line per ticket and then ${SOLD_OUT}; print anything else to stderr.`,
        { expected: `W<k> --- T<n>   (k from 1 to ${k})\n…\n${SOLD_OUT}`, actual: around(run.lines, first.line) },
      );
    },
  },
  {
    id: 'output.sold-out',
    title: `${SOLD_OUT} is printed once, as the last line, by the main thread after every window has ended`,
    points: 10,
    async run(ctx) {
      const run = await defaultRun(ctx);
      const at = run.lines.map((l, i) => (l === SOLD_OUT ? i + 1 : 0)).filter((i) => i > 0);
      const last = run.lines.length;
      if (at.length === 0) {
        const end = describeEnd(run);
        fail(
          `In ${run.label} stdout has no line ${SOLD_OUT}${end ? ` (${end})` : ''}${run.lines.length > 0 ? `; its last line is ${quote(run.lines.at(-1))}` : ''}. Once every window has ended, the main thread prints ${SOLD_OUT} (exactly these four characters, UTF-8).`,
          { expected: `… (the sales)\n${SOLD_OUT}`, actual: run.lines.length === 0 ? '(no output)' : around(run.lines, last) },
        );
      }
      if (at.length > 1) {
        fail(`In ${run.label} ${SOLD_OUT} was printed ${at.length} times (lines ${list(at.map(String))}); it is printed once, by the main thread, after every window has ended.`, {
          expected: `${SOLD_OUT} once, as the last line`,
          actual: around(run.lines, at[1]!),
        });
      }
      const line = at[0]!;
      if (line !== last) {
        fail(
          `In ${run.label} ${SOLD_OUT} is line ${line} of ${last}: ${last - line} line(s) came after it (${quote(run.lines[line])} first). It is the last line: print it once every window has ended.`,
          { expected: `… (all the sales)\n${SOLD_OUT}   (last line)`, actual: around(run.lines, line) },
        );
      }
      const written = run.written.filter((w) => w.text === SOLD_OUT);
      const source = written[0];
      if (!source) {
        fail(
          `In ${run.label} the tap saw no thread write ${SOLD_OUT} (it records fs.writeSync(1, …), process.stdout.write and console.log in every thread), so it cannot be credited to the main thread. Print it from main.ts with fs.writeSync(1, …) or console.log.`,
        );
      }
      if (source.thread !== 0) {
        const sold = run.sales.find((s) => s.thread === source.thread);
        fail(
          `In ${run.label} ${SOLD_OUT} was written by ${threadName(source.thread)}${sold ? ` (the thread of W${sold.window})` : ''}, not by the main thread. The main thread prints it, once every window has ended (after every worker's 'exit' event).`,
          { expected: `${SOLD_OUT} written by the main thread`, actual: `${SOLD_OUT} written by ${threadName(source.thread)}` },
        );
      }
      // Every window thread must have ended before: the worker threads that sold (or, when the
      // main thread printed the sales, every worker thread that started).
      const sellers = new Set(byWorkers(run).map((s) => s.thread!));
      const windows = sellers.size > 0 ? sellers : new Set(run.events.filter((e) => e.kind === 'start' && e.thread !== 0).map((e) => e.thread));
      const windowOf = (thread: number) => {
        const sale = run.sales.find((s) => s.thread === thread);
        return sale ? `W${sale.window} (${threadName(thread)})` : threadName(thread);
      };
      const open: string[] = [];
      for (const thread of [...windows].sort((a, b) => a - b)) {
        const end = run.events.find((e) => e.kind === 'end' && e.thread === thread);
        if (!end) open.push(`${windowOf(thread)} never ended by itself (still running, or stopped with terminate())`);
        else if (end.index > source.index) open.push(`${windowOf(thread)} ended ${Math.max(0, Math.round(end.at - (source.at ?? end.at)))} ms later`);
      }
      if (open.length > 0) {
        fail(
          `In ${run.label} the main thread printed ${SOLD_OUT} while ${open.length} window(s) were still open: ${list(open, 4)}. Print it only once every window has ended by itself: count the workers' 'exit' events (a window ends when it finds no ticket left, after its last pause).`,
          { expected: `every window thread ends, then ${SOLD_OUT}`, actual: `${SOLD_OUT} written at ${Math.round(source.at ?? 0)} ms (tap clock); ${list(open, 10)}` },
        );
      }
    },
  },
  {
    id: 'sales.order',
    title: 'The sale lines are T1, T2, …, TN in ticket order, each ticket once (500 tickets, 10 windows, writes delayed)',
    points: 15,
    async run(ctx) {
      const run = await defaultRun(ctx);
      requireSales(run, 'the order of the sales');
      const problem = sequenceProblem(run);
      ctx.note(`${run.label}: ${run.sales.length} sale lines; each write to stdout was delayed by up to ${JITTER_MS} ms (every other write on average), as a preempted thread would be.`);
      if (problem) fail(`In ${run.label} (${describeSettings(run.settings)}), ${problem.message}`, { expected: problem.expected, actual: problem.actual });
    },
  },
  {
    id: 'roles.window-threads',
    title: 'Each window sells from one worker thread of its own',
    points: 10,
    async run(ctx) {
      const run = await defaultRun(ctx);
      requireSales(run, 'which thread sold for which window');
      const threadsOf = new Map<number, Set<number>>();
      for (const sale of byWorkers(run)) {
        const set = threadsOf.get(sale.window) ?? new Set<number>();
        set.add(sale.thread!);
        threadsOf.set(sale.window, set);
      }
      const summary = [...threadsOf.entries()]
        .sort(([a], [b]) => a - b)
        .map(([w, t]) => `W${w}: ${threadList(t)}`)
        .join('\n');
      const expected = 'W1: one worker thread\nW2: another worker thread\n…';
      if (threadsOf.size === 0) {
        const byMain = run.sales.filter((s) => s.thread === 0).length;
        fail(
          byMain > 0
            ? `In ${run.label} no sale line came from a worker thread: the main thread wrote ${byMain} of the ${run.sales.length}. Each window is its own node:worker_threads worker that prints its own lines.`
            : `In ${run.label} none of the ${run.sales.length} sale lines could be credited to a thread: write them with fs.writeSync(1, …) from the window's worker (and keep the workers' execArgv as Node sets it, so the grader's tap runs in them).`,
          { expected, actual: byMain > 0 ? `all sales written by the main thread` : '(no thread credited)' },
        );
      }
      for (const [window, threads] of [...threadsOf.entries()].sort(([a], [b]) => a - b)) {
        if (threads.size > 1) {
          fail(`In ${run.label} the lines of W${window} came from ${threadList(threads)}: one window is one worker thread, which prints all of its lines.`, { expected, actual: summary });
        }
      }
      const windowsOf = new Map<number, number[]>();
      for (const [window, threads] of threadsOf) {
        const thread = [...threads][0]!;
        windowsOf.set(thread, [...(windowsOf.get(thread) ?? []), window]);
      }
      for (const [thread, windows] of [...windowsOf.entries()].sort(([a], [b]) => a - b)) {
        if (windows.length > 1) {
          fail(
            `In ${run.label} ${list(windows.sort((a, b) => a - b).map((w) => `W${w}`))} were all sold by ${threadName(thread)}: each window is its own worker thread (start WINDOWS workers, one per window).`,
            { expected, actual: summary },
          );
        }
      }
    },
  },
  {
    id: 'roles.main-sells-nothing',
    title: 'The main thread writes none of the sale lines',
    points: 5,
    async run(ctx) {
      const run = await defaultRun(ctx);
      requireSales(run, 'who sold');
      const workers = byWorkers(run);
      const byMain = run.sales.filter((s) => s.thread === 0);
      if (workers.length === 0) {
        fail(
          `In ${run.label} no worker thread wrote a sale line${byMain.length > 0 ? ` (the main thread wrote ${byMain.length} of ${run.sales.length})` : ' (none could be credited to any thread)'}: the windows are worker threads that print their own lines, so there is no sale by a window to set the main thread apart from.`,
          { expected: 'sale lines written by worker threads, none by the main thread', actual: `by worker threads: 0\nby the main thread: ${byMain.length}` },
        );
      }
      if (byMain.length > 0) {
        const windows = [...new Set(byMain.map((s) => s.window))].sort((a, b) => a - b);
        fail(
          `In ${run.label} the main thread wrote ${byMain.length} of the ${run.sales.length} sale lines (${list(windows.map((w) => `W${w}`))}; e.g. ${quote(byMain[0]!.text)}, line ${byMain[0]!.line}). Every window is a worker thread; the main thread only opens the windows, waits for them and prints ${SOLD_OUT}. (A worker's console.log relayed by the main thread is credited to the worker, not to the main thread.)`,
          { expected: 'the main thread writes no sale line', actual: `by the main thread: ${byMain.length}, by worker threads: ${workers.length}` },
        );
      }
    },
  },
  {
    id: 'open.together',
    title: 'No ticket is sold before all WINDOWS window threads have started',
    points: 5,
    async run(ctx) {
      const run = await defaultRun(ctx);
      requireSales(run, 'when the first ticket was sold');
      const timed = run.sales.filter((s) => s.index !== undefined);
      const starts = run.events.filter((e) => e.kind === 'start' && e.thread !== 0);
      if (timed.length === 0 || starts.length === 0) {
        fail(
          `In ${run.label} the tap ${timed.length === 0 ? 'saw no thread write a sale line' : 'saw no worker thread start'}, so it cannot tell whether the windows opened together. Write the lines with fs.writeSync(1, …) from the windows' workers, and keep the workers' execArgv as Node sets it (the grader's tap runs in every thread).`,
        );
      }
      const first = timed.reduce((a, b) => (b.index! < a.index! ? b : a));
      const k = run.settings.windows;
      const startedBefore = starts.filter((e) => e.index < first.index!);
      // The window threads: the worker threads that sold. When no worker wrote a sale line (the
      // main thread printed the lines for them), every worker thread counts, and K must have started.
      const sellers = [...new Set(byWorkers(run).map((s) => s.thread!))].sort((a, b) => a - b);
      const late = sellers.filter((t) => !startedBefore.some((e) => e.thread === t));
      const tooFew = sellers.length === 0 && startedBefore.length < k;
      const firstSale = `W${first.window} (${threadName(first.thread)}) sold ${first.text.replace(/^.*?(T\d+)\s*$/, '$1')}`;
      const fix = `No window may sell before all ${k} are open: have each window arrive at a barrier first (Atomics.add on a shared counter, then Atomics.wait until it reaches WINDOWS; the last to arrive calls Atomics.notify), or have the windows say from their own code that they are ready and wait for a go (a worker's 'online' event comes before its module has even been loaded).`;
      const heldNote = 'The grader held every worker thread but the first back at start until the first one wrote a line or waited (at most 3 s), as a busy machine might.';
      if (late.length > 0 || tooFew) {
        const lateNames = late.map((t) => {
          const sale = run.sales.find((s) => s.thread === t);
          return `${threadName(t)}${sale ? ` (W${sale.window})` : ''}`;
        });
        fail(
          `In ${run.label} ${firstSale} when ${late.length > 0 ? `${list(lateNames, 5)}, which sold later, had not started yet (${startedBefore.length} worker thread(s) had)` : `only ${startedBefore.length} of the ${k} window threads had started`}. ${heldNote} ${fix}`,
          {
            expected: `${k} worker threads started, then the first sale`,
            actual: `started before the first sale: ${startedBefore.length > 0 ? threadList(startedBefore.map((e) => e.thread)) : 'none'}\nfirst sale: line ${first.line}, ${quote(first.text)}\nstarted after it: ${late.length > 0 ? threadList(late) : '(windows that sold all started before)'}`,
          },
        );
      }
    },
  },
  {
    id: 'sale.concurrent',
    /** Needs the machine to itself (timing): first sale to last under half of TICKETS × SALE_MS, a wall-clock ratio. */
    exclusive: true,
    title: 'The windows sell at the same time: first sale to last under half of TICKETS × SALE_MS (10 windows, 60 tickets, 100 ms)',
    points: 10,
    async run(ctx) {
      await defaultRun(ctx);
      const run = await concurrentRun(ctx);
      requireSales(run, 'how long the sales took');
      // The sales made once every window thread had started: whether the windows open together
      // is open.together's business (without a barrier, on a loaded machine, the first window
      // sells alone while the others are still starting).
      const sellers = new Set(byWorkers(run).map((s) => s.thread!));
      const windowStarts = run.events.filter((e) => e.kind === 'start' && e.thread !== 0 && (sellers.size === 0 || sellers.has(e.thread)));
      const lastStart = windowStarts.reduce((a, e) => Math.max(a, e.index), -1);
      const timed = run.sales.filter((s) => s.at !== undefined && s.index !== undefined && s.index > lastStart);
      const before = run.sales.filter((s) => s.index !== undefined && s.index < lastStart).length;
      if (timed.length < 10) {
        fail(
          `In ${run.label} only ${timed.length} sale(s) were timed after the last window thread had started${before > 0 ? ` (${before} came before it: the windows did not open together, see open.together)` : ''}, too few to tell whether the windows sell at the same time. The tap times the writes of fs.writeSync, process.stdout.write and console.log in every thread.`,
          { actual: renderSummary(run) },
        );
      }
      const first = timed.reduce((a, b) => (b.at! < a.at! ? b : a));
      const last = timed.reduce((a, b) => (b.at! > a.at! ? b : a));
      const span = last.at! - first.at!;
      const { saleMs, windows } = run.settings;
      // (sales − 1) × SALE_MS / 2: half of TICKETS × SALE_MS for the TICKETS sales of a correct
      // program, scaled to the sales a program actually made (one that sells a ticket twice is
      // judged for that in sales.order, not here).
      const limit = ((timed.length - 1) * saleMs) / 2;
      const perSale = span / (timed.length - 1);
      ctx.note(
        `${run.label}: ${timed.length} sales in ${Math.round(span)} ms (${perSale.toFixed(2)} ms per sale; limit ${Math.round(limit)} ms; one window at a time would take about ${(timed.length - 1) * saleMs} ms)${before > 0 ? `; ${before} sale(s) before the last window thread started are not counted` : ''}.`,
      );
      if (span >= limit) {
        fail(
          `In ${run.label} the ${timed.length} sales${before > 0 ? ` after the last window thread started` : ''} took ${Math.round(span)} ms from the first (line ${first.line}, ${quote(first.text)}) to the last (line ${last.line}): ${perSale.toFixed(1)} ms per sale, as if one window sold at a time. ${windows} windows that each pause ${saleMs} ms after a sale without holding the lock need about ${Math.round(((timed.length - 1) * saleMs) / windows)} ms; the limit is half of TICKETS × SALE_MS, ${Math.round(limit)} ms. Release the lock before the pause (or, with messages, hand out the next ticket without waiting for the window's pause).`,
          { expected: `first sale to last under ${Math.round(limit)} ms`, actual: `${Math.round(span)} ms (${perSale.toFixed(1)} ms per sale)` },
        );
      }
    },
  },
  {
    id: 'sale.every-window',
    title: 'Every window sells at least one ticket (SALE_MS ≥ 10, TICKETS ≥ 10 × WINDOWS)',
    points: 5,
    async run(ctx) {
      const run = await defaultRun(ctx);
      requireSales(run, 'which windows sold');
      const k = run.settings.windows;
      const counts = new Map<number, number>();
      for (const sale of run.sales) counts.set(sale.window, (counts.get(sale.window) ?? 0) + 1);
      const idle = Array.from({ length: k }, (_, i) => i + 1).filter((w) => !counts.has(w));
      const table = Array.from({ length: k }, (_, i) => `W${i + 1}: ${counts.get(i + 1) ?? 0}`).join('\n');
      if (idle.length > 0) {
        const busiest = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
        fail(
          `In ${run.label} ${list(idle.map((w) => `W${w}`))} sold no ticket${busiest ? ` (W${busiest[0]} sold ${busiest[1]} of ${run.sales.length})` : ''}. With SALE_MS = ${run.settings.saleMs} ms and at least 10 tickets per window every window gets its turns, if each pauses after a sale without holding the lock: a window that keeps the lock through its pause, or never pauses, takes the tickets from the others.`,
          { expected: Array.from({ length: k }, (_, i) => `W${i + 1}: at least 1`).join('\n'), actual: table },
        );
      }
    },
  },
  {
    id: 'env.tickets',
    title: 'TICKETS is respected: TICKETS=0 sells nothing, other values sell exactly T1…TN',
    points: 5,
    async run(ctx) {
      await defaultRun(ctx);
      const { noTickets, oneWindow } = await envRuns(ctx);
      const soldOut = noTickets.lines.includes(SOLD_OUT);
      if (!soldOut || noTickets.sales.length > 0) {
        const end = describeEnd(noTickets);
        fail(
          noTickets.sales.length > 0
            ? `With TICKETS=0 the program sold ${noTickets.sales.length} ticket(s) (${quote(noTickets.sales[0]!.text)} first): there are no tickets, so stdout is only ${SOLD_OUT}. Read TICKETS from the environment, and mind that 0 is a valid value (\`Number(process.env.TICKETS) || 500\` turns 0 into 500; test for an unset variable instead).`
            : `With TICKETS=0 stdout has no ${SOLD_OUT}${end ? ` (${end})` : ''}: with no ticket to sell, the windows end at once and the main thread prints ${SOLD_OUT}.`,
          { expected: SOLD_OUT, actual: renderSummary(noTickets) },
        );
      }
      requireSales(oneWindow, 'whether TICKETS was read');
      const n = oneWindow.settings.tickets;
      const tickets = new Set(oneWindow.sales.map((s) => s.ticket));
      const beyond = [...tickets].filter((t) => t > n).sort((a, b) => a - b);
      const missing = Array.from({ length: n }, (_, i) => i + 1).filter((t) => !tickets.has(t));
      if (beyond.length > 0 || missing.length > 0) {
        fail(
          `With ${describeSettings(oneWindow.settings)} the program ${beyond.length > 0 ? `sold ${list(beyond.map((t) => `T${t}`), 3)} beyond T${n}` : `never sold ${list(missing.map((t) => `T${t}`), 5)}`} (${oneWindow.sales.length} sale lines in all): sell exactly T1 to T${n}. Read TICKETS from the environment (default 500 only when it is unset).`,
          { expected: `W1 --- T1\n…\nW1 --- T${n}\n${SOLD_OUT}`, actual: renderSummary(oneWindow) },
        );
      }
    },
  },
  {
    id: 'env.windows',
    title: 'WINDOWS is respected: WINDOWS=1 and other values open exactly W1…WK, one worker thread each',
    points: 5,
    async run(ctx) {
      await defaultRun(ctx);
      const { oneWindow, windows } = await envRuns(ctx);
      for (const run of [oneWindow, windows]) {
        requireSales(run, 'which windows sold');
        const k = run.settings.windows;
        const names = [...new Set(run.sales.map((s) => s.window))].sort((a, b) => a - b);
        const extra = names.filter((w) => w < 1 || w > k);
        const threads = new Set(byWorkers(run).map((s) => s.thread!));
        if (extra.length > 0) {
          fail(
            `With ${describeSettings(run.settings)} the windows ${list(extra.map((w) => `W${w}`))} sold tickets; there are ${k} window(s), W1${k > 1 ? ` to W${k}` : ''}. Read WINDOWS from the environment (default 10 only when it is unset) and open that many windows.`,
            { expected: `windows W1${k > 1 ? `…W${k}` : ''}`, actual: `windows that sold: ${list(names.map((w) => `W${w}`), 20)}` },
          );
        }
        if (threads.size > k) {
          fail(
            `With ${describeSettings(run.settings)} ${threads.size} worker threads wrote sale lines; there are ${k} window(s), one worker thread each. Read WINDOWS from the environment and start that many window workers.`,
            { expected: `at most ${k} worker thread(s) selling`, actual: threadList(threads) },
          );
        }
      }
    },
  },
  {
    id: 'env.sale-ms',
    /** Needs the machine to itself (timing): the mean pause between a window's sales within 0.9–3 × SALE_MS. */
    exclusive: true,
    title: 'SALE_MS is respected: one window pauses SALE_MS ms after each sale',
    points: 5,
    async run(ctx) {
      await defaultRun(ctx);
      const { oneWindow: run } = await envRuns(ctx);
      requireSales(run, 'the pause after each sale');
      // The time between one window's consecutive sales: its pause (and a lock, a write). Summed
      // over the windows, so a program that opened more windows than asked is judged for its
      // pauses all the same (its window count is env.windows' business).
      const byWindow = new Map<number, number[]>();
      for (const sale of run.sales) if (sale.at !== undefined) byWindow.set(sale.window, [...(byWindow.get(sale.window) ?? []), sale.at]);
      let gaps = 0;
      let span = 0;
      for (const times of byWindow.values()) {
        times.sort((a, b) => a - b);
        gaps += times.length - 1;
        span += times.at(-1)! - times[0]!;
      }
      if (gaps === 0) {
        fail(`With ${describeSettings(run.settings)} the tap timed no two sales of one window, so it cannot tell the pause between sales${describeEnd(run) ? ` (${describeEnd(run)})` : ''}.`, {
          actual: renderSummary(run),
        });
      }
      const s = run.settings.saleMs;
      const mean = span / gaps;
      const low = 0.9 * s;
      const high = 3 * s + 30;
      ctx.note(`${run.label}: ${gaps} gap(s) between a window's sales, ${mean.toFixed(1)} ms on average (SALE_MS=${s}; accepted ${low.toFixed(1)}–${high} ms).`);
      if (mean < low || mean > high) {
        fail(
          `With ${describeSettings(run.settings)} a window's consecutive sales came ${mean.toFixed(1)} ms apart on average (${gaps} gap(s)); after each sale a window pauses SALE_MS = ${s} ms (accepted: ${low.toFixed(1)} to ${high} ms on average). ${mean < low ? 'Read SALE_MS from the environment (default 10 only when it is unset) and pause that long after every sale.' : 'SALE_MS is in milliseconds: pause that long after each sale, once.'}`,
          { expected: `about ${s} ms between a window's sales`, actual: `${mean.toFixed(1)} ms on average` },
        );
      }
    },
  },
  {
    id: 'sales.under-load',
    /** Needs the machine to itself (timing): puts its own load on the cores and judges the order under it. */
    exclusive: true,
    title: `The ticket order holds on every one of ${LOADED_RUNS} runs on a busy machine (TICKETS=1000 WINDOWS=8 SALE_MS=0), paused and resumed at random moments`,
    points: 10,
    timeoutMs: 240_000,
    async run(ctx) {
      const first = await defaultRun(ctx);
      if (first.sales.length === 0) {
        fail(`${first.label} sold nothing (see sales.order), so there is nothing to judge on a busy machine. ${NO_SALES_HINT}`, { actual: renderSummary(first) });
      }
      const stopLoad = startLoad(ctx);
      let runs: Run[];
      try {
        const plans = Array.from({ length: LOADED_RUNS }, () => planPauses(ctx.random));
        runs = await runMany(LOADED_RUNS, LOADED_PARALLEL, (i) =>
          runOnce(ctx, { label: `loaded run ${i + 1}`, settings: LOADED, jitterMs: LOADED_JITTER_MS, pauses: plans[i]!, loaded: true }),
        );
      } finally {
        await stopLoad();
      }
      const judged = runs.map((run) => ({ run, problem: run.sales.length === 0 ? undefined : sequenceProblem(run) }));
      const wrong = judged.filter((j) => j.run.sales.length === 0 || j.problem !== undefined);
      ctx.note(
        `${runs.length - wrong.length} of ${runs.length} runs with ${describeSettings(LOADED)} on a busy machine (busy loops on every core, ${LOADED_PARALLEL} runs at a time, writes delayed by up to ${LOADED_JITTER_MS} ms, each run paused up to twice for 1100–1400 ms once it had started printing; ${runs.reduce((sum, r) => sum + r.pausesDone, 0)} pauses in all) sold every ticket once, in order. Run times: ${runs.map((r) => `${Math.round(r.program.exit.durationMs)} ms`).join(', ')}.`,
      );
      const bad = wrong[0];
      if (!bad) return;
      const { run, problem } = bad;
      const done = run.pauses.slice(0, run.pausesDone).map((p) => `${p.length} ms`);
      const pauses = done.length === 0 ? 'not paused: it ended before its first pause' : `paused for ${done.join(' and ')}`;
      const what = problem
        ? `${problem.message}${run.stoppedEarly ? ' (The grader stopped this run 0.5 s after its first wrong line: the counts cover what it printed until then.)' : ''}`
        : `it printed no sale line${describeEnd(run) ? ` (${describeEnd(run)})` : ''}.`;
      fail(
        `${wrong.length} of ${runs.length} runs with ${describeSettings(LOADED)} on a busy machine went wrong, only ${runs.length - wrong.length} were right. In ${run.label} (${pauses}): ${what} The order must hold on every run: a lock every window takes for the whole take-and-print step, not a timeout or a sleep standing in for it.`,
        problem ? { expected: problem.expected, actual: problem.actual } : { actual: renderSummary(run) },
      );
    },
  },
];
