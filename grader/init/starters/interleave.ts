import { defineCatalogue } from '../../i18n/catalogue.ts';
import { comment, defineStarter, header, todo, workerExitHelper } from '../starter.ts';

const text = defineCatalogue(
  'init:interleave',
  {
    title: '1-52 and A-Z in turns',
    main: 'The main thread prints none of the 78 lines; it starts the two workers and waits for them.',
    shared: 'A shared Int32Array on a SharedArrayBuffer: whose turn it is (0: numbers, 1: letters).',
    worker: 'One worker prints every number (1 2, then A from the other, then 3 4 …), the other every letter. Coordinate with Atomics.wait / Atomics.store / Atomics.notify on the shared array: no sleeps or timers standing in for coordination. Write synchronously, fs.writeSync(1, \'1\\n\'), before you hand over the turn.',
  },
  {
    title: '交替打印',
    main: '主线程一行都不打印：它只启动两个子线程并等待它们结束。',
    shared: 'SharedArrayBuffer 上的共享 Int32Array：轮到谁了（0：数字，1：字母）。',
    worker: '一个线程打印所有数字（1 2，然后另一个线程打印 A，再 3 4 ……），另一个打印所有字母。用共享数组上的 Atomics.wait / Atomics.store / Atomics.notify 协调：不能用 sleep 或定时器代替同步。交出轮次之前先同步写出：fs.writeSync(1, \'1\\n\')。',
  },
);

export default defineStarter({
  exercise: 'interleave',
  text,
  files: (say, language) => ({
    'main.ts': `${header(language, 'interleave', say('title'))}
import { writeSync } from 'node:fs';
import { isMainThread, Worker, workerData } from 'node:worker_threads';

${workerExitHelper(language)}

if (isMainThread) {
${comment(say('shared'), '  ')}
  const turn = new Int32Array(new SharedArrayBuffer(4));
${comment(say('main'), '  ')}
  const numbers = new Worker(new URL(import.meta.url), { workerData: { role: 'numbers', turn } });
  const letters = new Worker(new URL(import.meta.url), { workerData: { role: 'letters', turn } });
  await Promise.all([finished(numbers), finished(letters)]);
} else {
  const { role, turn } = workerData as { role: 'numbers' | 'letters'; turn: Int32Array };
${todo(language, [say('worker')], '  ')}
  void writeSync;
  void role;
  void turn;
}
`,
  }),
});
