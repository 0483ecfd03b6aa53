import { defineCatalogue } from '../../i18n/catalogue.ts';
import { comment, defineStarter, header, todo, workerExitHelper } from '../starter.ts';

const text = defineCatalogue(
  'init:ticket-sale',
  {
    title: 'Selling tickets',
    settings: 'Settings from the environment: TICKETS (default 500), WINDOWS (default 10), SALE_MS (default 10). An unset or empty variable takes its default; mind that 0 is a valid value (`Number(x) || 500` turns TICKETS=0 into 500).',
    main: 'One worker thread per window. The main thread sells nothing: it opens the windows, waits until every one has ended, then prints `票已售罄`.',
    window: 'One line per ticket, exactly `W<k> --- T<n>`, in ticket order. Taking a ticket and printing its line is one step: take the next ticket and write its line under one lock, writing with fs.writeSync(1, …) inside the step. After each sale pause SALE_MS ms, holding no lock, then try again; end when the tickets are gone.',
    shared: 'Shared memory for every window: the next ticket number and a lock (Atomics).',
  },
  {
    title: '卖票',
    settings: '设置来自环境变量：TICKETS（默认 500）、WINDOWS（默认 10）、SALE_MS（默认 10）。未设置或为空时取默认值；注意 0 是合法值（`Number(x) || 500` 会把 TICKETS=0 变成 500 张票）。',
    main: '每个窗口一个 worker 线程。主线程不卖票：它开启各个窗口，等所有窗口都结束后打印 `票已售罄`。',
    window: '每张票一行，格式恰好是 `W<k> --- T<n>`，按票号顺序。取票和打印这一行是一步：在同一把互斥锁内取下一张票并写出这一行，在这一步里用 fs.writeSync(1, …) 写。每卖出一张后不持有锁暂停 SALE_MS 毫秒，再继续卖；票卖完就结束。',
    shared: '所有窗口共享的内存：下一张票的编号和一把锁（Atomics）。',
  },
);

export default defineStarter({
  exercise: 'ticket-sale',
  text,
  files: (say, language) => ({
    'main.ts': `${header(language, 'ticket-sale', say('title'))}
import { writeSync } from 'node:fs';
import { isMainThread, Worker, workerData } from 'node:worker_threads';

${workerExitHelper(language)}

if (isMainThread) {
${todo(language, [say('settings')], '  ')}
  const windows = 10;
${comment(say('shared'), '  ')}
  const shared = new Int32Array(new SharedArrayBuffer(8));
${comment(say('main'), '  ')}
  const workers = Array.from({ length: windows }, (_, i) => new Worker(new URL(import.meta.url), { workerData: { window: i + 1, shared } }));
  await Promise.all(workers.map(finished));
  // TODO: writeSync(1, '票已售罄\\n');
} else {
  const { window, shared } = workerData as { window: number; shared: Int32Array };
${todo(language, [say('window')], '  ')}
  void writeSync;
  void window;
  void shared;
}
`,
  }),
});
