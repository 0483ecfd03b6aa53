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
import { text } from './messages.ts';

const { t } = text;

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
    const run = await runOnce(ctx, { label: t('label.default'), settings: settingsOf({}), hold: true, jitterMs: JITTER_MS });
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
      label: t('label.with', { settings: 'TICKETS=60 WINDOWS=10 SALE_MS=100' }),
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
      runOnce(ctx, { label: t('label.with', { settings: describeSettings(plans[i]!) }), settings: plans[i]!, startupMs, ...hang }),
    );
    return { noTickets: noTickets!, oneWindow: oneWindow!, windows: windows! };
  });
}

function fail(message: string, detail: { expected?: string; actual?: string } = {}): never {
  throw new CheckFailure(message, detail);
}

/** A clause in brackets (how a run ended), or '' when there is none. */
const bracketed = (clause: string) => (clause ? t('brackets', { clause }) : '');

type What = 'form' | 'order' | 'threads' | 'who' | 'first' | 'duration' | 'windows' | 'tickets' | 'pause';

/** Presence: the run printed at least one sale line, else the check fails saying so. */
function requireSales(run: Run, what: What): void {
  if (run.sales.length > 0) return;
  fail(
    t('noSales', { run: run.label, settings: describeSettings(run.settings), end: bracketed(describeEnd(run)), what: t(`what.${what}`), hint: t('noSales.hint') }),
    { expected: t('noSales.expected'), actual: renderSummary(run) },
  );
}

/** Sales credited to a worker thread. */
const byWorkers = (run: Run): Sale[] => run.sales.filter((s) => s.thread !== undefined && s.thread !== 0);

export const checks: CheckDefinition[] = [
  {
    id: 'run.exit',
    /** Needs the machine to itself (timing): exit within a time budget; first in plan order, it runs the shared timed runs alone. */
    exclusive: true,
    get title() {
      return t('run.exit.title');
    },
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
        const startup = t('exit.allowanceStartup', { ms: { ms: run.startupMs } });
        const extra = run.allowanceMs > 0 ? t('exit.allowanceBoth', { hold: t('exit.allowanceHold', { ms: { ms: run.allowanceMs } }), startup }) : startup;
        const total = run.deadlineMs + run.allowanceMs + run.startupMs;
        const budget = t('exit.budget', {
          total: { ms: total },
          tickets: String(run.settings.tickets),
          saleMs: String(run.settings.saleMs),
          windows: String(run.settings.windows),
          deadline: { ms: run.deadlineMs },
          extra,
        });
        if (program.killedFor !== undefined) {
          const soldOut = run.lines.includes(SOLD_OUT) ? t('exit.soldOutPrinted') : t('exit.noSoldOut');
          fail(t('exit.hung', { settings, budget, n: run.sales.length, soldOut }), {
            expected: t('exit.hung.expected', { ms: { ms: total } }),
            actual: `${t('exit.hung.actual', { ms: { ms: Math.round(program.exit.durationMs) } })}\n${renderSummary(run)}`,
          });
        }
        if (program.exit.exitCode !== 0 || program.exit.signal !== null) {
          const how = describeEnd(run);
          fail(t('exit.failed', { settings, how }), {
            expected: t('exit.failed.expected'),
            actual: `${how}\n${program.stderr.trim().split('\n').slice(-15).join('\n')}`,
          });
        }
        if (run === first && run.sales.length === 0) {
          fail(t('exit.noSale', { settings, ms: { ms: Math.round(program.exit.durationMs) }, hint: t('noSales.hint') }), {
            expected: t('exit.noSale.expected', { tickets: run.settings.tickets }),
            actual: renderSummary(run),
          });
        }
      }
      ctx.note(
        t('exit.note', {
          times: all
            .map((r) => t('exit.noteRun', { settings: describeSettings(r.settings), ms: { ms: Math.round(r.program.exit.durationMs) }, startup: { ms: r.startupMs } }))
            .join(t('exit.noteSep')),
        }),
      );
    },
  },
  {
    id: 'output.lines',
    get title() {
      return t('output.lines.title');
    },
    points: 5,
    async run(ctx) {
      const run = await defaultRun(ctx);
      requireSales(run, 'form');
      const k = run.settings.windows;
      const bad: Array<{ line: number; text: string; why: string }> = [];
      run.lines.forEach((text, i) => {
        if (text === SOLD_OUT) return;
        const sale = parseSale(text);
        let why: string | undefined;
        if (!sale) {
          why = text === '' ? t('lines.empty') : t('lines.neither');
        } else if (!sale.exact) {
          why = t('lines.inexact');
        } else if (sale.window < 1 || sale.window > k) {
          why = t('lines.range', { k: String(k) });
        }
        if (why) bad.push({ line: i + 1, text, why });
      });
      // A window numbered 0 does not parse as exact (`W0`): say so plainly.
      for (const b of bad) if (/^W0+ --- T/.test(b.text)) b.why = t('lines.zero', { k: String(k) });
      const first = bad[0];
      if (!first) return;
      const where = { run: run.label, line: String(first.line), text: quote(first.text), why: first.why };
      fail(bad.length > 1 ? t('lines.badMany', { ...where, count: bad.length }) : t('lines.bad', where), {
        expected: t('lines.expected', { k: String(k) }),
        actual: around(run.lines, first.line),
      });
    },
  },
  {
    id: 'output.sold-out',
    get title() {
      return t('output.sold-out.title');
    },
    points: 10,
    async run(ctx) {
      const run = await defaultRun(ctx);
      const at = run.lines.map((l, i) => (l === SOLD_OUT ? i + 1 : 0)).filter((i) => i > 0);
      const last = run.lines.length;
      if (at.length === 0) {
        const end = bracketed(describeEnd(run));
        fail(
          run.lines.length > 0
            ? t('soldOut.missingLast', { run: run.label, end, last: quote(run.lines.at(-1)) })
            : t('soldOut.missing', { run: run.label, end }),
          { expected: t('soldOut.missing.expected'), actual: around(run.lines, last) },
        );
      }
      if (at.length > 1) {
        fail(t('soldOut.many', { run: run.label, n: at.length, lines: list(at.map(String)) }), {
          expected: t('soldOut.many.expected'),
          actual: around(run.lines, at[1]!),
        });
      }
      const line = at[0]!;
      if (line !== last) {
        fail(t('soldOut.notLast', { run: run.label, line: String(line), last: String(last), after: last - line, next: quote(run.lines[line]) }), {
          expected: t('soldOut.notLast.expected'),
          actual: around(run.lines, line),
        });
      }
      const written = run.written.filter((w) => w.text === SOLD_OUT);
      const source = written[0];
      if (!source) {
        fail(t('soldOut.unseen', { run: run.label }));
      }
      if (source.thread !== 0) {
        const sold = run.sales.find((s) => s.thread === source.thread);
        const thread = threadName(source.thread);
        fail(sold ? t('soldOut.byWindow', { run: run.label, thread, window: String(sold.window) }) : t('soldOut.byWorker', { run: run.label, thread }), {
          expected: t('soldOut.byWorker.expected'),
          actual: t('soldOut.byWorker.actual', { thread }),
        });
      }
      // Every window thread must have ended before: the worker threads that sold (or, when the
      // main thread printed the sales, every worker thread that started).
      const sellers = new Set(byWorkers(run).map((s) => s.thread!));
      const windows = sellers.size > 0 ? sellers : new Set(run.events.filter((e) => e.kind === 'start' && e.thread !== 0).map((e) => e.thread));
      const windowOf = (thread: number) => {
        const sale = run.sales.find((s) => s.thread === thread);
        return sale ? t('soldOut.windowOf', { window: String(sale.window), thread: threadName(thread) }) : threadName(thread);
      };
      const open: string[] = [];
      for (const thread of [...windows].sort((a, b) => a - b)) {
        const end = run.events.find((e) => e.kind === 'end' && e.thread === thread);
        if (!end) open.push(t('soldOut.neverEnded', { window: windowOf(thread) }));
        else if (end.index > source.index) open.push(t('soldOut.endedLater', { window: windowOf(thread), ms: { ms: Math.max(0, Math.round(end.at - (source.at ?? end.at))) } }));
      }
      if (open.length > 0) {
        fail(t('soldOut.early', { run: run.label, n: open.length, open: list(open, 4) }), {
          expected: t('soldOut.early.expected'),
          actual: t('soldOut.early.actual', { ms: { ms: Math.round(source.at ?? 0) }, open: list(open, 10) }),
        });
      }
    },
  },
  {
    id: 'sales.order',
    get title() {
      return t('sales.order.title');
    },
    points: 15,
    async run(ctx) {
      const run = await defaultRun(ctx);
      requireSales(run, 'order');
      const problem = sequenceProblem(run);
      ctx.note(t('order.note', { run: run.label, n: run.sales.length, ms: { ms: JITTER_MS } }));
      if (problem) fail(t('order.wrong', { run: run.label, settings: describeSettings(run.settings), problem: problem.message }), { expected: problem.expected, actual: problem.actual });
    },
  },
  {
    id: 'roles.window-threads',
    get title() {
      return t('roles.window-threads.title');
    },
    points: 10,
    async run(ctx) {
      const run = await defaultRun(ctx);
      requireSales(run, 'threads');
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
      const expected = t('threads.expected');
      if (threadsOf.size === 0) {
        const byMain = run.sales.filter((s) => s.thread === 0).length;
        fail(
          byMain > 0
            ? t('threads.byMain', { run: run.label, n: byMain, total: run.sales.length })
            : t('threads.uncredited', { run: run.label, total: run.sales.length }),
          { expected, actual: byMain > 0 ? t('threads.byMain.actual') : t('threads.uncredited.actual') },
        );
      }
      for (const [window, threads] of [...threadsOf.entries()].sort(([a], [b]) => a - b)) {
        if (threads.size > 1) {
          fail(t('threads.split', { run: run.label, window: String(window), threads: threadList(threads) }), { expected, actual: summary });
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
            t('threads.shared', { run: run.label, windows: list(windows.sort((a, b) => a - b).map((w) => `W${w}`)), thread: threadName(thread) }),
            { expected, actual: summary },
          );
        }
      }
    },
  },
  {
    id: 'roles.main-sells-nothing',
    get title() {
      return t('roles.main-sells-nothing.title');
    },
    points: 5,
    async run(ctx) {
      const run = await defaultRun(ctx);
      requireSales(run, 'who');
      const workers = byWorkers(run);
      const byMain = run.sales.filter((s) => s.thread === 0);
      if (workers.length === 0) {
        fail(
          byMain.length > 0
            ? t('main.noWorker', { run: run.label, n: byMain.length, total: run.sales.length })
            : t('main.noneCredited', { run: run.label }),
          { expected: t('main.noWorker.expected'), actual: t('main.noWorker.actual', { n: byMain.length }) },
        );
      }
      if (byMain.length > 0) {
        const windows = [...new Set(byMain.map((s) => s.window))].sort((a, b) => a - b);
        fail(
          t('main.sells', {
            run: run.label,
            n: byMain.length,
            total: run.sales.length,
            windows: list(windows.map((w) => `W${w}`)),
            text: quote(byMain[0]!.text),
            line: String(byMain[0]!.line),
          }),
          { expected: t('main.sells.expected'), actual: t('main.sells.actual', { n: byMain.length, workers: workers.length }) },
        );
      }
    },
  },
  {
    id: 'open.together',
    get title() {
      return t('open.together.title');
    },
    points: 5,
    async run(ctx) {
      const run = await defaultRun(ctx);
      requireSales(run, 'first');
      const timed = run.sales.filter((s) => s.index !== undefined);
      const starts = run.events.filter((e) => e.kind === 'start' && e.thread !== 0);
      if (timed.length === 0 || starts.length === 0) {
        fail(timed.length === 0 ? t('together.noSaleSeen', { run: run.label }) : t('together.noStartSeen', { run: run.label }));
      }
      const first = timed.reduce((a, b) => (b.index! < a.index! ? b : a));
      const k = run.settings.windows;
      const startedBefore = starts.filter((e) => e.index < first.index!);
      // The window threads: the worker threads that sold. When no worker wrote a sale line (the
      // main thread printed the lines for them), every worker thread counts, and K must have started.
      const sellers = [...new Set(byWorkers(run).map((s) => s.thread!))].sort((a, b) => a - b);
      const late = sellers.filter((t) => !startedBefore.some((e) => e.thread === t));
      const tooFew = sellers.length === 0 && startedBefore.length < k;
      const firstSale = t('together.firstSale', { window: String(first.window), thread: threadName(first.thread), ticket: first.text.replace(/^.*?(T\d+)\s*$/, '$1') });
      const fix = t('together.fix', { k: String(k) });
      const heldNote = t('together.held');
      if (late.length > 0 || tooFew) {
        const lateNames = late.map((thread) => {
          const sale = run.sales.find((s) => s.thread === thread);
          return sale ? t('together.lateName', { thread: threadName(thread), window: String(sale.window) }) : threadName(thread);
        });
        fail(
          late.length > 0
            ? t('together.late', { run: run.label, firstSale, late: list(lateNames, 5), n: startedBefore.length, held: heldNote, fix })
            : t('together.tooFew', { run: run.label, firstSale, n: startedBefore.length, k: String(k), held: heldNote, fix }),
          {
            expected: t('together.expected', { k: String(k) }),
            actual: t('together.actual', {
              before: startedBefore.length > 0 ? threadList(startedBefore.map((e) => e.thread)) : t('list.none'),
              line: String(first.line),
              text: quote(first.text),
              after: late.length > 0 ? threadList(late) : t('together.allBefore'),
            }),
          },
        );
      }
    },
  },
  {
    id: 'sale.concurrent',
    /** Needs the machine to itself (timing): first sale to last under half of TICKETS × SALE_MS, a wall-clock ratio. */
    exclusive: true,
    get title() {
      return t('sale.concurrent.title');
    },
    points: 10,
    async run(ctx) {
      await defaultRun(ctx);
      const run = await concurrentRun(ctx);
      requireSales(run, 'duration');
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
          before > 0 ? t('concurrent.fewTimedBefore', { run: run.label, n: timed.length, before }) : t('concurrent.fewTimed', { run: run.label, n: timed.length }),
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
      const timing = {
        run: run.label,
        n: timed.length,
        span: { ms: Math.round(span) },
        perSale: perSale.toFixed(2),
        limit: { ms: Math.round(limit) },
        serial: { ms: (timed.length - 1) * saleMs },
      };
      ctx.note(before > 0 ? t('concurrent.noteBefore', { ...timing, before }) : t('concurrent.note', timing));
      if (span >= limit) {
        const slow = {
          run: run.label,
          n: timed.length,
          span: { ms: Math.round(span) },
          firstLine: String(first.line),
          firstText: quote(first.text),
          lastLine: String(last.line),
          perSale: perSale.toFixed(1),
          windows: String(windows),
          saleMs: { ms: saleMs },
          need: { ms: Math.round(((timed.length - 1) * saleMs) / windows) },
          limit: { ms: Math.round(limit) },
        };
        fail(before > 0 ? t('concurrent.slowAfter', slow) : t('concurrent.slow', slow), {
          expected: t('concurrent.expected', { limit: { ms: Math.round(limit) } }),
          actual: t('concurrent.actual', { span: { ms: Math.round(span) }, perSale: perSale.toFixed(1) }),
        });
      }
    },
  },
  {
    id: 'sale.every-window',
    get title() {
      return t('sale.every-window.title');
    },
    points: 5,
    async run(ctx) {
      const run = await defaultRun(ctx);
      requireSales(run, 'windows');
      const k = run.settings.windows;
      const counts = new Map<number, number>();
      for (const sale of run.sales) counts.set(sale.window, (counts.get(sale.window) ?? 0) + 1);
      const idle = Array.from({ length: k }, (_, i) => i + 1).filter((w) => !counts.has(w));
      const table = Array.from({ length: k }, (_, i) => `W${i + 1}: ${counts.get(i + 1) ?? 0}`).join('\n');
      if (idle.length > 0) {
        const busiest = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
        const idleWindows = { run: run.label, idle: list(idle.map((w) => `W${w}`)), saleMs: { ms: run.settings.saleMs } };
        fail(
          busiest
            ? t('every.idleBusiest', { ...idleWindows, busiest: String(busiest[0]), count: busiest[1], total: run.sales.length })
            : t('every.idle', idleWindows),
          { expected: Array.from({ length: k }, (_, i) => t('every.expectedRow', { window: String(i + 1) })).join('\n'), actual: table },
        );
      }
    },
  },
  {
    id: 'env.tickets',
    get title() {
      return t('env.tickets.title');
    },
    points: 5,
    async run(ctx) {
      await defaultRun(ctx);
      const { noTickets, oneWindow } = await envRuns(ctx);
      const soldOut = noTickets.lines.includes(SOLD_OUT);
      if (!soldOut || noTickets.sales.length > 0) {
        fail(
          noTickets.sales.length > 0
            ? t('tickets.zeroSold', { n: noTickets.sales.length, first: quote(noTickets.sales[0]!.text) })
            : t('tickets.zeroNoSoldOut', { end: bracketed(describeEnd(noTickets)) }),
          { expected: SOLD_OUT, actual: renderSummary(noTickets) },
        );
      }
      requireSales(oneWindow, 'tickets');
      const n = oneWindow.settings.tickets;
      const tickets = new Set(oneWindow.sales.map((s) => s.ticket));
      const beyond = [...tickets].filter((t) => t > n).sort((a, b) => a - b);
      const missing = Array.from({ length: n }, (_, i) => i + 1).filter((t) => !tickets.has(t));
      if (beyond.length > 0 || missing.length > 0) {
        const settings = describeSettings(oneWindow.settings);
        fail(
          beyond.length > 0
            ? t('tickets.beyond', { settings, list: list(beyond.map((b) => `T${b}`), 3), n: String(n), total: oneWindow.sales.length })
            : t('tickets.missing', { settings, list: list(missing.map((m) => `T${m}`), 5), n: String(n), total: oneWindow.sales.length }),
          { expected: `W1 --- T1\n…\nW1 --- T${n}\n${SOLD_OUT}`, actual: renderSummary(oneWindow) },
        );
      }
    },
  },
  {
    id: 'env.windows',
    get title() {
      return t('env.windows.title');
    },
    points: 5,
    async run(ctx) {
      await defaultRun(ctx);
      const { oneWindow, windows } = await envRuns(ctx);
      for (const run of [oneWindow, windows]) {
        requireSales(run, 'windows');
        const k = run.settings.windows;
        const names = [...new Set(run.sales.map((s) => s.window))].sort((a, b) => a - b);
        const extra = names.filter((w) => w < 1 || w > k);
        const threads = new Set(byWorkers(run).map((s) => s.thread!));
        if (extra.length > 0) {
          fail(
            t('windows.extra', {
              settings: describeSettings(run.settings),
              extra: list(extra.map((w) => `W${w}`)),
              k: k,
              range: k > 1 ? t('windows.rangeK', { k: String(k) }) : t('windows.range1'),
            }),
            {
              expected: k > 1 ? t('windows.extra.expectedK', { k: String(k) }) : t('windows.extra.expected1'),
              actual: t('windows.extra.actual', { list: list(names.map((w) => `W${w}`), 20) }),
            },
          );
        }
        if (threads.size > k) {
          fail(t('windows.threads', { settings: describeSettings(run.settings), n: threads.size, k }), {
            expected: t('windows.threads.expected', { k }),
            actual: threadList(threads),
          });
        }
      }
    },
  },
  {
    id: 'env.sale-ms',
    /** Needs the machine to itself (timing): the mean pause between a window's sales within 0.9–3 × SALE_MS. */
    exclusive: true,
    get title() {
      return t('env.sale-ms.title');
    },
    points: 5,
    async run(ctx) {
      await defaultRun(ctx);
      const { oneWindow: run } = await envRuns(ctx);
      requireSales(run, 'pause');
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
        fail(t('saleMs.noGaps', { settings: describeSettings(run.settings), end: bracketed(describeEnd(run)) }), {
          actual: renderSummary(run),
        });
      }
      const s = run.settings.saleMs;
      const mean = span / gaps;
      const low = 0.9 * s;
      const high = 3 * s + 30;
      ctx.note(t('saleMs.note', { run: run.label, gaps, mean: mean.toFixed(1), saleMs: String(s), low: low.toFixed(1), high: String(high) }));
      if (mean < low || mean > high) {
        fail(
          t('saleMs.off', {
            settings: describeSettings(run.settings),
            mean: mean.toFixed(1),
            gaps,
            saleMs: String(s),
            low: low.toFixed(1),
            high: String(high),
            fix: mean < low ? t('saleMs.tooShort') : t('saleMs.tooLong'),
          }),
          { expected: t('saleMs.expected', { saleMs: String(s) }), actual: t('saleMs.actual', { mean: mean.toFixed(1) }) },
        );
      }
    },
  },
  {
    id: 'sales.under-load',
    /** Needs the machine to itself (timing): puts its own load on the cores and judges the order under it. */
    exclusive: true,
    get title() {
      return t('sales.under-load.title', { runs: LOADED_RUNS });
    },
    points: 10,
    timeoutMs: 240_000,
    async run(ctx) {
      const first = await defaultRun(ctx);
      if (first.sales.length === 0) {
        fail(t('load.nothing', { run: first.label, hint: t('noSales.hint') }), { actual: renderSummary(first) });
      }
      const stopLoad = startLoad(ctx);
      let runs: Run[];
      try {
        const plans = Array.from({ length: LOADED_RUNS }, () => planPauses(ctx.random));
        runs = await runMany(LOADED_RUNS, LOADED_PARALLEL, (i) =>
          runOnce(ctx, { label: t('label.loaded', { n: String(i + 1) }), settings: LOADED, jitterMs: LOADED_JITTER_MS, pauses: plans[i]!, loaded: true }),
        );
      } finally {
        await stopLoad();
      }
      const judged = runs.map((run) => ({ run, problem: run.sales.length === 0 ? undefined : sequenceProblem(run) }));
      const wrong = judged.filter((j) => j.run.sales.length === 0 || j.problem !== undefined);
      ctx.note(
        t('load.note', {
          ok: runs.length - wrong.length,
          runs: runs.length,
          settings: describeSettings(LOADED),
          parallel: LOADED_PARALLEL,
          jitter: { ms: LOADED_JITTER_MS },
          pauses: runs.reduce((sum, r) => sum + r.pausesDone, 0),
          times: runs.map((r) => t('load.runTime', { ms: { ms: Math.round(r.program.exit.durationMs) } })).join(t('list.sep')),
        }),
      );
      const bad = wrong[0];
      if (!bad) return;
      const { run, problem } = bad;
      const done = run.pauses.slice(0, run.pausesDone).map((p) => t('load.runTime', { ms: { ms: p.length } }));
      const pauses = done.length === 0 ? t('load.notPaused') : t('load.paused', { pauses: done.length === 1 ? done[0]! : t('list.last', { head: done.slice(0, -1).join(t('list.sep')), last: done.at(-1)! }) });
      const what = problem
        ? run.stoppedEarly
          ? t('load.stoppedEarly', { problem: problem.message })
          : problem.message
        : t('load.noSale', { end: bracketed(describeEnd(run)) });
      fail(
        t('load.wrong', { wrong: wrong.length, runs: runs.length, settings: describeSettings(LOADED), ok: runs.length - wrong.length, run: run.label, pauses, what }),
        problem ? { expected: problem.expected, actual: problem.actual } : { actual: renderSummary(run) },
      );
    },
  },
];
