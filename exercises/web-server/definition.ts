import { fileURLToPath } from 'node:url';
import { defineExercise } from '../../grader/exercise/define.ts';
import { checks } from './checks.ts';

export default defineExercise({
  dir: fileURLToPath(new URL('.', import.meta.url)),
  meta: {
    id: 'web-server',
    title: 'Static web server',
    titleZh: '静态 Web 服务器',
    kind: 'tcp-server',
    entryFiles: ['server.ts'],
    timeouts: { startMs: 5000, checkMs: 20000 },
  },
  checks,
});
