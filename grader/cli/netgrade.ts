#!/usr/bin/env node
/**
 * The netgrade executable (`node grader/cli/netgrade.ts …`). It turns on Node's module compile
 * cache before it loads the grader, whose TypeScript Node would otherwise strip and compile again
 * on every start: measured, `netgrade list` 690 ms of CPU time cold and 331 ms from the cache, and
 * a grading starts the grader twice (once more inside the private network). Node keeps one cache
 * per user and checks every entry against its file's contents. The command line is main.ts.
 */
import module from 'node:module';
import { fileURLToPath } from 'node:url';

// In the grader's own folder (as babel and eslint keep theirs), not the system's temporary
// folder: a grading leaves nothing behind there. NODE_COMPILE_CACHE, when set, wins (Node has
// then turned the cache on already); where the folder cannot be written, Node goes on without.
module.enableCompileCache?.(fileURLToPath(new URL('../../node_modules/.cache/netgrade-compile-cache', import.meta.url)));
// The grader's own child processes (the run inside the private network, batch workers) use it
// from their first module on; a submission's processes get an environment of their own.
const cacheDir = module.getCompileCacheDir?.();
if (cacheDir) process.env.NODE_COMPILE_CACHE ??= cacheDir;
export const { main } = await import('./main.ts');

if (import.meta.main) {
  // Exit at once once the reports are written (stdout and stderr are synchronous on Linux):
  // seen once after a whole class's worth of probes, Node's exit-time cleanup spun for minutes
  // on a socket handle left over from a probe (FreeEnvironment → CleanupHandles), after every
  // report was out. The grading is finished; nothing it started needs a graceful end here.
  process.exit(await main(process.argv.slice(2)));
}
