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

export const PUBLIC_BANK = fileURLToPath(new URL('./quiz/bank.json', import.meta.url));
export const ANSWERS_FILE = 'answers.json';

/** The stage's knowledge points, with the words a report uses to say what to revise. */
export const TOPICS = {
  concurrency: 'serial vs concurrent vs parallel',
  'process-thread': 'processes vs threads',
  gil: 'the GIL',
  'daemon-join': 'daemon threads and join',
  locks: 'locks and recursive locks',
  deadlock: 'deadlock and its four conditions',
  'sync-primitives': 'semaphores, events and queues',
  pools: 'process and thread pools',
  'tcp-udp': 'TCP vs UDP',
  handshake: 'the three-way handshake and the four-way close',
  'sticky-packets': 'sticky packets (粘包) and message framing',
  'io-models': 'blocking / non-blocking IO, select vs epoll, C10K',
  singleton: 'the singleton pattern',
} as const;
type Topic = keyof typeof TOPICS;
const TOPIC_IDS = Object.keys(TOPICS) as [Topic, ...Topic[]];

// ---------------------------------------------------------------------------------------
// The bank's format
// ---------------------------------------------------------------------------------------

const letter = z.string().regex(/^[A-Z]$/, 'a capital letter such as "A"');
const common = {
  id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lower-case words joined by "-", e.g. "gil-cpu-bound"'),
  topic: z.enum(TOPIC_IDS, { error: `one of ${TOPIC_IDS.join(', ')}` }),
  points: z.number().int('a whole number').positive('above 0'),
  /** A short form of the question, used as the check's title (default: the prompt, shortened). */
  title: z.string().min(1).max(120).optional(),
  prompt: z.string().min(1),
};
const options = z.record(letter, z.string().min(1)).refine((o) => Object.keys(o).length >= 2, 'at least two options');

const Question = z
  .discriminatedUnion(
    'kind',
    [
      z.object({ ...common, kind: z.literal('single'), options, answer: letter }).strict(),
      z.object({ ...common, kind: z.literal('multiple'), options, answer: z.array(letter).min(1, 'at least one letter') }).strict(),
      z.object({ ...common, kind: z.literal('truefalse'), answer: z.boolean() }).strict(),
      z
        .object({
          ...common,
          kind: z.literal('short'),
          answer: z
            .object({ accept: z.array(z.string().trim().min(1)).min(1, 'at least one accepted answer'), match: z.enum(['number', 'keyword']) })
            .strict(),
        })
        .strict(),
    ],
    { error: 'kind must be one of single, multiple, truefalse, short' },
  )
  .superRefine((q, ctx) => {
    if (q.kind === 'single' && !(q.answer in q.options)) {
      ctx.addIssue({ code: 'custom', path: ['answer'], message: `"${q.answer}" is not one of the options ${Object.keys(q.options).join(', ')}` });
    }
    if (q.kind === 'multiple') {
      for (const l of q.answer) {
        if (!(l in q.options)) ctx.addIssue({ code: 'custom', path: ['answer'], message: `"${l}" is not one of the options ${Object.keys(q.options).join(', ')}` });
      }
    }
  });
export type Question = z.infer<typeof Question>;

const BankFile = z.object({ version: z.literal(1, 'must be 1'), questions: z.array(z.unknown()) }).strict();

/** Reads and validates one bank.json; every problem is a UsageError naming the file, the question and the field. */
export async function loadBank(file: string): Promise<Question[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`Quiz bank ${file} cannot be read: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new UsageError(`Quiz bank ${file} is not valid JSON: ${jsonErrorMessage(error, text)}`);
  }
  const top = BankFile.safeParse(raw);
  if (!top.success) {
    throw new UsageError(`Quiz bank ${file} must be { "version": 1, "questions": [...] }:\n${z.prettifyError(top.error)}`);
  }
  const problems: string[] = [];
  const questions: Question[] = [];
  const seen = new Set<string>();
  for (const [index, entry] of top.data.questions.entries()) {
    const id = typeof entry === 'object' && entry !== null && typeof (entry as { id?: unknown }).id === 'string' ? (entry as { id: string }).id : undefined;
    const name = id === undefined ? `question #${index + 1} (no id)` : `question "${id}" (#${index + 1})`;
    const parsed = Question.safeParse(entry);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.path.length > 0 ? issue.path.join('.') : '(the question)';
        problems.push(`${name}, field ${field}: ${issue.message}`);
      }
      continue;
    }
    if (seen.has(parsed.data.id)) {
      problems.push(`${name}: the id appears twice in this bank`);
      continue;
    }
    seen.add(parsed.data.id);
    questions.push(parsed.data);
  }
  if (problems.length > 0) {
    throw new UsageError(`Quiz bank ${file} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return questions;
}

/** The public bank, plus the private one when `quizBank` names a folder (or its bank.json): same id replaces. */
export async function loadQuestions(options: GradeOptions): Promise<Question[]> {
  const questions = await loadBank(PUBLIC_BANK);
  if (options.quizBank === undefined || options.quizBank === '') return questions;
  const where = resolve(options.quizBank);
  if (!existsSync(where)) throw new UsageError(`Quiz bank folder not found: ${where} (--quiz-bank names a folder holding bank.json).`);
  const file = statSync(where).isDirectory() ? join(where, 'bank.json') : where;
  if (!existsSync(file)) throw new UsageError(`The quiz bank folder ${where} has no bank.json.`);
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
  return `${message} (line ${line}, column ${column})`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value;
}

/** Reads answers.json once per run; file-level problems are SubmissionErrors, reported once. */
export function readAnswers(ctx: CheckContext, questions: Question[]): Promise<Answers> {
  return ctx.shared('stage-exam:answers', async () => {
    const bytes = await ctx.readSubmissionFile(ANSWERS_FILE);
    if (bytes === undefined) {
      throw new SubmissionError(
        'MISSING_ENTRY',
        'Missing answers.json',
        `answers.json not found in stage-exam/: the quiz answers go in stage-exam/answers.json, a JSON object like {"gil-cpu-bound": "B"}.`,
      );
    }
    const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new SubmissionError(
        'BAD_INPUT_FILE',
        'answers.json is not valid JSON',
        `answers.json is not valid JSON: ${jsonErrorMessage(error, text)}. Write one JSON object, e.g. {"gil-cpu-bound": "B", "gil-io-bound": true}: keys and strings in double quotes, no trailing commas, no comments.`,
      );
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new SubmissionError(
        'BAD_INPUT_FILE',
        'answers.json is not a JSON object',
        `answers.json must be a JSON object mapping question ids to answers, like {"gil-cpu-bound": "B"}; it is ${kindOf(parsed)}.`,
      );
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
        return { kind: 'format', problem: `expected one letter as a string, such as "B" (one of ${letters}); got ${shown}` };
      }
      const letterGiven = value.trim().toUpperCase();
      if (!(letterGiven in question.options)) return { kind: 'format', problem: `"${letterGiven}" is not one of the options ${letters}` };
      return letterGiven === question.answer ? { kind: 'right' } : { kind: 'wrong', shown };
    }
    case 'multiple': {
      const letters = Object.keys(question.options).join(', ');
      if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string' && /^[A-Za-z]$/.test(v.trim()))) {
        return { kind: 'format', problem: `expected a non-empty array of letters such as ["A", "C"] (options ${letters}); got ${shown}` };
      }
      const given = new Set((value as string[]).map((v) => v.trim().toUpperCase()));
      const outside = [...given].filter((l) => !(l in question.options));
      if (outside.length > 0) return { kind: 'format', problem: `${outside.map((l) => `"${l}"`).join(', ')} ${outside.length === 1 ? 'is' : 'are'} not among the options ${letters}` };
      const key = new Set(question.answer);
      const same = given.size === key.size && [...given].every((l) => key.has(l));
      return same ? { kind: 'right' } : { kind: 'wrong', shown };
    }
    case 'truefalse':
      if (typeof value !== 'boolean') {
        return { kind: 'format', problem: `expected true or false (a JSON boolean, not a string); got ${shown}` };
      }
      return value === question.answer ? { kind: 'right' } : { kind: 'wrong', shown };
    case 'short': {
      if (typeof value !== 'string' && typeof value !== 'number') {
        return { kind: 'format', problem: `expected a string or a number; got ${kindOf(value)} ${shown}` };
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

function shortTitle(question: Question): string {
  if (question.title) return question.title;
  const firstLine = question.prompt.split('\n')[0]!.replace(/`/g, '').trim();
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
  const topic = TOPICS[question.topic];
  return {
    id: `quiz.${question.id}`,
    title: shortTitle(question),
    points: question.points,
    part: 'quiz',
    async run(ctx) {
      const answers = await readAnswers(ctx, questions);
      if (first && answers.unknown.length > 0) {
        ctx.note(
          `answers.json has ${answers.unknown.length} id(s) that are not questions of the bank, ignored: ${answers.unknown.map((u) => JSON.stringify(u)).join(', ')}.`,
        );
      }
      const verdict = judge(question, answers.values[question.id]);
      const revise = `Revise ${topic}.`;
      switch (verdict.kind) {
        case 'right':
          return;
        case 'missing': {
          const near = lookalike(question.id, answers.unknown);
          throw new CheckFailure(
            near
              ? `No answer for "${question.id}": answers.json has "${near}", which is not a question id (a typo?). Use the id exactly as in the bank.`
              : `No answer for "${question.id}" in answers.json: an unanswered question is wrong. ${revise}`,
            { expected: `an answer for "${question.id}"`, actual: 'no answer' },
          );
        }
        case 'format':
          throw new CheckFailure(`The answer to "${question.id}" is badly formatted: ${verdict.problem}. (${question.kind} question; see the table of answer formats in spec.md.)`, {
            expected: formatHint(question),
            actual: JSON.stringify(answers.values[question.id]) ?? String(answers.values[question.id]),
          });
        case 'wrong':
          throw new CheckFailure(`"${question.id}": your answer ${verdict.shown} is not correct. ${revise}`);
      }
    },
  };
}

function formatHint(question: Question): string {
  switch (question.kind) {
    case 'single':
      return 'one letter as a string, e.g. "B"';
    case 'multiple':
      return 'an array of letters, e.g. ["A", "C"]';
    case 'truefalse':
      return 'true or false (JSON boolean)';
    case 'short':
      return question.answer.match === 'number' ? 'a number, e.g. 4' : 'a keyword as a string';
  }
}

/** One check per question of the (merged) bank, in bank order. */
export async function quizChecks(options: GradeOptions): Promise<CheckDefinition[]> {
  const questions = await loadQuestions(options);
  return questions.map((q, i) => quizCheck(q, questions, i === 0));
}
