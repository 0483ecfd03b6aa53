/**
 * The checks of qa-bot, one per clause of the contract (../shared/EXERCISES-2.md). Every
 * check starts its own server with its own table, and first sees the server answer a
 * legitimate question before it judges a close or a silence. Only `fallback.exact` judges
 * the spelling of the fallback (elsewhere the course's spellings pass), and only the
 * `lines.*` checks cut questions into pieces: one mistake costs points in one place.
 */
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckContext, CheckDefinition } from '../../grader/exercise/define.ts';
import { CheckFailure } from '../../grader/model/errors.ts';
import { describeOutcome, expectLine, show, withContext } from '../../grader/probes/expect.ts';
import { bytewise, randomSplits, utf8Split } from '../../grader/probes/segmentation.ts';
import type { TcpProbe } from '../../grader/probes/tcp.ts';
import type { RunningServer } from '../../grader/sandbox/sandbox.ts';
import {
  CLASSIC,
  FALLBACK,
  MAX_LINE_BYTES,
  REPLY_MS,
  ask,
  assertNotCrashed,
  expectCloseWithoutReply,
  expectRepliesInOrder,
  expectReply,
  quote,
  replyTo,
  startBot,
  type Table,
} from './protocol.ts';
import { text } from './messages.ts';

const { t } = text;

const FRAMING_HINT = (): string => t('hint.framing');
const CLOSE_HINT = (): string => t('hint.close');
/** Questions in ASCII, for the checks that cut lines anywhere (a split character is `lines.utf8-split`'s business). */
const ASCII: Table = [
  ['hello', 'hi there'],
  ['name', 'I am Xiaomei'],
  ['age', 'I am 2'],
  ['weather', 'sunny today'],
];
/** Under load a reply may take longer; still far from what a blocked client waits. */
const LOAD_REPLY_MS = 3000;
const LOAD_CLIENTS = 40;
const LOAD_QUESTIONS = 8;

/** `n` random questions from the table's keywords and one that matches none. */
function randomQuestions(ctx: CheckContext, table: Table, n: number, none: string): string[] {
  const pool = [...table.map(([keyword]) => keyword), none];
  return Array.from({ length: n }, () => ctx.random.pick(pool));
}

/** Connects, or fails saying that the server stopped accepting connections `after` something. */
async function connectAfter(ctx: CheckContext, server: RunningServer, after: string, fix: string): Promise<TcpProbe> {
  return ctx.connect(server).catch((error: unknown) => {
    assertNotCrashed(server, after);
    throw new CheckFailure(t('connect.failed', { after, error: error instanceof Error ? error.message : String(error), fix }), {
      expected: t('connect.expected'),
      actual: t('connect.actual'),
    });
  });
}

async function expectTooLong(ctx: CheckContext, probe: TcpProbe, what: string, hint: string): Promise<void> {
  await expectLine(probe, 'ERR too long', { after: what, timeoutMs: ctx.ms(REPLY_MS), hint });
  await expectCloseWithoutReply(ctx, probe, t('tooLong.after', { what, reply: show('ERR too long') }), t('hint.tooLongClose'));
}

/** The pieces of `bytes` cut at `size` bytes (the checks cut only between characters). */
function piecesOf(bytes: Buffer, ...cuts: number[]): Buffer[] {
  const pieces: Buffer[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    pieces.push(bytes.subarray(start, cut));
    start = cut;
  }
  return pieces;
}

export const checks: CheckDefinition[] = [
  // ——— the table ———
  {
    id: 'table.classic',
    get title() { return t('table.classic.title'); },
    points: 4,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const probe = await ctx.connect(server);
      for (const question of ['你好', '叫什么', '男生女生', '你几岁', '今天天气怎么样']) {
        await ask(ctx, probe, CLASSIC, question, {
          hint: t('table.classic.hint'),
        });
      }
    },
  },
  {
    id: 'table.qa-file',
    get title() { return t('table.qa-file.title'); },
    points: 4,
    async run(ctx) {
      const tag = ctx.random.int(1000, 9999);
      const table: Table = [
        ['早上好', `早安 #${tag}`],
        ['吃了吗', `吃过了 #${tag}`],
        ['再见', `拜拜 #${tag}`],
      ];
      const file = `faq-${tag}.json`;
      const server = await startBot(ctx, table, { file });
      const probe = await ctx.connect(server);
      for (const [keyword] of table) {
        await ask(ctx, probe, table, keyword, {
          hint: t('table.qa-file.hint', { file }),
        });
      }
    },
  },
  {
    id: 'table.read-once',
    get title() { return t('table.read-once.title'); },
    points: 2,
    async run(ctx) {
      const tag = ctx.random.int(1000, 9999);
      const before: Table = [['你好', `你好啊！#${tag}`], ['叫什么', `我叫小美 #${tag}`]];
      const after: Table = [['你好', `换了 #${tag}`], ['叫什么', `也换了 #${tag}`]];
      const server = await startBot(ctx, before);
      const probe = await ctx.connect(server);
      await ask(ctx, probe, before, '你好');
      // Replace the file whole (write elsewhere, then rename): a server that reads it again
      // sees either the old table or the new one, never half a file.
      const scratch = join(server.workDir, '.qa.json.next');
      await writeFile(scratch, JSON.stringify(after));
      await rename(scratch, join(server.workDir, 'qa.json'));
      ctx.note(t('table.read-once.note', { table: JSON.stringify(after) }));
      for (const question of ['你好', '叫什么']) {
        await ask(ctx, probe, before, question, {
          hint: t('table.read-once.hint'),
        });
      }
    },
  },
  {
    id: 'table.large',
    get title() { return t('table.large.title'); },
    points: 3,
    async run(ctx) {
      const tag = ctx.random.int(1000, 9999);
      const table: Table = Array.from({ length: 1000 }, (_, i) => {
        const n = String(i + 1).padStart(4, '0');
        return [`第${n}问`, `答${n} #${tag}`] as const;
      });
      const server = await startBot(ctx, table);
      const probe = await ctx.connect(server);
      for (const index of [0, ctx.random.int(1, 998), 999]) {
        await ask(ctx, probe, table, table[index]![0], { hint: t('table.large.hint') });
      }
    },
  },

  // ——— matching ———
  {
    id: 'match.substring',
    get title() { return t('match.substring.title'); },
    points: 5,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const probe = await ctx.connect(server);
      for (const question of ['喂，你好呀', '请问你叫什么名字？', '你是男生女生？', '小朋友你几岁了']) await ask(ctx, probe, CLASSIC, question);
    },
  },
  {
    id: 'match.file-order',
    get title() { return t('match.file-order.title'); },
    points: 6,
    async run(ctx) {
      const table: Table = [
        ['天气', '天气晴朗'],
        ['今天', '今天星期五'],
        ['早', '早上好呀'],
        ['晚上好', '晚安'],
        ['好', '好的好的'],
      ];
      const server = await startBot(ctx, table);
      const probe = await ctx.connect(server);
      for (const question of ['今天天气怎么样', '早上和晚上好', '晚上好，今天早']) await ask(ctx, probe, table, question);
    },
  },
  {
    id: 'match.duplicates',
    get title() { return t('match.duplicates.title'); },
    points: 3,
    async run(ctx) {
      const table: Table = [
        ['12306', '买火车票'],
        ['110', '报警电话'],
        ['2', '数字二'],
        ['你好', '你好啊！'],
        ['你好', '第二个你好'],
      ];
      const server = await startBot(ctx, table);
      const probe = await ctx.connect(server);
      for (const question of ['打12306还是110', '你好']) await ask(ctx, probe, table, question);
    },
  },
  {
    id: 'match.case',
    get title() { return t('match.case.title'); },
    points: 2,
    async run(ctx) {
      const table: Table = [
        ['Hi', '大写的Hi'],
        ['hi', '小写的hi'],
        ['I', '字母I'],
      ];
      const server = await startBot(ctx, table);
      const probe = await ctx.connect(server);
      for (const question of ['hi', 'Hi', 'I']) await ask(ctx, probe, table, question, { hint: t('match.case.hint') });
    },
  },
  {
    id: 'match.literal',
    get title() { return t('match.literal.title'); },
    points: 3,
    async run(ctx) {
      const table: Table = [
        ['a.b', '点'],
        ['1+1', '等于2'],
        ['c++', '一门语言'],
        ['(笑)', '哈哈'],
        ['*', '星号'],
        ['😀', '笑脸 😀'],
        ['\\d', '反斜杠d'],
        ['"引号"', '  前后有空格\t的答案  '],
        ['x', '字母x'],
      ];
      const server = await startBot(ctx, table);
      const probe = await ctx.connect(server);
      const hint = t('match.literal.hint');
      for (const question of ['axb', '1+1=?', '我在学c++', 'a*b', '(笑)', '😀😀', '\\d', '我说"引号"']) await ask(ctx, probe, table, question, { hint });
    },
  },
  {
    id: 'fallback.exact',
    get title() { return t('fallback.exact.title'); },
    points: 4,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const probe = await ctx.connect(server);
      await ask(ctx, probe, CLASSIC, '你好');
      for (const question of ['今天天气怎么样', '你们好', 'how old are you']) {
        await ask(ctx, probe, CLASSIC, question, {
          strictFallback: true,
          hint: t('fallback.exact.hint', { fallback: show(FALLBACK) }),
        });
      }
    },
  },
  {
    id: 'empty.err',
    get title() { return t('empty.err.title'); },
    points: 3,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const probe = await ctx.connect(server);
      await ask(ctx, probe, CLASSIC, '你好');
      const hint = t('empty.err.hint');
      for (const [line, ending] of [['', '\n'], ['   ', '\n'], ['\t \u3000', '\n'], ['', '\r\n']] as const) {
        await ask(ctx, probe, CLASSIC, line, { ending, hint });
      }
      await ask(ctx, probe, CLASSIC, '叫什么', { hint: t('empty.err.after') });
    },
  },

  // ——— ## ———
  {
    id: 'quit.basic',
    get title() { return t('quit.basic.title'); },
    points: 3,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const first = await ctx.connect(server);
      const sent = '你好\n##\n叫什么\n';
      await first.send(sent);
      await expectReply(ctx, first, CLASSIC, sent, '你好', replyTo(CLASSIC, '你好'), { hint: FRAMING_HINT() });
      await expectCloseWithoutReply(ctx, first, t('quit.basic.after', { sent: quote(sent) }), t('quit.basic.hint', { close: CLOSE_HINT() }));
      const second = await connectAfter(ctx, server, t('quit.afterHash'), t('hint.closeNotServer'));
      await ask(ctx, second, CLASSIC, '你几岁');
      await second.send('##\n');
      await expectCloseWithoutReply(ctx, second, t('quit.sendingHash'), CLOSE_HINT());
    },
  },
  {
    id: 'quit.crlf',
    get title() { return t('quit.crlf.title'); },
    points: 3,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const probe = await ctx.connect(server);
      await ask(ctx, probe, CLASSIC, '你好', { ending: '\r\n' });
      await probe.send('##\r\n');
      await expectCloseWithoutReply(ctx, probe, t('quit.crlf.after'), t('quit.crlf.hint'));
    },
  },
  {
    id: 'quit.trimmed',
    get title() { return t('quit.trimmed.title'); },
    points: 2,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      for (const line of ['  ##  ', '\t##', '\u3000## ']) {
        const probe = await connectAfter(ctx, server, t('quit.afterHash'), t('hint.closeNotServer'));
        await ask(ctx, probe, CLASSIC, '叫什么');
        await probe.send(`${line}\n`);
        await expectCloseWithoutReply(ctx, probe, t('quit.trimmed.after', { sent: quote(`${line}\n`) }), t('quit.trimmed.hint'));
      }
    },
  },
  {
    id: 'quit.exact',
    get title() { return t('quit.exact.title'); },
    points: 2,
    async run(ctx) {
      const table: Table = [
        ['###', '井号'],
        ['## 你好', '井号'],
        ['#', '井号'],
      ];
      const server = await startBot(ctx, table);
      const probe = await ctx.connect(server);
      for (const question of ['###', '## 你好', '#']) {
        await ask(ctx, probe, table, question, { hint: t('quit.exact.hint') });
      }
      await probe.send('##\n');
      await expectCloseWithoutReply(ctx, probe, t('quit.exact.after'), t('quit.exact.closeHint'));
    },
  },

  // ——— lines on the byte stream ———
  {
    id: 'lines.pipelined',
    get title() { return t('lines.pipelined.title'); },
    points: 5,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const probe = await ctx.connect(server);
      const questions = randomQuestions(ctx, CLASSIC, 10, '随便问问');
      const sent = questions.map((q) => `${q}\n`).join('');
      await probe.send(sent);
      await expectRepliesInOrder(ctx, probe, CLASSIC, sent, questions, { hint: t('lines.pipelined.hint', { framing: FRAMING_HINT() }) });
    },
  },
  {
    id: 'lines.bytewise',
    get title() { return t('lines.bytewise.title'); },
    points: 3,
    async run(ctx) {
      const server = await startBot(ctx, ASCII);
      const probe = await ctx.connect(server);
      const questions = ['hello', 'name', 'age'];
      const sent = questions.map((q) => `${q}\n`).join('');
      await probe.send(sent, { segmentation: bytewise, paced: true });
      await expectRepliesInOrder(ctx, probe, ASCII, sent, questions, { how: t('lines.bytewise.how'), hint: t('lines.bytewise.hint', { framing: FRAMING_HINT() }) });
    },
  },
  {
    id: 'lines.random',
    get title() { return t('lines.random.title'); },
    points: 3,
    async run(ctx) {
      const server = await startBot(ctx, ASCII);
      const probe = await ctx.connect(server);
      const questions = randomQuestions(ctx, ASCII, 20, 'what?');
      const sent = questions.map((q) => `${q}\n`).join('');
      await probe.send(sent, { segmentation: randomSplits(24), paced: true });
      await expectRepliesInOrder(ctx, probe, ASCII, sent, questions, { how: t('lines.random.how', { seed: String(ctx.seed) }), hint: FRAMING_HINT() });
    },
  },
  {
    id: 'lines.utf8-split',
    get title() { return t('lines.utf8-split.title'); },
    points: 4,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const probe = await ctx.connect(server);
      const questions = ['你几岁', '男生女生', '叫什么'];
      const sent = questions.map((q) => `${q}\n`).join('');
      await probe.send(sent, { segmentation: utf8Split, paced: true });
      await expectRepliesInOrder(ctx, probe, CLASSIC, sent, questions, {
        how: t('lines.utf8-split.how'),
        hint: t('lines.utf8-split.hint'),
      });
    },
  },
  {
    id: 'lines.crlf',
    get title() { return t('lines.crlf.title'); },
    points: 3,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const probe = await ctx.connect(server);
      await ask(ctx, probe, CLASSIC, '你好', { ending: '\r\n', hint: t('lines.crlf.hintEnd') });
      await ask(ctx, probe, CLASSIC, '你\r好', { hint: t('lines.crlf.hintInside') });
      await ask(ctx, probe, CLASSIC, '叫什么', { ending: '\r\n', hint: t('lines.crlf.hintOne') });
    },
  },
  {
    id: 'lines.fin',
    get title() { return t('lines.fin.title'); },
    points: 3,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const hint = t('lines.fin.hint');
      const cases: Array<{ send: string; questions: string[] }> = [
        { send: '你好', questions: ['你好'] },
        { send: '你几岁\n叫什么', questions: ['你几岁', '叫什么'] },
        { send: '男生女生\n', questions: ['男生女生'] },
      ];
      for (const c of cases) {
        const probe = await ctx.connect(server);
        await probe.send(c.send);
        probe.end();
        await expectRepliesInOrder(ctx, probe, CLASSIC, c.send, c.questions, { how: t('lines.fin.how'), hint });
        await expectCloseWithoutReply(ctx, probe, t(c.questions.length === 1 ? 'lines.fin.afterOne' : 'lines.fin.afterBoth', { sent: quote(c.send) }), c.send.endsWith('\n') ? t('lines.fin.nothingLeft') : hint);
      }
    },
  },
  {
    id: 'lines.invalid-utf8',
    get title() { return t('lines.invalid-utf8.title'); },
    points: 3,
    async run(ctx) {
      const table: Table = [['\uFFFD', '乱码'], ...CLASSIC];
      const server = await startBot(ctx, table);
      const probe = await ctx.connect(server);
      await ask(ctx, probe, table, '你好');
      const hint = t('lines.invalid-utf8.hint');
      // Each line decodes to exactly one U+FFFD: a lone ff, a lone lead byte c0, a lone
      // continuation byte 80, and the first two bytes of 你 (e4 bd) cut short by the \n.
      for (const bytes of [[0xff], [0xc0], [0x80], [0xe4, 0xbd]]) {
        const sent = Buffer.from([...bytes, 0x0a]);
        await probe.send(sent);
        const line = Buffer.from(bytes).toString('utf8');
        await expectReply(ctx, probe, table, sent, line, replyTo(table, line), { hint, explain: false });
      }
      await ask(ctx, probe, table, '叫什么', { hint: t('lines.invalid-utf8.after') });
    },
  },

  // ——— the 4,096-byte limit ———
  {
    id: 'limit.no-newline',
    get title() { return t('limit.no-newline.title'); },
    points: 3,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const probe = await ctx.connect(server);
      await ask(ctx, probe, CLASSIC, '你好');
      await probe.send('x'.repeat(4000), { paced: true });
      await probe.send('x'.repeat(MAX_LINE_BYTES + 1 - 4000), { paced: true });
      await expectTooLong(ctx, probe, t('limit.no-newline.after'), t('limit.no-newline.hint'));
    },
  },
  {
    id: 'limit.bytes',
    get title() { return t('limit.bytes.title'); },
    points: 3,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const probe = await ctx.connect(server);
      await ask(ctx, probe, CLASSIC, '叫什么');
      const bytes = Buffer.from('中'.repeat(1400));
      for (const piece of piecesOf(bytes, 1500, 3000)) await probe.send(piece, { paced: true });
      await expectTooLong(ctx, probe, t('limit.bytes.after'), t('limit.bytes.hint'));
    },
  },
  {
    id: 'limit.whole-line',
    get title() { return t('limit.whole-line.title'); },
    points: 2,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const probe = await ctx.connect(server);
      const sent = `你好\n${'y'.repeat(4200)}\n叫什么\n`;
      await probe.send(sent);
      await expectReply(ctx, probe, CLASSIC, sent, '你好', replyTo(CLASSIC, '你好'));
      await expectTooLong(
        ctx,
        probe,
        t('limit.whole-line.after'),
        t('limit.whole-line.hint'),
      );
    },
  },
  {
    id: 'limit.exact',
    get title() { return t('limit.exact.title'); },
    points: 3,
    async run(ctx) {
      // The line is also a keyword of the table (keywords may be long): its answer shows it was read whole.
      const line = `a${'中'.repeat(1365)}`;
      const bytes = Buffer.from(line);
      if (bytes.length !== MAX_LINE_BYTES) throw new Error(`the probe's line has ${bytes.length} bytes`);
      const table: Table = [...CLASSIC, [line, '刚好4096字节']];
      const server = await startBot(ctx, table);
      const probe = await ctx.connect(server);
      const hint = t('limit.exact.hint');
      for (const piece of piecesOf(bytes, 2047)) await probe.send(piece, { paced: true });
      await probe.send('\n', { paced: true });
      const whole = Buffer.concat([bytes, Buffer.from('\n')]);
      await expectReply(ctx, probe, table, whole, line, replyTo(table, line), { how: t('limit.exact.howSplit'), hint });
      await probe.send(whole);
      await expectReply(ctx, probe, table, whole, line, replyTo(table, line), { how: t('limit.exact.howWhole'), hint });
      await ask(ctx, probe, table, '你好');
    },
  },
  {
    id: 'limit.keeps-serving',
    get title() { return t('limit.keeps-serving.title'); },
    points: 2,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const a = await ctx.connect(server);
      await ask(ctx, a, CLASSIC, '你好');
      const b = await ctx.connect(server);
      await b.send('z'.repeat(5000));
      await expectLine(b, 'ERR too long', { after: t('limit.keeps-serving.after'), timeoutMs: ctx.ms(REPLY_MS), hint: t('limit.keeps-serving.hint', { a: a.label, b: b.label }) });
      const fix = t('limit.keeps-serving.fix');
      await withContext(t('limit.keeps-serving.prefix', { b: b.label }), fix, () => ask(ctx, a, CLASSIC, '叫什么'));
      const c = await connectAfter(ctx, server, t('limit.keeps-serving.connectAfter', { b: b.label }), fix);
      await withContext(t('limit.keeps-serving.prefix', { b: b.label }), fix, () => ask(ctx, c, CLASSIC, '你几岁'));
    },
  },

  // ——— many clients ———
  {
    id: 'clients.idle',
    /** Needs the machine to itself (timing): another client answered within the reply deadline while one is silent and one stopped mid-line. */
    exclusive: true,
    get title() { return t('clients.idle.title'); },
    points: 4,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const idle = await ctx.connect(server);
      const halfway = await ctx.connect(server);
      await halfway.send('叫', { paced: true });
      const third = await ctx.connect(server);
      await withContext(
        t('clients.idle.prefix', { idle: idle.label, halfway: halfway.label }),
        t('clients.idle.fix'),
        () => ask(ctx, third, CLASSIC, '你好'),
      );
      await withContext(t('clients.idle.thenPrefix', { idle: idle.label }), t('clients.idle.thenFix'), () => ask(ctx, idle, CLASSIC, '你几岁'));
    },
  },
  {
    id: 'clients.load',
    /** Needs the machine to itself (timing): many clients at once, each answer within its own deadline. */
    exclusive: true,
    get title() { return t('clients.load.title', { clients: LOAD_CLIENTS, questions: LOAD_QUESTIONS }); },
    points: 3,
    timeoutMs: 30_000,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const probes = await Promise.all(Array.from({ length: LOAD_CLIENTS }, () => ctx.connect(server)));
      const plans = probes.map(() => randomQuestions(ctx, CLASSIC, LOAD_QUESTIONS, '随便问问'));
      const answered = probes.map(() => 0);
      // Every client talks at the same time, one question after another (each waits for its
      // answer); no client leaves before all are done, so they are all connected throughout.
      const failures = await Promise.all(
        probes.map(async (probe, c) => {
          for (const question of plans[c]!) {
            await probe.send(`${question}\n`);
            const outcome = await probe.readLine(ctx.ms(LOAD_REPLY_MS));
            const expected = replyTo(CLASSIC, question);
            if (outcome.kind !== 'ok' || (outcome.value !== expected && !(expected === FALLBACK && outcome.value.startsWith('人家还小')))) {
              return { c, question, expected, got: outcome.kind === 'ok' ? show(outcome.value) : describeOutcome(outcome) };
            }
            answered[c]!++;
          }
          return undefined;
        }),
      );
      const failed = failures.filter((f) => f !== undefined);
      if (failed.length === 0) return;
      const complete = answered.filter((n) => n === LOAD_QUESTIONS).length;
      const none = answered.filter((n) => n === 0).length;
      const first = failed[0]!;
      throw new CheckFailure(
        t('clients.load.failed', {
          clients: LOAD_CLIENTS,
          questions: LOAD_QUESTIONS,
          complete,
          none,
          client: String(first.c + 1),
          question: show(first.question),
          expected: show(first.expected),
          got: first.got,
        }),
        {
          expected: t('clients.load.expected', { clients: LOAD_CLIENTS, questions: LOAD_QUESTIONS }),
          actual: t('clients.load.actual', { n: answered.reduce((a, b) => a + b, 0), complete }),
        },
      );
    },
  },
  {
    id: 'clients.own-buffer',
    get title() { return t('clients.own-buffer.title'); },
    points: 3,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const a = await ctx.connect(server);
      const b = await ctx.connect(server);
      const hint = t('clients.own-buffer.hint');
      await a.send('你', { paced: true });
      // B's line is "好" (no keyword): glued to A's half it would read "你好".
      await withContext(t('clients.own-buffer.prefix', { a: a.label }), hint, () => ask(ctx, b, CLASSIC, '好'));
      await a.send('几岁\n');
      await expectReply(ctx, a, CLASSIC, '几岁\n', '你几岁', replyTo(CLASSIC, '你几岁'), { how: t('clients.own-buffer.how'), hint });
    },
  },
  {
    id: 'clients.reset',
    get title() { return t('clients.reset.title'); },
    points: 4,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const stages: Array<{ what: string; bytes?: string; paced?: boolean }> = [
        { what: t('clients.reset.stage.before') },
        { what: t('clients.reset.stage.midLine'), bytes: '叫什', paced: true },
        { what: t('clients.reset.stage.afterQuestion'), bytes: '你好\n', paced: true },
        { what: t('clients.reset.stage.midReply'), bytes: '你好\n'.repeat(2000), paced: false },
      ];
      for (const stage of stages) {
        const probe = await connectAfter(ctx, server, t('clients.reset.afterReset'), t('hint.resetNotStop'));
        if (stage.bytes !== undefined) await probe.send(stage.bytes, { paced: stage.paced ?? false });
        probe.reset();
        assertNotCrashed(server, t('clients.reset.when', { stage: stage.what }));
      }
      const after = await connectAfter(ctx, server, t('clients.reset.afterFour'), t('hint.resetNotStop'));
      for (const question of ['你好', '男生女生']) {
        try {
          await ask(ctx, after, CLASSIC, question);
        } catch (error) {
          assertNotCrashed(server, t('clients.reset.whenFour'));
          throw error;
        }
      }
      assertNotCrashed(server, t('clients.reset.whenFour'));
    },
  },
];
