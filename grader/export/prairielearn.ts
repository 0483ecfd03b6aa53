/**
 * `netgrade export prairielearn`: a PrairieLearn external grader for a question. PrairieLearn
 * runs the question's image with the student's files in /grade/student, the course files the
 * question lists in /grade/serverFilesCourse, and reads /grade/results/results.json.
 *
 * The image is netgrade's own (the Dockerfile at the top of the repository: netgrade in
 * /opt/netgrade with its dependencies; external graders have no network, so nothing can be
 * installed at grading time). The folder written holds:
 * - `serverFilesCourse/netgrade/run_grader`: the entrypoint (paths are variables: GRADE_ROOT,
 *   NETGRADE_DIR, so tests run it in a folder laid out like /grade);
 * - `info.json`: the fragment to paste into the question's info.json;
 * - `question.html`: a file-upload element for the exercise's entry files;
 * - `README.md`: the steps, in English and Chinese.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExerciseDefinition } from '../exercise/define.ts';
import { GRADER_VERSION } from '../version.ts';
import { shellWord } from './bundle.ts';

export const PL_IMAGE_PLACEHOLDER = `YOUR-REGISTRY/netgrade:${GRADER_VERSION}`;

export function runGraderScript(exerciseIds: string[]): string {
  return `#!/usr/bin/env bash
# PrairieLearn's external grader entrypoint. Written by \`netgrade export prairielearn\`.
# The paths are variables so it can be tried outside PrairieLearn:
#   GRADE_ROOT=/tmp/grade NETGRADE_DIR=~/netgrade ./run_grader
set -uo pipefail
GRADE_ROOT=\${GRADE_ROOT:-/grade}
NETGRADE_DIR=\${NETGRADE_DIR:-/opt/netgrade}
NODE=\${NETGRADE_NODE:-$NETGRADE_DIR/node_modules/node/bin/node}
EXERCISES=(${exerciseIds.map(shellWord).join(' ')})
args=()
for id in "\${EXERCISES[@]}"; do args+=(--exercise "$id"); done
mkdir -p "$GRADE_ROOT/results"
exec "$NODE" "$NETGRADE_DIR/grader/export/autograde.ts" prairielearn \\
  --upload "$GRADE_ROOT/student" \\
  --results "$GRADE_ROOT/results/results.json" \\
  "\${args[@]}"
`;
}

export function infoFragment(): unknown {
  return {
    gradingMethod: 'External',
    singleVariant: true,
    externalGradingOptions: {
      enabled: true,
      image: PL_IMAGE_PLACEHOLDER,
      serverFilesCourse: ['netgrade/'],
      entrypoint: '/grade/serverFilesCourse/netgrade/run_grader',
      timeout: 300,
    },
  };
}

function questionHtml(exercises: ExerciseDefinition[]): string {
  const files = [...new Set(exercises.flatMap((e) => e.meta.entryFiles))];
  return `<pl-question-panel>
  <p>${exercises.map((e) => `${e.meta.title} / ${e.meta.titleZh}`).join('<br>')}</p>
</pl-question-panel>
<pl-file-upload file-names="${files.join(', ')}"></pl-file-upload>
<pl-submission-panel>
  <pl-external-grader-results></pl-external-grader-results>
  <pl-file-preview></pl-file-preview>
</pl-submission-panel>
`;
}

function readme(ids: string[]): string {
  return `# netgrade external grader for PrairieLearn (${ids.join(', ')})

1. Build netgrade's image from the Dockerfile at the top of the netgrade repository and push it
   where PrairieLearn can pull it (Docker Hub):
   \`docker build -t ${PL_IMAGE_PLACEHOLDER} . && docker push ${PL_IMAGE_PLACEHOLDER}\`.
2. Copy \`serverFilesCourse/netgrade/\` into your course's \`serverFilesCourse/\`.
3. Paste the keys of \`info.json\` into the question's \`info.json\`, with your image's name.
4. Use \`question.html\` (a file upload for the entry files) as the question, or add its
   \`pl-file-upload\` and \`pl-external-grader-results\` elements to yours.

The grader lays the upload out (files at the top level or inside one folder), grades it
and writes /grade/results/results.json: checks hidden from students are left out and the
score (0..1) is over the checks shown. Try it locally:
\`GRADE_ROOT=/tmp/grade NETGRADE_DIR=<netgrade folder> serverFilesCourse/netgrade/run_grader\`
with the student's files in /tmp/grade/student.

# netgrade 的 PrairieLearn 外部评分程序（${ids.join('、')}）

1. 用 netgrade 仓库顶层的 Dockerfile 构建镜像，并推送到 PrairieLearn 能拉取的地方（Docker Hub）：
   \`docker build -t ${PL_IMAGE_PLACEHOLDER} . && docker push ${PL_IMAGE_PLACEHOLDER}\`。
2. 把 \`serverFilesCourse/netgrade/\` 复制到课程的 \`serverFilesCourse/\` 中。
3. 把 \`info.json\` 中的各项粘贴到题目的 \`info.json\`，并换成你的镜像名。
4. 用 \`question.html\`（上传入口文件）作为题目，或把其中的 \`pl-file-upload\` 和
   \`pl-external-grader-results\` 元素加到你的题目里。

评分程序会整理上传的文件（放在最上层或一个文件夹里都可以），评分后写出
/grade/results/results.json：对学生隐藏的检查不会出现，分数（0 到 1）只按显示的检查计算。
本地试运行：把学生的文件放在 /tmp/grade/student，然后执行
\`GRADE_ROOT=/tmp/grade NETGRADE_DIR=<netgrade 文件夹> serverFilesCourse/netgrade/run_grader\`。
`;
}

export async function exportPrairieLearn(exercises: ExerciseDefinition[], outDir: string): Promise<void> {
  const ids = exercises.map((e) => e.meta.id);
  const grader = join(outDir, 'serverFilesCourse', 'netgrade');
  await mkdir(grader, { recursive: true });
  await writeFile(join(grader, 'run_grader'), runGraderScript(ids));
  await chmod(join(grader, 'run_grader'), 0o755);
  await writeFile(join(outDir, 'info.json'), JSON.stringify(infoFragment(), null, 2) + '\n');
  await writeFile(join(outDir, 'question.html'), questionHtml(exercises));
  await writeFile(join(outDir, 'README.md'), readme(ids));
}
