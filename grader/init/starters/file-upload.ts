import { defineCatalogue } from '../../i18n/catalogue.ts';
import { comment, defineStarter, tcpServer, todo } from '../starter.ts';

const text = defineCatalogue(
  'init:file-upload',
  {
    title: 'Upload a file',
    dir: 'Files go to the folder in the environment variable UPLOAD_DIR, default ./uploads (relative paths are relative to the working directory); create it (with any missing parents) if it does not exist.',
    protocol: 'Read the request as the protocol in the spec describes it, byte by byte as it arrives (one \'data\' event is not one message), store the file in that folder, and answer as the spec says.',
    state: 'The bytes received on this connection and not yet handled.',
  },
  {
    title: '上传文件',
    dir: '文件存放在环境变量 UPLOAD_DIR 指定的文件夹，默认 ./uploads（相对路径相对于工作目录）；不存在时创建它（连同缺少的上级文件夹）。',
    protocol: '按题目里的协议读取请求，按字节到达的顺序逐步处理（一次 \'data\' 事件不等于一条消息），把文件存进那个文件夹，并按题目要求回复。',
    state: '这个连接上已经收到、还没有处理的字节。',
  },
);

export default defineStarter({
  exercise: 'file-upload',
  text,
  files: (say, language) => ({
    'server.ts': tcpServer(language, {
      id: 'file-upload',
      title: say('title'),
      atStart: `const UPLOAD_DIR = process.env.UPLOAD_DIR || './uploads';\n${todo(language, [say('dir')])}`,
      onConnect: `${comment(say('state'), '  ')}\n  let pending = Buffer.alloc(0);`,
      onData: `    pending = Buffer.concat([pending, chunk]);\n${todo(language, [say('protocol')], '    ')}`,
    }),
  }),
});
