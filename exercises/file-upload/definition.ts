import { fileURLToPath } from 'node:url';
import { defineExercise } from '../../grader/exercise/define.ts';
import { checks } from './checks.ts';

export default defineExercise({
  dir: fileURLToPath(new URL('.', import.meta.url)),
  meta: {
    id: 'file-upload',
    title: 'Upload a file',
    titleZh: '上传文件',
    kind: 'tcp-server',
    entryFiles: ['server.ts'],
    timeouts: { startMs: 5000, checkMs: 15000 },
  },
  checks,
});
