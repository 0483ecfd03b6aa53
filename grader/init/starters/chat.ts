import { defineCatalogue } from '../../i18n/catalogue.ts';
import { comment, defineStarter, todo, udpServer } from '../starter.ts';

const text = defineCatalogue(
  'init:chat',
  {
    title: 'UDP group chat',
    users: 'A user is a logged-in name together with the address (IP and port) it logged in from: keep them in a Map.',
    protocol: 'Each datagram is one request, UTF-8 text, no trailing newline. LOGIN <name> → exactly OK or FAIL, and on OK every other user gets `欢迎 <name> 进入聊天室`; CHAT <name> <content> → every other user gets `<name> : <content>`; EXIT <name> → the user is removed, every remaining user gets `<name> 退出聊天室`, no reply.',
    stdin: 'A line on the server\'s stdin: every user gets `管理员消息 : <line>`.',
  },
  {
    title: '群聊聊天室',
    users: '用户是一个已登录的名字加上它登录时的地址（IP 和端口）：用 Map 保存。',
    protocol: '每个数据报是一个请求，UTF-8 文本，末尾没有换行。LOGIN <name> → 恰好回复 OK 或 FAIL，OK 时其他每个用户收到 `欢迎 <name> 进入聊天室`；CHAT <name> <content> → 其他每个用户收到 `<name> : <content>`；EXIT <name> → 移除该用户，其余每个用户收到 `<name> 退出聊天室`，不回复。',
    stdin: '服务器 stdin 上的每一行：每个用户收到 `管理员消息 : <line>`。',
  },
);

export default defineStarter({
  exercise: 'chat',
  text,
  files: (say, language) => ({
    'server.ts': udpServer(language, {
      id: 'chat',
      title: say('title'),
      atStart: `import { createInterface } from 'node:readline';

${comment(say('users'))}
const users = new Map<string, { address: string; port: number }>();

createInterface({ input: process.stdin }).on('line', (line) => {
${todo(language, [say('stdin')], '  ')}
});`,
      onMessage: `  const request = message.toString('utf8');
${todo(language, [say('protocol')], '  ')}`,
    }),
  }),
});
