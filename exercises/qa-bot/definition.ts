import { fileURLToPath } from 'node:url';
import { defineExercise } from '../../grader/exercise/define.ts';
import { checks } from './checks.ts';

export default defineExercise({
  dir: fileURLToPath(new URL('.', import.meta.url)),
  meta: {
    id: 'qa-bot',
    title: 'Question-answer bot',
    titleZh: '问答机器人',
    kind: 'tcp-server',
    entryFiles: ['server.ts'],
    timeouts: { startMs: 5000, checkMs: 15000 },
  },
  checks,
});
