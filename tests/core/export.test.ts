/**
 * `netgrade export gradescope|prairielearn`: what the zip / folder holds, and the platform's
 * script run in a temp folder laid out like /autograder or /grade on a reference solution (in
 * a wrapper folder) and a faulty variant (files at the top level), its results.json checked
 * against the platform's documented fields. Two checks only (--check through NETGRADE_ARGS)
 * keep it lean.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import yauzl from 'yauzl';
import { z } from 'zod';
import { main } from '../../grader/cli/netgrade.ts';
import { REPO_ROOT } from '../../grader/exercise/registry.ts';
import { layOutSubmission } from '../../grader/export/layout.ts';
import { SOLUTIONS, VARIANTS } from '../helpers/grade.ts';

const run = promisify(execFile);
const EXERCISE = 'sticky-packets';
const CHECKS = ['batch.classic', 'reply.count'];
/** crlf-lines ends each line with \r\n: it loses batch.classic (tests/variants/sticky-packets/variants.json). */
const FAULTY = join(VARIANTS, EXERCISE, 'crlf-lines');
const ENV = { ...process.env, NETGRADE_ARGS: CHECKS.map((c) => `--check ${c}`).join(' '), NETGRADE_LANG: 'en', NO_COLOR: '1' };

/** Gradescope's results.json (https://gradescope-autograders.readthedocs.io/en/latest/specs/): only documented fields. */
const Visibility = z.enum(['hidden', 'after_due_date', 'after_published', 'visible']);
const GradescopeResults = z.strictObject({
  score: z.number().optional(),
  execution_time: z.number().optional(),
  output: z.string().optional(),
  output_format: z.enum(['text', 'html', 'simple_format', 'md', 'ansi']).optional(),
  test_output_format: z.enum(['text', 'html', 'simple_format', 'md', 'ansi']).optional(),
  test_name_format: z.enum(['text', 'html', 'simple_format', 'md', 'ansi']).optional(),
  visibility: Visibility.optional(),
  stdout_visibility: Visibility.optional(),
  extra_data: z.record(z.string(), z.unknown()).optional(),
  tests: z
    .array(
      z.strictObject({
        score: z.number().optional(),
        max_score: z.number().optional(),
        status: z.enum(['passed', 'failed']).optional(),
        name: z.string().optional(),
        name_format: z.string().optional(),
        number: z.string().optional(),
        output: z.string().optional(),
        output_format: z.string().optional(),
        tags: z.array(z.string()).optional(),
        visibility: Visibility.optional(),
        extra_data: z.record(z.string(), z.unknown()).optional(),
      }),
    )
    .optional(),
  leaderboard: z.array(z.strictObject({ name: z.string(), value: z.union([z.number(), z.string()]), order: z.enum(['asc', 'desc']).optional() })).optional(),
});

/** PrairieLearn's external grader results (https://prairielearn.readthedocs.io/en/latest/externalGrading/). */
const PrairieLearnResults = z.strictObject({
  gradable: z.boolean(),
  score: z.number().min(0).max(1),
  message: z.string().optional(),
  output: z.string().optional(),
  images: z.array(z.unknown()).optional(),
  tests: z
    .array(
      z.strictObject({
        name: z.string(),
        description: z.string().optional(),
        points: z.number(),
        max_points: z.number(),
        message: z.string().optional(),
        output: z.string().optional(),
        images: z.array(z.unknown()).optional(),
      }),
    )
    .optional(),
});

const PrairieLearnInfo = z.object({
  gradingMethod: z.literal('External'),
  externalGradingOptions: z.strictObject({
    enabled: z.literal(true),
    image: z.string(),
    serverFilesCourse: z.array(z.string()),
    entrypoint: z.string().startsWith('/grade/serverFilesCourse/'),
    timeout: z.number().int().positive(),
  }),
});

/** Unzips with yauzl (the library batch reads archives with), keeping the executable bit. */
async function unzip(zipFile: string, dest: string): Promise<Map<string, number>> {
  const modes = new Map<string, number>();
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.open(zipFile, { lazyEntries: true }, (e, z) => (e ? reject(e) : resolve(z!))));
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', resolve);
    zip.on('entry', (entry: yauzl.Entry) => {
      modes.set(entry.fileName, (entry.externalFileAttributes >>> 16) & 0o777);
      zip.openReadStream(entry, async (error, stream) => {
        if (error) return reject(error);
        const chunks: Buffer[] = [];
        for await (const chunk of stream!) chunks.push(chunk as Buffer);
        const target = join(dest, entry.fileName);
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, Buffer.concat(chunks), { mode: modes.get(entry.fileName) || 0o644 });
        zip.readEntry();
      });
    });
    zip.readEntry();
  });
  return modes;
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'netgrade-export-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('layOutSubmission', () => {
  test('files at the top level, in one wrapper folder, or in exercise folders; __MACOSX and dot files ignored', async () => {
    const cases: Record<string, Record<string, string>> = {
      top: { 'server.ts': 'a', 'lib/util.ts': 'b', '.DS_Store': 'x' },
      wrapped: { 'my-work/server.ts': 'a', 'my-work/lib/util.ts': 'b', '__MACOSX/my-work/._server.ts': 'x' },
      folders: { 'sticky-packets/server.ts': 'a', 'sticky-packets/lib/util.ts': 'b', 'notes.txt': 'x' },
    };
    for (const [name, files] of Object.entries(cases)) {
      const upload = join(work, 'layout', name, 'upload');
      for (const [path, text] of Object.entries(files)) {
        await mkdir(dirname(join(upload, path)), { recursive: true });
        await writeFile(join(upload, path), text);
      }
      const dest = join(work, 'layout', name, 'submission');
      const layout = await layOutSubmission(upload, [EXERCISE], dest);
      expect(layout.exercises, name).toEqual([EXERCISE]);
      expect((await readdir(join(dest, EXERCISE), { recursive: true })).sort(), name).toEqual(['lib', 'lib/util.ts', 'server.ts']);
    }
    const empty = join(work, 'layout', 'empty');
    await mkdir(empty, { recursive: true });
    expect((await layOutSubmission(empty, [EXERCISE], join(work, 'layout', 'empty-out'))).exercises).toEqual([]);
  });
});

describe('export gradescope', () => {
  let root: string;
  let modes: Map<string, number>;
  beforeAll(async () => {
    const zip = join(work, 'autograder.zip');
    expect(await main(['export', 'gradescope', '--exercise', EXERCISE, '--out', zip, '--lang', 'en'])).toBe(0);
    root = join(work, 'autograder');
    modes = await unzip(zip, join(root, 'source'));
    // setup.sh's `npm ci`, done: the repository's node_modules.
    await symlink(join(REPO_ROOT, 'node_modules'), join(root, 'source', 'netgrade', 'node_modules'));
  });

  test('the zip: setup.sh and run_autograder (executable) at the top, netgrade without node_modules, tests or other exercises', () => {
    const names = [...modes.keys()];
    expect(modes.get('setup.sh')).toBe(0o755);
    expect(modes.get('run_autograder')).toBe(0o755);
    for (const needed of ['netgrade/package.json', 'netgrade/package-lock.json', 'netgrade/grader/cli/netgrade.ts', 'netgrade/grader/export/autograde.ts', `netgrade/exercises/${EXERCISE}/definition.ts`]) {
      expect(names).toContain(needed);
    }
    expect(names.filter((n) => /node_modules|^netgrade\/(tests|solutions|docs)\/|exercises\/chat\//.test(n))).toEqual([]);
  });

  test('setup.sh installs bubblewrap with apt and netgrade (with Node 24) with npm ci', async () => {
    const setup = await readFile(join(root, 'source', 'setup.sh'), 'utf8');
    expect(setup).toMatch(/apt-get install .*bubblewrap/);
    expect(setup).toContain('npm install --global --no-audit --no-fund node@24');
    expect(setup).toContain('npm ci');
  });

  async function runAutograder(place: (submission: string) => Promise<void>) {
    await rm(join(root, 'submission'), { recursive: true, force: true });
    await rm(join(root, 'results'), { recursive: true, force: true });
    await mkdir(join(root, 'submission'), { recursive: true });
    await place(join(root, 'submission'));
    await run(join(root, 'source', 'run_autograder'), [], { env: { ...ENV, AUTOGRADER_ROOT: root }, maxBuffer: 16 * 1024 * 1024 });
    return GradescopeResults.parse(JSON.parse(await readFile(join(root, 'results', 'results.json'), 'utf8')));
  }

  test('run_autograder on the reference solution in a wrapper folder: full marks', async () => {
    const results = await runAutograder((s) => cp(join(SOLUTIONS, EXERCISE), join(s, 'my-work'), { recursive: true }));
    expect(results.tests!.map((t) => [t.name!.split(':')[0], t.status, t.visibility])).toEqual(CHECKS.map((c) => [`${EXERCISE} › ${c}`, 'passed', 'visible']));
    expect(results.score).toBe(results.tests!.reduce((s, t) => s + t.max_score!, 0));
  });

  test('run_autograder on a faulty variant, files at the top level: loses batch.classic only', async () => {
    const results = await runAutograder((s) => cp(FAULTY, s, { recursive: true }));
    const failed = results.tests!.filter((t) => t.status === 'failed').map((t) => t.name!.split(':')[0]);
    expect(failed).toEqual([`${EXERCISE} › batch.classic`]);
    expect(results.score).toBeLessThan(results.tests!.reduce((s, t) => s + t.max_score!, 0));
  });
});

describe('export prairielearn', () => {
  let out: string;
  let grade: string;
  beforeAll(async () => {
    out = join(work, 'pl');
    expect(await main(['export', 'prairielearn', '--exercise', EXERCISE, '--out', out, '--lang', 'en'])).toBe(0);
    grade = join(work, 'grade');
  });

  test('the folder: run_grader (executable), the info.json fragment, question.html with the entry files', async () => {
    expect((await stat(join(out, 'serverFilesCourse', 'netgrade', 'run_grader'))).mode & 0o111).not.toBe(0);
    const info = PrairieLearnInfo.parse(JSON.parse(await readFile(join(out, 'info.json'), 'utf8')));
    expect(info.externalGradingOptions.entrypoint).toBe('/grade/serverFilesCourse/netgrade/run_grader');
    expect(await readFile(join(out, 'question.html'), 'utf8')).toContain('<pl-file-upload file-names="server.ts"></pl-file-upload>');
    expect(await readFile(join(out, 'README.md'), 'utf8')).toContain('外部评分程序');
  });

  async function runGrader(place: (student: string) => Promise<void>) {
    await rm(grade, { recursive: true, force: true });
    await mkdir(join(grade, 'student'), { recursive: true });
    await place(join(grade, 'student'));
    await run(join(out, 'serverFilesCourse', 'netgrade', 'run_grader'), [], { env: { ...ENV, GRADE_ROOT: grade, NETGRADE_DIR: REPO_ROOT }, maxBuffer: 16 * 1024 * 1024 });
    return PrairieLearnResults.parse(JSON.parse(await readFile(join(grade, 'results', 'results.json'), 'utf8')));
  }

  test('run_grader on the reference solution: gradable, score 1', async () => {
    const results = await runGrader((s) => cp(join(SOLUTIONS, EXERCISE), s, { recursive: true }));
    expect(results).toMatchObject({ gradable: true, score: 1 });
    expect(results.tests!.map((t) => t.name)).toEqual(CHECKS.map((c) => `${EXERCISE} › ${c}`));
  });

  test('run_grader on a faulty variant in a wrapper folder: loses batch.classic only', async () => {
    const results = await runGrader((s) => cp(FAULTY, join(s, 'upload'), { recursive: true }));
    expect(results.gradable).toBe(true);
    expect(results.score).toBeLessThan(1);
    expect(results.tests!.filter((t) => t.points < t.max_points).map((t) => t.name)).toEqual([`${EXERCISE} › batch.classic`]);
  });
});

describe('export usage errors', () => {
  test('no exercise, an unknown platform: exit 2', async () => {
    expect(await main(['export', 'gradescope', '--out', join(work, 'x.zip'), '--lang', 'en'])).toBe(2);
    expect(await main(['export', 'moodle', '--exercise', EXERCISE, '--out', join(work, 'x'), '--lang', 'en'])).toBe(2);
  });
});
