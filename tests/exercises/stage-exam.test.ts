import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadExercise } from '../../grader/exercise/registry.ts';
import type { GradeOptions } from '../../grader/exercise/define.ts';
import { UsageError } from '../../grader/model/errors.ts';
import { withLanguage } from '../../grader/i18n/language.ts';
import { exerciseSuite } from '../helpers/exercise-suite.ts';
import { gradeExerciseFolder, leftoverGroups, lostChecks, SOLUTIONS, VARIANTS } from '../helpers/grade.ts';

exerciseSuite('stage-exam');

describe('stage-exam: the quiz and answers.json', () => {
  const temps: string[] = [];
  afterAll(async () => {
    await Promise.all(temps.map((t) => rm(t, { recursive: true, force: true })));
  });

  /** The reference solution with another answers.json (or none), graded on the quiz checks only. */
  async function gradeQuiz(answers: string | undefined, gradeOptions: GradeOptions = {}) {
    const folder = await mkdtemp(join(tmpdir(), 'stage-exam-quiz-'));
    temps.push(folder);
    await cp(join(SOLUTIONS, 'stage-exam'), folder, { recursive: true });
    if (answers === undefined) await rm(join(folder, 'answers.json'));
    else await writeFile(join(folder, 'answers.json'), answers);
    const checks = await (await loadExercise('stage-exam')).checks({ options: gradeOptions });
    const checkIds = checks.filter((c) => c.part === 'quiz').map((c) => c.id);
    const { exercise } = await gradeExerciseFolder('stage-exam', folder, { gradeOptions, checkIds });
    expect(leftoverGroups()).toEqual([]);
    return exercise;
  }

  async function solutionAnswers(): Promise<Record<string, unknown>> {
    return JSON.parse(await readFile(join(SOLUTIONS, 'stage-exam', 'answers.json'), 'utf8')) as Record<string, unknown>;
  }

  test('one check per question of the public bank, worth its points, 40 in all', async () => {
    const checks = await (await loadExercise('stage-exam')).checks({ options: {} });
    const quiz = checks.filter((c) => c.part === 'quiz');
    expect(quiz).toHaveLength(40);
    expect(quiz.every((c) => c.id.startsWith('quiz.') && c.points === 1)).toBe(true);
    expect(checks.reduce((sum, c) => sum + c.points, 0)).toBe(100);
  });

  test('malformed answers.json: reported once with its line and column, the other quiz checks skipped', async () => {
    const exercise = await gradeQuiz('{\n  "gil-cpu-bound": "B",\n  "gil-io-bound": true,\n}\n');
    const [first, ...rest] = exercise.checks;
    expect(first!.status).toBe('error');
    expect(first!.message).toMatch(/answers\.json is not valid JSON/);
    expect(first!.message).toMatch(/line 4/);
    expect(rest.every((c) => c.status === 'skipped')).toBe(true);
    expect(exercise.verdict?.code).toBe('BAD_INPUT_FILE');
    expect(exercise.score).toBe(0);
  });

  test('answers.json that is not an object, or missing, gets a clear message', async () => {
    const array = await gradeQuiz('["B", true]');
    expect(array.checks[0]!.message).toMatch(/must be a JSON object .* it is an array/);
    const missing = await gradeQuiz(undefined);
    expect(missing.checks[0]!.message).toMatch(/answers\.json not found in stage-exam\//);
    expect(missing.verdict?.code).toBe('MISSING_ENTRY');
  });

  test('unknown ids are listed in a note; a wrong answer or a bad format fails only its own question', async () => {
    const answers = await solutionAnswers();
    delete answers['gil-cpu-bound'];
    answers['gil-cpu-bund'] = 'B'; // a typo of gil-cpu-bound
    answers['not-a-question'] = 1;
    answers['gil-io-bound'] = 'true'; // a string, not a boolean
    answers['join-blocks'] = 'A'; // wrong
    answers['process-vs-thread'] = ['d', 'B', 'a', 'A']; // right: case, order and duplicates ignored
    answers['c10k-number'] = '10000.0'; // right: compared numerically
    const exercise = await gradeQuiz(JSON.stringify(answers, null, 2));
    expect(lostChecks(exercise)).toEqual(['quiz.gil-cpu-bound', 'quiz.gil-io-bound', 'quiz.join-blocks']);
    const byId = new Map(exercise.checks.map((c) => [c.id, c]));
    expect(byId.get('quiz.gil-cpu-bound')!.message).toMatch(/"gil-cpu-bund", which is not a question id/);
    expect(byId.get('quiz.gil-io-bound')!.message).toMatch(/JSON boolean/);
    const wrong = byId.get('quiz.join-blocks')!.message;
    expect(wrong).toMatch(/your answer "A" is not correct\. Revise daemon threads and join/);
    expect(wrong).not.toMatch(/"B"/); // never the key
    const notes = exercise.checks[0]!.transcript.filter((e) => e.kind === 'note').map((e) => e.text).join('\n');
    expect(notes).toMatch(/"gil-cpu-bund", "not-a-question"/);
    expect(exercise.score).toBe(37);
  });

  test('a private bank adds questions and replaces a public one with the same id', async () => {
    const bankDir = await mkdtemp(join(tmpdir(), 'stage-exam-bank-'));
    temps.push(bankDir);
    await writeFile(
      join(bankDir, 'bank.json'),
      JSON.stringify({
        version: 1,
        questions: [
          { id: 'gil-cpu-bound', kind: 'single', topic: 'gil', points: 1, prompt: 'Replaced key.', options: { A: 'a', B: 'b', C: 'c' }, answer: 'C' },
          { id: 'private-extra', kind: 'truefalse', topic: 'tcp-udp', points: 2, prompt: 'UDP keeps message boundaries.', answer: true },
          { id: 'private-short', kind: 'short', topic: 'handshake', points: 1, prompt: 'How many segments open a TCP connection?', answer: { accept: ['3', 'three'], match: 'number' } },
        ],
      }),
    );
    const answers = await solutionAnswers();
    answers['private-extra'] = true;
    answers['private-short'] = 'THREE ';
    const exercise = await gradeQuiz(JSON.stringify(answers), { quizBank: bankDir });
    expect(exercise.checks).toHaveLength(42);
    expect(exercise.checks.find((c) => c.id === 'quiz.private-extra')?.maxPoints).toBe(2);
    expect(exercise.checks.find((c) => c.id === 'quiz.private-extra')?.title).toBe('UDP keeps message boundaries.');
    expect(lostChecks(exercise)).toEqual(['quiz.gil-cpu-bound']);
    expect(exercise.parts.find((p) => p.id === 'quiz')).toEqual({ id: 'quiz', score: 42, maxScore: 43 });
  });

  test('a private bank that breaks the rules is a usage error naming the question and the field', async () => {
    const bankDir = await mkdtemp(join(tmpdir(), 'stage-exam-bank-'));
    temps.push(bankDir);
    await writeFile(
      join(bankDir, 'bank.json'),
      JSON.stringify({
        version: 1,
        questions: [{ id: 'bad-one', kind: 'single', topic: 'gil', points: 0, prompt: 'x', options: { A: 'a', B: 'b' }, answer: 'E' }],
      }),
    );
    const exercise = await loadExercise('stage-exam');
    const planned = exercise.checks({ options: { quizBank: bankDir } });
    await expect(planned).rejects.toBeInstanceOf(UsageError);
    await expect(planned).rejects.toThrow(/question "bad-one" \(#1\), field points/);
    await expect(planned).rejects.toThrow(/question "bad-one" \(#1\), field answer: "E" is not one of the options A, B/);
    await expect(exercise.checks({ options: { quizBank: join(bankDir, 'nowhere') } })).rejects.toThrow(/Quiz bank folder not found/);
  });
});

describe('stage-exam: singleton messages tell a copy per call from a race', () => {
  test('fresh-copy: the build ran once, the calls got different objects (no blame on an await)', async () => {
    const { exercise } = await gradeExerciseFolder('stage-exam', join(VARIANTS, 'stage-exam', 'fresh-copy'), {
      checkIds: ['singleton.concurrent', 'singleton.later'],
      retries: 0,
    });
    for (const check of exercise.checks) {
      expect(check.status, check.id).toBe('failed');
      expect(check.message, check.id).toMatch(/different objects, although the build ran once/);
      expect(check.message, check.id).toMatch(/copy/);
      expect(check.message, check.id).not.toMatch(/separated by an await/);
    }
    expect(leftoverGroups()).toEqual([]);
  });

  test('racy-singleton: an await between the check and the build', async () => {
    const { exercise } = await gradeExerciseFolder('stage-exam', join(VARIANTS, 'stage-exam', 'racy-singleton'), {
      checkIds: ['singleton.concurrent'],
      retries: 0,
    });
    expect(exercise.checks[0]!.message).toMatch(/separated by an await/);
    expect(exercise.checks[0]!.message).not.toMatch(/build ran once/);
  });
});

describe('stage-exam: echo.stdout accepts a prefix before the message, and requires the message', () => {
  const temps: string[] = [];
  afterAll(async () => {
    await Promise.all(temps.map((t) => rm(t, { recursive: true, force: true })));
  });

  /** The reference server printing `print(text)` instead of the message itself. */
  async function printing(print: string): Promise<string> {
    const folder = await mkdtemp(join(tmpdir(), 'stage-exam-stdout-'));
    temps.push(folder);
    await cp(join(SOLUTIONS, 'stage-exam'), folder, { recursive: true });
    const server = await readFile(join(folder, 'server.ts'), 'utf8');
    const changed = server.replace('console.log(text);', `console.log(${print});`);
    expect(changed).not.toBe(server);
    await writeFile(join(folder, 'server.ts'), changed);
    return folder;
  }

  const stdoutChecks = ['echo.stdout', 'echo.split-utf8', 'echo.crlf'];

  test("a prefix such as the client's address passes", async () => {
    const folder = await printing('`收到 ${socket.remoteAddress}:${socket.remotePort} 的消息：${text}`');
    const { exercise } = await gradeExerciseFolder('stage-exam', folder, { checkIds: stdoutChecks, retries: 0 });
    expect(lostChecks(exercise)).toEqual([]);
  });

  test('the prefix alone, without the message, fails', async () => {
    const folder = await printing('`收到 ${socket.remoteAddress}:${socket.remotePort} 的消息`');
    const { exercise } = await gradeExerciseFolder('stage-exam', folder, { checkIds: stdoutChecks, retries: 0 });
    expect(lostChecks(exercise)).toEqual([...stdoutChecks].sort());
    expect(exercise.checks.find((c) => c.id === 'echo.stdout')!.message).toMatch(/(does|do) not appear on stdout/);
  });
});

/** Latin words of 3+ letters left once quoted protocol text ("…") and code (`…`, calls, dotted names) are removed. */
function latinWords(text: string): string[] {
  const prose = text
    .replace(/"(?:[^"\\]|\\.)*"/g, ' ')
    .replace(/`[^`]*`/g, ' ')
    .replace(/[\w.$]+\([^()]*\)/g, ' ')
    .replace(/\b\w+(?:\.\w+)+\b/g, ' ');
  return prose.match(/[A-Za-z]{3,}/g) ?? [];
}

describe('stage-exam in zh-CN', () => {
  test('a faulty singleton gets a Chinese title and a Chinese message', async () => {
    const { exercise } = await withLanguage('zh-CN', () =>
      gradeExerciseFolder('stage-exam', join(VARIANTS, 'stage-exam', 'racy-singleton'), { seed: 777, checkIds: ['singleton.concurrent'], retries: 0 }),
    );
    const check = exercise.checks.find((c) => c.id === 'singleton.concurrent')!;
    expect(check.status).toBe('failed');
    for (const text of [check.title, check.message]) {
      expect(text).toMatch(/\p{Script=Han}/u);
      expect(latinWords(text), text).toEqual([]);
    }
  });

  test('every question of the public bank has its Chinese text, with the same letters and code', async () => {
    const bank = JSON.parse(await readFile(join(import.meta.dirname, '../../exercises/stage-exam/quiz/bank.json'), 'utf8')) as {
      questions: Array<{ id: string; prompt: string; options?: Record<string, string>; zh?: { title?: string; prompt: string; options?: Record<string, string> } }>;
    };
    const codeBlocks = (text: string) => text.match(/```[\s\S]*?```/g) ?? [];
    for (const q of bank.questions) {
      expect(q.zh, q.id).toBeDefined();
      expect(q.zh!.prompt, q.id).toMatch(/\p{Script=Han}/u);
      expect(codeBlocks(q.zh!.prompt), q.id).toEqual(codeBlocks(q.prompt));
      if (q.options) expect(Object.keys(q.zh!.options ?? {}).sort(), q.id).toEqual(Object.keys(q.options).sort());
    }
  });
});
