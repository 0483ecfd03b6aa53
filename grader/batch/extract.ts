/**
 * Safe extraction of a student's archive (as learning platforms export them): `.zip` with
 * yauzl, `.tar.gz` / `.tgz` with tar. Whatever is in the archive, nothing is written outside
 * the target folder:
 * - entries with an absolute path, a `..` segment, a backslash or a NUL are skipped;
 * - symbolic links, hard links and device entries are skipped (a link could point out);
 * - at most `maxFiles` files and `maxBytes` bytes in all (sizes are counted as bytes are
 *   written, not as the archive claims), and `maxFileBytes` per file.
 * Every skipped entry becomes a note the student and the instructor see. An archive that
 * cannot be read at all, or that exceeds a limit, throws `ExtractionError`.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import yauzl from 'yauzl';

export interface ExtractLimits {
  maxFiles: number;
  maxBytes: number;
  maxFileBytes: number;
}

export const DEFAULT_EXTRACT_LIMITS: ExtractLimits = { maxFiles: 2000, maxBytes: 50 * 1024 * 1024, maxFileBytes: 10 * 1024 * 1024 };

export class ExtractionError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export type ArchiveKind = 'zip' | 'tar.gz';

export function archiveKind(fileName: string): { kind: ArchiveKind; stem: string } | undefined {
  if (/\.zip$/i.test(fileName)) return { kind: 'zip', stem: fileName.slice(0, -4) };
  if (/\.tar\.gz$/i.test(fileName)) return { kind: 'tar.gz', stem: fileName.slice(0, -7) };
  if (/\.tgz$/i.test(fileName)) return { kind: 'tar.gz', stem: fileName.slice(0, -4) };
  return undefined;
}

/** Why a relative entry path is unsafe, or undefined when it is fine. */
export function unsafePath(name: string): string | undefined {
  if (name.includes('\0')) return 'a NUL in its name';
  if (name.includes('\\')) return 'a backslash in its name';
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return 'an absolute path';
  if (name.split('/').some((s) => s === '..')) return 'a ".." segment (it would land outside the submission)';
  return undefined;
}

/** Counts bytes as they pass and fails the stream past the limits. */
class Budget {
  files = 0;
  bytes = 0;
  readonly limits: ExtractLimits;
  constructor(limits: ExtractLimits) {
    this.limits = limits;
  }
  addFile(name: string): void {
    if (++this.files > this.limits.maxFiles) {
      throw new ExtractionError('ARCHIVE_TOO_MANY_FILES', `The archive has more than ${this.limits.maxFiles} files (at ${name}).`);
    }
  }
  meter(name: string): Transform {
    let own = 0;
    const budget = this;
    return new Transform({
      transform(chunk: Buffer, _enc, done: TransformCallback) {
        own += chunk.length;
        budget.bytes += chunk.length;
        if (own > budget.limits.maxFileBytes) {
          return done(new ExtractionError('ARCHIVE_FILE_TOO_LARGE', `${name} is larger than ${budget.limits.maxFileBytes} bytes once extracted.`));
        }
        if (budget.bytes > budget.limits.maxBytes) {
          return done(new ExtractionError('ARCHIVE_TOO_LARGE', `The archive extracts to more than ${budget.limits.maxBytes} bytes.`));
        }
        done(null, chunk);
      },
    });
  }
}

function inside(target: string, name: string): string {
  const path = resolve(target, name);
  if (path !== target && !path.startsWith(target + sep)) throw new ExtractionError('ARCHIVE_PATH_ESCAPE', `${name} escapes the target`);
  return path;
}

/** Extracts `archive` into the empty folder `target`; returns notes about skipped entries. */
export async function extractArchive(
  archive: string,
  kind: ArchiveKind,
  target: string,
  options: { limits?: ExtractLimits; exerciseIds?: string[] } = {},
): Promise<string[]> {
  const limits = options.limits ?? DEFAULT_EXTRACT_LIMITS;
  const root = resolve(target);
  await mkdir(root, { recursive: true });
  const notes = kind === 'zip' ? await extractZip(archive, root, limits) : await extractTarGz(archive, root, limits);
  await unwrapSingleFolder(root, options.exerciseIds ?? []);
  return notes;
}

async function extractZip(archive: string, root: string, limits: ExtractLimits): Promise<string[]> {
  const notes: string[] = [];
  const budget = new Budget(limits);
  // decodeStrings: false, so that yauzl hands us entries with unsafe names (it would reject
  // the whole archive on the first one) and we can skip just that entry with a note.
  const zip = await new Promise<yauzl.ZipFile>((ok, fail) =>
    yauzl.open(archive, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: true }, (error, file) =>
      error ? fail(new ExtractionError('ARCHIVE_UNREADABLE', `Not a readable zip archive: ${error.message}`)) : ok(file),
    ),
  );
  try {
    await new Promise<void>((ok, fail) => {
      zip.on('error', (error: Error) => fail(error instanceof ExtractionError ? error : new ExtractionError('ARCHIVE_UNREADABLE', error.message)));
      zip.on('end', () => ok());
      zip.on('entry', (entry: yauzl.Entry) => {
        void (async () => {
          // Names are UTF-8 in every archive a current platform exports; CP437 names decode imperfectly, which is harmless here.
          const name = Buffer.from(entry.fileName as unknown as Buffer).toString('utf8');
          const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
          const why = unsafePath(name);
          if (why) {
            notes.push(`Skipped ${JSON.stringify(name)} from the archive: ${why}.`);
          } else if (mode === 0o120000) {
            notes.push(`Skipped ${JSON.stringify(name)} from the archive: symbolic links are not extracted.`);
          } else if (mode !== 0 && mode !== 0o100000 && mode !== 0o040000) {
            notes.push(`Skipped ${JSON.stringify(name)} from the archive: not a regular file.`);
          } else if (name.endsWith('/') || mode === 0o040000) {
            await mkdir(inside(root, name), { recursive: true });
          } else {
            budget.addFile(name);
            const path = inside(root, name);
            await mkdir(dirname(path), { recursive: true });
            const stream = await new Promise<NodeJS.ReadableStream>((ok2, fail2) =>
              zip.openReadStream(entry, (error, s) => (error ? fail2(error) : ok2(s))),
            );
            await pipeline(stream, budget.meter(name), createWriteStream(path, { flags: 'wx', mode: 0o644 }));
          }
          zip.readEntry();
        })().catch((error: unknown) => {
          zip.close();
          fail(error instanceof ExtractionError ? error : new ExtractionError('ARCHIVE_UNREADABLE', (error as Error).message));
        });
      });
      zip.readEntry();
    });
  } finally {
    if (zip.isOpen) zip.close();
  }
  return notes;
}

async function extractTarGz(archive: string, root: string, limits: ExtractLimits): Promise<string[]> {
  const notes: string[] = [];
  const budget = new Budget(limits);
  let failure: ExtractionError | undefined;
  try {
    await tar.x({
      file: archive,
      cwd: root,
      gzip: true,
      strict: true,
      preservePaths: false,
      preserveOwner: false,
      noChmod: true,
      maxDepth: 64,
      filter: (path, entry) => {
        if (failure) return false;
        const type = 'type' in entry ? entry.type : 'File';
        const why = unsafePath(path);
        if (why) {
          notes.push(`Skipped ${JSON.stringify(path)} from the archive: ${why}.`);
          return false;
        }
        if (type === 'SymbolicLink' || type === 'Link') {
          notes.push(`Skipped ${JSON.stringify(path)} from the archive: links are not extracted.`);
          return false;
        }
        if (type !== 'File' && type !== 'OldFile' && type !== 'ContiguousFile' && type !== 'Directory') {
          if (type !== 'ExtendedHeader' && type !== 'GlobalExtendedHeader') notes.push(`Skipped ${JSON.stringify(path)} from the archive: not a regular file.`);
          return false;
        }
        if (type !== 'Directory') {
          try {
            budget.addFile(path);
            const size = 'size' in entry && typeof entry.size === 'number' ? entry.size : 0;
            if (size > limits.maxFileBytes) throw new ExtractionError('ARCHIVE_FILE_TOO_LARGE', `${path} is larger than ${limits.maxFileBytes} bytes.`);
            budget.bytes += size;
            if (budget.bytes > limits.maxBytes) throw new ExtractionError('ARCHIVE_TOO_LARGE', `The archive extracts to more than ${limits.maxBytes} bytes.`);
          } catch (error) {
            failure = error as ExtractionError;
            return false;
          }
        }
        return true;
      },
    });
  } catch (error) {
    throw error instanceof ExtractionError ? error : new ExtractionError('ARCHIVE_UNREADABLE', `Not a readable .tar.gz archive: ${(error as Error).message}`);
  }
  if (failure) throw failure;
  return notes;
}

/** An archive of `alice/sticky-packets/...` is graded like `sticky-packets/...`. */
async function unwrapSingleFolder(root: string, exerciseIds: string[]): Promise<void> {
  const entries = (await readdir(root)).filter((n) => n !== '__MACOSX' && n !== '.DS_Store');
  if (entries.length !== 1 || exerciseIds.includes(entries[0]!)) return;
  const only = join(root, entries[0]!);
  if (!(await stat(only)).isDirectory()) return;
  const inner = await readdir(only);
  // Only unwrap a wrapper folder: one that holds folders (exercise folders), not code files.
  if (inner.some((n) => /\.(ts|js|mjs|cjs)$/.test(n))) return;
  const temp = `${root}.unwrap`;
  await rename(only, temp);
  await rm(root, { recursive: true, force: true });
  await rename(temp, root);
}
