import { fileURLToPath } from 'node:url';
import { defineExercise } from '../../grader/exercise/define.ts';
import { checks } from './checks.ts';

export default defineExercise({
  dir: fileURLToPath(new URL('.', import.meta.url)),
  meta: {
    id: 'chat',
    title: 'UDP group chat',
    titleZh: '群聊聊天室',
    kind: 'udp-server',
    entryFiles: ['server.ts'],
    timeouts: { startMs: 5000, checkMs: 15000 },
  },
  checks,
});
