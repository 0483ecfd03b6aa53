/**
 * `netgrade grade <dir> --watch`: grades once, and again when a file of the exercise changes
 * (a save during a run cancels it and starts again);
 * a line `q` on stdin (no terminal) quits with exit 0 and no process of the grading left.
 * Synchronised on the command's output (each awaited with a deadline), never on sleeps.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { REPO_ROOT } from '../../grader/exercise/registry.ts';
import { SOLUTIONS } from '../helpers/grade.ts';

const NODE = join(REPO_ROOT, 'node_modules', '.bin', 'node');

test('watch re-grades the exercise whose file changed, then quits on q', { timeout: 180_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'netgrade-watch-'));
  const child = spawn(
    NODE,
    [join(REPO_ROOT, 'grader/cli/netgrade.ts'), 'grade', dir, '--watch', '--exercise', 'sticky-packets', '--check', 'batch.classic', '--retries', '0', '--isolation', 'none', '--lang', 'en', '--time-scale', '10'],
    { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } },
  );
  let output = '';
  const waiters: Array<{ pattern: RegExp; from: number; resolve: () => void }> = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (w.pattern.test(output.slice(w.from))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout.on('data', (chunk: Buffer) => ((output += chunk.toString()), check()));
  child.stderr.on('data', (chunk: Buffer) => ((output += chunk.toString()), check()));
  /** `promise`, or a rejection saying `why()` after `ms`. */
  const withDeadline = <T,>(promise: Promise<T>, ms: number, why: () => string) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(why())), ms);
      promise.then((value) => (clearTimeout(timer), resolve(value)), reject);
    });
  /** Resolves when `pattern` appears in the output after offset `from`; rejects after `ms`. */
  const appears = (pattern: RegExp, from: number, ms = 90_000) =>
    withDeadline(
      new Promise<void>((resolve) => {
        waiters.push({ pattern, from, resolve });
        check();
      }),
      ms,
      () => `no ${pattern} within ${ms} ms; output:\n${output}`,
    );
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await cp(join(SOLUTIONS, 'sticky-packets'), join(dir, 'sticky-packets'), { recursive: true });
    await appears(/sticky-packets: 40\/40|sticky-packets: \d+\/\d+[\s\S]*Watching/, 0);
    expect(output).toMatch(/✓ batch\.classic/);
    expect(output).toContain('Every check passed.');

    // A save that breaks the server: the second result names the check lost, in full.
    const mark = output.length;
    const server = join(dir, 'sticky-packets', 'server.ts');
    const source = await readFile(server, 'utf8');
    await writeFile(server, source.replace(/OK \$\{/g, 'NO ${'));
    await appears(/server\.ts changed/, mark);
    // The first run had ended: nothing was cancelled.
    expect(output.slice(mark)).not.toContain('cancelled');
    await appears(/First failure: batch\.classic[\s\S]*Watching/, mark);
    expect(output.slice(mark)).toMatch(/✗ batch\.classic/);

    // A save during a run cancels it and grades the newer file: a server that never answers
    // keeps batch.classic waiting on its reply deadline while the fix is saved. The silent server
    // tells the test when the probe has connected to it (a connection to `told`), so the fix is
    // saved while that run is surely under way, however slowly the machine starts it (CI once
    // started the run late enough that it read the fixed file instead).
    const told = createServer((socket) => socket.destroy());
    told.listen(0, '127.0.0.1');
    await once(told, 'listening');
    const probed = once(told, 'connection');
    const silentAt = output.length;
    await writeFile(
      server,
      [
        "import { connect, createServer } from 'node:net';",
        'const held: unknown[] = [];',
        'createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {',
        "  socket.on('error', () => {});",
        '  held.push(socket);',
        `  connect(${(told.address() as AddressInfo).port}, '127.0.0.1').on('error', () => {});`,
        "}).listen(Number(process.env.PORT), '127.0.0.1');",
        '',
      ].join('\n'),
    );
    await appears(/Grading sticky-packets \(sticky-packets\/server\.ts changed\)/, silentAt);
    await withDeadline(probed, 90_000, () => `the silent server was never probed; output:\n${output}`);
    told.close();
    const fixedAt = output.length;
    await writeFile(server, source);
    await appears(/cancelled, starting again/, fixedAt);
    await appears(/Every check passed\.[\s\S]*Watching/, fixedAt);
    // The cancelled run printed no result of its own.
    expect(output.slice(silentAt).match(/sticky-packets: \d+\/\d+/g)).toHaveLength(1);

    child.stdin.write('q\n');
    expect(await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 30_000))])).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});
