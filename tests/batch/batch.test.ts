/**
 * `netgrade batch` over a generated class of 30 (good, faulty, hostile, archives), run as the
 * CLI: interrupted and resumed, one submission changed and regraded alone, outputs checked
 * (CSV, results.json, overview with html-validate), safe extraction, and 3 shards + merge
 * equal to the unsharded batch.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { HtmlValidate } from 'html-validate';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { extractArchive } from '../../grader/batch/extract.ts';
import { shardOf } from '../../grader/batch/batch.ts';
import { REPO_ROOT } from '../../grader/exercise/registry.ts';
import { ClassResult } from '../../grader/model/class.ts';
import { variantsOf } from '../helpers/grade.ts';
import { CHECK_ARGS, CHECKS, EXERCISE, makeClass, type ClassFixture } from './class-fixture.ts';

const CLI = join(REPO_ROOT, 'grader', 'cli', 'netgrade.ts');

interface Run {
  code: number | null;
  stderr: string;
  stdout: string;
}

/** Runs the CLI; `killWhen` SIGTERMs it when stderr matches (the interruption). */
function netgrade(args: string[], killWhen?: RegExp): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    let killed = false;
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (killWhen && !killed && killWhen.test(stderr)) {
        killed = true;
        child.kill('SIGTERM');
      }
    });
    child.on('close', (code) => done({ code, stderr, stdout }));
  });
}

const batchArgs = (dir: string, out: string, ...extra: string[]) => ['batch', dir, '--out', out, '--exercise', EXERCISE, ...CHECK_ARGS, '-j', '2', '--progress', 'lines', ...extra];
const gradedNow = (run: Run) => run.stderr.split('\n').filter((l) => /^\[\d+\/\d+\] /.test(l) && !l.includes('(unchanged, reused)'));
const reused = (run: Run) => run.stderr.split('\n').filter((l) => l.includes('(unchanged, reused)'));

async function readClass(out: string): Promise<ClassResult> {
  return ClassResult.parse(JSON.parse(await readFile(join(out, 'results.json'), 'utf8')));
}

/** What must be equal between two gradings of the same class: per student, per check, status and points. */
function outcome(klass: ClassResult) {
  return klass.students.map((s) => ({
    name: s.name,
    error: s.error?.code,
    notes: s.extractionNotes,
    score: s.result?.score,
    seed: s.result?.seed,
    // Passed or not, and points: how a hostile server fails under heavy load (error vs timeout, and
    // so whether later checks are skipped) may differ between two gradings; its score does not.
    checks: s.result?.exercises.flatMap((e) => e.checks.map((c) => `${e.id}/${c.id}:${c.status === 'passed' ? 'passed' : 'lost'}:${c.points}`)),
  }));
}

let fixture: ClassFixture;
let work: string;
const timings: Record<string, number> = {};

beforeAll(async () => {
  fixture = await makeClass();
  work = await mkdtemp(join(tmpdir(), 'netgrade-batch-out-'));
});

afterAll(async () => {
  process.stderr.write(`batch test timings (s): ${JSON.stringify(timings)}\n`);
  await rm(dirname(fixture.dir), { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

describe('netgrade batch over a class of 30', () => {
  test('the generated class has 30 submissions', async () => {
    expect((await readdir(fixture.dir)).length).toBe(30);
  });

  test('interrupted after 6 students, the rerun grades only the rest', async () => {
    const out = join(work, 'full');
    let started = performance.now();
    const first = await netgrade(batchArgs(fixture.dir, out), /^\[6\/30\]/m);
    timings.interrupted = (performance.now() - started) / 1000;
    expect(first.code, first.stderr).not.toBe(0);
    const saved = (await readdir(join(out, 'students'))).filter((n) => existsSync(join(out, 'students', n, 'entry.json')));
    expect(saved.length).toBeGreaterThanOrEqual(6);
    expect(saved.length).toBeLessThan(30);
    expect(existsSync(join(out, 'results.json'))).toBe(false);

    started = performance.now();
    const resumed = await netgrade(batchArgs(fixture.dir, out));
    timings.resumed = (performance.now() - started) / 1000;
    expect(resumed.code, resumed.stderr).toBe(1);
    expect(reused(resumed).length).toBe(saved.length);
    expect(gradedNow(resumed).length).toBe(30 - saved.length);

    // The same class with --exit-zero (every student reused): lost points exit 0.
    const demo = await netgrade(batchArgs(fixture.dir, out, '--exit-zero'));
    expect(demo.code, demo.stderr).toBe(0);
    expect(reused(demo).length).toBe(30);

  }, 300_000);

  test('every student gets the right outcome; CSV, reports and overview (html-validate) are right', async () => {
    const out = join(work, 'full');
    const klass = await readClass(out);
    expect(klass.students).toHaveLength(30);
    const byName = new Map(klass.students.map((s) => [s.name, s]));
    const max = klass.exercises[0]!.maxScore;
    expect(klass.exercises[0]!.checks.map((c) => c.id).sort()).toEqual([...CHECKS].sort());
    for (const name of fixture.good) {
      const s = byName.get(name)!;
      expect(s.result?.score, `${name}: ${JSON.stringify(s.error ?? s.result?.exercises[0]?.verdict)}`).toBe(max);
    }
    // Each faulty variant loses exactly its failsChecks among the checks run.
    for (const variant of variantsOf(EXERCISE)) {
      const s = byName.get(`faulty-${variant.slug}`);
      if (!s) continue;
      const lost = s.result!.exercises[0]!.checks.filter((c) => c.status !== 'passed').map((c) => c.id).sort();
      expect(lost, variant.slug).toEqual(variant.failsChecks.filter((c) => CHECKS.includes(c)).sort());
    }
    for (const [name, code] of Object.entries(fixture.ungradable)) expect(byName.get(name)?.error?.code).toBe(code);
    for (const s of klass.students.filter((x) => x.name.startsWith('faulty-') || x.name.startsWith('hostile-'))) {
      expect(s.result, s.name).toBeDefined();
    }
    expect(byName.get('hostile-syntax-error')!.result!.exercises[0]!.verdict?.code).toBe('SYNTAX_ERROR');
    expect(byName.get('hostile-crash-on-request')!.result!.score).toBe(0);
    expect(byName.get('empty-student')!.result!.exercises[0]!.submitted).toBe(false);
    // Archive safety: the evil zip's escapes and link are skipped with notes, its code graded.
    const evil = byName.get('zip-evil')!;
    expect(evil.extractionNotes.join('\n')).toMatch(/\.\.\/escaped-by-zip\.txt.*"\.\." segment/);
    expect(evil.extractionNotes.join('\n')).toMatch(/absolute path/);
    expect(evil.extractionNotes.join('\n')).toMatch(/passwd-link.*symbolic links/);
    expect(evil.result!.exercises[0]!.notes.join('\n')).toMatch(/passwd-link/);
    expect(byName.get('tar-linked')!.extractionNotes.join('\n')).toMatch(/passwd-link.*links are not extracted/);
    expect(existsSync('/tmp/netgrade-absolute-escape.txt')).toBe(false);

    // grades.csv: one row per student, one column per exercise, total.
    const csv = (await readFile(join(out, 'grades.csv'), 'utf8')).trimEnd().split('\r\n');
    expect(csv[0]).toBe(`student,${EXERCISE},total,max_total,status`);
    expect(csv).toHaveLength(31);
    expect(csv).toContain(`good-01,${max},${max},${max},graded`);
    expect(csv).toContain(`zip-corrupt,0,0,${max},not graded: ARCHIVE_UNREADABLE`);
    // Per-student reports exist for every graded student and the overview links them.
    const index = await readFile(join(out, 'index.html'), 'utf8');
    for (const s of klass.students.filter((x) => x.result)) {
      expect(existsSync(join(out, 'students', s.name, 'report.html')), s.name).toBe(true);
      expect(index).toContain(`href="students/${encodeURIComponent(s.name)}/report.html"`);
    }
    expect(index).toContain('<svg');
    expect(index).toContain('batch.classic');
    const validator = new HtmlValidate({ extends: ['html-validate:recommended'], rules: { 'no-trailing-whitespace': 'off' } });
    const report = await validator.validateString(index);
    expect(report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId}: ${m.message} (line ${m.line})`))).toEqual([]);

  });

  test('one changed submission: only it is graded again', async () => {
    const out = join(work, 'full');
    await appendFile(join(fixture.dir, 'good-03', EXERCISE, 'server.ts'), '\n// a late fix\n');
    const started = performance.now();
    const again = await netgrade(batchArgs(fixture.dir, out));
    timings.oneChanged = (performance.now() - started) / 1000;
    expect(gradedNow(again).map((l) => l.replace(/^\[\d+\/\d+\] ([^:]+):.*$/, '$1'))).toEqual(['good-03']);
    expect(reused(again)).toHaveLength(29);

  }, 120_000);

  test('3 shards graded fresh and merged equal the unsharded batch; merge refuses bad shards', async () => {
    const out = join(work, 'full');
    const started = performance.now();
    const shards = await Promise.all(
      [1, 2, 3].map(async (i) => {
        const dir = join(work, `shard-${i}`);
        const run = await netgrade(batchArgs(fixture.dir, dir, '--shard', `${i}/3`, '-j', '1'));
        expect([0, 1], run.stderr).toContain(run.code);
        return dir;
      }),
    );
    timings.threeShards = (performance.now() - started) / 1000;
    const counts = await Promise.all(shards.map(async (d) => (await readClass(d)).students.length));
    expect(counts).toEqual([10, 10, 10]);
    const merged = join(work, 'merged');
    const merge = await netgrade(['merge', ...shards, '--out', merged]);
    expect(merge.code, merge.stderr).toBe(1);
    expect(outcome(await readClass(merged))).toEqual(outcome(await readClass(out)));
    expect(await readFile(join(merged, 'grades.csv'), 'utf8')).toBe(await readFile(join(out, 'grades.csv'), 'utf8'));
    expect((await netgrade(['merge', ...shards, '--out', join(work, 'merged-again'), '--exit-zero'])).code).toBe(0);

    // Merge refuses overlapping shards and shards of another grader version.
    const overlap = await netgrade(['merge', shards[0]!, shards[0]!, '--out', join(work, 'bad')]);
    expect(overlap.code).toBe(2);
    expect(overlap.stderr).toMatch(/Overlapping shards/);
    const other = join(work, 'other-version');
    const otherClass = await readClass(shards[1]!);
    otherClass.grader.version = '9.9.9';
    await mkdir(other, { recursive: true });
    await writeFile(join(other, 'results.json'), JSON.stringify(otherClass));
    const versions = await netgrade(['merge', shards[0]!, other, '--out', join(work, 'bad')]);
    expect(versions.code).toBe(2);
    expect(versions.stderr).toMatch(/different grader versions/);
  }, 300_000);
});

describe('safe extraction and sharding, directly', () => {
  test('a zip with ../, absolute and link entries writes nothing outside its target', async () => {
    const target = join(work, 'extract', 'inside', 'zip-evil');
    const notes = await extractArchive(join(fixture.dir, 'zip-evil.zip'), 'zip', target, { exerciseIds: [EXERCISE] });
    expect(notes).toHaveLength(4);
    expect((await readdir(join(work, 'extract', 'inside'))).sort()).toEqual(['zip-evil']);
    expect((await readdir(target)).sort()).toEqual([EXERCISE]);
    expect((await readdir(join(target, EXERCISE))).sort()).toEqual(['byte-queue.ts', 'server.ts', 'socket-reader.ts']);
  });

  test('file-count and size limits stop an archive', async () => {
    const target = join(work, 'extract', 'limited');
    await expect(
      extractArchive(join(fixture.dir, 'zip-plain-1.zip'), 'zip', target, { limits: { maxFiles: 2, maxBytes: 1e9, maxFileBytes: 1e9 } }),
    ).rejects.toMatchObject({ code: 'ARCHIVE_TOO_MANY_FILES' });
    await expect(
      extractArchive(join(fixture.dir, 'tar-good.tar.gz'), 'tar.gz', `${target}-tar`, { limits: { maxFiles: 100, maxBytes: 100, maxFileBytes: 1e9 } }),
    ).rejects.toMatchObject({ code: 'ARCHIVE_TOO_LARGE' });
  });

  test('shards are deterministic, disjoint, complete and balanced', () => {
    const names = Array.from({ length: 31 }, (_, i) => ({ name: `s${i}` }));
    const shuffled = [...names].reverse();
    const parts = [1, 2, 3].map((index) => shardOf(names, { index, count: 3 }).map((s) => s.name));
    expect([1, 2, 3].map((index) => shardOf(shuffled, { index, count: 3 }).map((s) => s.name))).toEqual(parts);
    expect(parts.flat().sort()).toEqual(names.map((n) => n.name).sort());
    expect(new Set(parts.flat()).size).toBe(31);
    expect(parts.map((p) => p.length)).toEqual([11, 10, 10]);
  });
});
