/**
 * Node's module compile cache for the processes of one exercise's grading: the second and later
 * processes of a grading load the submission's modules without stripping their types and
 * compiling them again (measured: `node main.ts 1` of process-pool 88 ms of CPU time cold,
 * 29 ms with the cache, `node -e 0` 24 ms; a grading starts its code 10 to 100 times).
 *
 * Node keeps a cache per user id (`<cacheDir>/<version-arch-flags>-<uid>/<key>`), and every
 * sandboxed process runs as a user id of its own, so Node alone would never share an entry
 * between two processes. The grader shares them by hand, and only what is safe to share:
 *
 * - each process gets a directory of its own (bound read-write into its sandbox), holding, for
 *   every cache tag seen so far, hard links to the pool's entries: owned by the grader, mode
 *   0644, so the process reads them and cannot change them;
 * - Node writes what it compiles when the process exits; a server is killed, so a preload
 *   (`flush-compile-cache.mjs`) flushes the cache shortly after start;
 * - when the process has ended, the grader copies into the pool only the entries of the
 *   submission's own files (a key is the CRC-32 of a type byte and the file's path or URL, as in
 *   Node's src/compile_cache.cc). An entry of the grader's own code (a harness, a preload, the
 *   process-pool tap) is never taken from a student's process, so a submission cannot hand the
 *   grader's code compiled code of its own making; what it can spoil is only its own.
 *
 * One pool per exercise of one submission: nothing crosses from one student to another. Node
 * checks every entry against the source's hash and its own version and flags; a stale or
 * damaged entry is compiled again, never used. Written by hand: no package manages Node's
 * compile cache across user ids.
 */
import { chmod, chown, link, lstat, mkdir, open, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { constants, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { crc32 } from 'node:zlib';

/** The preload that flushes the cache of a process that will be killed rather than exit. */
export const FLUSH_PRELOAD = fileURLToPath(new URL('./flush-compile-cache.mjs', import.meta.url));

const MODULE_FILE = /\.(?:ts|mts|cts|js|mjs|cjs|json)$/;
/** Node's cache entry types (CachedCodeType: CommonJS, ES module, stripped TypeScript, …), with room to spare. */
const ENTRY_TYPES = 8;

/** The cache keys Node gives the files of `codeDir` (every entry type, by path and by file URL). */
export function cacheKeysOf(codeDir: string): Set<string> {
  const keys = new Set<string>();
  const visit = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      let stat;
      try {
        stat = statSync(path);
      } catch {
        continue;
      }
      if (stat.isDirectory()) visit(path);
      else if (stat.isFile() && MODULE_FILE.test(name)) {
        for (const id of [path, pathToFileURL(path).href]) {
          for (let type = 0; type < ENTRY_TYPES; type++) {
            const key = crc32(Buffer.concat([Buffer.from([type]), Buffer.from(id, 'utf8')]));
            keys.add(key.toString(16).padStart(8, '0'));
          }
        }
      }
    }
  };
  visit(codeDir);
  return keys;
}

/** What a process needs to use the cache: its environment, its preload, and the folder it may write. */
export interface CacheGrant {
  dir: string;
  env: { NODE_COMPILE_CACHE: string };
  nodeArgs: string[];
}

export class CompileCache {
  readonly #root: string;
  readonly #pool: string;
  readonly #keys: Set<string>;
  #counter = 0;
  readonly #pending = new Set<Promise<void>>();

  /** `root`: a folder of the grading's workspace; `codeDir`: the copy of the submission's code. */
  constructor(root: string, codeDir: string) {
    this.#root = root;
    this.#pool = join(root, 'pool');
    this.#keys = cacheKeysOf(codeDir);
  }

  /**
   * A folder for one process running as `uid`, filled with links to every entry of the pool;
   * undefined when it cannot be made (a full disk): the process then runs without the cache.
   */
  async grant(uid: number): Promise<CacheGrant | undefined> {
    const dir = join(this.#root, `p${++this.#counter}`);
    try {
      return await this.#grant(dir, uid);
    } catch {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      return undefined;
    }
  }

  async #grant(dir: string, uid: number): Promise<CacheGrant> {
    await mkdir(dir, { recursive: true });
    for (const tag of await listDir(this.#pool)) {
      const own = join(dir, `${tag}-${uid}`);
      await mkdir(own);
      for (const entry of await listDir(join(this.#pool, tag))) {
        await link(join(this.#pool, tag, entry), join(own, entry)).catch(() => undefined);
      }
      await chown(own, uid, uid);
    }
    await chown(dir, uid, uid);
    return { dir, env: { NODE_COMPILE_CACHE: dir }, nodeArgs: ['--import', FLUSH_PRELOAD] };
  }

  /** After the process (run as `uid`) ended: adds its entries of the submission's own files to the pool, then removes its folder. */
  harvest(dir: string, uid: number): void {
    const job = this.#harvest(dir, uid).catch(() => undefined);
    this.#pending.add(job);
    void job.finally(() => this.#pending.delete(job));
  }

  async #harvest(dir: string, uid: number): Promise<void> {
    try {
      for (const name of await listDir(dir)) {
        // The process wrote this folder: only a folder named as Node names it for this user id
        // counts (a process could make thousands of others for every later process to fill),
        // at most a few cache versions in all, and only real folders and regular files (a link
        // could point at a file of the grader's machine).
        const tag = NODE_TAG.exec(name)?.[1];
        if (!tag || !name.endsWith(`-${uid}`) || !(await lstat(join(dir, name))).isDirectory()) continue;
        const tags = await listDir(this.#pool);
        if (!tags.includes(tag) && tags.length >= MAX_TAGS) continue;
        const pooled = join(this.#pool, tag);
        await mkdir(pooled, { recursive: true });
        const have = new Set(await listDir(pooled));
        for (const entry of await listDir(join(dir, name))) {
          if (!this.#keys.has(entry) || have.has(entry)) continue;
          const body = await readRegularFile(join(dir, name, entry));
          if (!body) continue;
          // A copy owned by the grader, readable by every later process, put in place whole.
          const temporary = join(pooled, `.${entry}.${++this.#counter}.tmp`);
          await writeFile(temporary, body);
          await chmod(temporary, 0o644);
          await rename(temporary, join(pooled, entry));
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Waits for the harvests under way (before the workspace goes). */
  async settle(): Promise<void> {
    await Promise.all([...this.#pending]);
  }
}

/** How Node names a cache folder: `v<version>-<arch>-<hash of V8's flags>-<uid>`. */
const NODE_TAG = /^(v\d+\.\d+\.\d+-[a-z0-9_]+-[0-9a-f]{8})-\d+$/;
/** Cache versions the pool keeps (one Node with one set of flags makes one). */
const MAX_TAGS = 4;
/** Cache entries are a few KiB; anything larger is not one. */
const MAX_ENTRY_BYTES = 16 * 1024 * 1024;

/** The file's bytes when it is a regular file (not followed if a link) of a sane size. */
async function readRegularFile(path: string): Promise<Buffer | undefined> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const stat = await handle.stat();
    if (!stat.isFile() || stat.size > MAX_ENTRY_BYTES) return undefined;
    return await handle.readFile();
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

async function listDir(path: string): Promise<string[]> {
  try {
    return (await readdir(path)).filter((name) => !name.startsWith('.')).sort();
  } catch {
    return [];
  }
}
