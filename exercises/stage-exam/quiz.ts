/**
 * stage-exam, part quiz: the question bank (public sample, plus an instructor's private
 * bank), validated with zod, and one all-or-nothing check per question.
 *
 * The report never shows a right answer: the bank may be private.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { CheckContext, CheckDefinition, GradeOptions } from '../../grader/exercise/define.ts';
import { CheckFailure, SubmissionError, UsageError } from '../../grader/model/errors.ts';
import { currentLanguage } from '../../grader/i18n/language.ts';
import { text } from './messages.ts';

const { t } = text;

export const PUBLIC_BANK = fileURLToPath(new URL('./quiz/bank.json', import.meta.url));
export const ANSWERS_FILE = 'answers.json';

/** The stage's knowledge points; the words a report uses to say what to revise are `topic.<id>` in messages.ts. */
const TOPIC_IDS = [
  'concurrency',
  'process-thread',
  'gil',
  'daemon-join',
  'locks',
  'deadlock',
  'sync-primitives',
  'pools',
  'tcp-udp',
  'handshake',
  'sticky-packets',
  'io-models',
  'singleton',
] as const;
type Topic = (typeof TOPIC_IDS)[number];

/** What to revise for `topic`, in the grading's language. */
export function topicName(topic: Topic): string {
  return t(`topic.${topic}`);
}

// ---------------------------------------------------------------------------------------
// The bank's format
// ---------------------------------------------------------------------------------------

// Messages are functions: zod words an issue when it finds it, in the grading's language.
const letter = z.string().regex(/^[A-Z]$/, { error: () => t('schema.letter') });
const options = z.record(letter, z.string().min(1)).refine((o) => Object.keys(o).length >= 2, { error: () => t('schema.twoOptions') });
/** The question in Chinese, as students of the course read it (answers and ids stay as they are). */
const zh = z
  .object({
    title: z.string().min(1).max(120).optional(),
    prompt: z.string().min(1),
    options: z.record(letter, z.string().min(1)).optional(),
  })
  .strict();
const common = {
  id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { error: () => t('schema.id') }),
  topic: z.enum(TOPIC_IDS, { error: () => t('schema.topic', { topics: TOPIC_IDS.join(', ') }) }),
  points: z
    .number()
    .int({ error: () => t('schema.whole') })
    .positive({ error: () => t('schema.positive') }),
  /** A short form of the question, used as the check's title (default: the prompt, shortened). */
  title: z.string().min(1).max(120).optional(),
  prompt: z.string().min(1),
  zh: zh.optional(),
};

const Question = z
  .discriminatedUnion(
    'kind',
    [
      z.object({ ...common, kind: z.literal('single'), options, answer: letter }).strict(),
      z.object({ ...common, kind: z.literal('multiple'), options, answer: z.array(letter).min(1, { error: () => t('schema.oneLetter') }) }).strict(),
      z.object({ ...common, kind: z.literal('truefalse'), answer: z.boolean() }).strict(),
      z
        .object({
          ...common,
          kind: z.literal('short'),
          answer: z
            .object({ accept: z.array(z.string().trim().min(1)).min(1, { error: () => t('schema.oneAccepted') }), match: z.enum(['number', 'keyword']) })
            .strict(),
        })
        .strict(),
    ],
    { error: () => t('schema.kind') },
  )
  .superRefine((q, ctx) => {
    if (q.kind === 'single' && !(q.answer in q.options)) {
      ctx.addIssue({ code: 'custom', path: ['answer'], message: t('schema.notOption', { letter: q.answer, letters: Object.keys(q.options).join(', ') }) });
    }
    if (q.kind === 'multiple') {
      for (const l of q.answer) {
        if (!(l in q.options)) ctx.addIssue({ code: 'custom', path: ['answer'], message: t('schema.notOption', { letter: l, letters: Object.keys(q.options).join(', ') }) });
      }
    }
    // The Chinese options, when given, are the same letters as the options.
    if ((q.kind === 'single' || q.kind === 'multiple') && q.zh?.options !== undefined) {
      const letters = Object.keys(q.options).sort().join(', ');
      if (Object.keys(q.zh.options).sort().join(', ') !== letters) ctx.addIssue({ code: 'custom', path: ['zh', 'options'], message: t('schema.zhOptions', { letters }) });
    }
  });
export type Question = z.infer<typeof Question>;

const BankFile = z.object({ version: z.literal(1, { error: () => t('schema.version') }), questions: z.array(z.unknown()) }).strict();

/** Reads and validates one bank.json; every problem is a UsageError naming the file, the question and the field. */
export async function loadBank(file: string): Promise<Question[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(t('bank.unreadable', { file, error: (error as Error).message }));
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new UsageError(t('bank.badJson', { file, error: jsonErrorMessage(error, text) }));
  }
  const top = BankFile.safeParse(raw);
  if (!top.success) {
    throw new UsageError(t('bank.badTop', { file, problems: z.prettifyError(top.error) }));
  }
  const problems: string[] = [];
  const questions: Question[] = [];
  const seen = new Set<string>();
  for (const [index, entry] of top.data.questions.entries()) {
    const id = typeof entry === 'object' && entry !== null && typeof (entry as { id?: unknown }).id === 'string' ? (entry as { id: string }).id : undefined;
    const name = id === undefined ? t('bank.questionNoId', { n: String(index + 1) }) : t('bank.question', { id, n: String(index + 1) });
    const parsed = Question.safeParse(entry);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.path.length > 0 ? issue.path.join('.') : t('bank.theQuestion');
        problems.push(t('bank.fieldProblem', { name, field, problem: issue.message }));
      }
      continue;
    }
    if (seen.has(parsed.data.id)) {
      problems.push(t('bank.duplicate', { name }));
      continue;
    }
    seen.add(parsed.data.id);
    questions.push(parsed.data);
  }
  if (problems.length > 0) {
    throw new UsageError(t('bank.invalid', { file, problems: problems.map((p) => `  - ${p}`).join('\n') }));
  }
  return questions;
}

/** The public bank, plus the private one when `quizBank` names a folder (or its bank.json): same id replaces. */
export async function loadQuestions(options: GradeOptions): Promise<Question[]> {
  const questions = await loadBank(PUBLIC_BANK);
  if (options.quizBank === undefined || options.quizBank === '') return questions;
  const where = resolve(options.quizBank);
  if (!existsSync(where)) throw new UsageError(t('bank.folderMissing', { where }));
  const file = statSync(where).isDirectory() ? join(where, 'bank.json') : where;
  if (!existsSync(file)) throw new UsageError(t('bank.noBankJson', { where }));
  const merged = new Map(questions.map((q) => [q.id, q]));
  for (const q of await loadBank(file)) merged.set(q.id, q);
  return [...merged.values()];
}

// ---------------------------------------------------------------------------------------
// answers.json
// ---------------------------------------------------------------------------------------

export interface Answers {
  values: Record<string, unknown>;
  /** Ids in answers.json that are not in the bank. */
  unknown: string[];
}

/** Node's JSON.parse message, with line and column added when it gives only a position. */
function jsonErrorMessage(error: unknown, text: string): string {
  const message = (error as Error).message;
  if (/line \d+/i.test(message)) return message;
  const at = /position (\d+)/.exec(message);
  if (!at) return message;
  const before = text.slice(0, Number(at[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return t('json.at', { message, line: String(line), column: String(column) });
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return t('kind.array');
  if (typeof value === 'object') return t('kind.object');
  if (typeof value === 'string') return t('kind.string');
  if (typeof value === 'number') return t('kind.number');
  if (typeof value === 'boolean') return t('kind.boolean');
  return typeof value;
}

/** Reads answers.json once per run; file-level problems are SubmissionErrors, reported once. */
export function readAnswers(ctx: CheckContext, questions: Question[]): Promise<Answers> {
  return ctx.shared('stage-exam:answers', async () => {
    const bytes = await ctx.readSubmissionFile(ANSWERS_FILE);
    if (bytes === undefined) {
      throw new SubmissionError('MISSING_ENTRY', t('answers.missing.title'), t('answers.missing'));
    }
    const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new SubmissionError('BAD_INPUT_FILE', t('answers.badJson.title'), t('answers.badJson', { error: jsonErrorMessage(error, text) }));
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new SubmissionError('BAD_INPUT_FILE', t('answers.notObject.title'), t('answers.notObject', { kind: kindOf(parsed) }));
    }
    const values = parsed as Record<string, unknown>;
    const ids = new Set(questions.map((q) => q.id));
    return { values, unknown: Object.keys(values).filter((id) => !ids.has(id)) };
  });
}

// ---------------------------------------------------------------------------------------
// Judging one answer
// ---------------------------------------------------------------------------------------

export type Verdict = { kind: 'right' } | { kind: 'wrong'; shown: string } | { kind: 'format'; problem: string } | { kind: 'missing' };

const norm = (text: string) => text.trim().toLowerCase();

function numeric(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const n = Number(value.trim());
  return Number.isFinite(n) ? n : undefined;
}

export function judge(question: Question, value: unknown): Verdict {
  if (value === undefined) return { kind: 'missing' };
  const shown = JSON.stringify(value) ?? String(value);
  switch (question.kind) {
    case 'single': {
      const letters = Object.keys(question.options).join(', ');
      if (typeof value !== 'string' || !/^[A-Za-z]$/.test(value.trim())) {
        return { kind: 'format', problem: t('format.single', { letters, shown }) };
      }
      const letterGiven = value.trim().toUpperCase();
      if (!(letterGiven in question.options)) return { kind: 'format', problem: t('format.singleNotOption', { letter: letterGiven, letters }) };
      return letterGiven === question.answer ? { kind: 'right' } : { kind: 'wrong', shown };
    }
    case 'multiple': {
      const letters = Object.keys(question.options).join(', ');
      if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string' && /^[A-Za-z]$/.test(v.trim()))) {
        return { kind: 'format', problem: t('format.multiple', { letters, shown }) };
      }
      const given = new Set((value as string[]).map((v) => v.trim().toUpperCase()));
      const outside = [...given].filter((l) => !(l in question.options));
      if (outside.length > 0) {
        const quoted = outside.map((l) => `"${l}"`).join(', ');
        return { kind: 'format', problem: t(outside.length === 1 ? 'format.multipleOutsideOne' : 'format.multipleOutsideMany', { outside: quoted, letters }) };
      }
      const key = new Set(question.answer);
      const same = given.size === key.size && [...given].every((l) => key.has(l));
      return same ? { kind: 'right' } : { kind: 'wrong', shown };
    }
    case 'truefalse':
      if (typeof value !== 'boolean') {
        return { kind: 'format', problem: t('format.truefalse', { shown }) };
      }
      return value === question.answer ? { kind: 'right' } : { kind: 'wrong', shown };
    case 'short': {
      if (typeof value !== 'string' && typeof value !== 'number') {
        return { kind: 'format', problem: t('format.short', { kind: kindOf(value), shown }) };
      }
      const text = norm(String(value));
      if (question.answer.accept.some((a) => norm(a) === text)) return { kind: 'right' };
      if (question.answer.match === 'number') {
        const n = numeric(value);
        if (n !== undefined && question.answer.accept.some((a) => numeric(a) === n)) return { kind: 'right' };
      }
      return { kind: 'wrong', shown };
    }
  }
}

// ---------------------------------------------------------------------------------------
// The checks
// ---------------------------------------------------------------------------------------

/** The check's title: the question's short title, else its prompt's first line, shortened; in Chinese when the bank has it. */
function shortTitle(question: Question): string {
  const chinese = currentLanguage() === 'zh-CN' ? question.zh : undefined;
  const title = chinese ? chinese.title : question.title;
  if (title) return title;
  const firstLine = (chinese ? chinese.prompt : question.prompt).split('\n')[0]!.replace(/`/g, '').trim();
  return firstLine.length <= 80 ? firstLine : `${firstLine.slice(0, 77).replace(/\s+\S*$/, '')}…`;
}

/** Edit distance, to spot a mistyped id. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const temp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = temp;
    }
  }
  return row[b.length]!;
}

function lookalike(id: string, unknown: string[]): string | undefined {
  const simple = (s: string) => s.toLowerCase().replace(/[\s_]+/g, '-');
  return unknown.find((u) => simple(u) === id || distance(u, id) <= 2);
}

function quizCheck(question: Question, questions: Question[], first: boolean): CheckDefinition {
  return {
    id: `quiz.${question.id}`,
    get title() {
      return shortTitle(question);
    },
    points: question.points,
    part: 'quiz',
    async run(ctx) {
      const answers = await readAnswers(ctx, questions);
      if (first && answers.unknown.length > 0) {
        ctx.note(t('quiz.unknownNote', { n: answers.unknown.length, ids: answers.unknown.map((u) => JSON.stringify(u)).join(', ') }));
      }
      const verdict = judge(question, answers.values[question.id]);
      const revise = t('quiz.revise', { topic: topicName(question.topic) });
      switch (verdict.kind) {
        case 'right':
          return;
        case 'missing': {
          const near = lookalike(question.id, answers.unknown);
          throw new CheckFailure(near ? t('quiz.missingTypo', { id: question.id, near }) : t('quiz.missing', { id: question.id, revise }), {
            expected: t('quiz.missing.expected', { id: question.id }),
            actual: t('quiz.missing.actual'),
          });
        }
        case 'format':
          throw new CheckFailure(t('quiz.format', { id: question.id, problem: verdict.problem, kind: question.kind }), {
            expected: formatHint(question),
            actual: JSON.stringify(answers.values[question.id]) ?? String(answers.values[question.id]),
          });
        case 'wrong':
          throw new CheckFailure(t('quiz.wrong', { id: question.id, shown: verdict.shown, revise }));
      }
    },
  };
}

function formatHint(question: Question): string {
  switch (question.kind) {
    case 'single':
      return t('formatHint.single');
    case 'multiple':
      return t('formatHint.multiple');
    case 'truefalse':
      return t('formatHint.truefalse');
    case 'short':
      return question.answer.match === 'number' ? t('formatHint.number') : t('formatHint.keyword');
  }
}

/** One check per question of the (merged) bank, in bank order. */
export async function quizChecks(options: GradeOptions): Promise<CheckDefinition[]> {
  const questions = await loadQuestions(options);
  return questions.map((q, i) => quizCheck(q, questions, i === 0));
}
