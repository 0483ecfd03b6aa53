import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXERCISES_DIR } from '../../exercise/registry.ts';
import { defineCatalogue } from '../../i18n/catalogue.ts';
import { comment, defineStarter, header, tcpServer, todo } from '../starter.ts';

const text = defineCatalogue(
  'init:stage-exam',
  {
    title: 'Stage exam',
    lines: 'Each line a client sends is printed on stdout and answered with `收到收到\\n`, in the order the lines arrived; a `\\r` just before the `\\n` is not part of the line. The line `Q` (any case, any surrounding whitespace) closes the connection without a reply.',
    halfClose: 'When the client half-closes (FIN), answer every line received (a last line without `\\n` is still a line), then close the connection.',
    singleton: 'Every call — concurrent ones made while the first build is still running, and later ones — resolves to the very same object, and the build runs once. Think about what you can store before the first `await`.',
    singletonTodo: 'TODO: write getInstance (see exercises/stage-exam/spec.md, part 3)',
    state: 'The bytes received on this connection and not yet a whole line.',
  },
  {
    title: '阶段考试',
    lines: '客户端发来的每一行都打印到 stdout，并按到达顺序回复 `收到收到\\n`；`\\n` 前面的 `\\r` 不算在这一行里。`Q` 这一行（不分大小写，前后可有空白）关闭连接，不回复。',
    halfClose: '客户端半关闭（FIN）时，把收到的每一行都回复完（最后一行没有 `\\n` 也算一行），再关闭连接。',
    singleton: '每一次调用——第一次构建还在进行时的并发调用，以及之后的调用——都得到同一个对象，而且只构建一次。想一想在第一个 `await` 之前你能先保存什么。',
    singletonTodo: 'TODO：实现 getInstance（见 exercises/stage-exam/spec.md 第 3 部分）',
    state: '这个连接上已经收到、还没凑成完整一行的字节。',
  },
);

/** Every question id of the public bank, each with an empty answer. */
function emptyAnswers(): string {
  const bank = JSON.parse(readFileSync(join(EXERCISES_DIR, 'stage-exam', 'quiz', 'bank.json'), 'utf8')) as { questions: Array<{ id: string }> };
  return JSON.stringify(Object.fromEntries(bank.questions.map((q) => [q.id, ''])), null, 2) + '\n';
}

export default defineStarter({
  exercise: 'stage-exam',
  text,
  files: (say, language) => ({
    'answers.json': emptyAnswers(),
    'server.ts': tcpServer(language, {
      id: 'stage-exam',
      title: say('title'),
      onConnect: `${comment(say('state'), '  ')}\n  let pending = Buffer.alloc(0);`,
      onData: `    pending = Buffer.concat([pending, chunk]);\n${todo(language, [say('lines')], '    ')}`,
      onEnd: todo(language, [say('halfClose')], '    '),
    }),
    'singleton.ts': `${header(language, 'stage-exam', say('title'))}

${todo(language, [say('singleton')])}
export async function getInstance(): Promise<object> {
  throw new Error(${JSON.stringify(say('singletonTodo'))});
}
`,
  }),
});
