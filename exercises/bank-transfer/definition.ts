import { fileURLToPath } from 'node:url';
import { defineExercise } from '../../grader/exercise/define.ts';
import { checks } from './checks.ts';

export default defineExercise({
  dir: fileURLToPath(new URL('.', import.meta.url)),
  meta: {
    id: 'bank-transfer',
    title: 'Transfers without deadlock',
    titleZh: '转账与死锁',
    kind: 'tcp-server',
    entryFiles: ['server.ts'],
    timeouts: { startMs: 5000, checkMs: 20000 },
  },
  checks,
});
