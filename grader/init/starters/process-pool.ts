import { defineCatalogue } from '../../i18n/catalogue.ts';
import { comment, defineStarter, header, todo, workerExitHelper } from '../starter.ts';

const text = defineCatalogue(
  'init:process-pool',
  {
    title: 'Parallel prime sum',
    args: 'Exactly one argument N, written [0-9]+, at most 1000000000. Anything else: print a message on stderr, nothing on stdout, and exit with code 2. Test the text with /^[0-9]+$/ before converting it.',
    output: 'Exactly one line on stdout: the sum of the primes p ≤ N in decimal digits, then exit code 0. Add up with a BigInt and print total.toString().',
    pool: 'At least 2 workers, created once, each fed many chunks of the range (a work queue): give every worker a chunk, and the next one as soon as it answers. Close the pool when the queue is empty.',
    sieve: 'In the worker: a segmented sieve of Eratosthenes over the chunk; answer with the chunk\'s sum.',
    workers: 'The pool: workers created once.',
  },
  {
    title: '进程池求质数和',
    args: '恰好一个参数 N，写法为 [0-9]+，不超过 1000000000。其他情况：在 stderr 上输出提示，stdout 上什么都不输出，以退出码 2 退出。转换之前先用 /^[0-9]+$/ 检查文本。',
    output: 'stdout 上恰好一行：所有不大于 N 的质数之和（十进制数字），然后以退出码 0 退出。用 BigInt 累加，输出 total.toString()。',
    pool: '至少 2 个 worker，只创建一次，每个 worker 分到区间的许多块（任务队列）：先给每个 worker 一块，它一回复就给它下一块。队列空了就关闭进程池。',
    sieve: '在 worker 里：对这一块做分段的埃拉托斯特尼筛法，回复这一块的和。',
    workers: '进程池：worker 只创建一次。',
  },
);

export default defineStarter({
  exercise: 'process-pool',
  text,
  files: (say, language) => ({
    'main.ts': `${header(language, 'process-pool', say('title'))}
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';

${workerExitHelper(language)}

if (isMainThread) {
${todo(language, [say('args'), say('output')], '  ')}
${comment(say('workers'), '  ')}
  const size = Math.max(2, Math.min(16, availableParallelism()));
  const workers = Array.from({ length: size }, () => new Worker(new URL(import.meta.url)));
${todo(language, [say('pool')], '  ')}
  for (const worker of workers) void worker.terminate();
  await Promise.all(workers.map(finished));
} else {
  parentPort!.on('message', (chunk: { from: number; to: number }) => {
${todo(language, [say('sieve')], '    ')}
    void chunk;
  });
}
`,
  }),
});
