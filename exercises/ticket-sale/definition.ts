import { fileURLToPath } from 'node:url';
import { defineExercise } from '../../grader/exercise/define.ts';
import { checks } from './checks.ts';

export default defineExercise({
  dir: fileURLToPath(new URL('.', import.meta.url)),
  meta: {
    id: 'ticket-sale',
    title: 'Selling tickets',
    titleZh: '卖票',
    kind: 'program',
    entryFiles: ['main.ts'],
    timeouts: { startMs: 5000, checkMs: 30000 },
  },
  checks,
});
