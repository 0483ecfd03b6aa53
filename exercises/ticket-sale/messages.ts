/**
 * Every text of ticket-sale a student reads, in English and Chinese (see docs/i18n.md).
 * `label.*` name a run ("the default run"); `end.*` say how a run ended, as a clause that the
 * messages put in brackets; `seq.*` are the parts of the ticket-sequence judgement (runs.ts).
 */
import { defineCatalogue } from '../../grader/i18n/catalogue.ts';

export const text = defineCatalogue(
  'ticket-sale',
  {
    // Check titles.
    'run.exit.title': 'main.ts sells and exits with code 0 within 10 s + 2 × TICKETS × SALE_MS / WINDOWS, with every setting',
    'output.lines.title': 'Every stdout line is `W<k> --- T<n>` (k from 1 to WINDOWS) or 票已售罄, nothing else',
    'output.sold-out.title': '票已售罄 is printed once, as the last line, by the main thread after every window has ended',
    'sales.order.title': 'The sale lines are T1, T2, …, TN in ticket order, each ticket once (500 tickets, 10 windows, writes delayed)',
    'roles.window-threads.title': 'Each window sells from one worker thread of its own',
    'roles.main-sells-nothing.title': 'The main thread writes none of the sale lines',
    'open.together.title': 'No ticket is sold before all WINDOWS window threads have started',
    'sale.concurrent.title': 'The windows sell at the same time: first sale to last under half of TICKETS × SALE_MS (10 windows, 60 tickets, 100 ms)',
    'sale.every-window.title': 'Every window sells at least one ticket (SALE_MS ≥ 10, TICKETS ≥ 10 × WINDOWS)',
    'env.tickets.title': 'TICKETS is respected: TICKETS=0 sells nothing, other values sell exactly T1…TN',
    'env.windows.title': 'WINDOWS is respected: WINDOWS=1 and other values open exactly W1…WK, one worker thread each',
    'env.sale-ms.title': 'SALE_MS is respected: one window pauses SALE_MS ms after each sale',
    'sales.under-load.title': 'The ticket order holds on every one of {runs} runs on a busy machine (TICKETS=1000 WINDOWS=8 SALE_MS=0), paused and resumed at random moments',

    // Runs and settings.
    'label.default': 'the default run',
    'label.with': 'the run with {settings}',
    'label.loaded': 'loaded run {n}',
    'settings.allUnset': '{names} unset: {tickets} tickets, {windows} windows, {ms}',
    'settings.someUnset': '{set} ({names} unset)',
    'list.sep': ', ',
    'list.last': '{head} and {last}',
    'list.more': '… ({n} more)',
    'list.none': 'none',
    'thread.main': 'the main thread',
    'thread.worker': 'worker thread {n}',
    'thread.unknown': 'no thread the tap saw',
    'quote.nothing': '(nothing)',
    'quote.empty': '(an empty line)',
    'end.killed': 'it did not exit within {ms} and was stopped after {n} sale line(s)',
    'end.limit': 'it was stopped at the {limit} limit after {n} sale line(s)',
    'end.exit': 'it {how} after {n} sale line(s)',
    'end.limitThrown': 'it was stopped at the {limit} limit after {n} sale line(s) after throwing {error}',
    'end.exitThrown': 'it {how} after {n} sale line(s) after throwing {error}',
    'end.limitStderr': 'it was stopped at the {limit} limit after {n} sale line(s) (stderr: {stderr})',
    'end.exitStderr': 'it {how} after {n} sale line(s) (stderr: {stderr})',
    'brackets': ' ({clause})',
    'view.noOutput': '(no output)',
    'view.moreLines': '… ({n} more line(s))',
    'view.linesBefore': '… ({n} line(s) before)',
    'view.missing': '(missing)',
    'view.ticketsBefore': '… (T1 to T{last})',
    'view.ticketsAfter': '… (T{from} to T{to}, then 票已售罄)',

    // The ticket sequence (runs.ts, sequenceProblem).
    'seq.who': 'W{window} (line {line}, {thread})',
    'seq.stopped': 'the sales stop after {n} of {tickets} tickets: T{want} never sold{end}',
    'seq.stoppedRange': 'the sales stop after {n} of {tickets} tickets: T{want} to T{last} never sold{end}',
    'seq.stoppedHint': 'Every window keeps selling until no ticket is left; the program exits only once every ticket is sold.',
    'seq.beyond': '{who} sold T{ticket}, but there are only {tickets} tickets (TICKETS)',
    'seq.beyondHint': 'Two windows both saw a ticket left and both took one: check for a ticket and take it in one step, under the same lock.',
    'seq.twice': 'T{ticket} was sold twice: by {who}',
    'seq.times': 'T{ticket} was sold {n} times: by {who}',
    'seq.outOfTurn': 'T{ticket} was sold out of turn by {who}',
    'seq.everyTicketHint':
      'Every window sold every ticket: each worker thread has its own copy of module-level variables (a `let tickets` in a module is not shared), so keep the next ticket number in a SharedArrayBuffer (Atomics) or have one thread hand the tickets out by messages.',
    'seq.sameTicketHint':
      'Two windows took the same ticket: read the next ticket and advance it in one step under a lock (a check-then-take without a lock lets two windows read the same number).',
    'seq.order': 'the lines are out of ticket order: {got} printed `{gotText}` before {later} printed `{laterText}`',
    'seq.orderHint':
      'A window took the earlier ticket but another printed its later ticket first: take the next ticket and print its line as one step, inside one lock, writing with fs.writeSync(1, …) before releasing it (an Atomics.add for the number with the print after it lets another window print in between).',
    'seq.skipped': 'T{want} was never sold: line {line} is `{text}`, where T{want} was due',
    'seq.skippedHint': 'A ticket was skipped: advance the next-ticket number exactly once per sale, under the lock.',
    'seq.duplicated': '{n} ticket(s) sold more than once',
    'seq.beyondCount': '{n} ticket(s) beyond T{tickets} ({list})',
    'seq.missing': '{n} ticket(s) never sold',
    'seq.inversions': '{n} place(s) where a ticket follows a later one',
    'seq.relayedHint':
      'The windows print with console.log, which the main thread relays to stdout later and in its own order: write with fs.writeSync(1, …) inside the step.',
    'seq.summary': 'In all: {n} sale line(s) for {tickets} tickets.',
    'seq.summaryParts': 'In all: {n} sale line(s) for {tickets} tickets; {parts}.',
    'seq.message': '{lead}. {summary} {hint}',
    'seq.message2': '{lead}. {summary} {hint} {relayed}',

    // Shared.
    'noSales.hint': 'Start one node:worker_threads worker per window; each writes its lines `W<k> --- T<n>` with fs.writeSync(1, …).',
    'noSales': 'In {run} ({settings}) stdout has no sale line `W<k> --- T<n>`{end}, so {what} cannot be seen. {hint}',
    'noSales.expected': 'W<k> --- T1\nW<k> --- T2\n…',
    'what.form': 'the form of the lines',
    'what.order': 'the order of the sales',
    'what.threads': 'which thread sold for which window',
    'what.who': 'who sold',
    'what.first': 'when the first ticket was sold',
    'what.duration': 'how long the sales took',
    'what.windows': 'which windows sold',
    'what.tickets': 'whether TICKETS was read',
    'what.pause': 'the pause after each sale',

    // run.exit
    'exit.allowanceHold': 'up to {ms} the grader added by holding threads back and delaying writes',
    'exit.allowanceStartup': '{ms} this machine needed just before to start Node and idle worker threads',
    'exit.allowanceBoth': '{hold} and {startup}',
    'exit.budget': "{total} (the contract's 10 s + 2 × {tickets} × {saleMs} / {windows} ms = {deadline}, plus {extra})",
    'exit.hung':
      'With {settings}, main.ts did not exit within {budget}: it was stopped after {n} sale line(s), {soldOut}. A window or the main thread is still waiting for something that never comes (Atomics.wait without a matching Atomics.notify, an open MessagePort, a timer), or the windows sell far too slowly.',
    'exit.soldOutPrinted': '票已售罄 printed',
    'exit.noSoldOut': 'no 票已售罄',
    'exit.hung.expected': 'exit code 0 within {ms}',
    'exit.hung.actual': 'stopped by the grader after {ms}',
    'exit.failed': 'With {settings}, {how}; see stderr. main.ts must exit with code 0 once the tickets are sold and 票已售罄 is printed.',
    'exit.failed.expected': 'exit code 0',
    'exit.noSale':
      'With {settings}, main.ts exited with code 0 after {ms} without selling a ticket: stdout has no line `W<k> --- T<n>`. {hint}',
    'exit.noSale.expected': '{tickets} sale lines, 票已售罄, exit code 0',
    'exit.note': 'Run times: {times}.',
    'exit.noteRun': '{settings}: {ms} (start-up allowance {startup})',
    'exit.noteSep': '; ',

    // output.lines
    'lines.empty': 'an empty line',
    'lines.neither': 'neither a sale line nor 票已售罄',
    'lines.inexact':
      "a sale line is exactly `W<k> --- T<n>`: W and the window number, one space, three dashes, one space, T and the ticket number (the course's print(\"%s --- %s\"))",
    'lines.range': 'there are {k} windows, W1 to W{k}',
    'lines.zero': 'windows are numbered from 1: W1 to W{k}',
    'lines.bad': 'In {run}, line {line} is {text}: {why}. Stdout holds exactly one sale line per ticket and then 票已售罄; print anything else to stderr.',
    'lines.badMany':
      'In {run}, line {line} is {text}: {why}. {count} lines in all are not of the required form. Stdout holds exactly one sale line per ticket and then 票已售罄; print anything else to stderr.',
    'lines.expected': 'W<k> --- T<n>   (k from 1 to {k})\n…\n票已售罄',

    // output.sold-out
    'soldOut.missing': 'In {run} stdout has no line 票已售罄{end}. Once every window has ended, the main thread prints 票已售罄 (exactly these four characters, UTF-8).',
    'soldOut.missingLast':
      'In {run} stdout has no line 票已售罄{end}; its last line is {last}. Once every window has ended, the main thread prints 票已售罄 (exactly these four characters, UTF-8).',
    'soldOut.missing.expected': '… (the sales)\n票已售罄',
    'soldOut.many': 'In {run} 票已售罄 was printed {n} times (lines {lines}); it is printed once, by the main thread, after every window has ended.',
    'soldOut.many.expected': '票已售罄 once, as the last line',
    'soldOut.notLast':
      'In {run} 票已售罄 is line {line} of {last}: {after} line(s) came after it ({next} first). It is the last line: print it once every window has ended.',
    'soldOut.notLast.expected': '… (all the sales)\n票已售罄   (last line)',
    'soldOut.unseen':
      'In {run} the tap saw no thread write 票已售罄 (it records fs.writeSync(1, …), process.stdout.write and console.log in every thread), so it cannot be credited to the main thread. Print it from main.ts with fs.writeSync(1, …) or console.log.',
    'soldOut.byWorker':
      "In {run} 票已售罄 was written by {thread}, not by the main thread. The main thread prints it, once every window has ended (after every worker's 'exit' event).",
    'soldOut.byWindow':
      "In {run} 票已售罄 was written by {thread} (the thread of W{window}), not by the main thread. The main thread prints it, once every window has ended (after every worker's 'exit' event).",
    'soldOut.byWorker.expected': '票已售罄 written by the main thread',
    'soldOut.byWorker.actual': '票已售罄 written by {thread}',
    'soldOut.windowOf': 'W{window} ({thread})',
    'soldOut.neverEnded': '{window} never ended by itself (still running, or stopped with terminate())',
    'soldOut.endedLater': '{window} ended {ms} later',
    'soldOut.early':
      "In {run} the main thread printed 票已售罄 while {n} window(s) were still open: {open}. Print it only once every window has ended by itself: count the workers' 'exit' events (a window ends when it finds no ticket left, after its last pause).",
    'soldOut.early.expected': 'every window thread ends, then 票已售罄',
    'soldOut.early.actual': '票已售罄 written at {ms} (tap clock); {open}',

    // sales.order
    'order.wrong': 'In {run} ({settings}), {problem}',
    'order.note': '{run}: {n} sale lines; each write to stdout was delayed by up to {ms} (every other write on average), as a preempted thread would be.',

    // roles.window-threads
    'threads.expected': 'W1: one worker thread\nW2: another worker thread\n…',
    'threads.byMain':
      'In {run} no sale line came from a worker thread: the main thread wrote {n} of the {total}. Each window is its own node:worker_threads worker that prints its own lines.',
    'threads.uncredited':
      "In {run} none of the {total} sale lines could be credited to a thread: write them with fs.writeSync(1, …) from the window's worker (and keep the workers' execArgv as Node sets it, so the grader's tap runs in them).",
    'threads.byMain.actual': 'all sales written by the main thread',
    'threads.uncredited.actual': '(no thread credited)',
    'threads.split': 'In {run} the lines of W{window} came from {threads}: one window is one worker thread, which prints all of its lines.',
    'threads.shared': 'In {run} {windows} were all sold by {thread}: each window is its own worker thread (start WINDOWS workers, one per window).',

    // roles.main-sells-nothing
    'main.noWorker':
      'In {run} no worker thread wrote a sale line (the main thread wrote {n} of {total}): the windows are worker threads that print their own lines, so there is no sale by a window to set the main thread apart from.',
    'main.noneCredited':
      'In {run} no worker thread wrote a sale line (none could be credited to any thread): the windows are worker threads that print their own lines, so there is no sale by a window to set the main thread apart from.',
    'main.noWorker.expected': 'sale lines written by worker threads, none by the main thread',
    'main.noWorker.actual': 'by worker threads: 0\nby the main thread: {n}',
    'main.sells':
      "In {run} the main thread wrote {n} of the {total} sale lines ({windows}; e.g. {text}, line {line}). Every window is a worker thread; the main thread only opens the windows, waits for them and prints 票已售罄. (A worker's console.log relayed by the main thread is credited to the worker, not to the main thread.)",
    'main.sells.expected': 'the main thread writes no sale line',
    'main.sells.actual': 'by the main thread: {n}, by worker threads: {workers}',

    // open.together
    'together.noSaleSeen':
      "In {run} the tap saw no thread write a sale line, so it cannot tell whether the windows opened together. Write the lines with fs.writeSync(1, …) from the windows' workers, and keep the workers' execArgv as Node sets it (the grader's tap runs in every thread).",
    'together.noStartSeen':
      "In {run} the tap saw no worker thread start, so it cannot tell whether the windows opened together. Write the lines with fs.writeSync(1, …) from the windows' workers, and keep the workers' execArgv as Node sets it (the grader's tap runs in every thread).",
    'together.firstSale': 'W{window} ({thread}) sold {ticket}',
    'together.fix':
      "No window may sell before all {k} are open: have each window arrive at a barrier first (Atomics.add on a shared counter, then Atomics.wait until it reaches WINDOWS; the last to arrive calls Atomics.notify), or have the windows say from their own code that they are ready and wait for a go (a worker's 'online' event comes before its module has even been loaded).",
    'together.held': 'The grader held every worker thread but the first back at start until the first one wrote a line or waited (at most 3 s), as a busy machine might.',
    'together.lateName': '{thread} (W{window})',
    'together.late': 'In {run} {firstSale} when {late}, which sold later, had not started yet ({n} worker thread(s) had). {held} {fix}',
    'together.tooFew': 'In {run} {firstSale} when only {n} of the {k} window threads had started. {held} {fix}',
    'together.expected': '{k} worker threads started, then the first sale',
    'together.actual': 'started before the first sale: {before}\nfirst sale: line {line}, {text}\nstarted after it: {after}',
    'together.allBefore': '(windows that sold all started before)',

    // sale.concurrent
    'concurrent.fewTimed':
      'In {run} only {n} sale(s) were timed after the last window thread had started, too few to tell whether the windows sell at the same time. The tap times the writes of fs.writeSync, process.stdout.write and console.log in every thread.',
    'concurrent.fewTimedBefore':
      'In {run} only {n} sale(s) were timed after the last window thread had started ({before} came before it: the windows did not open together, see open.together), too few to tell whether the windows sell at the same time. The tap times the writes of fs.writeSync, process.stdout.write and console.log in every thread.',
    'concurrent.note': '{run}: {n} sales in {span} ({perSale} ms per sale; limit {limit}; one window at a time would take about {serial}).',
    'concurrent.noteBefore':
      '{run}: {n} sales in {span} ({perSale} ms per sale; limit {limit}; one window at a time would take about {serial}); {before} sale(s) before the last window thread started are not counted.',
    'concurrent.slow':
      "In {run} the {n} sales took {span} from the first (line {firstLine}, {firstText}) to the last (line {lastLine}): {perSale} ms per sale, as if one window sold at a time. {windows} windows that each pause {saleMs} after a sale without holding the lock need about {need}; the limit is half of TICKETS × SALE_MS, {limit}. Release the lock before the pause (or, with messages, hand out the next ticket without waiting for the window's pause).",
    'concurrent.slowAfter':
      "In {run} the {n} sales after the last window thread started took {span} from the first (line {firstLine}, {firstText}) to the last (line {lastLine}): {perSale} ms per sale, as if one window sold at a time. {windows} windows that each pause {saleMs} after a sale without holding the lock need about {need}; the limit is half of TICKETS × SALE_MS, {limit}. Release the lock before the pause (or, with messages, hand out the next ticket without waiting for the window's pause).",
    'concurrent.expected': 'first sale to last under {limit}',
    'concurrent.actual': '{span} ({perSale} ms per sale)',

    // sale.every-window
    'every.idle':
      'In {run} {idle} sold no ticket. With SALE_MS = {saleMs} and at least 10 tickets per window every window gets its turns, if each pauses after a sale without holding the lock: a window that keeps the lock through its pause, or never pauses, takes the tickets from the others.',
    'every.idleBusiest':
      'In {run} {idle} sold no ticket (W{busiest} sold {count} of {total}). With SALE_MS = {saleMs} and at least 10 tickets per window every window gets its turns, if each pauses after a sale without holding the lock: a window that keeps the lock through its pause, or never pauses, takes the tickets from the others.',
    'every.expectedRow': 'W{window}: at least 1',

    // env.tickets
    'tickets.zeroSold':
      'With TICKETS=0 the program sold {n} ticket(s) ({first} first): there are no tickets, so stdout is only 票已售罄. Read TICKETS from the environment, and mind that 0 is a valid value (`Number(process.env.TICKETS) || 500` turns 0 into 500; test for an unset variable instead).',
    'tickets.zeroNoSoldOut': 'With TICKETS=0 stdout has no 票已售罄{end}: with no ticket to sell, the windows end at once and the main thread prints 票已售罄.',
    'tickets.beyond':
      'With {settings} the program sold {list} beyond T{n} ({total} sale lines in all): sell exactly T1 to T{n}. Read TICKETS from the environment (default 500 only when it is unset).',
    'tickets.missing':
      'With {settings} the program never sold {list} ({total} sale lines in all): sell exactly T1 to T{n}. Read TICKETS from the environment (default 500 only when it is unset).',

    // env.windows
    'windows.extra':
      'With {settings} the windows {extra} sold tickets; there are {k} window(s), {range}. Read WINDOWS from the environment (default 10 only when it is unset) and open that many windows.',
    'windows.range1': 'W1',
    'windows.rangeK': 'W1 to W{k}',
    'windows.extra.expected1': 'windows W1',
    'windows.extra.expectedK': 'windows W1…W{k}',
    'windows.extra.actual': 'windows that sold: {list}',
    'windows.threads':
      'With {settings} {n} worker threads wrote sale lines; there are {k} window(s), one worker thread each. Read WINDOWS from the environment and start that many window workers.',
    'windows.threads.expected': 'at most {k} worker thread(s) selling',

    // env.sale-ms
    'saleMs.noGaps': 'With {settings} the tap timed no two sales of one window, so it cannot tell the pause between sales{end}.',
    'saleMs.note': "{run}: {gaps} gap(s) between a window's sales, {mean} ms on average (SALE_MS={saleMs}; accepted {low}–{high} ms).",
    'saleMs.off':
      "With {settings} a window's consecutive sales came {mean} ms apart on average ({gaps} gap(s)); after each sale a window pauses SALE_MS = {saleMs} ms (accepted: {low} to {high} ms on average). {fix}",
    'saleMs.tooShort': 'Read SALE_MS from the environment (default 10 only when it is unset) and pause that long after every sale.',
    'saleMs.tooLong': 'SALE_MS is in milliseconds: pause that long after each sale, once.',
    'saleMs.expected': "about {saleMs} ms between a window's sales",
    'saleMs.actual': '{mean} ms on average',

    // sales.under-load
    'load.nothing': '{run} sold nothing (see sales.order), so there is nothing to judge on a busy machine. {hint}',
    'load.note':
      '{ok} of {runs} runs with {settings} on a busy machine (busy loops on every core, {parallel} runs at a time, writes delayed by up to {jitter}, each run paused up to twice for 1100–1400 ms once it had started printing; {pauses} pauses in all) sold every ticket once, in order. Run times: {times}.',
    'load.runTime': '{ms}',
    'load.notPaused': 'not paused: it ended before its first pause',
    'load.paused': 'paused for {pauses}',
    'load.stoppedEarly': '{problem} (The grader stopped this run 0.5 s after its first wrong line: the counts cover what it printed until then.)',
    'load.noSale': 'it printed no sale line{end}.',
    'load.wrong':
      '{wrong} of {runs} runs with {settings} on a busy machine went wrong, only {ok} were right. In {run} ({pauses}): {what} The order must hold on every run: a lock every window takes for the whole take-and-print step, not a timeout or a sleep standing in for it.',
  },
  {
    'run.exit.title': '在每种设置下，main.ts 都能卖完票，并在 10 秒 + 2 × TICKETS × SALE_MS / WINDOWS 之内以退出码 0 退出',
    'output.lines.title': 'stdout 的每一行都是 `W<k> --- T<n>`（k 从 1 到 WINDOWS）或 票已售罄，没有别的内容',
    'output.sold-out.title': '票已售罄 只打印一次，作为最后一行，由主线程在所有窗口都结束之后打印',
    'sales.order.title': '售票行按票号顺序依次为 T1、T2……TN，每张票只卖一次（500 张票，10 个窗口，写出被延迟）',
    'roles.window-threads.title': '每个窗口由它自己的一个工作线程卖票',
    'roles.main-sells-nothing.title': '主线程不写任何售票行',
    'open.together.title': '在 WINDOWS 个窗口线程全部启动之前，不卖出任何一张票',
    'sale.concurrent.title': '各窗口同时卖票：从第一张到最后一张用时不到 TICKETS × SALE_MS 的一半（10 个窗口，60 张票，100 毫秒）',
    'sale.every-window.title': '每个窗口至少卖出一张票（SALE_MS ≥ 10，TICKETS ≥ 10 × WINDOWS）',
    'env.tickets.title': '遵守 TICKETS：TICKETS=0 时一张不卖，其他取值时恰好卖出 T1…TN',
    'env.windows.title': '遵守 WINDOWS：WINDOWS=1 及其他取值时恰好开出 W1…WK，每个窗口一个工作线程',
    'env.sale-ms.title': '遵守 SALE_MS：每个窗口每卖出一张票后暂停 SALE_MS 毫秒',
    'sales.under-load.title': '在繁忙的机器上运行 {runs} 次（TICKETS=1000 WINDOWS=8 SALE_MS=0，并在随机时刻暂停、恢复），每一次票号顺序都正确',

    'label.default': '默认运行',
    'label.with': '{settings} 的那次运行',
    'label.loaded': '高负载下的第 {n} 次运行',
    'settings.allUnset': '{names} 均未设置：{tickets} 张票，{windows} 个窗口，{ms}',
    'settings.someUnset': '{set}（{names} 未设置）',
    'list.sep': '、',
    'list.last': '{head}和{last}',
    'list.more': '……（另有 {n} 个）',
    'list.none': '无',
    'thread.main': '主线程',
    'thread.worker': '工作线程 {n}',
    'thread.unknown': '探针未记录到的线程',
    'quote.nothing': '（没有内容）',
    'quote.empty': '（空行）',
    'end.killed': '程序在 {ms}内没有退出，打印了 {n} 行售票记录后被评分程序终止',
    'end.limit': '程序打印了 {n} 行售票记录后，因超出 {limit} 限制被终止',
    'end.exit': '程序打印了 {n} 行售票记录后{how}',
    'end.limitThrown': '程序打印了 {n} 行售票记录后抛出 {error}，因超出 {limit} 限制被终止',
    'end.exitThrown': '程序打印了 {n} 行售票记录后抛出 {error}，{how}',
    'end.limitStderr': '程序打印了 {n} 行售票记录后，因超出 {limit} 限制被终止（stderr：{stderr}）',
    'end.exitStderr': '程序打印了 {n} 行售票记录后{how}（stderr：{stderr}）',
    'brackets': '（{clause}）',
    'view.noOutput': '（没有输出）',
    'view.moreLines': '……（后面还有 {n} 行）',
    'view.linesBefore': '……（前面有 {n} 行）',
    'view.missing': '（缺失）',
    'view.ticketsBefore': '……（T1 到 T{last}）',
    'view.ticketsAfter': '……（T{from} 到 T{to}，然后是 票已售罄）',

    'seq.who': 'W{window}（第 {line} 行，{thread}）',
    'seq.stopped': '共 {tickets} 张票，卖出 {n} 张后就停了：T{want} 没有卖出{end}',
    'seq.stoppedRange': '共 {tickets} 张票，卖出 {n} 张后就停了：T{want} 到 T{last} 都没有卖出{end}',
    'seq.stoppedHint': '每个窗口要一直卖，直到没有余票为止；所有票都卖完后程序才退出。',
    'seq.beyond': '{who} 卖出了 T{ticket}，但总共只有 {tickets} 张票（TICKETS）',
    'seq.beyondHint': '两个窗口都看到还有余票，于是各取了一张：判断是否有票和取票必须在同一把锁内一步完成。',
    'seq.twice': 'T{ticket} 被卖了两次：{who}',
    'seq.times': 'T{ticket} 被卖了 {n} 次：{who}',
    'seq.outOfTurn': '{who} 没有按顺序卖出了 T{ticket}',
    'seq.everyTicketHint':
      '每个窗口都把每张票卖了一遍：每个工作线程都有一份自己的模块级变量（模块里的 `let tickets` 并不共享），所以要把下一张票的票号放在 SharedArrayBuffer 里（用 Atomics 操作），或者由一个线程通过消息分发票。',
    'seq.sameTicketHint': '两个窗口取到了同一张票：读取下一张票号并让它前进，必须在锁内一步完成（不加锁的“先判断再取票”会让两个窗口读到同一个票号）。',
    'seq.order': '售票行没有按票号顺序排列：{got} 打印 `{gotText}` 早于 {later} 打印 `{laterText}`',
    'seq.orderHint':
      '一个窗口取到了较早的票，另一个窗口却先打印了它较晚的票：取下一张票和打印这一行要在同一把锁内作为一步完成，在释放锁之前用 fs.writeSync(1, …) 写出（先用 Atomics.add 取票号、之后再打印，别的窗口就可能在中间插进来打印）。',
    'seq.skipped': 'T{want} 始终没有卖出：第 {line} 行是 `{text}`，而此处应当是 T{want}',
    'seq.skippedHint': '有票被跳过了：每卖出一张票，在锁内让“下一张票号”恰好前进一次。',
    'seq.duplicated': '{n} 张票被卖了不止一次',
    'seq.beyondCount': '{n} 张票超出了 T{tickets}（{list}）',
    'seq.missing': '{n} 张票没有卖出',
    'seq.inversions': '有 {n} 处票号比前一行小',
    'seq.relayedHint': '各窗口用 console.log 打印，而它由主线程稍后按自己的顺序转写到 stdout：请在这一步之内用 fs.writeSync(1, …) 写出。',
    'seq.summary': '合计：{tickets} 张票，{n} 行售票记录。',
    'seq.summaryParts': '合计：{tickets} 张票，{n} 行售票记录；其中{parts}。',
    'seq.message': '{lead}。{summary}{hint}',
    'seq.message2': '{lead}。{summary}{hint}{relayed}',

    'noSales.hint': '每个窗口启动一个 node:worker_threads 工作线程，由它用 fs.writeSync(1, …) 写出自己的 `W<k> --- T<n>` 行。',
    'noSales': '{run}（{settings}）的 stdout 中没有售票行 `W<k> --- T<n>`{end}，因此无法判断{what}。{hint}',
    'noSales.expected': 'W<k> --- T1\nW<k> --- T2\n…',
    'what.form': '各行的格式',
    'what.order': '售票的顺序',
    'what.threads': '每个窗口的票由哪个线程卖出',
    'what.who': '是谁在卖票',
    'what.first': '第一张票是什么时候卖出的',
    'what.duration': '卖票用了多长时间',
    'what.windows': '哪些窗口卖了票',
    'what.tickets': '是否读取了 TICKETS',
    'what.pause': '每卖一张票后的暂停',

    'exit.allowanceHold': '评分程序让线程晚启动、延迟写出所加的最多 {ms}',
    'exit.allowanceStartup': '本机刚才启动 Node 和空闲工作线程所用的 {ms}',
    'exit.allowanceBoth': '{hold}和{startup}',
    'exit.budget': '{total}（规定的 10 秒 + 2 × {tickets} × {saleMs} / {windows} 毫秒 = {deadline}，再加上{extra}）',
    'exit.hung':
      '在 {settings} 下，main.ts 没有在 {budget} 之内退出：打印了 {n} 行售票记录后被终止，{soldOut}。某个窗口或主线程还在等待一件永远不会发生的事（Atomics.wait 没有对应的 Atomics.notify、MessagePort 没有关闭、定时器未清除），或者各窗口卖得太慢。',
    'exit.soldOutPrinted': '已打印 票已售罄',
    'exit.noSoldOut': '没有打印 票已售罄',
    'exit.hung.expected': '{ms}内以退出码 0 退出',
    'exit.hung.actual': '运行 {ms}后被评分程序终止',
    'exit.failed': '在 {settings} 下，{how}；请查看 stderr。票卖完并打印 票已售罄 之后，main.ts 必须以退出码 0 退出。',
    'exit.failed.expected': '退出码 0',
    'exit.noSale': '在 {settings} 下，main.ts 运行 {ms}后以退出码 0 退出，却一张票也没卖：stdout 中没有 `W<k> --- T<n>` 行。{hint}',
    'exit.noSale.expected': '{tickets} 行售票记录、票已售罄、退出码 0',
    'exit.note': '各次运行用时：{times}。',
    'exit.noteRun': '{settings}：{ms}（启动时间余量 {startup}）',
    'exit.noteSep': '；',

    'lines.empty': '这是一个空行',
    'lines.neither': '既不是售票行，也不是 票已售罄',
    'lines.inexact': '售票行必须恰好是 `W<k> --- T<n>`：W 加窗口号、一个空格、三个短横线、一个空格、T 加票号（即课程中的 print("%s --- %s")）',
    'lines.range': '只有 {k} 个窗口，W1 到 W{k}',
    'lines.zero': '窗口从 1 开始编号：W1 到 W{k}',
    'lines.bad': '{run}中第 {line} 行是 {text}：{why}。stdout 中每张票恰好一行售票记录，最后是 票已售罄；其他内容请打印到 stderr。',
    'lines.badMany':
      '{run}中第 {line} 行是 {text}：{why}。共有 {count} 行不符合要求的格式。stdout 中每张票恰好一行售票记录，最后是 票已售罄；其他内容请打印到 stderr。',
    'lines.expected': 'W<k> --- T<n>   （k 从 1 到 {k}）\n…\n票已售罄',

    'soldOut.missing': '{run}的 stdout 中没有 票已售罄 这一行{end}。所有窗口都结束后，由主线程打印 票已售罄（恰好这四个字，UTF-8 编码）。',
    'soldOut.missingLast': '{run}的 stdout 中没有 票已售罄 这一行{end}；最后一行是 {last}。所有窗口都结束后，由主线程打印 票已售罄（恰好这四个字，UTF-8 编码）。',
    'soldOut.missing.expected': '…（售票记录）\n票已售罄',
    'soldOut.many': '{run}中 票已售罄 打印了 {n} 次（第 {lines} 行）；它只能打印一次，由主线程在所有窗口都结束后打印。',
    'soldOut.many.expected': '票已售罄 只打印一次，作为最后一行',
    'soldOut.notLast': '{run}中 票已售罄 是第 {line} 行（共 {last} 行）：它后面还有 {after} 行（第一行是 {next}）。它必须是最后一行：等所有窗口都结束后再打印。',
    'soldOut.notLast.expected': '…（全部售票记录）\n票已售罄   （最后一行）',
    'soldOut.unseen':
      '{run}中探针没有看到任何线程写出 票已售罄（它记录每个线程的 fs.writeSync(1, …)、process.stdout.write 和 console.log），因此无法认定是主线程打印的。请在 main.ts 中用 fs.writeSync(1, …) 或 console.log 打印它。',
    'soldOut.byWorker': "{run}中 票已售罄 是由{thread}写出的，而不是主线程。应由主线程在所有窗口都结束后（收到每个工作线程的 'exit' 事件之后）打印。",
    'soldOut.byWindow': "{run}中 票已售罄 是由{thread}（W{window} 的线程）写出的，而不是主线程。应由主线程在所有窗口都结束后（收到每个工作线程的 'exit' 事件之后）打印。",
    'soldOut.byWorker.expected': '票已售罄 由主线程写出',
    'soldOut.byWorker.actual': '票已售罄 由{thread}写出',
    'soldOut.windowOf': 'W{window}（{thread}）',
    'soldOut.neverEnded': '{window} 始终没有自行结束（仍在运行，或被 terminate() 强行终止）',
    'soldOut.endedLater': '{window} 在 {ms}之后才结束',
    'soldOut.early':
      "{run}中主线程打印 票已售罄 时，还有 {n} 个窗口没有结束：{open}。必须等所有窗口都自行结束后再打印：统计各工作线程的 'exit' 事件（窗口在最后一次暂停后发现没有余票，就结束）。",
    'soldOut.early.expected': '所有窗口线程先结束，然后是 票已售罄',
    'soldOut.early.actual': '票已售罄 在 {ms}时写出（探针时钟）；{open}',

    'order.wrong': '{run}（{settings}）中，{problem}',
    'order.note': '{run}：{n} 行售票记录；每次写 stdout 都被延迟最多 {ms}（平均每两次写出延迟一次），就像线程被抢占时那样。',

    'threads.expected': 'W1：一个工作线程\nW2：另一个工作线程\n…',
    'threads.byMain': '{run}中没有一行售票记录来自工作线程：{total} 行中有 {n} 行是主线程写的。每个窗口是一个独立的 node:worker_threads 工作线程，自己打印自己的行。',
    'threads.uncredited':
      '{run}中 {total} 行售票记录都无法对应到某个线程：请在窗口的工作线程中用 fs.writeSync(1, …) 写出（并保持 Node 为工作线程设置的 execArgv 不变，这样评分程序的探针才能在其中运行）。',
    'threads.byMain.actual': '所有售票行都由主线程写出',
    'threads.uncredited.actual': '（无法对应到任何线程）',
    'threads.split': '{run}中 W{window} 的行来自{threads}：一个窗口就是一个工作线程，由它打印自己的所有行。',
    'threads.shared': '{run}中 {windows} 都是由{thread}卖出的：每个窗口是一个独立的工作线程（启动 WINDOWS 个工作线程，每个窗口一个）。',

    'main.noWorker': '{run}中没有工作线程写出售票行（{total} 行中有 {n} 行是主线程写的）：窗口是自己打印售票行的工作线程，这里没有任何窗口卖出的票，也就无从区分主线程。',
    'main.noneCredited': '{run}中没有工作线程写出售票行（所有行都无法对应到任何线程）：窗口是自己打印售票行的工作线程，这里没有任何窗口卖出的票，也就无从区分主线程。',
    'main.noWorker.expected': '售票行由工作线程写出，主线程一行也不写',
    'main.noWorker.actual': '工作线程写出：0\n主线程写出：{n}',
    'main.sells':
      '{run}中主线程写出了 {total} 行售票记录中的 {n} 行（{windows}；例如第 {line} 行 {text}）。每个窗口都是工作线程；主线程只负责开窗口、等待它们结束并打印 票已售罄。（由主线程转写的工作线程 console.log 算作该工作线程写的，不算主线程。）',
    'main.sells.expected': '主线程不写任何售票行',
    'main.sells.actual': '主线程写出：{n}，工作线程写出：{workers}',

    'together.noSaleSeen':
      '{run}中探针没有看到任何线程写出售票行，因此无法判断各窗口是否同时开售。请在窗口的工作线程中用 fs.writeSync(1, …) 写出各行，并保持 Node 为工作线程设置的 execArgv 不变（评分程序的探针运行在每个线程中）。',
    'together.noStartSeen':
      '{run}中探针没有看到任何工作线程启动，因此无法判断各窗口是否同时开售。请在窗口的工作线程中用 fs.writeSync(1, …) 写出各行，并保持 Node 为工作线程设置的 execArgv 不变（评分程序的探针运行在每个线程中）。',
    'together.firstSale': 'W{window}（{thread}）卖出 {ticket}',
    'together.fix':
      "在 {k} 个窗口全部开启之前，任何窗口都不能卖票：让每个窗口先到达一道屏障（对共享计数器执行 Atomics.add，再用 Atomics.wait 等到它达到 WINDOWS；最后一个到达的窗口调用 Atomics.notify），或者让各窗口在自己的代码里报告已就绪，再等待开始信号（工作线程的 'online' 事件在它的模块加载之前就会触发）。",
    'together.held': '评分程序在启动时让除第一个之外的所有工作线程先等待，直到第一个线程写出一行或进入等待（最多 3 秒），就像繁忙的机器可能出现的那样。',
    'together.lateName': '{thread}（W{window}）',
    'together.late': '{run}中，{firstSale} 时，后来也卖了票的{late}还没有启动（当时已启动 {n} 个工作线程）。{held}{fix}',
    'together.tooFew': '{run}中，{firstSale} 时，{k} 个窗口线程中只有 {n} 个已经启动。{held}{fix}',
    'together.expected': '{k} 个工作线程都已启动，然后才卖出第一张票',
    'together.actual': '第一张票卖出前已启动：{before}\n第一张票：第 {line} 行，{text}\n之后才启动：{after}',
    'together.allBefore': '（卖过票的窗口都在之前启动）',

    'concurrent.fewTimed':
      '{run}中，在最后一个窗口线程启动之后只记录到 {n} 次售票时间，太少了，无法判断各窗口是否同时卖票。探针会记录每个线程中 fs.writeSync、process.stdout.write 和 console.log 的写出时间。',
    'concurrent.fewTimedBefore':
      '{run}中，在最后一个窗口线程启动之后只记录到 {n} 次售票时间（另有 {before} 次在它之前：各窗口没有同时开售，见 open.together），太少了，无法判断各窗口是否同时卖票。探针会记录每个线程中 fs.writeSync、process.stdout.write 和 console.log 的写出时间。',
    'concurrent.note': '{run}：{n} 次售票用时 {span}（每张 {perSale} 毫秒；上限 {limit}；一次只有一个窗口卖票约需 {serial}）。',
    'concurrent.noteBefore': '{run}：{n} 次售票用时 {span}（每张 {perSale} 毫秒；上限 {limit}；一次只有一个窗口卖票约需 {serial}）；最后一个窗口线程启动之前的 {before} 次售票不计入。',
    'concurrent.slow':
      '{run}中 {n} 次售票从第一张（第 {firstLine} 行，{firstText}）到最后一张（第 {lastLine} 行）用了 {span}：每张 {perSale} 毫秒，就像一次只有一个窗口在卖票。{windows} 个窗口各自在卖票后不持有锁地暂停 {saleMs}，大约需要 {need}；上限是 TICKETS × SALE_MS 的一半，即 {limit}。请在暂停之前释放锁（如果用消息分发票，则不必等窗口暂停结束就分发下一张票）。',
    'concurrent.slowAfter':
      '{run}中，最后一个窗口线程启动之后的 {n} 次售票从第一张（第 {firstLine} 行，{firstText}）到最后一张（第 {lastLine} 行）用了 {span}：每张 {perSale} 毫秒，就像一次只有一个窗口在卖票。{windows} 个窗口各自在卖票后不持有锁地暂停 {saleMs}，大约需要 {need}；上限是 TICKETS × SALE_MS 的一半，即 {limit}。请在暂停之前释放锁（如果用消息分发票，则不必等窗口暂停结束就分发下一张票）。',
    'concurrent.expected': '从第一张到最后一张不超过 {limit}',
    'concurrent.actual': '{span}（每张 {perSale} 毫秒）',

    'every.idle':
      '{run}中 {idle} 一张票也没卖出。SALE_MS = {saleMs}、每个窗口至少 10 张票时，只要每个窗口卖票后不持有锁地暂停，每个窗口都能轮到：暂停期间仍持有锁、或者从不暂停的窗口会把别的窗口的票抢走。',
    'every.idleBusiest':
      '{run}中 {idle} 一张票也没卖出（W{busiest} 卖出了 {total} 张中的 {count} 张）。SALE_MS = {saleMs}、每个窗口至少 10 张票时，只要每个窗口卖票后不持有锁地暂停，每个窗口都能轮到：暂停期间仍持有锁、或者从不暂停的窗口会把别的窗口的票抢走。',
    'every.expectedRow': 'W{window}：至少 1 张',

    'tickets.zeroSold':
      'TICKETS=0 时程序卖出了 {n} 张票（第一张是 {first}）：根本没有票，stdout 中只应有 票已售罄。请从环境变量读取 TICKETS，注意 0 是合法取值（`Number(process.env.TICKETS) || 500` 会把 0 变成 500；应判断变量是否未设置）。',
    'tickets.zeroNoSoldOut': 'TICKETS=0 时 stdout 中没有 票已售罄{end}：没有票可卖时，各窗口立即结束，由主线程打印 票已售罄。',
    'tickets.beyond': '在 {settings} 下，程序卖出了超过 T{n} 的 {list}（共 {total} 行售票记录）：应恰好卖出 T1 到 T{n}。请从环境变量读取 TICKETS（只有未设置时才默认为 500）。',
    'tickets.missing': '在 {settings} 下，程序始终没有卖出 {list}（共 {total} 行售票记录）：应恰好卖出 T1 到 T{n}。请从环境变量读取 TICKETS（只有未设置时才默认为 500）。',

    'windows.extra': '在 {settings} 下，窗口 {extra} 卖了票；但只有 {k} 个窗口，{range}。请从环境变量读取 WINDOWS（只有未设置时才默认为 10），并开出这么多个窗口。',
    'windows.range1': '即 W1',
    'windows.rangeK': '即 W1 到 W{k}',
    'windows.extra.expected1': '窗口 W1',
    'windows.extra.expectedK': '窗口 W1…W{k}',
    'windows.extra.actual': '卖过票的窗口：{list}',
    'windows.threads': '在 {settings} 下，有 {n} 个工作线程写出了售票行；但只有 {k} 个窗口，每个窗口一个工作线程。请从环境变量读取 WINDOWS，并启动这么多个窗口工作线程。',
    'windows.threads.expected': '最多 {k} 个工作线程在卖票',

    'saleMs.noGaps': '在 {settings} 下，探针没有记录到同一窗口的两次售票时间，因此无法判断两次售票之间的暂停{end}。',
    'saleMs.note': '{run}：同一窗口相邻两次售票的间隔共 {gaps} 个，平均 {mean} 毫秒（SALE_MS={saleMs}；允许 {low}–{high} 毫秒）。',
    'saleMs.off': '在 {settings} 下，同一窗口相邻两次售票平均相隔 {mean} 毫秒（共 {gaps} 个间隔）；每卖出一张票后，窗口应暂停 SALE_MS = {saleMs} 毫秒（允许平均 {low} 到 {high} 毫秒）。{fix}',
    'saleMs.tooShort': '请从环境变量读取 SALE_MS（只有未设置时才默认为 10），每卖出一张票后暂停这么长时间。',
    'saleMs.tooLong': 'SALE_MS 的单位是毫秒：每卖出一张票后暂停这么长时间，只暂停一次。',
    'saleMs.expected': '同一窗口两次售票之间约 {saleMs} 毫秒',
    'saleMs.actual': '平均 {mean} 毫秒',

    'load.nothing': '{run}一张票也没卖出（见 sales.order），因此在繁忙的机器上也没有什么可判断的。{hint}',
    'load.note':
      '在繁忙的机器上（每个核都有忙循环，同时运行 {parallel} 次，写出最多延迟 {jitter}，每次运行开始打印后最多暂停两次、每次 1100–1400 毫秒；共暂停 {pauses} 次）以 {settings} 运行 {runs} 次，其中 {ok} 次每张票都恰好卖出一次且顺序正确。各次用时：{times}。',
    'load.runTime': '{ms}',
    'load.notPaused': '没有被暂停：在第一次暂停之前就结束了',
    'load.paused': '暂停了 {pauses}',
    'load.stoppedEarly': '{problem}（评分程序在出现第一行错误 0.5 秒后停止了这次运行：上面的计数只包括此前打印的内容。）',
    'load.noSale': '没有打印任何售票行{end}。',
    'load.wrong':
      '在繁忙的机器上以 {settings} 运行 {runs} 次，有 {wrong} 次出错，只有 {ok} 次正确。{run}（{pauses}）：{what}每一次运行都必须保持顺序：每个窗口在“取票并打印”的整个步骤中都持有同一把锁，不能用超时或 sleep 来代替它。',
  },
);
