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

const FRAMING_HINT = 'TCP keeps no message boundaries (粘包): collect the bytes, split them at each \\n, and keep the unfinished rest for the next chunk.';
const CLOSE_HINT = '## closes this connection without a reply (socket.end()).';
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
    throw new CheckFailure(`${after}, a new client could not connect (${error instanceof Error ? error.message : String(error)}). ${fix}`, {
      expected: 'the server accepts new clients',
      actual: 'connection refused or timed out',
    });
  });
}

async function expectTooLong(ctx: CheckContext, probe: TcpProbe, what: string, hint: string): Promise<void> {
  await expectLine(probe, 'ERR too long', { after: what, timeoutMs: ctx.ms(REPLY_MS), hint });
  await expectCloseWithoutReply(ctx, probe, `${what} and got ${show('ERR too long')}`, 'After ERR too long the server closes this connection (socket.end()).');
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
    title: "The course's table from ./qa.json: each keyword gets its answer, other questions the fallback, on one connection",
    points: 4,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const probe = await ctx.connect(server);
      for (const question of ['你好', '叫什么', '男生女生', '你几岁', '今天天气怎么样']) {
        await ask(ctx, probe, CLASSIC, question, {
          hint: 'Read the pairs from ./qa.json at start, answer each line with its answer and a \\n, and keep the connection open for the next question.',
        });
      }
    },
  },
  {
    id: 'table.qa-file',
    title: 'The table is read from the file named by env QA_FILE when it is set',
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
          hint: `QA_FILE=${file} and the working directory holds only that file: read the table from process.env.QA_FILE when it is set, else from ./qa.json.`,
        });
      }
    },
  },
  {
    id: 'table.read-once',
    title: 'The table is read once, at start: a later change of the file does not change the answers',
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
      ctx.note(`qa.json replaced by ${JSON.stringify(after)}`);
      for (const question of ['你好', '叫什么']) {
        await ask(ctx, probe, before, question, {
          hint: 'qa.json was replaced after the server had started and answered: the table is read once, at start, and kept in memory (not read again for each question).',
        });
      }
    },
  },
  {
    id: 'table.large',
    title: 'A table of 1,000 pairs: the first, a middle and the last pair are found',
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
        await ask(ctx, probe, table, table[index]![0], { hint: 'Every pair of the file counts (up to 1,000): keep them all, in file order.' });
      }
    },
  },

  // ——— matching ———
  {
    id: 'match.substring',
    title: 'A keyword anywhere inside a longer question selects its answer',
    points: 5,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const probe = await ctx.connect(server);
      for (const question of ['喂，你好呀', '请问你叫什么名字？', '你是男生女生？', '小朋友你几岁了']) await ask(ctx, probe, CLASSIC, question);
    },
  },
  {
    id: 'match.file-order',
    title: 'Of several keywords that occur, the first pair in file order wins (not the longest, not the leftmost, not the last)',
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
    title: 'A keyword given twice answers with its first pair; keywords that look like numbers keep their file order',
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
    title: 'Matching is case-sensitive',
    points: 2,
    async run(ctx) {
      const table: Table = [
        ['Hi', '大写的Hi'],
        ['hi', '小写的hi'],
        ['I', '字母I'],
      ];
      const server = await startBot(ctx, table);
      const probe = await ctx.connect(server);
      for (const question of ['hi', 'Hi', 'I']) await ask(ctx, probe, table, question, { hint: 'Compare the text as it is (question.includes(keyword)), without changing its case.' });
    },
  },
  {
    id: 'match.literal',
    title: 'Keywords are plain text (regex characters, emoji, quotes); answers are sent exactly as in the file',
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
      const hint = 'Keywords are plain text, not patterns: test question.includes(keyword), never new RegExp(keyword); send the answer exactly as it is in the file.';
      for (const question of ['axb', '1+1=?', '我在学c++', 'a*b', '(笑)', '😀😀', '\\d', '我说"引号"']) await ask(ctx, probe, table, question, { hint });
    },
  },
  {
    id: 'fallback.exact',
    title: 'A question without a keyword gets exactly 人家还小不知道啦',
    points: 4,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const probe = await ctx.connect(server);
      await ask(ctx, probe, CLASSIC, '你好');
      for (const question of ['今天天气怎么样', '你们好', 'how old are you']) {
        await ask(ctx, probe, CLASSIC, question, {
          strictFallback: true,
          hint: `When no keyword occurs, the reply is exactly ${show(FALLBACK)} and a \\n.`,
        });
      }
    },
  },
  {
    id: 'empty.err',
    title: 'An empty or blank line gets ERR empty and the connection stays open',
    points: 3,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const probe = await ctx.connect(server);
      await ask(ctx, probe, CLASSIC, '你好');
      const hint = 'A line that is empty once trimmed (line.trim() === "") gets "ERR empty"; the connection stays open.';
      for (const [line, ending] of [['', '\n'], ['   ', '\n'], ['\t \u3000', '\n'], ['', '\r\n']] as const) {
        await ask(ctx, probe, CLASSIC, line, { ending, hint });
      }
      await ask(ctx, probe, CLASSIC, '叫什么', { hint: 'After ERR empty the connection stays open for the next question.' });
    },
  },

  // ——— ## ———
  {
    id: 'quit.basic',
    title: '## closes the connection without a reply; lines behind it are not answered; the server serves on',
    points: 3,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const first = await ctx.connect(server);
      const sent = '你好\n##\n叫什么\n';
      await first.send(sent);
      await expectReply(ctx, first, CLASSIC, sent, '你好', replyTo(CLASSIC, '你好'), { hint: FRAMING_HINT });
      await expectCloseWithoutReply(ctx, first, `sending ${quote(sent)} in one segment and getting the reply to "你好"`, `${CLOSE_HINT} The line behind it ("叫什么") is not answered.`);
      const second = await connectAfter(ctx, server, 'After a client sent ##', '## closes that client\'s connection, not the server: keep listening.');
      await ask(ctx, second, CLASSIC, '你几岁');
      await second.send('##\n');
      await expectCloseWithoutReply(ctx, second, 'sending "##\\n"', CLOSE_HINT);
    },
  },
  {
    id: 'quit.crlf',
    title: '##\\r\\n closes the connection like ##\\n',
    points: 3,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const probe = await ctx.connect(server);
      await ask(ctx, probe, CLASSIC, '你好', { ending: '\r\n' });
      await probe.send('##\r\n');
      await expectCloseWithoutReply(ctx, probe, 'sending "##\\r\\n"', 'A line may end with \\r\\n: trim the line (or drop the \\r before the \\n) before comparing it with ##.');
    },
  },
  {
    id: 'quit.trimmed',
    title: '## with spaces or tabs around it closes the connection',
    points: 2,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      for (const line of ['  ##  ', '\t##', '\u3000## ']) {
        const probe = await connectAfter(ctx, server, 'After a client sent ##', '## closes that client\'s connection, not the server: keep listening.');
        await ask(ctx, probe, CLASSIC, '叫什么');
        await probe.send(`${line}\n`);
        await expectCloseWithoutReply(ctx, probe, `sending ${quote(`${line}\n`)}`, 'Each line is trimmed first (line.trim()), then compared with ##.');
      }
    },
  },
  {
    id: 'quit.exact',
    title: 'Only ## itself closes (### and "## 你好" are questions), even when a keyword such as # occurs in it',
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
        await ask(ctx, probe, table, question, { hint: 'Only a line that is exactly ## once trimmed closes the connection; other lines are questions.' });
      }
      await probe.send('##\n');
      await expectCloseWithoutReply(ctx, probe, 'sending "##\\n" with a keyword "#" in the table', 'The ## rule comes before the keywords: ## closes even if a keyword occurs in it.');
    },
  },

  // ——— lines on the byte stream ———
  {
    id: 'lines.pipelined',
    title: 'Ten questions in one segment get ten answers, in order',
    points: 5,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const probe = await ctx.connect(server);
      const questions = randomQuestions(ctx, CLASSIC, 10, '随便问问');
      const sent = questions.map((q) => `${q}\n`).join('');
      await probe.send(sent);
      await expectRepliesInOrder(ctx, probe, CLASSIC, sent, questions, { hint: `One 'data' event may hold several questions. ${FRAMING_HINT}` });
    },
  },
  {
    id: 'lines.bytewise',
    title: 'Questions sent one byte per segment are answered once each',
    points: 3,
    async run(ctx) {
      const server = await startBot(ctx, ASCII);
      const probe = await ctx.connect(server);
      const questions = ['hello', 'name', 'age'];
      const sent = questions.map((q) => `${q}\n`).join('');
      await probe.send(sent, { segmentation: bytewise, paced: true });
      await expectRepliesInOrder(ctx, probe, ASCII, sent, questions, { how: 'one byte per segment', hint: `A question may arrive in many pieces. ${FRAMING_HINT}` });
    },
  },
  {
    id: 'lines.random',
    title: 'Twenty questions cut at random points (seeded) are answered in order',
    points: 3,
    async run(ctx) {
      const server = await startBot(ctx, ASCII);
      const probe = await ctx.connect(server);
      const questions = randomQuestions(ctx, ASCII, 20, 'what?');
      const sent = questions.map((q) => `${q}\n`).join('');
      await probe.send(sent, { segmentation: randomSplits(24), paced: true });
      await expectRepliesInOrder(ctx, probe, ASCII, sent, questions, { how: `cut into random segments (seed ${ctx.seed})`, hint: FRAMING_HINT });
    },
  },
  {
    id: 'lines.utf8-split',
    title: 'A question whose Chinese characters are split across segments still finds its keyword',
    points: 4,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const probe = await ctx.connect(server);
      const questions = ['你几岁', '男生女生', '叫什么'];
      const sent = questions.map((q) => `${q}\n`).join('');
      await probe.send(sent, { segmentation: utf8Split, paced: true });
      await expectRepliesInOrder(ctx, probe, CLASSIC, sent, questions, {
        how: 'cut inside every Chinese character (one segment each piece)',
        hint: "A character split across segments is not invalid: keep a line's bytes until its \\n and decode the whole line (or use a StringDecoder / setEncoding('utf8')). chunk.toString() per chunk turns the pieces into U+FFFD and the keyword is missed.",
      });
    },
  },
  {
    id: 'lines.crlf',
    title: 'Lines ending in \\r\\n are answered; a \\r inside a line is an ordinary character, not a line end',
    points: 3,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const probe = await ctx.connect(server);
      await ask(ctx, probe, CLASSIC, '你好', { ending: '\r\n', hint: 'A line may end with \\r\\n: the \\r is not part of the question.' });
      await ask(ctx, probe, CLASSIC, '你\r好', { hint: 'Only \\n ends a line (a \\r right before it is dropped); a \\r elsewhere is part of the question, so "你\\r好" does not hold the keyword 你好.' });
      await ask(ctx, probe, CLASSIC, '叫什么', { ending: '\r\n', hint: 'Only \\n ends a line: "你\\r好\\n" is one question with one reply.' });
    },
  },
  {
    id: 'lines.fin',
    title: "After the client's FIN every question is answered, a last line without \\n too, then the server closes",
    points: 3,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const hint = "When the client half-closes ('end' event), answer what is left in the buffer if there is anything (a last line without \\n is a question), then close (socket.end()).";
      const cases: Array<{ send: string; questions: string[] }> = [
        { send: '你好', questions: ['你好'] },
        { send: '你几岁\n叫什么', questions: ['你几岁', '叫什么'] },
        { send: '男生女生\n', questions: ['男生女生'] },
      ];
      for (const c of cases) {
        const probe = await ctx.connect(server);
        await probe.send(c.send);
        probe.end();
        await expectRepliesInOrder(ctx, probe, CLASSIC, c.send, c.questions, { how: 'then FIN (half-close)', hint });
        await expectCloseWithoutReply(ctx, probe, `sending ${quote(c.send)}, then FIN, and getting ${c.questions.length === 1 ? 'its reply' : 'both replies'}`, c.send.endsWith('\n') ? 'Nothing is left after the last \\n: no more replies (no ERR empty), just close.' : hint);
      }
    },
  },
  {
    id: 'lines.invalid-utf8',
    title: 'Invalid UTF-8 is read as U+FFFD (here a keyword of the table), nothing crashes and the connection stays open',
    points: 3,
    async run(ctx) {
      const table: Table = [['\uFFFD', '乱码'], ...CLASSIC];
      const server = await startBot(ctx, table);
      const probe = await ctx.connect(server);
      await ask(ctx, probe, table, '你好');
      const hint = "The table's first keyword is U+FFFD (\"\uFFFD\"): decode a line with buffer.toString('utf8') (or a non-fatal TextDecoder), which turns each invalid sequence into U+FFFD, and nothing crashes.";
      // Each line decodes to exactly one U+FFFD: a lone ff, a lone lead byte c0, a lone
      // continuation byte 80, and the first two bytes of 你 (e4 bd) cut short by the \n.
      for (const bytes of [[0xff], [0xc0], [0x80], [0xe4, 0xbd]]) {
        const sent = Buffer.from([...bytes, 0x0a]);
        await probe.send(sent);
        const line = Buffer.from(bytes).toString('utf8');
        await expectReply(ctx, probe, table, sent, line, replyTo(table, line), { hint, explain: false });
      }
      await ask(ctx, probe, table, '叫什么', { hint: 'After lines of invalid UTF-8 the connection stays open.' });
    },
  },

  // ——— the 4,096-byte limit ———
  {
    id: 'limit.no-newline',
    title: '4,097 bytes without a \\n get ERR too long at once, then the server closes',
    points: 3,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const probe = await ctx.connect(server);
      await ask(ctx, probe, CLASSIC, '你好');
      await probe.send('x'.repeat(4000), { paced: true });
      await probe.send('x'.repeat(MAX_LINE_BYTES + 1 - 4000), { paced: true });
      await expectTooLong(ctx, probe, 'sending 4,097 bytes ("xxx…") without a \\n', 'Once more than 4,096 bytes have arrived without a \\n, reply ERR too long and close: do not wait for the \\n.');
    },
  },
  {
    id: 'limit.bytes',
    title: '1,400 × 中 (4,200 bytes, 1,400 characters) without a \\n get ERR too long: the limit counts bytes',
    points: 3,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const probe = await ctx.connect(server);
      await ask(ctx, probe, CLASSIC, '叫什么');
      const bytes = Buffer.from('中'.repeat(1400));
      for (const piece of piecesOf(bytes, 1500, 3000)) await probe.send(piece, { paced: true });
      await expectTooLong(ctx, probe, 'sending 1,400 × "中" (4,200 bytes of UTF-8) without a \\n, in 3 segments', 'The limit counts bytes (Buffer length or Buffer.byteLength), not characters: 中 is 3 bytes in UTF-8.');
    },
  },
  {
    id: 'limit.whole-line',
    title: 'A 4,200-byte line whose \\n arrives in the same segment also gets ERR too long',
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
        'sending "你好\\n", a line of 4,200 bytes and its \\n, and "叫什么\\n", in one segment',
        'A line over 4,096 bytes is too long whatever the segments: check the length of every complete line too, not only of the unfinished rest.',
      );
    },
  },
  {
    id: 'limit.exact',
    title: 'A line of exactly 4,096 bytes is a question, also when its \\n comes in a later segment',
    points: 3,
    async run(ctx) {
      // The line is also a keyword of the table (keywords may be long): its answer shows it was read whole.
      const line = `a${'中'.repeat(1365)}`;
      const bytes = Buffer.from(line);
      if (bytes.length !== MAX_LINE_BYTES) throw new Error(`the probe's line has ${bytes.length} bytes`);
      const table: Table = [...CLASSIC, [line, '刚好4096字节']];
      const server = await startBot(ctx, table);
      const probe = await ctx.connect(server);
      const hint = 'The limit is more than 4,096 bytes: a line of exactly 4,096 bytes (its \\n not counted) is a question.';
      for (const piece of piecesOf(bytes, 2047)) await probe.send(piece, { paced: true });
      await probe.send('\n', { paced: true });
      const whole = Buffer.concat([bytes, Buffer.from('\n')]);
      await expectReply(ctx, probe, table, whole, line, replyTo(table, line), { how: '(4,096 bytes in two segments, then the \\n alone)', hint });
      await probe.send(whole);
      await expectReply(ctx, probe, table, whole, line, replyTo(table, line), { how: '(4,096 bytes and the \\n in one segment)', hint });
      await ask(ctx, probe, table, '你好');
    },
  },
  {
    id: 'limit.keeps-serving',
    title: 'After refusing a line as too long the server keeps serving the other clients',
    points: 2,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const a = await ctx.connect(server);
      await ask(ctx, a, CLASSIC, '你好');
      const b = await ctx.connect(server);
      await b.send('z'.repeat(5000));
      await expectLine(b, 'ERR too long', { after: 'sending 5,000 bytes without a \\n', timeoutMs: ctx.ms(REPLY_MS), hint: `While ${a.label} stayed connected, ${b.label} sent a line over 4,096 bytes.` });
      const fix = 'ERR too long closes that client\'s connection only: the server keeps listening and serving everyone else.';
      await withContext(`After ${b.label} got ERR too long,`, fix, () => ask(ctx, a, CLASSIC, '叫什么'));
      const c = await connectAfter(ctx, server, `After ${b.label} got ERR too long`, fix);
      await withContext(`After ${b.label} got ERR too long,`, fix, () => ask(ctx, c, CLASSIC, '你几岁'));
    },
  },

  // ——— many clients ———
  {
    id: 'clients.idle',
    /** Needs the machine to itself (timing): another client answered within the reply deadline while one is silent and one stopped mid-line. */
    exclusive: true,
    title: 'A client that sends nothing and one stopped mid-line do not delay another client',
    points: 4,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const idle = await ctx.connect(server);
      const halfway = await ctx.connect(server);
      await halfway.send('叫', { paced: true });
      const third = await ctx.connect(server);
      await withContext(
        `While ${idle.label} sat connected and silent and ${halfway.label} had sent half a line ("叫"),`,
        'Serve every connection at once: never wait for one client (a blocking loop, an await on its next line) before serving the next.',
        () => ask(ctx, third, CLASSIC, '你好'),
      );
      await withContext(`Then the idle ${idle.label} spoke:`, 'A client that was idle must be served once it speaks.', () => ask(ctx, idle, CLASSIC, '你几岁'));
    },
  },
  {
    id: 'clients.load',
    /** Needs the machine to itself (timing): many clients at once, each answer within its own deadline. */
    exclusive: true,
    title: `${LOAD_CLIENTS} clients connected at once, ${LOAD_QUESTIONS} questions each, all answered`,
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
        `${LOAD_CLIENTS} clients connected at once and each asked ${LOAD_QUESTIONS} questions, one after another: ${complete} got all their answers, ${none} got none at all ` +
          `(client ${first.c + 1} asked ${show(first.question)}, expected ${show(first.expected)}, got ${first.got}). Serve all connections at the same time, each with its own state.`,
        { expected: `${LOAD_CLIENTS} × ${LOAD_QUESTIONS} answers`, actual: `${answered.reduce((a, b) => a + b, 0)} answers; clients served completely: ${complete}` },
      );
    },
  },
  {
    id: 'clients.own-buffer',
    title: 'Half lines of two clients are not mixed: each connection has its own line buffer',
    points: 3,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const a = await ctx.connect(server);
      const b = await ctx.connect(server);
      const hint = 'Keep one line buffer per connection (a variable inside the connection handler), not one shared by all clients.';
      await a.send('你', { paced: true });
      // B's line is "好" (no keyword): glued to A's half it would read "你好".
      await withContext(`While ${a.label} had sent "你" (no \\n yet),`, hint, () => ask(ctx, b, CLASSIC, '好'));
      await a.send('几岁\n');
      await expectReply(ctx, a, CLASSIC, '几岁\n', '你几岁', replyTo(CLASSIC, '你几岁'), { how: '(after "你" earlier: the question is "你几岁")', hint });
    },
  },
  {
    id: 'clients.reset',
    title: 'Clients that reset at any stage (before data, mid-line, after a question, mid-reply) do not crash the server',
    points: 4,
    async run(ctx) {
      const server = await startBot(ctx, CLASSIC);
      const stages: Array<{ what: string; bytes?: string; paced?: boolean }> = [
        { what: 'right after connecting, before sending anything' },
        { what: 'after sending half a line ("叫什")', bytes: '叫什', paced: true },
        { what: 'right after sending "你好\\n"', bytes: '你好\n', paced: true },
        { what: 'while the server was writing the answers to 2,000 questions', bytes: '你好\n'.repeat(2000), paced: false },
      ];
      for (const stage of stages) {
        const probe = await connectAfter(ctx, server, `After a client reset its connection`, 'A reset must not stop the server.');
        if (stage.bytes !== undefined) await probe.send(stage.bytes, { paced: stage.paced ?? false });
        probe.reset();
        assertNotCrashed(server, `when a client reset its connection ${stage.what}`);
      }
      const after = await connectAfter(ctx, server, 'After four clients reset their connections', 'A reset must not stop the server.');
      for (const question of ['你好', '男生女生']) {
        try {
          await ask(ctx, after, CLASSIC, question);
        } catch (error) {
          assertNotCrashed(server, 'when four clients reset their connections at various stages');
          throw error;
        }
      }
      assertNotCrashed(server, 'when four clients reset their connections at various stages');
    },
  },
];
