import { fileURLToPath } from 'node:url';
import { defineExercise } from '../../grader/exercise/define.ts';
import { echoChecks } from './echo.ts';
import { quizChecks } from './quiz.ts';
import { singletonChecks } from './singleton-checks.ts';

export default defineExercise({
  dir: fileURLToPath(new URL('.', import.meta.url)),
  meta: {
    id: 'stage-exam',
    title: 'Stage exam',
    titleZh: '阶段考试',
    kind: 'mixed',
    entryFiles: ['server.ts', 'singleton.ts', 'answers.json'],
    parts: ['quiz', 'echo', 'singleton'],
    timeouts: { startMs: 5000, checkMs: 15000 },
  },
  // One check per quiz question (the public bank, plus a private one given by --quiz-bank),
  // then the echo server's and the singleton's checks.
  checks: async (plan) => [...(await quizChecks(plan.options)), ...echoChecks, ...singletonChecks],
});
