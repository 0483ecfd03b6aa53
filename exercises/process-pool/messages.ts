/**
 * Every text of process-pool a student reads, in English and Chinese (see docs/i18n.md).
 * `end.*` say how a run ended as a predicate ("exited with code 1"): the messages give it its
 * subject ("it …" / "程序……"). `diag.*` explain a wrong sum; `why.*` name a bad argument.
 */
import { defineCatalogue } from '../../grader/i18n/catalogue.ts';

export const text = defineCatalogue(
  'process-pool',
  {
    // Check titles.
    'sum.example.title': 'node main.ts 100000 prints 454396537',
    'sum.below-two.title': 'N = 0 and N = 1 print 0',
    'sum.small.title': 'Small N that are not primes (4, 100, 1000, 0010) give the exact sums: 1 is not a prime',
    'sum.n-prime.title': 'When N is a prime it is in the sum (N = 2, 3, 7919, 999983)',
    'sum.edges.title': 'No prime counted twice at a chunk edge: N = k·p for a prime p and k = 2, 4, 10, 16, 64, 100',
    'sum.large.title': 'node main.ts 1000000000 prints 24739512092254535 (above 2^53) within 60 s and 1 GiB',
    'output.one-line.title': 'stdout is exactly one line, the sum (no timings or logs on stdout)',
    'run.exit.title': 'After printing the sum the program exits with code 0 by itself',
    'args.count.title': 'A missing or an extra argument: a message on stderr, nothing on stdout, exit code 2',
    'args.bad-n.title': 'An N that is not [0-9]+ or is above 10^9 (1e5, +5, -3, " 10", 1.5, 0x10, 1000000001, …): stderr, nothing on stdout, exit code 2',
    'pool.workers.title': 'At least 2 workers (threads or processes) run at the same time (N = 10^9)',
    'pool.created-once.title': 'The workers are created once: at most 16 in the run of N = 10^9',
    'pool.chunks.title': 'The workers are fed many chunks: at least 4 per worker (N = 10^9)',
    'parallel.share.title': 'The workers use at least 85% of the CPU time and the main thread at most 15% (N = 10^9)',
    'parallel.spread.title': 'No single worker uses more than 75% of the CPU time (N = 10^9)',
    'parallel.overlap.title': 'Two workers run at the same time in most 50 ms intervals of the run (N = 10^9)',

    // How a run ended (runs.ts).
    'end.timeoutStarved':
      'did not finish within {own} of its own time ({wall} of wall time, of which the busy machine made it wait {starved} for a CPU: not counted) and was stopped',
    'end.timeout': 'did not finish within {ms} and was stopped',
    'end.idle': 'printed nothing and used no CPU time for {ms} (it waits for something that never comes) and was stopped',
    'end.linger': 'printed its output and then did not exit (no CPU time for {ms}: a worker or a port left open) and was stopped',
    'end.limit': 'was stopped at the {limit} limit (1 GiB resident for all its processes together)',
    'end.exit': '{how}',
    'end.thrown': '{how} after throwing {error}',
    'stdout.nothing': '(nothing on stdout)',
    'stdout.empty': '(an empty line)',
    'stdout.more': '… {n} more line(s)',
    'stderr.nothing': '(nothing on stderr)',

    // CPU chart (analysis.ts).
    'cpu.main': 'main thread',
    'cpu.thread': 'worker thread {id}',
    'cpu.threadTid': 'worker thread (tid {tid})',
    'cpu.process': 'child process {pid}',
    'cpu.ended': 'ended between samples',
    'cpu.helpers': "Node's own threads (GC, …)",
    'cpu.helpersShort': "Node's own threads",
    'cpu.startup': "Node's start-up (N = 1 run)",
    'cpu.startupShort': "Node's start-up",
    'cpu.apart': '(apart)',
    'cpu.total': 'main thread + workers',

    // Sums.
    'list.sep': ', ',
    'primes.none': 'no prime',
    'primes.list': 'the primes {primes}',
    'primes.listMore': 'the primes {primes}, …',
    'diag.one': '1 too many: 1 is not a prime.',
    'diag.nPrime': '{n} too few: N itself is a prime and belongs to the sum (p <= N).',
    'diag.twice':
      '{diff} too many, and {diff} is a prime: a prime counted twice, typically at the edge between two chunks (make the chunks [lo, hi] meet without overlap, e.g. hi = next lo - 1).',
    'diag.double':
      'Off by a little above 2^53: the sum was added up in a `number`, which cannot hold every integer above 2^53 = 9007199254740992. Add the chunk sums as a BigInt.',
    'diag.few': '{diff} too few: some primes are missing (a chunk left out, or the last numbers of the range).',
    'diag.many': '{diff} too many.',
    'sum.actual': '{stdout}\n(the program {end})\nstderr: {stderr}',
    'sum.bigintN': '{cmd} printed `{line}`: console.log of a BigInt adds an `n`. Print the digits only, e.g. console.log(sum.toString()).',
    'sum.nothing': '{cmd} printed nothing on stdout: it {end}. Expected the sum of the primes p <= {n}: {expected}.',
    'sum.noDigits':
      '{cmd} printed no line that is just the sum in decimal digits ({lines} line(s); the sum must be a line of its own, digits only). Expected the sum of the primes p <= {n}: {expected}.',
    'sum.wrong': '{cmd} printed {got}, expected {expected} (the sum of {primes} up to {n}): {diagnosis}',
    'sum.note': 'Right sums for N = {ns}.',
    'sum.leadingZeros': '{message} (N is [0-9]+, so 0010 is 10.)',
    'sum.timeout':
      '{message} Sixty seconds are plenty for a sieve: trial division of every number up to 10^9 is not. Sieve each chunk (a segmented sieve of Eratosthenes with the primes up to √N).',
    'sum.limit': '{message} It hit {limit}. A sieve per chunk needs a few seconds of CPU time for 10^9; trial division of every number needs minutes.',
    'sum.memory':
      '{message} One array for the whole range (10^9 numbers) does not fit in 1 GiB: sieve chunk by chunk, each worker with an array the size of its chunk.',

    // Arguments.
    'args.noSum': '{cmd} printed no sum (it {end}), so its refusing bad arguments shows nothing: the program must first answer a valid N.',
    'args.noSum.expected': 'a line of digits for N = 100000',
    'args.exit': 'it {end}, expected exit code 2',
    'args.stdout': 'it printed {stdout} on stdout, expected nothing there',
    'args.stderr': 'it printed no message on stderr',
    'args.problemSep': '; ',
    'args.wrong':
      '{cmd} ({why}): {problems}. A missing or extra argument or an N that is not [0-9]+ at most 1000000000 gets a message on stderr, nothing on stdout, and exit code 2 (process.exit(2)); test the text with /^[0-9]+$/ before converting it (Number and parseInt accept "1e5", "+5", " 10", "0x10").',
    'args.wrong.expected': 'stdout: (nothing)\nstderr: a message\nexit code 2',
    'args.wrong.actual': 'stdout: {stdout}\nstderr: {stderr}\n{end}',
    'args.note': 'Refused as required: {cmds}.',
    'why.none': 'no argument',
    'why.two': 'two arguments',
    'why.exponent': 'exponent notation',
    'why.sign': 'a sign',
    'why.negative': 'a negative number',
    'why.leadingSpace': 'a leading space',
    'why.trailingSpace': 'a trailing space',
    'why.empty': 'an empty argument',
    'why.notNumber': 'not a number',
    'why.fraction': 'a fraction',
    'why.hex': 'hexadecimal',
    'why.above': 'above 1000000000',

    // The N = 10^9 run.
    'pool.noProc': "The grader could not read the run's threads from /proc (not Linux?), so the pool cannot be judged here.",
    'pool.runNote': '{cmd}: it {end} after {ms} wall time (reported, never judged); {samples} samples, one every {interval} on average.',
    'pool.chartNote': 'CPU time per thread (ms):\n{chart}',
    'pool.tooLittle':
      '{cmd} used only {ms} of CPU time in all (it {end}): too little computing to judge a pool by. Summing the primes up to 10^9 takes seconds of CPU time.',
    'pool.noWorkers':
      'No worker thread and no child process ran: the main thread did all the computing ({share} of the CPU time). async functions and Promise.all run on the main thread, one at a time; create a pool of node:worker_threads workers (or child processes) and hand them the chunks.',
    'pool.noWorkers.expected': 'at least {n} workers',
    'workers.note': 'At most {alive} worker(s) alive at once ({created} created in the run).',
    'workers.few':
      'At most {alive} worker was alive at any moment of the run ({created} created in all): a pool has at least {min} workers, started together, that compute side by side.',
    'workers.few.expected': 'at least {min} workers alive at once',
    'created.note': '{created} worker(s) created in the run, at most {alive} alive at once.',
    'created.many':
      'The run created {created} workers (at most {alive} alive at once): a new worker per chunk. Starting a worker costs tens of milliseconds; create the pool once (at most {max} workers) and hand each worker chunk after chunk, like pool.submit.',
    'created.many.expected': 'at most {max} workers created',
    'created.many.actual': '{created} workers created',
    'chunks.note':
      'Chunks handed out: {total} ({post} messages posted by the main thread, {recv} IPC messages received by child processes, {take} atomic takes from shared memory) for {pool} worker(s) alive at once.',
    'chunks.noteUnfinished':
      'Chunks handed out: {total} ({post} messages posted by the main thread, {recv} IPC messages received by child processes, {take} atomic takes from shared memory) for {pool} worker(s) alive at once; the run did not get to its end, so {perWorker} per worker are enough.',
    'chunks.few':
      'The {pool} workers were handed {total} chunk(s) in all: the range was split once per worker instead of into many chunks fed to the pool. Cut [2, N] into many chunks (e.g. 10^7 numbers each: 100 chunks) and give each worker the next chunk when it finishes one, like pool.submit: a work queue keeps every worker busy to the end.',
    'chunks.fewUnfinished':
      'The {pool} workers were handed {total} chunk(s) in all while the run lasted: the range was split once per worker instead of into many chunks fed to the pool. Cut [2, N] into many chunks (e.g. 10^7 numbers each: 100 chunks) and give each worker the next chunk when it finishes one, like pool.submit: a work queue keeps every worker busy to the end.',
    'chunks.few.expected': 'at least {perWorker} chunks per worker: {needed} for {pool} workers',
    'chunks.few.actual': '{total} (posted {post}, received over IPC {recv}, atomic takes {take})',
    'share.note':
      "CPU time of the main thread and the workers: {own}; workers {workers} ({workersShare}, of which {ended} in threads or processes that ended between two samples); main thread {main} ({mainShare}). Apart: Node's start-up in the main thread, {startup} (what `node main.ts 1` took: start, load the modules, print, exit), and Node's own threads, {helpers}; all together {total}.",
    'share.wrong':
      'The main thread used {mainShare} of the run\'s CPU time (Node\'s start-up not counted; at most {mainMax}) and the workers {workersShare} (at least {workersMin}): the main thread computes. It should only cut the range, hand out chunks and add up the chunk sums; async functions and Promise.all in the main thread are not parallelism.',
    'share.wrong.expected': 'workers ≥ {workersMin}, main thread ≤ {mainMax}',
    'spread.wrong':
      "{name} used {share} of the run's CPU time (at most {max}): the work is not spread over the pool. Give every worker chunks of the range to sieve (not one worker sieving while others only add up or wait).",
    'spread.wrong.expected': 'every worker ≤ {max}',
    'overlap.ruleSchedstat': 'on a CPU or waiting for one for at least {share} of the interval',
    'overlap.ruleCpu': 'gaining CPU time in the interval',
    'overlap.note': '{overlap} of {phase} intervals of the computing phase had at least two workers running ({rule}).',
    'overlap.wrong':
      "Only {overlap} of the {phase} intervals (50 ms each) in which the workers computed had two or more workers running at the same time ({rule}): the workers take turns. Awaiting each worker's result before handing out the next chunk runs them one after the other; hand a chunk to every worker first, then give each the next one as its answer arrives.",
    'overlap.wrong.expected': 'more than half of the intervals with ≥ 2 workers running',
    'overlap.wrong.actual': '{overlap} of {phase}\n{chart}',

    // output.one-line and run.exit
    'oneLine.noDigits': '{cmd} printed no line of digits (it {end}), so there is no output to judge the form of.',
    'oneLine.many': '{cmd} printed {n} lines on stdout, e.g. `{other}`: stdout must be the sum alone, one line. Print timings and logs on stderr (console.error).',
    'oneLine.spaces': '{cmd} printed {line}: the line must be the digits only, no spaces.',
    'exit.noSum': '{cmd} printed no sum (it {end}), so its exit after the sum cannot be judged.',
    'exit.wrong':
      '{cmd} printed its sum and then {end}; it must exit with code 0 once the sum is printed. Close the pool when the queue is empty (worker.terminate(), or let each worker end; child.disconnect()/kill()).',
    'exit.wrong.expected': 'exit code 0',
    'exit.wrong.actual': '{end}\nstderr: {stderr}',
  },
  {
    'sum.example.title': 'node main.ts 100000 输出 454396537',
    'sum.below-two.title': 'N = 0 和 N = 1 时输出 0',
    'sum.small.title': '不是质数的较小的 N（4、100、1000、0010）得到准确的和：1 不是质数',
    'sum.n-prime.title': 'N 本身是质数时，它也计入和中（N = 2、3、7919、999983）',
    'sum.edges.title': '质数不会在分块边界上被重复计算：N = k·p，p 为质数，k = 2、4、10、16、64、100',
    'sum.large.title': 'node main.ts 1000000000 在 60 秒和 1 GiB 内存之内输出 24739512092254535（超过 2^53）',
    'output.one-line.title': 'stdout 恰好一行，就是这个和（stdout 上不输出计时或日志）',
    'run.exit.title': '输出和之后，程序自行以退出码 0 退出',
    'args.count.title': '缺少参数或多出参数：在 stderr 上输出提示，stdout 上什么也不输出，退出码 2',
    'args.bad-n.title': 'N 不符合 [0-9]+ 或大于 10^9（1e5、+5、-3、" 10"、1.5、0x10、1000000001 等）：输出到 stderr，stdout 上什么也不输出，退出码 2',
    'pool.workers.title': '至少 2 个工作者（线程或进程）同时运行（N = 10^9）',
    'pool.created-once.title': '工作者只创建一次：N = 10^9 的这次运行中最多创建 16 个',
    'pool.chunks.title': '给工作者分发许多块任务：每个工作者至少 4 块（N = 10^9）',
    'parallel.share.title': '工作者至少占用 85% 的 CPU 时间，主线程最多占用 15%（N = 10^9）',
    'parallel.spread.title': '没有哪个工作者单独占用超过 75% 的 CPU 时间（N = 10^9）',
    'parallel.overlap.title': '在这次运行的大多数 50 毫秒时间段内，都有两个工作者同时运行（N = 10^9）',

    'end.timeoutStarved': '在它自己的 {own}运行时间内没有完成（墙上时间 {wall}，其中有 {starved}是繁忙的机器让它等待 CPU，不计入），被评分程序终止',
    'end.timeout': '在 {ms}内没有完成，被评分程序终止',
    'end.idle': '在 {ms}内什么也没输出，也没有使用 CPU 时间（在等待一件永远不会发生的事），被评分程序终止',
    'end.linger': '输出结果后没有退出（{ms}内没有使用 CPU 时间：有工作者或端口没有关闭），被评分程序终止',
    'end.limit': '因超出 {limit} 限制被终止（所有进程合计常驻内存 1 GiB）',
    'end.exit': '{how}',
    'end.thrown': '抛出 {error} 后{how}',
    'stdout.nothing': '（stdout 上没有输出）',
    'stdout.empty': '（空行）',
    'stdout.more': '……后面还有 {n} 行',
    'stderr.nothing': '（stderr 上没有输出）',

    'cpu.main': '主线程',
    'cpu.thread': '工作线程 {id}',
    'cpu.threadTid': '工作线程（tid {tid}）',
    'cpu.process': '子进程 {pid}',
    'cpu.ended': '采样间隙中已结束的线程',
    'cpu.helpers': 'Node 自己的线程（GC 等）',
    'cpu.helpersShort': 'Node 自己的线程',
    'cpu.startup': 'Node 的启动（N = 1 的运行）',
    'cpu.startupShort': 'Node 的启动',
    'cpu.apart': '（另计）',
    'cpu.total': '主线程 + 工作者',

    'list.sep': '、',
    'primes.none': '没有质数',
    'primes.list': '质数 {primes}',
    'primes.listMore': '质数 {primes}……',
    'diag.one': '多了 1：1 不是质数。',
    'diag.nPrime': '少了 {n}：N 本身是质数，应计入和中（p <= N）。',
    'diag.twice': '多了 {diff}，而 {diff} 是质数：有一个质数被计算了两次，通常是在两个分块的边界上（让各分块 [lo, hi] 首尾相接而不重叠，例如 hi = 下一块的 lo - 1）。',
    'diag.double': '在 2^53 以上差了一点：这个和是用 `number` 累加的，而它无法精确表示 2^53 = 9007199254740992 以上的每个整数。请用 BigInt 累加各分块的和。',
    'diag.few': '少了 {diff}：漏掉了一些质数（漏了一个分块，或者漏了范围末尾的几个数）。',
    'diag.many': '多了 {diff}。',
    'sum.actual': '{stdout}\n（程序{end}）\nstderr：{stderr}',
    'sum.bigintN': '{cmd} 输出了 `{line}`：用 console.log 打印 BigInt 会多出一个 `n`。只输出数字，例如 console.log(sum.toString())。',
    'sum.nothing': '{cmd} 在 stdout 上什么也没输出：程序{end}。期望得到所有质数 p <= {n} 之和：{expected}。',
    'sum.noDigits': '{cmd} 没有输出只含这个和的十进制数字的一行（共 {lines} 行；和必须单独占一行，只含数字）。期望得到所有质数 p <= {n} 之和：{expected}。',
    'sum.wrong': '{cmd} 输出了 {got}，期望 {expected}（不超过 {n} 的{primes}之和）：{diagnosis}',
    'sum.note': '以下 N 的和都正确：{ns}。',
    'sum.leadingZeros': '{message}（N 的格式是 [0-9]+，所以 0010 就是 10。）',
    'sum.timeout': '{message}用筛法的话，60 秒绰绰有余；对 10^9 以内的每个数做试除则远远不够。请对每个分块做筛法（用 √N 以内的质数做分段埃拉托斯特尼筛法）。',
    'sum.limit': '{message}程序触及了{limit}。对 10^9 按分块筛只需几秒 CPU 时间；对每个数做试除则需要几分钟。',
    'sum.memory': '{message}为整个范围（10^9 个数）开一个数组，1 GiB 内存放不下：请逐块筛，每个工作者只用与自己分块大小相同的数组。',

    'args.noSum': '{cmd} 没有输出和（程序{end}），因此它拒绝错误参数也说明不了什么：程序首先要能对合法的 N 给出答案。',
    'args.noSum.expected': 'N = 100000 时输出一行数字',
    'args.exit': '程序{end}，期望退出码 2',
    'args.stdout': '程序在 stdout 上输出了 {stdout}，期望那里什么也没有',
    'args.stderr': '程序没有在 stderr 上输出任何提示',
    'args.problemSep': '；',
    'args.wrong':
      '{cmd}（{why}）：{problems}。缺少参数、多出参数、或者 N 不符合 [0-9]+ 或超过 1000000000 时，要在 stderr 上输出提示，stdout 上什么也不输出，并以退出码 2 退出（process.exit(2)）；转换之前先用 /^[0-9]+$/ 检查文本（Number 和 parseInt 都会接受 "1e5"、"+5"、" 10"、"0x10"）。',
    'args.wrong.expected': 'stdout：（什么也没有）\nstderr：一条提示\n退出码 2',
    'args.wrong.actual': 'stdout：{stdout}\nstderr：{stderr}\n{end}',
    'args.note': '以下命令都按要求拒绝了：{cmds}。',
    'why.none': '没有参数',
    'why.two': '两个参数',
    'why.exponent': '指数记法',
    'why.sign': '带正负号',
    'why.negative': '负数',
    'why.leadingSpace': '开头有空格',
    'why.trailingSpace': '末尾有空格',
    'why.empty': '空参数',
    'why.notNumber': '不是数字',
    'why.fraction': '小数',
    'why.hex': '十六进制',
    'why.above': '大于 1000000000',

    'pool.noProc': '评分程序无法从 /proc 读取这次运行的线程（不是 Linux？），因此这里无法评判进程池。',
    'pool.runNote': '{cmd}：程序在墙上时间 {ms}后{end}（仅供参考，不计分）；共采样 {samples} 次，平均每 {interval}一次。',
    'pool.chartNote': '每个线程的 CPU 时间（毫秒）：\n{chart}',
    'pool.tooLittle': '{cmd} 总共只用了 {ms}的 CPU 时间（程序{end}）：计算量太少，无法据此评判进程池。求 10^9 以内的质数之和需要几秒的 CPU 时间。',
    'pool.noWorkers':
      '没有任何工作线程或子进程在运行：所有计算都是主线程做的（占 CPU 时间的 {share}）。async 函数和 Promise.all 都在主线程上一个接一个地运行；请创建一个由 node:worker_threads 工作线程（或子进程）组成的池，把各个分块交给它们。',
    'pool.noWorkers.expected': '至少 {n} 个工作者',
    'workers.note': '同时存活的工作者最多 {alive} 个（这次运行共创建 {created} 个）。',
    'workers.few': '这次运行中任何时刻最多只有 {alive} 个工作者存活（共创建 {created} 个）：进程池至少要有 {min} 个工作者，一起启动，并行计算。',
    'workers.few.expected': '至少 {min} 个工作者同时存活',
    'created.note': '这次运行共创建了 {created} 个工作者，同时存活的最多 {alive} 个。',
    'created.many':
      '这次运行创建了 {created} 个工作者（同时存活的最多 {alive} 个）：每个分块都新建一个工作者。启动一个工作者要花几十毫秒；进程池只创建一次（最多 {max} 个工作者），然后像 pool.submit 那样把分块一块接一块地交给各个工作者。',
    'created.many.expected': '最多创建 {max} 个工作者',
    'created.many.actual': '创建了 {created} 个工作者',
    'chunks.note': '分发的分块数：{total}（主线程发送的消息 {post} 条，子进程收到的 IPC 消息 {recv} 条，从共享内存原子地取走 {take} 次），同时存活的工作者 {pool} 个。',
    'chunks.noteUnfinished':
      '分发的分块数：{total}（主线程发送的消息 {post} 条，子进程收到的 IPC 消息 {recv} 条，从共享内存原子地取走 {take} 次），同时存活的工作者 {pool} 个；这次运行没有执行到结束，所以每个工作者 {perWorker} 块就够了。',
    'chunks.few':
      '{pool} 个工作者总共只分到了 {total} 块：范围只按工作者个数切分了一次，而不是切成许多块交给进程池。请把 [2, N] 切成许多块（例如每块 10^7 个数，共 100 块），每个工作者做完一块就给它下一块，就像 pool.submit 那样：用一个任务队列让每个工作者一直忙到最后。',
    'chunks.fewUnfinished':
      '在这次运行期间，{pool} 个工作者总共只分到了 {total} 块：范围只按工作者个数切分了一次，而不是切成许多块交给进程池。请把 [2, N] 切成许多块（例如每块 10^7 个数，共 100 块），每个工作者做完一块就给它下一块，就像 pool.submit 那样：用一个任务队列让每个工作者一直忙到最后。',
    'chunks.few.expected': '每个工作者至少 {perWorker} 块：{pool} 个工作者共 {needed} 块',
    'chunks.few.actual': '{total}（发送 {post}，通过 IPC 收到 {recv}，原子取走 {take}）',
    'share.note':
      '主线程和工作者的 CPU 时间：{own}；工作者 {workers}（{workersShare}，其中 {ended}属于在两次采样之间结束的线程或进程）；主线程 {main}（{mainShare}）。另计：主线程中 Node 的启动 {startup}（即 `node main.ts 1` 所用的时间：启动、加载模块、打印、退出），以及 Node 自己的线程 {helpers}；全部合计 {total}。',
    'share.wrong':
      '主线程用了这次运行 CPU 时间的 {mainShare}（不计 Node 的启动；最多 {mainMax}），工作者用了 {workersShare}（至少 {workersMin}）：计算是主线程在做。主线程只应切分范围、分发分块、累加各分块的和；在主线程中用 async 函数和 Promise.all 并不是并行。',
    'share.wrong.expected': '工作者 ≥ {workersMin}，主线程 ≤ {mainMax}',
    'spread.wrong': '{name} 用了这次运行 CPU 时间的 {share}（最多 {max}）：工作没有分散到整个进程池。让每个工作者都去筛范围中的分块（而不是一个工作者在筛，其他工作者只做加法或等待）。',
    'spread.wrong.expected': '每个工作者 ≤ {max}',
    'overlap.ruleSchedstat': '在该时间段中至少 {share} 的时间在 CPU 上运行或等待 CPU',
    'overlap.ruleCpu': '在该时间段中获得了 CPU 时间',
    'overlap.note': '计算阶段的 {phase} 个时间段中，有 {overlap} 个至少有两个工作者在运行（{rule}）。',
    'overlap.wrong':
      '在工作者进行计算的 {phase} 个时间段（每段 50 毫秒）中，只有 {overlap} 个有两个或更多工作者同时运行（{rule}）：各工作者是轮流运行的。每等到一个工作者的结果再分发下一块，它们就一个接一个地运行；应先给每个工作者各分一块，再在每个结果到达时给它下一块。',
    'overlap.wrong.expected': '超过一半的时间段中有 ≥ 2 个工作者在运行',
    'overlap.wrong.actual': '{overlap} / {phase}\n{chart}',

    'oneLine.noDigits': '{cmd} 没有输出一行数字（程序{end}），因此没有可以检查格式的输出。',
    'oneLine.many': '{cmd} 在 stdout 上输出了 {n} 行，例如 `{other}`：stdout 上只能有这个和，一行。计时和日志请输出到 stderr（console.error）。',
    'oneLine.spaces': '{cmd} 输出了 {line}：这一行只能是数字，不能有空格。',
    'exit.noSum': '{cmd} 没有输出和（程序{end}），因此无法判断它输出和之后是否退出。',
    'exit.wrong':
      '{cmd} 输出和之后{end}；输出和之后必须以退出码 0 退出。任务队列空了就关闭进程池（worker.terminate()，或者让每个工作者自行结束；child.disconnect()/kill()）。',
    'exit.wrong.expected': '退出码 0',
    'exit.wrong.actual': '{end}\nstderr：{stderr}',
  },
);
