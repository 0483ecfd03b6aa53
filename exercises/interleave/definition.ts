import { fileURLToPath } from 'node:url';
import { defineExercise } from '../../grader/exercise/define.ts';
import { checks } from './checks.ts';

export default defineExercise({
  dir: fileURLToPath(new URL('.', import.meta.url)),
  meta: {
    id: 'interleave',
    title: '1-52 and A-Z in turns',
    titleZh: '交替打印',
    kind: 'program',
    entryFiles: ['main.ts'],
    timeouts: { startMs: 5000, checkMs: 20000 },
  },
  checks,
});
