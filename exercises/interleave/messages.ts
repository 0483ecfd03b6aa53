/**
 * Every text of interleave that a student reads, in English and Chinese: check titles,
 * failure messages, hints, expected/actual captions and transcript notes (docs/i18n.md).
 */
import { defineCatalogue } from '../../grader/i18n/catalogue.ts';

export const text = defineCatalogue(
  'interleave',
  {
    // ——— titles ———
    'run.exit.title': 'main.ts exits with code 0 within 8 s, once the workers have printed',
    'output.order.title': 'stdout is exactly the 78 lines 1 2 A 3 4 B … 51 52 Z',
    'output.under-load.title': 'The turns hold on every one of {runs} runs on a busy machine, paused and resumed at random moments',
    'roles.two-workers.title': 'One worker thread writes every number, another every letter',
    'roles.main-silent.title': 'The main thread writes none of the 78 lines',

    // ——— hints ———
    'hint.sequence': 'console.log in a worker is relayed by the main thread asynchronously; write with fs.writeSync(1, …) before handing over the turn.',
    'hint.exact': 'Print exactly the 78 lines, each with \\n, nothing else on stdout (logs go to stderr).',
    'hint.outOfTurnRelayed': 'The lines are all there but out of turn: {sequence}',
    'hint.outOfTurnRelayedVarying': 'The lines are all there but out of turn, in a different order from run to run: {sequence}',
    'hint.outOfTurn': 'The lines are all there but out of turn: hand the turn over with Atomics.wait/notify or messages (not timers), and write synchronously before handing it over.',
    'hint.loadOrder': 'The order must hold on every run. Sleeps/timers are not coordination: hand the turn over with Atomics.wait/notify or messages, and write synchronously (fs.writeSync) before handing it over.',
    'hint.loadLost': 'Under load a turn must not get lost: wait with Atomics.wait(cell, i, value) on the value you last saw (it returns at once when the turn already changed), and notify after every store.',
    'hint.loadTwice': 'Each line is printed once, in its turn, on every run.',

    // ——— line quotes and panes ———
    'line.nothing': '(nothing)',
    'line.empty': '(an empty line)',
    'line.missing': '(missing)',
    'lines.noOutput': '(no output)',
    'lines.before': '… ({n} line(s) before)',
    'lines.more': '… ({n} more line(s))',
    'lines.moreLast': '… {n} more line(s), last: {last}',

    // ——— differences (runs.ts) ———
    'diff.short': 'stdout ends after {n} line(s), expected 78 (line {line} should be {want})',
    'diff.long': 'stdout has {n} lines, expected 78 (line {line} is {got}, one too many)',
    'diff.line': 'stdout line {line} is {got}, expected {want}',
    'diff.withEnd': '{difference}; {end}',

    // ——— how a run ended (runs.ts) ———
    'end.idle': 'no output for {ms}: the workers may be waiting on each other (stopped after printing {n} of 78 lines)',
    'end.timeout': 'it did not exit within {ms} (stopped after printing {n} of 78 lines)',
    'end.exit': 'it {how} after printing {n} of 78 lines',
    'end.exitThrown': 'it {how} after printing {n} of 78 lines after throwing {error}',
    'end.exitStderr': 'it {how} after printing {n} of 78 lines (stderr: {stderr})',
    'end.memory': 'it was stopped at the memory limit after printing {n} of 78 lines',
    'end.memoryThrown': 'it was stopped at the memory limit after printing {n} of 78 lines after throwing {error}',
    'end.memoryStderr': 'it was stopped at the memory limit after printing {n} of 78 lines (stderr: {stderr})',

    // ——— which kinds are missing (runs.ts) ———
    'kinds.none': 'none of the 78 lines',
    'kinds.onlyNumbers': 'only numbers ({n} line(s)), no letter',
    'kinds.onlyLetters': 'only letters ({n} line(s)), no number',

    // ——— threads (runs.ts) ———
    'thread.main': 'the main thread',
    'thread.worker': 'worker thread {n}',
    'thread.none': 'no thread',
    'thread.list': '{names}',

    // ——— run.exit ———
    'exit.hung': 'main.ts did not exit: {end}. A worker or the main thread is still waiting for a signal that never comes (Atomics.wait without a matching Atomics.notify, an open MessagePort, a timer).',
    'exit.hung.expected': 'exit code 0 within 8 s',
    'exit.hung.actual': 'stopped by the grader after {ms}\n{lines}',
    'exit.nonzero': 'main.ts {how}; see stderr. It must exit with code 0 once both workers are done.',
    'exit.nonzeroThrown': 'main.ts {how} after {error}; see stderr. It must exit with code 0 once both workers are done.',
    'exit.nonzero.expected': 'exit code 0',
    'exit.signal': 'was killed by {signal}',
    'exit.code': 'exited with code {code}',
    'exit.nothingPrinted': 'main.ts exited with code 0, but its stdout had {missing}: an exit is credited only once the workers have printed (the numbers and the letters). Start the two workers and wait for them before the program ends.',
    'exit.nothingPrinted.expected': 'exit code 0 after printing the numbers and the letters',
    'exit.nothingPrinted.actual': 'exit code 0\n{lines}',

    // ——— output.order ———
    'order.note': '{right} of {runs} runs on the idle machine printed the 78 lines in order.',
    'order.failOne': 'On an idle machine, {difference}. {hint}',
    'order.failMany': '{wrong} of {runs} runs on an idle machine printed wrong output; in run {run}, {difference}. {hint}',

    // ——— output.under-load ———
    'load.nothingIdle': 'On the idle machine (run 1) stdout had {missing}: there are no turns to hold under load. Two workers must print, one the numbers and one the letters, taking turns.',
    'load.nothingIdle.expected': 'numbers and letters printed in turns',
    'load.ofAll': 'the 78 lines',
    'load.ofSome': 'the {n} lines of the 78 it printed on the idle machine',
    'load.note': '{right} of {runs} runs on a busy machine (busy loops on every core, {parallel} runs at a time, each paused up to twice for 100–200 ms once it had started printing; {pauses} pauses in all) printed {of} in turn.',
    'load.notPaused': 'not paused: it ended before its first pause',
    'load.paused': 'paused for {pauses}',
    'load.pauseMs': '{ms}',
    'load.outOfTurn': 'stdout line {at} is {got} where {want} was its turn',
    'load.printedOnly': 'it printed only {printed} of {of}, up to {last}',
    'load.printedOnlyEnd': 'it printed only {printed} of {of}, up to {last}; {end}',
    'load.again': 'after {of}, stdout line {at} is {got} again',
    'load.fail': '{wrong} of {runs} runs on a busy machine went wrong, only {right} were right (first wrong: run {run}, {pauses}: {what}). {hint}',

    // ——— roles.two-workers ———
    'roles.summary': 'numbers: {numbers}\nletters: {letters}',
    'roles.expected': 'numbers: one worker thread (N)\nletters: another worker thread (L ≠ N)',
    'roles.nothingPrinted': 'Nothing of the 78 lines was printed, so no worker can be credited with them.',
    'roles.nothingCredited': "None of the 78 lines was credited to any thread: write them with fs.writeSync(1, …), process.stdout.write or console.log from the workers (and keep the workers' execArgv as Node sets it).",
    'roles.mainOnly': 'No worker wrote any line, the main thread wrote them all: start two node:worker_threads workers that print (one the numbers, one the letters).',
    'roles.numbersSplit': 'The numbers were written by {threads}; one worker must write all of them.',
    'roles.numbersSplitMain': 'The numbers were written by {threads}; one worker must write all of them. The main thread must only start the workers and wait for them.',
    'roles.lettersSplit': 'The letters were written by {threads}; one worker must write all of them.',
    'roles.lettersSplitMain': 'The letters were written by {threads}; one worker must write all of them. The main thread must only start the workers and wait for them.',
    'roles.sameWorker': 'The numbers and the letters were written by the same worker ({thread}): use two workers, one per kind, that hand the turn to each other.',

    // ——— roles.main-silent ———
    'silent.mainWrote': "The main thread wrote {n} of the 78 lines (e.g. `{line}`); it must only start the workers and wait for them. (A worker's console.log relayed by the main thread is credited to the worker, not to the main thread.)",
    'silent.mainWrote.expected': 'the main thread writes none of the 78 lines',
    'silent.mainWrote.actual': 'written by the main thread: {lines}',
    'silent.workersMissing': 'The main thread wrote none of the 78 lines, but the worker threads wrote {missing}: a silent main thread counts only beside workers that print. Start two workers that write the numbers and the letters.',
    'silent.workersMissingEmpty': 'The main thread wrote none of the 78 lines, but the worker threads wrote {missing} (stdout was empty): a silent main thread counts only beside workers that print. Start two workers that write the numbers and the letters.',
    'silent.workersMissing.expected': 'the workers write the numbers and the letters, the main thread none',
    'silent.workersMissing.actual': 'written by worker threads: {lines}',
  },
  {
    // ——— 标题 ———
    'run.exit.title': '工作线程打印完毕后，main.ts 在 8 秒内以退出码 0 结束',
    'output.order.title': '`stdout` 恰好是这 78 行：1 2 A 3 4 B … 51 52 Z',
    'output.under-load.title': '在繁忙的机器上运行 {runs} 次、并在随机时刻暂停和恢复，每一次都严格交替',
    'roles.two-workers.title': '一个工作线程打印全部数字，另一个打印全部字母',
    'roles.main-silent.title': '主线程不打印这 78 行中的任何一行',

    // ——— 提示 ———
    'hint.sequence': '工作线程里的 console.log 是由主线程异步转发输出的；交出执行权之前，先用 fs.writeSync(1, …) 同步写出。',
    'hint.exact': '只打印这 78 行，每行以 \\n 结尾，`stdout` 上不要有别的内容（日志请写到 `stderr`）。',
    'hint.outOfTurnRelayed': '78 行都打印了，但没有按顺序交替：{sequence}',
    'hint.outOfTurnRelayedVarying': '78 行都打印了，但没有按顺序交替，而且每次运行的顺序都不一样：{sequence}',
    'hint.outOfTurn': '78 行都打印了，但没有按顺序交替：用 `Atomics.wait`/`Atomics.notify` 或消息传递交出执行权（不要用定时器），并且在交出之前同步写出。',
    'hint.loadOrder': '每一次运行都必须保持顺序。`sleep` 和定时器不能代替线程同步：用 `Atomics.wait`/`Atomics.notify` 或消息传递交出执行权，并且在交出之前同步写出（fs.writeSync）。',
    'hint.loadLost': '负载高时也不能丢掉轮次：用 Atomics.wait(cell, i, value) 等待你上次看到的值（如果轮次已经变了，它会立即返回），并且每次 `Atomics.store` 之后都要 `Atomics.notify`。',
    'hint.loadTwice': '每一次运行中，每一行都只打印一次，而且在轮到它时打印。',

    // ——— 行的引用与对照 ———
    'line.nothing': '（没有）',
    'line.empty': '（空行）',
    'line.missing': '（缺失）',
    'lines.noOutput': '（没有输出）',
    'lines.before': '…（前面还有 {n} 行）',
    'lines.more': '…（后面还有 {n} 行）',
    'lines.moreLast': '… 后面还有 {n} 行，最后一行：{last}',

    // ——— 差异 ———
    'diff.short': '`stdout` 只有 {n} 行就结束了，应有 78 行（第 {line} 行应为 {want}）',
    'diff.long': '`stdout` 有 {n} 行，应有 78 行（第 {line} 行是 {got}，多出来了）',
    'diff.line': '`stdout` 第 {line} 行是 {got}，应为 {want}',
    'diff.withEnd': '{difference}；{end}',

    // ——— 运行如何结束 ———
    'end.idle': '{ms}内没有任何输出：两个工作线程可能在互相等待（打印了 78 行中的 {n} 行后被停止）',
    'end.timeout': '程序在 {ms}内没有退出（打印了 78 行中的 {n} 行后被停止）',
    'end.exit': '程序打印了 78 行中的 {n} 行后{how}',
    'end.exitThrown': '程序打印了 78 行中的 {n} 行后抛出 {error}，随后{how}',
    'end.exitStderr': '程序打印了 78 行中的 {n} 行后{how}（`stderr`：{stderr}）',
    'end.memory': '程序打印了 78 行中的 {n} 行后，因超出内存限制被停止',
    'end.memoryThrown': '程序打印了 78 行中的 {n} 行后抛出 {error}，因超出内存限制被停止',
    'end.memoryStderr': '程序打印了 78 行中的 {n} 行后，因超出内存限制被停止（`stderr`：{stderr}）',

    // ——— 缺少哪一类 ———
    'kinds.none': '没有这 78 行中的任何一行',
    'kinds.onlyNumbers': '只有数字（{n} 行），没有字母',
    'kinds.onlyLetters': '只有字母（{n} 行），没有数字',

    // ——— 线程 ———
    'thread.main': '主线程',
    'thread.worker': '工作线程 {n}',
    'thread.none': '没有任何线程',
    'thread.list': '{names}',

    // ——— run.exit ———
    'exit.hung': 'main.ts 没有退出：{end}。某个工作线程或主线程还在等待一个永远不会到来的信号（Atomics.wait 没有对应的 Atomics.notify、`MessagePort` 没有关闭、定时器没有清除）。',
    'exit.hung.expected': '8 秒内以退出码 0 结束',
    'exit.hung.actual': '运行 {ms}后被评分程序停止\n{lines}',
    'exit.nonzero': 'main.ts {how}，请查看 `stderr`。两个工作线程都结束后，程序必须以退出码 0 退出。',
    'exit.nonzeroThrown': 'main.ts 抛出 {error} 后{how}，请查看 `stderr`。两个工作线程都结束后，程序必须以退出码 0 退出。',
    'exit.nonzero.expected': '退出码 0',
    'exit.signal': '被信号 `{signal}` 终止',
    'exit.code': '以退出码 {code} 退出',
    'exit.nothingPrinted': 'main.ts 以退出码 0 结束，但它的 `stdout` 里{missing}：只有工作线程打印了（数字和字母）之后，正常退出才得分。请启动两个工作线程，并在程序结束前等待它们完成。',
    'exit.nothingPrinted.expected': '打印完数字和字母后以退出码 0 结束',
    'exit.nothingPrinted.actual': '退出码 0\n{lines}',

    // ——— output.order ———
    'order.note': '在空闲的机器上运行 {runs} 次，有 {right} 次按顺序打印了这 78 行。',
    'order.failOne': '在空闲的机器上，{difference}。{hint}',
    'order.failMany': '在空闲的机器上运行 {runs} 次，有 {wrong} 次输出错误；第 {run} 次运行中，{difference}。{hint}',

    // ——— output.under-load ———
    'load.nothingIdle': '在空闲的机器上（第 1 次运行），`stdout` 里{missing}：负载下没有可以保持的交替。必须由两个工作线程轮流打印，一个打印数字，一个打印字母。',
    'load.nothingIdle.expected': '数字和字母轮流打印',
    'load.ofAll': '这 78 行',
    'load.ofSome': '它在空闲机器上打印出的 {n} 行（共 78 行）',
    'load.note': '在繁忙的机器上（每个核都有忙循环，每次同时运行 {parallel} 个，每次运行开始打印后最多暂停两次、每次 100–200 毫秒，共暂停 {pauses} 次）运行 {runs} 次，有 {right} 次按顺序交替打印了{of}。',
    'load.notPaused': '没有被暂停：第一次暂停之前就结束了',
    'load.paused': '暂停了 {pauses}',
    'load.pauseMs': '{ms}',
    'load.outOfTurn': '`stdout` 第 {at} 行是 {got}，而此时应轮到 {want}',
    'load.printedOnly': '{of}中只打印了 {printed} 行，到 {last} 为止',
    'load.printedOnlyEnd': '{of}中只打印了 {printed} 行，到 {last} 为止；{end}',
    'load.again': '打印完{of}之后，`stdout` 第 {at} 行又出现了 {got}',
    'load.fail': '在繁忙的机器上运行 {runs} 次，有 {wrong} 次出错，只有 {right} 次正确（第一次出错的是第 {run} 次运行，{pauses}：{what}）。{hint}',

    // ——— roles.two-workers ———
    'roles.summary': '数字：{numbers}\n字母：{letters}',
    'roles.expected': '数字：一个工作线程（N）\n字母：另一个工作线程（L ≠ N）',
    'roles.nothingPrinted': '这 78 行一行也没有打印，因此无法把它们记到任何工作线程名下。',
    'roles.nothingCredited': '这 78 行没有一行能记到某个线程名下：请在工作线程里用 fs.writeSync(1, …)、process.stdout.write 或 console.log 写出（并保留 Node 为工作线程设置的 `execArgv`）。',
    'roles.mainOnly': '没有任何工作线程打印，所有行都是主线程打印的：请用 `node:worker_threads` 启动两个打印的工作线程（一个打印数字，一个打印字母）。',
    'roles.numbersSplit': '数字是由{threads}打印的；必须由一个工作线程打印全部数字。',
    'roles.numbersSplitMain': '数字是由{threads}打印的；必须由一个工作线程打印全部数字。主线程只负责启动工作线程并等待它们结束。',
    'roles.lettersSplit': '字母是由{threads}打印的；必须由一个工作线程打印全部字母。',
    'roles.lettersSplitMain': '字母是由{threads}打印的；必须由一个工作线程打印全部字母。主线程只负责启动工作线程并等待它们结束。',
    'roles.sameWorker': '数字和字母是由同一个工作线程（{thread}）打印的：请用两个工作线程，各打印一类，并互相交出执行权。',

    // ——— roles.main-silent ———
    'silent.mainWrote': '主线程打印了 78 行中的 {n} 行（例如 `{line}`）；主线程只应启动工作线程并等待它们结束。（工作线程的 console.log 经主线程转发输出，这样的行记在工作线程名下，不算主线程打印的。）',
    'silent.mainWrote.expected': '主线程不打印这 78 行中的任何一行',
    'silent.mainWrote.actual': '主线程打印的行：{lines}',
    'silent.workersMissing': '主线程没有打印这 78 行中的任何一行，但工作线程的输出中{missing}：只有在工作线程确实打印时，主线程不打印才得分。请启动两个工作线程，分别打印数字和字母。',
    'silent.workersMissingEmpty': '主线程没有打印这 78 行中的任何一行，但工作线程的输出中{missing}（`stdout` 为空）：只有在工作线程确实打印时，主线程不打印才得分。请启动两个工作线程，分别打印数字和字母。',
    'silent.workersMissing.expected': '由工作线程打印数字和字母，主线程一行也不打印',
    'silent.workersMissing.actual': '工作线程打印的行：{lines}',
  },
);
