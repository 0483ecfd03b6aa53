import { defineCatalogue } from '../../i18n/catalogue.ts';
import { defineStarter, todo, udpServer } from '../starter.ts';

const text = defineCatalogue(
  'init:udp-dict',
  {
    title: 'UDP word lookup',
    dict: 'At start, read the dictionary: the file named by env DICT_FILE when it is set, else ./dict.txt. Read the file once, into a Map: the server must answer within 5 s of its start, even with the largest file. One entry a line: the word up to the first space or tab, then one or more spaces or tabs, then the meaning.',
    query: 'Each datagram is one query: trim it; ignore it (send nothing) when it is empty, longer than 256 bytes, or not valid UTF-8; otherwise send one datagram back to the address and port it came from: the meaning of the first entry whose word equals the query ignoring ASCII case, or exactly `Not Found`.',
  },
  {
    title: '查单词',
    dict: '启动时读取词典：设置了环境变量 DICT_FILE 时读它指定的文件，否则读 ./dict.txt。只读一次，放进 Map：即使文件最大，服务器也必须在启动后 5 秒内能回复。每行一个词条：单词到第一个空格或制表符为止，然后是一个或多个空格或制表符，然后是释义。',
    query: '每个数据报是一个查询：先去掉两端空白；为空、超过 256 字节或不是合法 UTF-8 时忽略（不回复）；否则向查询来的地址和端口回一个数据报：单词与查询在忽略 ASCII 大小写时相等的第一个词条的释义，没有则恰好回复 `Not Found`。',
  },
);

export default defineStarter({
  exercise: 'udp-dict',
  text,
  files: (say, language) => ({
    'server.ts': udpServer(language, {
      id: 'udp-dict',
      title: say('title'),
      atStart: `const DICT_FILE = process.env.DICT_FILE || './dict.txt';
const dictionary = new Map<string, string>();
${todo(language, [say('dict')])}`,
      onMessage: `${todo(language, [say('query')], '  ')}`,
    }),
  }),
});
