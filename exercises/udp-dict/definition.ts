import { fileURLToPath } from 'node:url';
import { defineExercise } from '../../grader/exercise/define.ts';
import { checks } from './checks.ts';

export default defineExercise({
  dir: fileURLToPath(new URL('.', import.meta.url)),
  meta: {
    id: 'udp-dict',
    title: 'UDP word lookup',
    titleZh: '查单词',
    kind: 'udp-server',
    entryFiles: ['server.ts'],
    timeouts: { startMs: 15000, checkMs: 15000 },
  },
  checks,
});
