import { defineCatalogue } from '../../i18n/catalogue.ts';
import { comment, defineStarter, tcpServer, todo } from '../starter.ts';

const text = defineCatalogue(
  'init:qa-bot',
  {
    title: 'Question-answer bot',
    table: 'At start, read the keyword table from the file named by the environment variable QA_FILE or, when QA_FILE is not set, from ./qa.json: a JSON array of [keyword, answer] pairs. Read it once, at start, and keep it in memory.',
    lines: 'A connection carries many questions, each a line: TCP is a byte stream, so collect bytes until a whole line has arrived, then answer it with one line as the spec says.',
    state: 'The text received on this connection and not yet a whole line.',
  },
  {
    title: '问答机器人',
    table: '启动时读取关键词表：环境变量 QA_FILE 指定的文件，没有设置 QA_FILE 时读 ./qa.json。内容是由 [关键词, 回答] 组成的 JSON 数组。只在启动时读一次，保存在内存里。',
    lines: '一个连接上会有多个问题，每个问题一行：TCP 是字节流（粘包），要攒够完整的一行再按题目要求回复一行。',
    state: '这个连接上已经收到、还没凑成完整一行的文本。',
  },
);

export default defineStarter({
  exercise: 'qa-bot',
  text,
  files: (say, language) => ({
    'server.ts': tcpServer(language, {
      id: 'qa-bot',
      title: say('title'),
      atStart: `const QA_FILE = process.env.QA_FILE || './qa.json';\n${todo(language, [say('table')])}`,
      onConnect: `${comment(say('state'), '  ')}\n  let pending = '';\n  socket.setEncoding('utf8');`,
      onData: `    pending += chunk;\n${todo(language, [say('lines')], '    ')}`,
    }),
  }),
});
