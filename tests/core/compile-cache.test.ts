/**
 * Node's compile cache shared between the processes of one exercise's grading
 * (grader/sandbox/compile-cache.ts): later processes load the submission's modules from it,
 * and nothing but entries of the submission's own files ever reaches the pool.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { loadExercise } from '../../grader/exercise/registry.ts';
import { cacheKeysOf, CompileCache, FLUSH_PRELOAD } from '../../grader/sandbox/compile-cache.ts';
import { isolationModeFromEnv, resolveIsolation } from '../../grader/sandbox/isolation.ts';
import { DEFAULT_SANDBOX_CONFIG, ExerciseSandbox } from '../../grader/sandbox/sandbox.ts';
import { Workspace } from '../../grader/sandbox/workspace.ts';
import { SOLUTIONS } from '../helpers/grade.ts';

const ISOLATION = resolveIsolation(isolationModeFromEnv());
const SHARED = ISOLATION.kind === 'bwrap' && ISOLATION.setpriv !== undefined;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'netgrade-test-cache-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the compile cache', () => {
  test("cacheKeysOf names exactly the entries Node writes for the submission's files, none of the grader's preload", async () => {
    const code = join(dir, 'code');
    await mkdir(code);
    await writeFile(join(code, 'package.json'), '{ "type": "module" }\n');
    await writeFile(join(code, 'helper.ts'), 'export const twice = (n: number): number => 2 * n;\n');
    await writeFile(join(code, 'main.ts'), "import { twice } from './helper.ts';\nconsole.log(twice(21));\n");
    const cacheDir = join(dir, 'cache');
    const run = spawnSync(process.execPath, ['--import', FLUSH_PRELOAD, join(code, 'main.ts')], { env: { ...process.env, NODE_COMPILE_CACHE: cacheDir }, encoding: 'utf8' });
    expect(run.stdout).toBe('42\n');
    const [tagDir] = await readdir(cacheDir);
    const written = await readdir(join(cacheDir, tagDir!));
    const keys = cacheKeysOf(code);
    const ours = written.filter((name) => keys.has(name));
    // main.ts and helper.ts: each stripped of its types and compiled as an ES module.
    expect(ours.length).toBeGreaterThanOrEqual(4);
    // The one entry left is the grader's preload: never the submission's to hand over.
    expect(written.filter((name) => !keys.has(name))).toHaveLength(1);
  });

  test("a harvest takes only regular files named after the submission's own entries, in folders named as Node names them, and makes them read-only to later processes", async () => {
    const code = join(dir, 'code');
    await mkdir(code);
    await writeFile(join(code, 'server.ts'), 'export {};\n');
    const [key, linkKey] = [...cacheKeysOf(code)];
    const cache = new CompileCache(join(dir, 'cache'), code);
    const grant = (await cache.grant(process.getuid!()))!;
    // What a process could leave in its folder: an entry of its own, an entry named after no
    // file of the submission, and a link named like an entry that points at a file of the machine.
    const tagDir = join(grant.dir, `v24.0.0-x64-abcdef01-${process.getuid!()}`);
    await mkdir(tagDir);
    await writeFile(join(tagDir, key!), 'compiled code');
    await chmod(join(tagDir, key!), 0o600);
    await writeFile(join(tagDir, 'deadbeef'), 'a foreign entry');
    await writeFile(join(dir, 'secret'), 'not for students');
    await symlink(join(dir, 'secret'), join(tagDir, linkKey!));
    await mkdir(join(grant.dir, `not-a-tag`));
    // A folder named for another user id, and more cache versions than Node makes.
    const foreign = join(grant.dir, 'v24.0.0-x64-abcdef02-999');
    await mkdir(foreign);
    await writeFile(join(foreign, key!), 'not this process');
    for (let i = 0; i < 6; i++) {
      const extra = join(grant.dir, `v24.0.${i}-x64-abcdef0${i}-${process.getuid!()}`);
      await mkdir(extra);
      await writeFile(join(extra, key!), 'another version');
    }
    cache.harvest(grant.dir, process.getuid!());
    await cache.settle();

    expect(existsSync(grant.dir)).toBe(false);
    // Four versions at most, the one named for another user id not among them.
    const versions = await readdir(join(dir, 'cache', 'pool'));
    expect(versions).toHaveLength(4);
    expect(versions).not.toContain('v24.0.0-x64-abcdef02');
    const pool = join(dir, 'cache', 'pool', 'v24.0.0-x64-abcdef01');
    expect(await readdir(pool)).toEqual([key]);
    expect(await readFile(join(pool, key!), 'utf8')).toBe('compiled code');
    expect((await stat(join(pool, key!))).mode & 0o777).toBe(0o644);

    // The next process finds the entry under its own user id, linked from the pool.
    const next = (await cache.grant(4242))!;
    const linked = join(next.dir, 'v24.0.0-x64-abcdef01-4242', key!);
    expect(await readFile(linked, 'utf8')).toBe('compiled code');
    expect((await stat(linked)).nlink).toBe(2);
    expect(next.env.NODE_COMPILE_CACHE).toBe(next.dir);
    expect(next.nodeArgs).toEqual(['--import', FLUSH_PRELOAD]);
  });

  test('a cache folder that cannot be made leaves the process without the cache, not without its run', async () => {
    const code = join(dir, 'code');
    await mkdir(code);
    await writeFile(join(code, 'server.ts'), 'export {};\n');
    await writeFile(join(dir, 'a-file'), '');
    const cache = new CompileCache(join(dir, 'a-file', 'cache'), code);
    expect(await cache.grant(process.getuid!())).toBeUndefined();
  });

  test.skipIf(!SHARED)('in the sandbox, a later process of the grading loads the code from the cache of an earlier, killed one', async () => {
    const workspace = await Workspace.create();
    try {
      const { meta } = await loadExercise('chat');
      const { dir: codeDir } = await workspace.copyCode(join(SOLUTIONS, 'chat'));
      const sandbox = new ExerciseSandbox(workspace, meta, codeDir, DEFAULT_SANDBOX_CONFIG);
      expect(sandbox.compileCache).toBeDefined();
      const debug = { NODE_DEBUG_NATIVE: 'COMPILE_CACHE' };
      // The first server is killed: only the preload's flush can have written its cache.
      const first = sandbox.scope();
      await first.startServer({ env: debug });
      const firstLog = () => first.servers[0]!.stderr.text();
      const end = performance.now() + 10_000;
      while (!/flushCompileCache\(\) finished/.test(firstLog()) && performance.now() < end) await new Promise((r) => setTimeout(r, 20));
      expect(firstLog()).toMatch(/flushCompileCache\(\) finished/);
      await first.teardown();
      await sandbox.settle();

      const second = sandbox.scope();
      const server = await second.startServer({ env: debug });
      const log = server.process.stderr.text();
      await second.teardown();
      await sandbox.settle();
      expect(log).toMatch(/V8 code cache for ESM file:\/\/\S+\/server\.ts was accepted/);
      expect(log).toMatch(/retrieving transpile cache for StrippedTypeScript file:\/\/\S+\/server\.ts\.\.\.success/);
    } finally {
      await workspace.dispose();
    }
  });

  test.skipIf(!SHARED)('NETGRADE_COMPILE_CACHE=0 turns it off', async () => {
    const workspace = await Workspace.create();
    try {
      const { meta } = await loadExercise('chat');
      const { dir: codeDir } = await workspace.copyCode(join(SOLUTIONS, 'chat'));
      expect(new ExerciseSandbox(workspace, meta, codeDir, { ...DEFAULT_SANDBOX_CONFIG, compileCache: false }).compileCache).toBeUndefined();
      process.env.NETGRADE_COMPILE_CACHE = '0';
      try {
        expect(new ExerciseSandbox(workspace, meta, codeDir, DEFAULT_SANDBOX_CONFIG).compileCache).toBeUndefined();
      } finally {
        delete process.env.NETGRADE_COMPILE_CACHE;
      }
    } finally {
      await workspace.dispose();
    }
  });
});
