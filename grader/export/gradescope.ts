/**
 * `netgrade export gradescope`: a Gradescope autograder zip (Gradescope's "zip file upload"
 * format: `setup.sh` and `run_autograder` at the top, unpacked into /autograder/source).
 *
 * - `setup.sh` (run once, as root, when Gradescope builds the image): bubblewrap and util-linux
 *   from apt, a Node new enough for npm, then `npm ci`, which installs Node 24 (the `node`
 *   package pinned in package-lock.json) and the rest of netgrade's dependencies.
 * - `run_autograder` (per submission): grades /autograder/submission (files at its top level or
 *   inside one folder: layout.ts) and writes /autograder/results/results.json in Gradescope's
 *   format with each check's own `visibility` (hidden, after_due_date) kept
 *   (reporters/ci-formats.ts, renderGradescope).
 * Every path is a variable (AUTOGRADER_ROOT, NETGRADE_DIR), so tests run the script in a
 * folder laid out like /autograder.
 */
import { mkdir, stat } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { netgradeFiles, pinnedNodeVersion, shellWord } from './bundle.ts';

export function setupScript(nodeVersion: string): string {
  return `#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu).
# Written by \`netgrade export gradescope\`.
set -euo pipefail
SOURCE=\${AUTOGRADER_ROOT:-/autograder}/source
export DEBIAN_FRONTEND=noninteractive
apt-get update
# bubblewrap: the sandbox of every submission process; util-linux: prlimit and setpriv.
apt-get install -y --no-install-recommends ca-certificates bubblewrap util-linux nodejs npm
# Ubuntu's npm may be too old for a modern Node: run it on Node ${nodeVersion} (the npm package
# \`node\`, which netgrade pins), installed first with that npm.
npm install --global --no-audit --no-fund node@${nodeVersion}
hash -r
node --version
cd "$SOURCE/netgrade"
npm ci --no-audit --no-fund
./node_modules/node/bin/node grader/cli/netgrade.ts doctor || true
`;
}

export function runAutograderScript(exerciseIds: string[]): string {
  return `#!/usr/bin/env bash
# Gradescope runs this for every submission. Written by \`netgrade export gradescope\`.
# The paths are variables so the autograder can be tried outside Gradescope:
#   AUTOGRADER_ROOT=/tmp/ag NETGRADE_DIR=~/netgrade ./run_autograder
# NETGRADE_ARGS adds options to \`netgrade grade\` (e.g. --time-scale 2 on a slow machine).
set -uo pipefail
AUTOGRADER_ROOT=\${AUTOGRADER_ROOT:-/autograder}
NETGRADE_DIR=\${NETGRADE_DIR:-$AUTOGRADER_ROOT/source/netgrade}
NODE=\${NETGRADE_NODE:-$NETGRADE_DIR/node_modules/node/bin/node}
EXERCISES=(${exerciseIds.map(shellWord).join(' ')})
args=()
for id in "\${EXERCISES[@]}"; do args+=(--exercise "$id"); done
mkdir -p "$AUTOGRADER_ROOT/results"
exec "$NODE" "$NETGRADE_DIR/grader/export/autograde.ts" gradescope \\
  --upload "$AUTOGRADER_ROOT/submission" \\
  --results "$AUTOGRADER_ROOT/results/results.json" \\
  "\${args[@]}"
`;
}

/** Writes the zip; resolves with the number of files in it. */
export async function exportGradescope(exerciseIds: string[], outFile: string): Promise<number> {
  const zip = new yazl.ZipFile();
  const executable = { mode: 0o100755 };
  zip.addBuffer(Buffer.from(setupScript(pinnedNodeVersion())), 'setup.sh', executable);
  zip.addBuffer(Buffer.from(runAutograderScript(exerciseIds)), 'run_autograder', executable);
  const files = await netgradeFiles(exerciseIds);
  for (const [inside, absolute] of files) {
    const { mode } = await stat(absolute);
    zip.addFile(absolute, `netgrade/${inside}`, { mode });
  }
  zip.end();
  await mkdir(dirname(outFile), { recursive: true });
  await pipeline(zip.outputStream, createWriteStream(outFile));
  return files.length + 2;
}
