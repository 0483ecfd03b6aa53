import { fileURLToPath } from 'node:url';
import { defineExercise } from '../../grader/exercise/define.ts';
import { checks } from './checks.ts';

export default defineExercise({
  dir: fileURLToPath(new URL('.', import.meta.url)),
  meta: {
    id: 'process-pool',
    title: 'Parallel prime sum',
    titleZh: '进程池求质数和',
    kind: 'program',
    entryFiles: ['main.ts'],
    timeouts: { startMs: 5000, checkMs: 60000 },
  },
  checks,
});
