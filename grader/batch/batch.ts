/**
 * `netgrade batch`: grades a class. Every sub-folder of the class folder is one student's
 * submission; a `.zip` / `.tar.gz` / `.tgz` per student is extracted safely first.
 *
 * - Parallel: p-limit runs `concurrency` students at once, each in its own worker process
 *   (worker.ts), so a crash or a hang of one never costs another student's result. Servers
 *   stay apart because the sandbox gives every server a free port (get-port).
 * - Resumable: each student's entry is written atomically to `<out>/students/<name>/entry.json`
 *   as soon as it is done, keyed by sha256(content, grader version, options). A rerun reuses
 *   every entry whose key still matches and grades only what is new or changed.
 * - Shardable: `shard` picks a deterministic 1/n of the students (sorted names, round robin).
 */
import { isolationModeFromEnv, resolveIsolation } from '../sandbox/isolation.ts';
import { currentLanguage } from '../i18n/language.ts';
import { exerciseTitle } from '../model/exercise.ts';
import { spawnInNetworkJail, type JailedChild } from '../sandbox/jailed-child.ts';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, rmSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { ownedTempDir } from '../sandbox/workspace.ts';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import pLimit from 'p-limit';
import type { ExerciseDefinition } from '../exercise/define.ts';
import { CLASS_SCHEMA_VERSION, ClassResult, StudentEntry, type ClassExercise } from '../model/class.ts';
import { UsageError } from '../model/errors.ts';
import { SubmissionResult } from '../model/results.ts';
import { writeJsonAtomically } from '../reporters/json.ts';
import { DEFAULT_RETRIES } from '../runner/run-check.ts';
import type { Schedule } from '../runner/scheduler.ts';
import { GRADER_VERSION } from '../version.ts';
import { archiveKind, extractArchive, ExtractionError } from './extract.ts';
import type { Progress } from './progress.ts';
import type { WorkerRequest } from './worker.ts';

export interface StudentSource {
  name: string;
  source: StudentEntry['source'];
  /** The folder or the archive. */
  path: string;
}

export interface BatchRequest {
  classDir: string;
  outDir: string;
  exercises: ExerciseDefinition[];
  checkIds: string[];
  /** The run's seed; undefined: each student's seed derives from the content hash (stable across reruns and shards). */
  seed?: number | undefined;
  timeScale: number;
  /** Re-runs of a failed check with the same seed (default 1; 0: none). */
  retries?: number | undefined;
  /**
   * How each student's checks are scheduled (see grader/runner/scheduler.ts; default: env
   * NETGRADE_SCHEDULE, else the default). Not part of the options hash: it changes how fast,
   * never what a student gets. `exclusive` checks run alone within their student's grading;
   * students graded side by side (`concurrency`) still overlap, as before.
   */
  schedule?: Schedule | undefined;
  quizBank?: string | undefined;
  concurrency?: number | undefined;
  shard?: { index: number; count: number } | undefined;
  progress?: Progress | undefined;
  /** Longest one student's grading may take before its worker is stopped (default 15 min x time scale). */
  studentTimeoutMs?: number;
}

const WORKER = new URL('./worker.ts', import.meta.url).pathname;

export const defaultConcurrency = (): number => Math.max(1, availableParallelism());

/** Students of a class folder, sorted by name; a folder and an archive of the same name is a usage error. */
export async function discoverStudents(classDir: string): Promise<StudentSource[]> {
  const root = resolve(classDir);
  if (!existsSync(root) || !(await lstat(root)).isDirectory()) throw new UsageError(`Class folder not found: ${classDir}`);
  const students = new Map<string, StudentSource>();
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name.startsWith('__')) continue;
    let student: StudentSource | undefined;
    if (entry.isDirectory()) student = { name: entry.name, source: 'folder', path: join(root, entry.name) };
    else if (entry.isFile()) {
      const archive = archiveKind(entry.name);
      if (archive) student = { name: archive.stem, source: archive.kind, path: join(root, entry.name) };
    }
    if (!student) continue;
    if (students.has(student.name)) throw new UsageError(`Two submissions for student "${student.name}" in ${classDir} (a folder and an archive?). Keep one.`);
    students.set(student.name, student);
  }
  return [...students.values()].sort((a, b) => compareNames(a.name, b.name));
}

/** Code-unit order: the same on every machine and locale (shards must agree). */
export const compareNames = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The students of shard `index` of `count` (1-based): round robin over the sorted names. */
export function shardOf<T extends { name: string }>(students: T[], shard?: { index: number; count: number }): T[] {
  if (!shard) return students;
  return [...students].sort((a, b) => compareNames(a.name, b.name)).filter((_, i) => i % shard.count === shard.index - 1);
}

/** sha256 over every file's relative path and bytes (links: their target text), in sorted order. */
export async function hashFolder(dir: string): Promise<string> {
  const hash = createHash('sha256');
  async function walk(rel: string): Promise<void> {
    const entries = (await readdir(join(dir, rel), { withFileTypes: true })).sort((a, b) => compareNames(a.name, b.name));
    for (const entry of entries) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        hash.update(`d:${path}\0`);
        await walk(path);
      } else if (entry.isSymbolicLink()) hash.update(`l:${path}\0${await readlink(join(dir, path))}\0`);
      else if (entry.isFile()) {
        hash.update(`f:${path}\0`);
        hash.update(await readFile(join(dir, path)));
        hash.update('\0');
      }
    }
  }
  await walk('');
  return hash.digest('hex');
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function optionsHash(request: Pick<BatchRequest, 'exercises' | 'checkIds' | 'seed' | 'timeScale' | 'quizBank' | 'retries'>): string {
  const fingerprint = {
    exercises: request.exercises.map((e) => e.meta.id),
    checks: [...request.checkIds].sort(),
    seed: request.seed ?? 'from-content',
    timeScale: request.timeScale,
    quizBank: request.quizBank ?? null,
    retries: request.retries ?? DEFAULT_RETRIES,
    // Messages are written in the grading's language: a class graded in another is graded anew.
    language: currentLanguage(),
  };
  return createHash('sha256').update(JSON.stringify(fingerprint)).digest('hex').slice(0, 16);
}

/** The class's exercises and checks as graded with these options. */
export async function classExercises(exercises: ExerciseDefinition[], checkIds: string[], quizBank?: string): Promise<ClassExercise[]> {
  return Promise.all(
    exercises.map(async (e) => {
      const all = await e.checks({ options: { quizBank } });
      const checks = checkIds.length ? all.filter((c) => checkIds.includes(c.id)) : all;
      return {
        id: e.meta.id,
        title: exerciseTitle(e.meta, currentLanguage()),
        maxScore: checks.reduce((s, c) => s + c.points, 0),
        checks: checks.map((c) => ({ id: c.id, title: c.title, maxPoints: c.points })),
      };
    }),
  );
}

export const entryPath = (outDir: string, name: string): string => join(outDir, 'students', name, 'entry.json');

async function readEntry(path: string): Promise<StudentEntry | undefined> {
  try {
    const parsed = StudentEntry.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Grades the class (or one shard of it) and returns its `ClassResult`; the caller writes the outputs. */
export async function runBatch(request: BatchRequest): Promise<ClassResult> {
  const outDir = resolve(request.outDir);
  const students = shardOf(await discoverStudents(request.classDir), request.shard);
  const optionsKey = optionsHash(request);
  const exercises = await classExercises(request.exercises, request.checkIds, request.quizBank);
  const limit = pLimit(request.concurrency ?? defaultConcurrency());
  const scratch = await ownedTempDir('netgrade-batch-');
  activeScratch.add(scratch);
  stopWorkersOnSignals();
  const progress = request.progress;
  progress?.start(students.length);
  try {
    const entries = await Promise.all(
      students.map((student) =>
        limit(async (): Promise<StudentEntry> => {
          const contentHash = student.source === 'folder' ? await hashFolder(student.path) : await hashFile(student.path);
          const key = createHash('sha256').update(`${contentHash}\0${GRADER_VERSION}\0${optionsKey}`).digest('hex');
          const file = entryPath(outDir, student.name);
          const cached = await readEntry(file);
          // Reused: a graded result, or a verdict on the submission itself (an unreadable archive).
          // A failure of the grader (GRADER_*) is always tried again.
          if (cached && cached.key === key && (cached.result || (cached.error && !cached.error.code.startsWith('GRADER_')))) {
            progress?.done(student.name, cached, true);
            return cached;
          }
          progress?.begin(student.name);
          const entry = await gradeStudent(student, { contentHash, key, scratch, request });
          await writeJsonAtomically(file, entry);
          progress?.done(student.name, entry, false);
          return entry;
        }),
      ),
    );
    return {
      schemaVersion: CLASS_SCHEMA_VERSION,
      grader: { name: 'netgrade', version: GRADER_VERSION },
      optionsHash: optionsKey,
      ...(request.shard ? { shard: request.shard } : {}),
      exercises,
      students: entries.sort((a, b) => compareNames(a.name, b.name)),
    };
  } finally {
    progress?.stop();
    await rm(scratch, { recursive: true, force: true });
    activeScratch.delete(scratch);
  }
}

async function gradeStudent(
  student: StudentSource,
  ctx: { contentHash: string; key: string; scratch: string; request: BatchRequest },
): Promise<StudentEntry> {
  const { request } = ctx;
  const base = { name: student.name, source: student.source, contentHash: ctx.contentHash, key: ctx.key };
  const work = join(ctx.scratch, `${createHash('sha256').update(student.name).digest('hex').slice(0, 12)}`);
  await mkdir(work, { recursive: true });
  let extractionNotes: string[] = [];
  let submissionDir = student.path;
  try {
    if (student.source !== 'folder') {
      // The folder's base name is the submission's display name: the student's name.
      submissionDir = join(work, student.name);
      try {
        extractionNotes = await extractArchive(student.path, student.source, submissionDir, { exerciseIds: request.exercises.map((e) => e.meta.id) });
      } catch (error) {
        if (!(error instanceof ExtractionError)) throw error;
        return { ...base, extractionNotes, error: { code: error.code, message: error.message } };
      }
    }
    const workerRequest: WorkerRequest = {
      submissionDir,
      exerciseIds: request.exercises.map((e) => e.meta.id),
      checkIds: request.checkIds,
      seed: request.seed ?? Number.parseInt(ctx.contentHash.slice(0, 8), 16) % 2 ** 31,
      timeScale: request.timeScale,
      retries: request.retries ?? DEFAULT_RETRIES,
      ...(request.schedule ? { schedule: request.schedule } : {}),
      ...(request.quizBank ? { quizBank: resolve(request.quizBank) } : {}),
    };
    const requestFile = join(work, 'request.json');
    const resultFile = join(work, 'result.json');
    await writeJsonAtomically(requestFile, workerRequest);
    const timeoutMs = request.studentTimeoutMs ?? 15 * 60_000 * request.timeScale;
    const outcome = await runWorker(requestFile, resultFile, timeoutMs);
    if (!existsSync(resultFile)) {
      return {
        ...base,
        extractionNotes,
        error: {
          code: outcome.timedOut ? 'GRADER_TIMEOUT' : 'GRADER_CRASHED',
          message: outcome.timedOut
            ? `Grading did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped.`
            : `The grader's worker ended (${outcome.how}) without a result: ${outcome.stderr.trim().split('\n').slice(-3).join(' | ')}`,
        },
      };
    }
    const parsed = SubmissionResult.parse(JSON.parse(await readFile(resultFile, 'utf8')));
    const result = { ...parsed, submission: { name: student.name, path: student.path } };
    if (extractionNotes.length > 0) {
      for (const exercise of result.exercises) exercise.notes.push(...extractionNotes);
    }
    return { ...base, extractionNotes, result };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Workers running now: stopped with the batch when it is interrupted (their results are not written). */
const activeWorkers = new Set<JailedChild>();
/** Scratch folders (extracted archives) of batches running now: removed when interrupted too. */
const activeScratch = new Set<string>();
let signalsInstalled = false;
function stopWorkersOnSignals(): void {
  if (signalsInstalled) return;
  signalsInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const worker of activeWorkers) worker.signalInside('SIGTERM');
      for (const dir of activeScratch) rmSync(dir, { recursive: true, force: true });
      process.stderr.write(`netgrade: interrupted (${signal}); finished students are saved, rerun to resume.\n`);
      process.exit(130);
    });
  }
}

async function runWorker(requestFile: string, resultFile: string, timeoutMs: number): Promise<{ timedOut: boolean; how: string; stderr: string }> {
  // The worker's temporary files go in a folder of ours, removed when it ends however it
  // ends: killed inside its sandbox, it cannot clean up after itself.
  const tmp = await ownedTempDir('netgrade-worker-');
  activeScratch.add(tmp);
  return new Promise((done) => {
    stopWorkersOnSignals();
    // Each worker grades in a network namespace of its own when the sandbox is available.
    const worker = spawnInNetworkJail(resolveIsolation(isolationModeFromEnv()), process.execPath, [WORKER, requestFile, resultFile], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, TMPDIR: tmp },
    });
    const { child } = worker;
    activeWorkers.add(worker);
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      if (stderr.length < 64 * 1024) stderr += chunk;
    });
    let timedOut = false;
    // SIGTERM lets the worker's cleanup handlers kill the submission's process groups; SIGKILL if it does not go.
    const timer = setTimeout(() => {
      timedOut = true;
      worker.signalInside('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }, timeoutMs);
    child.on('close', (code, signal) => {
      activeWorkers.delete(worker);
      clearTimeout(timer);
      rmSync(tmp, { recursive: true, force: true });
      activeScratch.delete(tmp);
      done({ timedOut, how: signal ? `signal ${signal}` : `exit code ${code}`, stderr });
    });
  });
}
