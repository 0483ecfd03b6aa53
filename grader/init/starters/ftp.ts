import { defineCatalogue } from '../../i18n/catalogue.ts';
import { comment, defineStarter, tcpServer, todo } from '../starter.ts';

const text = defineCatalogue(
  'init:ftp',
  {
    title: 'FTP file server',
    root: 'The file library is the folder in the environment variable FTP_ROOT (default ./files, relative to the working directory); create it if it is missing. Serve many clients at once.',
    protocol: 'Read each command as the protocol in the spec describes it, as the bytes arrive (one \'data\' event is not one command), and answer it; never serve a path outside the library.',
    state: 'The bytes received on this connection and not yet handled.',
  },
  {
    title: 'ftp 文件服务器',
    root: '文件库是环境变量 FTP_ROOT 指定的文件夹（默认 ./files，相对于工作目录）；不存在时创建它。要能同时服务多个客户端（并发）。',
    protocol: '按题目里的协议读取每条命令，随字节到达逐步处理（一次 \'data\' 事件不等于一条命令），并给出回复；不能访问文件库以外的路径。',
    state: '这个连接上已经收到、还没有处理的字节。',
  },
);

export default defineStarter({
  exercise: 'ftp',
  text,
  files: (say, language) => ({
    'server.ts': tcpServer(language, {
      id: 'ftp',
      title: say('title'),
      atStart: `const FTP_ROOT = process.env.FTP_ROOT || './files';\n${todo(language, [say('root')])}`,
      onConnect: `${comment(say('state'), '  ')}\n  let pending = Buffer.alloc(0);`,
      onData: `    pending = Buffer.concat([pending, chunk]);\n${todo(language, [say('protocol')], '    ')}`,
    }),
  }),
});
