import { defineCatalogue } from '../../i18n/catalogue.ts';
import { comment, defineStarter, tcpServer, todo } from '../starter.ts';

const text = defineCatalogue(
  'init:sticky-packets',
  {
    title: 'Message framing',
    state: 'The bytes received on this connection and not yet taken apart into frames.',
    frames:
      'Each frame is "length: 4 bytes, unsigned, big-endian" then "length bytes of UTF-8 text". Never assume one \'data\' event is one frame, or that a frame is in one event: collect bytes until you have the 4 length bytes (readUInt32BE), then until you have the whole record.',
    end: 'A frame with length 0 (00 00 00 00) ends the batch: append the batch\'s records to ./student.txt, one record per line, then reply `OK <n>\\n` (n = number of records in this batch) and close the connection.',
  },
  {
    title: '粘包处理',
    state: '这个连接上已经收到、还没有拆成帧的字节。',
    frames:
      '每一帧是“长度：4 字节，无符号，大端（网络字节序）”加上“长度个字节的 UTF-8 文本”。不要以为一次 \'data\' 事件就是一帧，也不要以为一帧会在一次事件里到齐：先攒够 4 个长度字节（readUInt32BE），再攒够整条记录。',
    end: '长度为 0 的帧（00 00 00 00）表示这一批结束：把这一批记录追加到 ./student.txt，每条一行，然后回复 `OK <n>\\n`（n 为这一批的记录数）并关闭连接。',
  },
);

export default defineStarter({
  exercise: 'sticky-packets',
  text,
  files: (say, language) => ({
    'server.ts': tcpServer(language, {
      id: 'sticky-packets',
      title: say('title'),
      onConnect: `${comment(say('state'), '  ')}\n  let pending = Buffer.alloc(0);`,
      onData: `    pending = Buffer.concat([pending, chunk]);\n${todo(language, [say('frames'), say('end')], '    ')}`,
    }),
  }),
});
