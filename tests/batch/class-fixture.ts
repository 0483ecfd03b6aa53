/**
 * A generated class of 30 submissions for the batch tests: good ones, faulty ones (the
 * sticky-packets variants), hostile ones (tests/fixtures/hostile), and archives — good zips
 * and tar.gz, a zip with a `../` entry and a symbolic link, a tar.gz with a link, a zip that
 * is not a zip, and a student with nothing for the exercise.
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import { HOSTILE, SOLUTIONS, VARIANTS } from '../helpers/grade.ts';

export const EXERCISE = 'sticky-packets';
/**
 * A few cheap checks keep 30 students within seconds, and still tell good from faulty: each
 * faulty variant must lose exactly the checks of its `failsChecks` that are among these.
 */
export const CHECKS = ['batch.classic', 'reply.count', 'framing.utf8-split', 'batch.early-close'];
export const CHECK_ARGS = CHECKS.flatMap((c) => ['--check', c]);

export interface ClassFixture {
  dir: string;
  /** Students expected to get full marks. */
  good: string[];
  /** Students expected not to be gradable, with the error code. */
  ungradable: Record<string, string>;
  /** Where a `../` entry of the evil zip would land if extraction were not safe. */
  escapeTargets: string[];
}

/** Writes a zip with arbitrary entry names and a symbolic link (python's zipfile writes names as given). */
function writeEvilZip(path: string, solution: string): void {
  const script = `
import sys, zipfile, os
path, solution = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(path, 'w') as z:
    for name in sorted(os.listdir(solution)):
        z.write(os.path.join(solution, name), 'sticky-packets/' + name)
    z.writestr('../escaped-by-zip.txt', 'escaped')
    z.writestr('sticky-packets/../../escaped-twice.txt', 'escaped')
    z.writestr('/tmp/netgrade-absolute-escape.txt', 'escaped')
    link = zipfile.ZipInfo('sticky-packets/passwd-link')
    link.create_system = 3
    link.external_attr = (0o120777 << 16)
    z.writestr(link, '/etc/passwd')
`;
  execFileSync('python3', ['-c', script, path, solution]);
}

export async function makeClass(): Promise<ClassFixture> {
  const root = await mkdtemp(join(tmpdir(), 'netgrade-class-'));
  const dir = join(root, 'submissions');
  await mkdir(dir);
  const solution = join(SOLUTIONS, EXERCISE);
  const good: string[] = [];
  const ungradable: Record<string, string> = {};

  // 8 good folders.
  for (let i = 1; i <= 8; i++) {
    const name = `good-${String(i).padStart(2, '0')}`;
    await cp(solution, join(dir, name, EXERCISE), { recursive: true });
    good.push(name);
  }
  // 9 faulty: every variant once.
  const variants = (await readdir(join(VARIANTS, EXERCISE), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  for (const variant of variants.slice(0, 9)) await cp(join(VARIANTS, EXERCISE, variant), join(dir, `faulty-${variant}`, EXERCISE), { recursive: true });
  // 5 hostile.
  for (const fixture of ['crash-on-request', 'syntax-error', 'exits-at-once', 'floods-output', 'spawns-child']) {
    await cp(join(HOSTILE, fixture), join(dir, `hostile-${fixture}`, EXERCISE), { recursive: true });
  }
  // 3 good zips, one with a wrapper folder (alice.zip -> zip-wrapped/sticky-packets/...).
  const staging = join(root, 'staging');
  await cp(solution, join(staging, 'plain', EXERCISE), { recursive: true });
  await cp(solution, join(staging, 'wrapped', 'zip-wrapped', EXERCISE), { recursive: true });
  execFileSync('zip', ['-qr', join(dir, 'zip-plain-1.zip'), EXERCISE], { cwd: join(staging, 'plain') });
  execFileSync('zip', ['-qr', join(dir, 'zip-plain-2.zip'), EXERCISE], { cwd: join(staging, 'plain') });
  execFileSync('zip', ['-qr', join(dir, 'zip-wrapped.zip'), 'zip-wrapped'], { cwd: join(staging, 'wrapped') });
  good.push('zip-plain-1', 'zip-plain-2', 'zip-wrapped');
  // 1 evil zip: the good solution plus `../` entries, an absolute path and a link to /etc/passwd.
  writeEvilZip(join(dir, 'zip-evil.zip'), solution);
  good.push('zip-evil');
  // 2 tar.gz: a good one, and one with a symbolic link out (the solution is still there).
  await tar.c({ gzip: true, file: join(dir, 'tar-good.tar.gz'), cwd: join(staging, 'plain') }, [EXERCISE]);
  await cp(solution, join(staging, 'linked', EXERCISE), { recursive: true });
  await symlink('/etc/passwd', join(staging, 'linked', EXERCISE, 'passwd-link'));
  await tar.c({ gzip: true, file: join(dir, 'tar-linked.tgz'), cwd: join(staging, 'linked') }, [EXERCISE]);
  good.push('tar-good', 'tar-linked');
  // 1 zip that is not a zip.
  await writeFile(join(dir, 'zip-corrupt.zip'), 'this is not a zip archive');
  ungradable['zip-corrupt'] = 'ARCHIVE_UNREADABLE';
  // 1 student with nothing for the exercise.
  await mkdir(join(dir, 'empty-student', 'notes'), { recursive: true });
  await writeFile(join(dir, 'empty-student', 'notes', 'README.txt'), 'I did not do it');

  return {
    dir,
    good: good.sort(),
    ungradable,
    escapeTargets: [join(dir, 'escaped-by-zip.txt'), join(root, 'escaped-by-zip.txt'), join(root, 'escaped-twice.txt'), join(dir, 'escaped-twice.txt'), '/tmp/netgrade-absolute-escape.txt'],
  };
}
