/**
 * What is running on the machine, for "nothing is left behind" assertions: processes are
 * found by a marker in their command line (each hostile fixture puts one there).
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

/** Pids of live (non-zombie) processes whose command line contains `marker`. */
export function processesWithMarker(marker: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'latin1');
      if (!cmdline.includes(marker)) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state !== 'Z' && state !== 'X') found.push(Number(name));
    } catch {
      // ended while we looked
    }
  }
  return found;
}

/** Temporary folders of the grader (netgrade-*) in `dir`, except those of the test helpers. */
export function graderTempDirs(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.startsWith('netgrade-') && !n.startsWith('netgrade-test-'));
}

/**
 * A copy of a hostile fixture with a fresh nonce in `marker.txt`: the fixture puts the nonce
 * in the command lines of the processes it leaves behind, so that this test finds its own
 * processes and not those of a test run going on at the same time.
 */
export async function markedFixture(folder: string): Promise<{ folder: string; nonce: string; dispose: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'netgrade-test-fixture-'));
  const copy = join(dir, basename(folder));
  await cp(folder, copy, { recursive: true, verbatimSymlinks: true });
  const nonce = randomBytes(6).toString('hex');
  await writeFile(join(copy, 'marker.txt'), nonce);
  return { folder: copy, nonce, dispose: () => rm(dir, { recursive: true, force: true }) };
}
