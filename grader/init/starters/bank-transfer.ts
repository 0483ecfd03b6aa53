import { defineCatalogue } from '../../i18n/catalogue.ts';
import { comment, defineStarter, tcpServer, todo } from '../starter.ts';

const text = defineCatalogue(
  'init:bank-transfer',
  {
    title: 'Transfers without deadlock',
    accounts: 'At start, read ./accounts.json from the working directory, e.g. {"Tom": 5000, "Abby": 8000}: names are case-sensitive UTF-8 text, values their balances. Env TRANSFER_DELAY_MS (default 100) is the "network delay" of every transfer.',
    lines: 'Every request is one line ending in \\n (\\r\\n is accepted too); every reply is one line ending in \\n. Collect bytes until a whole line has arrived.',
    verbs: 'BALANCE <name> → OK <balance> or FAIL unknown account; TRANSFER <from> <to> <amount> → OK, FAIL bad amount, FAIL unknown account or FAIL insufficient funds (checked in that order); AUDIT → OK <sum of all balances>; anything else → ERR <reason>. A connection survives every FAIL and ERR.',
    locks: 'Transfers run at the same time: lock both accounts in one fixed order (no deadlock), and never let AUDIT see money in flight.',
    state: 'The text received on this connection and not yet a whole line.',
  },
  {
    title: '转账与死锁',
    accounts: '启动时从工作目录读取 ./accounts.json，例如 {"Tom": 5000, "Abby": 8000}：键是账户名（区分大小写，按 UTF-8 文本处理），值是余额。环境变量 TRANSFER_DELAY_MS（默认 100）是每次转账的“网络延迟”。',
    lines: '每个请求是以 \\n 结尾的一行（也接受 \\r\\n）；每个回复是以 \\n 结尾的一行。要攒够完整的一行再处理（粘包）。',
    verbs: 'BALANCE <name> → OK <balance> 或 FAIL unknown account；TRANSFER <from> <to> <amount> → OK、FAIL bad amount、FAIL unknown account 或 FAIL insufficient funds（按这个顺序判断）；AUDIT → OK <所有余额之和>；其他请求 → ERR <原因>。FAIL 和 ERR 之后连接保持不断。',
    locks: '多笔转账会并发进行：按固定顺序给两个账户加互斥锁（避免死锁），并且 AUDIT 不能看到转账途中的钱。',
    state: '这个连接上已经收到、还没凑成完整一行的文本。',
  },
);

export default defineStarter({
  exercise: 'bank-transfer',
  text,
  files: (say, language) => ({
    'server.ts': tcpServer(language, {
      id: 'bank-transfer',
      title: say('title'),
      atStart: `const TRANSFER_DELAY_MS = Number(process.env.TRANSFER_DELAY_MS || 100);\n${todo(language, [say('accounts'), say('locks')])}`,
      onConnect: `${comment(say('state'), '  ')}\n  let pending = '';\n  socket.setEncoding('utf8');`,
      onData: `    pending += chunk;\n${todo(language, [say('lines'), say('verbs')], '    ')}`,
    }),
  }),
});
