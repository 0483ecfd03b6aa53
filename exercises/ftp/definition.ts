import { fileURLToPath } from 'node:url';
import { defineExercise } from '../../grader/exercise/define.ts';
import { checks } from './checks.ts';

export default defineExercise({
  dir: fileURLToPath(new URL('.', import.meta.url)),
  meta: {
    id: 'ftp',
    title: 'FTP file server',
    titleZh: 'ftp 文件服务器',
    kind: 'tcp-server',
    entryFiles: ['server.ts'],
    timeouts: { startMs: 5000, checkMs: 15000 },
  },
  checks,
});
