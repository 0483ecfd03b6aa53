// netgrade: how long this machine needs right now to start Node with the tap and N worker
// threads that do nothing, and to end them (argv[2] = N). The ticket-sale grader runs it just
// before each judged run, with the same preload, and adds its time to the contract's deadline:
// on a loaded machine starting threads alone can take seconds, which is not the program's doing.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const count = Math.max(1, Number(process.argv[2]) || 1);
// A TypeScript module, as a window is (Node strips its types in every thread that loads it).
writeFileSync('idle-window.ts', 'const idle: number = 0;\nexport { idle };\n');
const module = new URL('./idle-window.ts', pathToFileURL(`${process.cwd()}/`));
for (let i = 0; i < count; i++) new Worker(module);
