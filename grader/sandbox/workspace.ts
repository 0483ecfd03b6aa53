/**
 * The directories of one grading run: a private temp root, a copy of each exercise's code
 * (so the submission itself is never modified and no surrounding package.json changes how
 * Node loads it), and a fresh, empty working directory per process.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { chmod, chown, cp, lstat, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { isProcessAlive } from './proc-net.ts';
import { installCleanupHandlers, liveWorkspaces } from './process-registry.ts';

export interface CopyReport {
  files: number;
  bytes: number;
  /** Entries left out, with the reason (links, special files, over the limits). */
  skipped: string[];
}

export const CODE_LIMITS = { maxFiles: 2000, maxBytes: 50 * 1024 * 1024 };

export class Workspace {
  readonly root: string;
  #counter = 0;

  private constructor(root: string) {
    this.root = root;
  }

  static async create(): Promise<Workspace> {
    const root = await ownedTempDir('netgrade-');
    liveWorkspaces.add(root);
    installCleanupHandlers();
    return new Workspace(root);
  }

  #next(prefix: string): string {
    return join(this.root, `${prefix}-${++this.#counter}`);
  }

  /**
   * Copies an exercise folder: regular files only, no links (a link to /etc/passwd stays
   * behind), no node_modules. Writes `package.json` `{"type":"module"}` so the code always
   * loads as an ES module, whatever package.json the student had.
   */
  async copyCode(sourceDir: string): Promise<{ dir: string; report: CopyReport }> {
    const dir = this.#next('code');
    const report: CopyReport = { files: 0, bytes: 0, skipped: [] };
    await mkdir(dir, { recursive: true });
    const source = resolve(sourceDir);
    await cp(source, dir, {
      recursive: true,
      verbatimSymlinks: true,
      filter: async (src) => {
        const rel = relative(source, src);
        if (rel === '') return true;
        const stat = await lstat(src);
        if (stat.isSymbolicLink()) {
          report.skipped.push(`${rel} (a link; links are not followed)`);
          return false;
        }
        if (stat.isDirectory()) {
          if (rel.split(sep).includes('node_modules')) {
            report.skipped.push(`${rel} (node_modules: only Node built-ins may be imported)`);
            return false;
          }
          return true;
        }
        if (!stat.isFile()) {
          report.skipped.push(`${rel} (not a regular file)`);
          return false;
        }
        if (report.files + 1 > CODE_LIMITS.maxFiles || report.bytes + stat.size > CODE_LIMITS.maxBytes) {
          report.skipped.push(`${rel} (over the limit of ${CODE_LIMITS.maxFiles} files / ${CODE_LIMITS.maxBytes} bytes)`);
          return false;
        }
        report.files += 1;
        report.bytes += stat.size;
        return true;
      },
    });
    await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
    // Readable by the unprivileged user id the sandbox may run it as, whatever modes it came with.
    await chmodTree(dir, 0o444, 0o555);
    return { dir, report };
  }

  /** Gives a working directory (and what the grader wrote into it) to the uid a process runs as. */
  async handOver(dir: string, uid: number): Promise<void> {
    await chown(dir, uid, uid);
    const entries = await readdir(dir, { withFileTypes: true, recursive: true });
    for (const e of entries) await chown(join(e.parentPath, e.name), uid, uid);
  }

  /** A fresh, empty working directory with the given fixture files written into it. */
  async freshWorkDir(fixtures: Record<string, string | Uint8Array> = {}): Promise<string> {
    const dir = this.#next('work');
    await mkdir(dir, { recursive: true });
    for (const [name, content] of Object.entries(fixtures)) {
      const target = resolve(dir, name);
      if (!target.startsWith(dir + sep)) throw new Error(`fixture path escapes the work directory: ${name}`);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, content);
    }
    return dir;
  }

  async remove(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  }

  async dispose(): Promise<void> {
    await rm(this.root, { recursive: true, force: true, maxRetries: 3 });
    liveWorkspaces.delete(this.root);
  }
}

async function chmodTree(dir: string, fileMode: number, dirMode: number): Promise<void> {
  await chmod(dir, dirMode | 0o200);
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    await chmod(join(e.parentPath, e.name), e.isDirectory() ? dirMode | 0o200 : fileMode | 0o200);
  }
}

const OWNER_FILE = '.netgrade-owner';

/**
 * Removes the workspaces of graders that no longer run. A grader killed with SIGKILL cannot
 * remove its own (its processes die with it in the sandbox; its files stay): the next
 * grader on the machine removes them. A workspace whose owner is alive is never touched.
 */
export async function sweepStaleWorkspaces(dir: string): Promise<string[]> {
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!/^netgrade-(?:batch-|worker-)?[A-Za-z0-9]{6}$/.test(name)) continue;
    const root = join(dir, name);
    let owner: number;
    try {
      owner = Number(await readFile(join(root, OWNER_FILE), 'utf8'));
    } catch {
      continue; // not ours, or being created right now
    }
    // A zombie is dead too: a killed grader may wait a while for its new parent to reap it.
    if (!Number.isInteger(owner) || owner <= 0 || isProcessAlive(owner)) continue;
    await rm(root, { recursive: true, force: true, maxRetries: 3 });
    removed.push(root);
  }
  return removed;
}

/** This process's one sweep of the system temp folder (started by the first ownedTempDir). */
let sweep: Promise<string[]> | undefined;

/**
 * A new temporary folder `<tmpdir>/<prefix>XXXXXX` carrying this process's pid as its owner,
 * so that a later grader removes it if this one is killed before it can (see
 * `sweepStaleWorkspaces`, run here once per process first). The caller removes it normally.
 */
export async function ownedTempDir(prefix: 'netgrade-' | 'netgrade-batch-' | 'netgrade-worker-'): Promise<string> {
  await (sweep ??= sweepStaleWorkspaces(tmpdir()));
  // Synchronous from here: no signal handler can run between the folder's creation and the
  // caller's registering it for removal (an interrupted batch removes what it registered),
  // and the folder never exists without its owner file.
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, OWNER_FILE), String(process.pid));
  return dir;
}

/** Lists files under a directory (relative paths, '/'-separated), for reports and checks. */
export async function listFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true, recursive: true });
    return entries
      .filter((e) => e.isFile() || e.isSymbolicLink())
      .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
      .sort();
  } catch {
    return [];
  }
}
