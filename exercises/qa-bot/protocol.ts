/**
 * The qa-bot protocol as the probes speak it: the keyword tables, the reply a correct bot
 * gives to a line (computed here from the table, by the contract's rules), and the
 * expectations shared by the checks, whose messages name the likely mistake when a reply
 * is the one a classic wrong rule would give (the longest keyword, the leftmost, the last
 * pair, a pair lost by an object or a Map, ...).
 */
import type { CheckContext } from '../../grader/exercise/define.ts';
import { CheckFailure } from '../../grader/model/errors.ts';
import { ABSENCE_MS, describeOutcome, expectClosed, expectSilence, show } from '../../grader/probes/expect.ts';
import type { TcpProbe } from '../../grader/probes/tcp.ts';
import type { RunningServer } from '../../grader/sandbox/sandbox.ts';
import { sentences, tail, text } from './messages.ts';

const { t } = text;

export { ABSENCE_MS };

export type Pair = readonly [keyword: string, answer: string];
export type Table = readonly Pair[];

/** The course's table (随堂练习). */
export const CLASSIC: Table = [
  ['你好', '你好啊！'],
  ['叫什么', '我叫小美'],
  ['男生女生', '我是机器人啦'],
  ['你几岁', '我2岁啦'],
];
export const FALLBACK = '人家还小不知道啦';
/** The course's own spellings of the fallback: a classic mistake, judged only by `fallback.exact`. */
export const COURSE_FALLBACKS = ['人家还小，不知道。', '人家还小不知道啦。'];
export const MAX_LINE_BYTES = 4096;
/** A reply (or a close) on loopback: a correct server answers in milliseconds. */
export const REPLY_MS = 1500;

export const CLOSE = Symbol('close');
/** What a correct bot does with one line: a reply line, or closing the connection. */
export type Outcome = string | typeof CLOSE;

/** The pairs whose keyword occurs in the question, in file order. */
function matching(table: Table, question: string): Pair[] {
  return table.filter(([keyword]) => question.includes(keyword));
}

/** The contract's rules for one line (without its `\n`; a line over the limit is not handled here). */
export function outcomeOf(table: Table, line: string): Outcome {
  const question = line.trim();
  if (question === '##') return CLOSE;
  if (question === '') return 'ERR empty';
  return matching(table, question)[0]?.[1] ?? FALLBACK;
}

/** The reply to a line that must get a reply. */
export function replyTo(table: Table, line: string): string {
  const outcome = outcomeOf(table, line);
  if (outcome === CLOSE) throw new Error(`the line ${show(line)} closes the connection; it gets no reply`);
  return outcome;
}

/** `"你好\n"` for messages. */
export function quote(sent: string | Uint8Array): string {
  return show(sent, 120);
}

/**
 * Why a reply may be wrong, from the table: the answer a classic wrong rule would give.
 * Empty when no rule explains it.
 */
export function explain(table: Table, line: string, got: string): string {
  const question = line.trim();
  const hits = matching(table, question);
  const first = hits[0];
  if (got === question || got === line) return t('explain.echo');
  if (COURSE_FALLBACKS.includes(got)) return t('explain.courseSpelling', { fallback: show(FALLBACK) });
  if (first === undefined) {
    if (table.some(([keyword, answer]) => answer === got && question.toLowerCase().includes(keyword.toLowerCase()))) {
      return t('explain.case');
    }
    if (table.some(([keyword, answer]) => answer === got && question.replace(/\r/g, '').includes(keyword))) {
      return t('explain.cr');
    }
    return '';
  }
  if (got === FALLBACK || got.startsWith('人家还小')) {
    return t('explain.substring', { keyword: show(first[0]) });
  }
  const longest = [...hits].sort((a, b) => b[0].length - a[0].length)[0]!;
  const leftmost = [...hits].sort((a, b) => question.indexOf(a[0]) - question.indexOf(b[0]))[0]!;
  const last = hits.at(-1)!;
  const sameKeyword = table.filter(([keyword]) => keyword === first[0]);
  if (sameKeyword.length > 1 && got === sameKeyword.at(-1)![1]) {
    return t('explain.duplicate', { keyword: show(first[0]) });
  }
  if (got === longest[1] && longest !== first) return t('explain.longest', { longest: show(longest[0]), first: show(first[0]) });
  if (got === leftmost[1] && leftmost !== first) return t('explain.leftmost', { leftmost: show(leftmost[0]), first: show(first[0]) });
  if (got === last[1] && last !== first) return t('explain.last', { last: show(last[0]), first: show(first[0]) });
  const numericFirst = hits.find(([keyword]) => /^(0|[1-9]\d*)$/.test(keyword));
  if (numericFirst !== undefined && got === numericFirst[1]) {
    return t('explain.numeric', { keyword: show(numericFirst[0]) });
  }
  if (table.some(([keyword, answer]) => answer === got && keyword !== first[0] && question.toLowerCase().includes(keyword.toLowerCase()) && !question.includes(keyword))) {
    return t('explain.case');
  }
  return '';
}

/** Accepts the exact fallback, and (outside `fallback.exact`) the course's spellings of it. */
function accepts(expected: string, got: string, strictFallback: boolean): boolean {
  if (got === expected) return true;
  return !strictFallback && expected === FALLBACK && COURSE_FALLBACKS.includes(got);
}

export interface AskOptions {
  /** One sentence on the likely fix, after the explanation from the table. */
  hint?: string;
  /** Only `fallback.exact` judges the fallback's spelling: elsewhere the course's spellings pass. */
  strictFallback?: boolean;
  timeoutMs?: number;
  /** What was sent, when the line was sent in a particular way ("one byte per segment"). */
  how?: string;
  /** Leave out the explanation from the table (when the check's hint says it better). */
  explain?: boolean;
}

/**
 * Reads the reply to `line` (already sent on `probe`) and requires it to be `expected`.
 * `sent` is what the probe wrote, for the message.
 */
export async function expectReply(
  ctx: CheckContext,
  probe: TcpProbe,
  table: Table,
  sent: string | Uint8Array,
  line: string,
  expected: string,
  options: AskOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? ctx.ms(REPLY_MS);
  const outcome = await probe.readLine(timeoutMs);
  if (outcome.kind === 'ok' && accepts(expected, outcome.value, options.strictFallback === true)) return;
  const got = outcome.kind === 'ok' ? show(outcome.value) : describeOutcome(outcome);
  const why = outcome.kind === 'ok' && options.explain !== false ? explain(table, line, outcome.value) : '';
  const hint = sentences(why, options.hint ?? '');
  throw new CheckFailure(t('reply.wrong', { sent: quote(sent), how: tail(options.how), conn: probe.label, expected: show(expected), got, hint: tail(hint) }), {
    expected: `${expected}\\n`,
    actual: outcome.kind === 'ok' ? `${outcome.value}\\n` : describeOutcome(outcome),
  });
}

/** Sends one line (with `ending`, default `\n`) and requires the reply a correct bot gives. */
export async function ask(ctx: CheckContext, probe: TcpProbe, table: Table, line: string, options: AskOptions & { ending?: string } = {}): Promise<void> {
  const sent = `${line}${options.ending ?? '\n'}`;
  await probe.send(sent);
  await expectReply(ctx, probe, table, sent, line, replyTo(table, line), options);
}

/**
 * Reads the replies to `lines`, sent together as `sent` (in one segment, or cut as `how`
 * says), in order.
 */
export async function expectRepliesInOrder(
  ctx: CheckContext,
  probe: TcpProbe,
  table: Table,
  sent: string | Uint8Array,
  lines: string[],
  options: AskOptions = {},
): Promise<void> {
  for (const [index, line] of lines.entries()) {
    const expected = replyTo(table, line);
    const outcome = await probe.readLine(options.timeoutMs ?? ctx.ms(REPLY_MS));
    if (outcome.kind === 'ok' && accepts(expected, outcome.value, options.strictFallback === true)) continue;
    const got = outcome.kind === 'ok' ? show(outcome.value) : describeOutcome(outcome);
    const why = outcome.kind === 'ok' ? explain(table, line, outcome.value) : '';
    const hint = sentences(why, options.hint ?? '');
    throw new CheckFailure(
      t('replies.wrong', { n: lines.length, how: options.how ?? t('replies.inOneSegment'), conn: probe.label, sent: quote(sent), index: index + 1, line: show(line), expected: show(expected), got, hint: tail(hint) }),
      {
        expected: lines.map((l) => `${l.length > 40 ? `${l.slice(0, 40)}…` : l}  →  ${replyTo(table, l)}`).join('\n'),
        actual: (() => {
          const got = outcome.kind === 'ok' ? outcome.value : describeOutcome(outcome);
          return index === 0 ? t('replies.actualFirst', { got }) : t('replies.actual', { before: String(index), got });
        })(),
      },
    );
  }
}

/** Requires the server to close the connection without sending anything (more). */
export async function expectCloseWithoutReply(ctx: CheckContext, probe: TcpProbe, after: string, hint: string): Promise<void> {
  await expectClosed(probe, { after, timeoutMs: ctx.ms(REPLY_MS), hint });
}

/** Requires nothing more on the connection for ABSENCE_MS, and the connection still open. */
export async function expectNothingMore(ctx: CheckContext, probe: TcpProbe, after: string, hint: string): Promise<void> {
  await expectSilence(probe, { after, ms: ctx.ms(ABSENCE_MS), hint, open: true, meaning: t('nothingMore.meaning') });
}

/**
 * Starts the bot with `table` written as `file` in its empty working directory (env QA_FILE
 * names it when it is not qa.json).
 */
export async function startBot(ctx: CheckContext, table: Table, options: { file?: string } = {}): Promise<RunningServer> {
  const file = options.file ?? 'qa.json';
  const server = await ctx.startServer({
    fixtures: { [file]: `${JSON.stringify(table)}\n` },
    ...(file === 'qa.json' ? {} : { env: { QA_FILE: file } }),
  });
  const shown = JSON.stringify(table);
  const params = { file, n: table.length, table: shown.length > 400 ? `${shown.slice(0, 400)}…` : shown };
  ctx.note(file === 'qa.json' ? t('startBot.note', params) : t('startBot.noteEnv', params));
  return server;
}

/** Fails with the server's exit when it has died (used after resets). */
export function assertNotCrashed(server: RunningServer, after: string): void {
  const exit = server.process.exitInfo;
  if (!exit) return;
  const advice = t('crash.advice');
  const signal = exit.signal ?? '';
  const code = String(exit.exitCode);
  throw new CheckFailure(exit.signal ? t('crash.killed', { signal, after, advice }) : t('crash.exited', { code, after, advice }), {
    expected: t('crash.expected'),
    actual: server.process.stderr.excerpt(15, 1500) || (exit.signal ? t('crash.actualKilled', { signal }) : t('crash.actualExited', { code })),
  });
}
