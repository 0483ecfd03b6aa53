/**
 * `npm run bench`: how fast a submission and a class are graded, against the floor (what
 * starting a server and one round trip cost on this machine). Writes bench/results.md.
 * Timings live here, never in the test suite.
 *
 *   node bench/run.ts [--runs N] [--only floor,exercises,submission,class,shards]
 *                     [--exercises sticky-packets,...|all] [--class-size 50] [--concurrency 1,2,4,8]
 *                     [--shard-concurrency <n>] [--results bench/results.md]
 *
 * The class (sections 4–5) is generated from solutions/ and tests/variants/: one folder per
 * student, with for each exercise graded either the reference solution or one faulty variant
 * (every other student is faulty, the variants taken in turn), and graded with
 * `netgrade batch` as a child process, its peak memory sampled from /proc.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, freemem, tmpdir, totalmem } from 'node:os';
import { connect, createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { exerciseIds, loadExercises, REPO_ROOT } from '../grader/exercise/registry.ts';
import { Multiplexer } from '../grader/reporters/reporter.ts';
import { gradeSubmission } from '../grader/runner/grade-submission.ts';
import { inPrivateNetwork, isolationModeFromEnv, resolveIsolation } from '../grader/sandbox/isolation.ts';
import { describeIsolation } from '../grader/sandbox/limits.ts';
import { spawnStats } from '../grader/sandbox/process-registry.ts';
import { DEFAULT_SANDBOX_CONFIG } from '../grader/sandbox/sandbox.ts';

/**
 * The class of sections 4–5: one exercise by default (15 checks, about 5 s per student), so that
 * -j1, -j2, -j4, -j8 and the three shards of 50 students finish in about 15 minutes on 2 cores;
 * `--exercises all` grades every exercise (tens of minutes at -j1 alone).
 */
const DEFAULT_CLASS_EXERCISES = 'sticky-packets';
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    only: { type: 'string', default: 'floor,exercises,submission,class,shards' },
    /** Exercises the class is graded on (comma-separated ids, or `all`). */
    exercises: { type: 'string', default: DEFAULT_CLASS_EXERCISES },
    /** Students in the generated class. */
    'class-size': { type: 'string', default: '50' },
    /** Concurrencies of the class runs. */
    concurrency: { type: 'string', default: '1,2,4,8' },
    /** Concurrency of the shards and of the unsharded run they are compared with (default: the number of cores, batch's default). */
    'shard-concurrency': { type: 'string', default: String(availableParallelism()) },
    /** Where the results go. */
    results: { type: 'string', default: join(REPO_ROOT, 'bench', 'results.md') },
  },
});
const RUNS = Number(values.runs);
const ONLY = new Set(values.only!.split(','));
const CLASS_SIZE = Number(values['class-size']);
const CLASS_CONCURRENCY = values.concurrency!.split(',').map(Number);
const SHARD_CONCURRENCY = Number(values['shard-concurrency']);
const RESULTS = resolve(values.results!);
const CLI = join(REPO_ROOT, 'grader', 'cli', 'netgrade.ts');

interface Stat {
  median: number;
  min: number;
  max: number;
  runs: number;
}

function stat(samples: number[]): Stat {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)!, runs: sorted.length };
}

const fmt = (s: Stat, unit = 'ms', digits = 0) =>
  `${s.median.toFixed(digits)} ${unit} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)}, n=${s.runs})`;

async function repeat(n: number, fn: () => Promise<number>): Promise<Stat> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) samples.push(await fn());
  return stat(samples);
}

/** Spawn a trivial TypeScript server on Node 24 and time until a TCP connect succeeds. */
async function spawnToListening(dir: string): Promise<number> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const started = performance.now();
  const child = spawn(process.execPath, [join(dir, 'server.ts')], { env: { PORT: String(port) }, stdio: 'ignore' });
  try {
    while (true) {
      const ok = await new Promise<boolean>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port }, () => {
          socket.destroy();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      });
      if (ok) return performance.now() - started;
      await new Promise((r) => setTimeout(r, 1));
    }
  } finally {
    child.kill('SIGKILL');
  }
}

async function roundTrip(): Promise<number> {
  const server = createServer((socket) => socket.on('data', (d) => socket.write(d)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise((r) => socket.once('connect', r));
  socket.setNoDelay(true);
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    socket.write('x');
    await new Promise((r) => socket.once('data', r));
    times.push(performance.now() - t);
  }
  socket.destroy();
  server.close();
  return stat(times).median;
}

async function gradeOnce(submission: string, ids: string[] = [], exerciseConcurrency = 1): Promise<{ ms: number; starts: number; score: number; max: number }> {
  const exercises = await loadExercises(ids);
  const before = spawnStats.count;
  const started = performance.now();
  const result = await gradeSubmission({
    submissionDir: submission,
    exercises,
    seed: 1,
    options: {},
    sandbox: DEFAULT_SANDBOX_CONFIG,
    reporter: new Multiplexer([]),
    exerciseConcurrency,
  });
  return { ms: performance.now() - started, starts: spawnStats.count - before, score: result.score, max: result.maxScore };
}

const lines: string[] = [];
const out = (line = '') => {
  lines.push(line);
  process.stdout.write(line + '\n');
};

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB (${(freemem() / 2 ** 30).toFixed(0)} free), Node ${process.version}, ${process.platform}`;
out('# netgrade benchmark');
out();
out(`- date: ${new Date().toISOString()}`);
out(`- machine: ${machine}`);
out(`- load average at start: ${execFileSync('cat', ['/proc/loadavg']).toString().trim()}`);
out(`- reproduce: \`npm run bench\` (this run: \`node bench/run.ts --runs ${RUNS} --only ${[...ONLY].join(',')} --exercises ${values.exercises} --class-size ${CLASS_SIZE} --concurrency ${CLASS_CONCURRENCY.join(',')} --shard-concurrency ${SHARD_CONCURRENCY}\`)`);
out('- every figure: median (min–max, n = runs)');

let floorMs = 0;
if (ONLY.has('floor')) {
  const dir = await mkdtemp(join(tmpdir(), 'netgrade-bench-'));
  await writeFile(join(dir, 'package.json'), '{"type":"module"}');
  await writeFile(
    join(dir, 'server.ts'),
    "import net from 'node:net';\nconst port: number = Number(process.env.PORT);\nnet.createServer((s) => s.end()).listen(port, '127.0.0.1');\n",
  );
  const spawnStat = await repeat(Math.max(RUNS, 11), () => spawnToListening(dir));
  const rtt = await repeat(RUNS, roundTrip);
  floorMs = spawnStat.median;
  await rm(dir, { recursive: true, force: true });
  out();
  out('## 1. The floor');
  out();
  out(`- spawn → listening, trivial TypeScript TCP server on Node 24: ${fmt(spawnStat)}`);
  out(`- one TCP round trip on loopback (1 byte, median of 200 per run): ${fmt(rtt, 'ms', 3)}`);
}

const ids = await exerciseIds();
const CLASS_EXERCISES = values.exercises === 'all' ? ids : values.exercises!.split(',').filter(Boolean);
for (const id of CLASS_EXERCISES) if (!ids.includes(id)) throw new Error(`--exercises: unknown exercise ${id} (known: ${ids.join(', ')})`);
if (ONLY.has('exercises')) {
  out();
  out('## 2. Each reference solution');
  out();
  out('| exercise | wall time | server/program starts | floor × starts | overhead ratio | score |');
  out('| --- | --- | --- | --- | --- | --- |');
  for (const id of ids) {
    const submission = await mkdtemp(join(tmpdir(), 'netgrade-bench-sub-'));
    await cp(join(REPO_ROOT, 'solutions', id), join(submission, id), { recursive: true });
    let starts = 0;
    let score = '';
    const wall = await repeat(Math.min(RUNS, 5), async () => {
      const r = await gradeOnce(submission, [id]);
      starts = r.starts;
      score = `${r.score}/${r.max}`;
      return r.ms;
    });
    await rm(submission, { recursive: true, force: true });
    const floorTotal = floorMs * starts;
    out(`| ${id} | ${fmt(wall)} | ${starts} | ${floorTotal.toFixed(0)} ms | ${floorTotal ? (wall.median / floorTotal).toFixed(1) : '–'} | ${score} |`);
  }
}

if (ONLY.has('submission')) {
  const strong = join(REPO_ROOT, 'samples', 'ada-strong');
  let starts = 0;
  const measure = (parallel: number) =>
    repeat(Math.min(RUNS, 5), async () => {
      const r = await gradeOnce(strong, [], parallel);
      starts = r.starts;
      return r.ms;
    });
  const sequential = await measure(1);
  const parallel = await measure(2);
  out();
  out('## 3. One complete submission (samples/ada-strong, every exercise)');
  out();
  out(`- one exercise at a time: ${fmt(sequential)}; ${starts} process starts`);
  out(`- two exercises at a time (\`--parallel 2\`, the CLI's default here): ${fmt(parallel)}`);
  out(`- target under 5 s on 2 cores: ${Math.min(sequential.median, parallel.median) < 5000 ? 'met' : 'NOT met'}`);
  out(`- isolation: ${describeIsolation(DEFAULT_SANDBOX_CONFIG.limits, resolveIsolation(isolationModeFromEnv()), inPrivateNetwork())}`);
}

if (ONLY.has('class') || ONLY.has('shards')) {
  out();
  out('## 4–5. A class with `batch`, and sharding');
  out();
  const help = execFileSync(process.execPath, [CLI, '--help']).toString();
  if (!help.includes('batch')) {
    out('- not measured: this build has no `netgrade batch` command yet.');
  } else {
    const root = await mkdtemp(join(tmpdir(), 'netgrade-bench-class-'));
    try {
      const classDir = join(root, 'submissions');
      const composition = await makeClass(classDir, CLASS_EXERCISES, CLASS_SIZE);
      const exerciseArgs = CLASS_EXERCISES.flatMap((id) => ['--exercise', id]);
      out(`- class: ${CLASS_SIZE} students (one folder each) grading ${CLASS_EXERCISES.join(', ')}${CLASS_EXERCISES.length < ids.length ? ` (a subset, the default: \`--exercises a,b\` or \`--exercises all\` grade others; all ${ids.length} exercises take tens of minutes at -j1 alone)` : ''}`);
      out(`- ${composition}`);
      out(`- command: \`node grader/cli/netgrade.ts batch <class> --out <dir> ${exerciseArgs.join(' ')} --progress none --exit-zero -j <n>\``);
      out('- peak memory: the largest sum, over 200 ms samples, of the resident set (RSS) of the batch process and every process under it (workers, students\' servers and programs). RSS counts shared pages (Node\'s binary, libraries) once per process, so this over-states what the machine needed; it is the figure to compare between runs, not a sum of private memory.');
      out();
      const base = ['--progress', 'none', '--exit-zero', ...exerciseArgs];
      let unsharded: { ms: number; dir: string } | undefined;
      if (ONLY.has('class')) {
        out('| concurrency | wall time | submissions per minute | peak RSS of the process tree | students graded | full marks |');
        out('| --- | --- | --- | --- | --- | --- |');
        for (const concurrency of CLASS_CONCURRENCY) {
          const outDir = join(root, `out-j${concurrency}`);
          const run = await runBatch([classDir, '--out', outDir, ...base, '-j', String(concurrency)]);
          const summary = await summarise(outDir);
          out(`| ${concurrency} | ${(run.ms / 1000).toFixed(1)} s | ${((CLASS_SIZE / run.ms) * 60000).toFixed(1)} | ${mib(run.peakRss)} | ${summary.graded}/${CLASS_SIZE} | ${summary.full} |`);
          if (concurrency === SHARD_CONCURRENCY) unsharded = { ms: run.ms, dir: outDir };
          else await rm(outDir, { recursive: true, force: true });
        }
        out();
      }
      if (ONLY.has('shards')) {
        if (!unsharded) {
          const outDir = join(root, `out-j${SHARD_CONCURRENCY}`);
          const run = await runBatch([classDir, '--out', outDir, ...base, '-j', String(SHARD_CONCURRENCY)]);
          unsharded = { ms: run.ms, dir: outDir };
        }
        out(`Sharding: the same class as 3 shards (\`--shard i/3\`, -j ${SHARD_CONCURRENCY}) run one after another, then \`netgrade merge\`, against one unsharded run at -j ${SHARD_CONCURRENCY}.`);
        out();
        out('| run | wall time | peak RSS of the process tree |');
        out('| --- | --- | --- |');
        let shardTotal = 0;
        const shardDirs: string[] = [];
        for (let i = 1; i <= 3; i++) {
          const outDir = join(root, `shard-${i}`);
          const run = await runBatch([classDir, '--out', outDir, ...base, '-j', String(SHARD_CONCURRENCY), '--shard', `${i}/3`]);
          shardTotal += run.ms;
          shardDirs.push(outDir);
          out(`| shard ${i}/3 | ${(run.ms / 1000).toFixed(1)} s | ${mib(run.peakRss)} |`);
        }
        const mergedDir = join(root, 'merged');
        const merge = await runCli(['merge', ...shardDirs, '--out', mergedDir]);
        out(`| merge | ${(merge.ms / 1000).toFixed(1)} s | ${mib(merge.peakRss)} |`);
        const total = shardTotal + merge.ms;
        const overhead = (total / unsharded.ms - 1) * 100;
        out(`| **3 shards + merge** | **${(total / 1000).toFixed(1)} s** | |`);
        out(`| unsharded, -j ${SHARD_CONCURRENCY} | ${(unsharded.ms / 1000).toFixed(1)} s | |`);
        out();
        const same = await compareScores(unsharded.dir, mergedDir);
        out(`- total work of the shards vs one run: ${overhead >= 0 ? '+' : ''}${overhead.toFixed(1)} % (target: under +10 %: ${overhead < 10 ? 'met' : 'NOT met'}). Each shard pays its own start-up (loading the CLI and the exercises) and its last, partly idle wave of workers.`);
        out(`- merged class vs unsharded: ${same}`);
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
}

await mkdir(dirname(RESULTS), { recursive: true });
await writeFile(RESULTS, lines.join('\n') + '\n');
process.stdout.write(`\nwritten: ${RESULTS}\n`);

// ------------------------------------------------------------------------------- class helpers

/**
 * Writes a class of `size` students into `dir` (one folder per student, one sub-folder per
 * exercise): even-numbered students submit the reference solutions, odd-numbered ones a faulty
 * variant of each exercise (the variants in turn). Returns a sentence describing it.
 */
async function makeClass(dir: string, exercises: string[], size: number): Promise<string> {
  await mkdir(dir, { recursive: true });
  const variants = new Map<string, string[]>();
  for (const id of exercises) {
    const folder = join(REPO_ROOT, 'tests', 'variants', id);
    const names = (await readdir(folder, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    variants.set(id, names);
  }
  let faulty = 0;
  for (let i = 0; i < size; i++) {
    const student = join(dir, `student-${String(i + 1).padStart(3, '0')}`);
    const bad = i % 2 === 1;
    if (bad) faulty++;
    for (const id of exercises) {
      const names = variants.get(id)!;
      const source = bad && names.length > 0 ? join(REPO_ROOT, 'tests', 'variants', id, names[Math.floor(i / 2) % names.length]!) : join(REPO_ROOT, 'solutions', id);
      await cp(source, join(student, id), { recursive: true });
    }
  }
  return `${size - faulty} students submit the reference solutions, ${faulty} a faulty variant of each exercise (tests/variants, taken in turn)`;
}

/** Resident set of every process in the tree under `root` (root included), in bytes. */
function treeRss(root: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(name);
      const ppid = Number(rest[1]);
      // Field 24 (rss, in pages) is rest[21].
      rss.set(pid, Number(rest[21]) * 4096);
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    } catch {
      // the process ended while we looked
    }
  }
  let total = 0;
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    total += rss.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Runs the CLI with `args`; wall time and the peak RSS of its process tree (sampled every 200 ms). */
function runCli(args: string[]): Promise<{ ms: number; peakRss: number }> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    let peakRss = 0;
    const sample = () => {
      if (child.pid !== undefined && process.platform === 'linux') peakRss = Math.max(peakRss, treeRss(child.pid));
    };
    const timer = setInterval(sample, 200);
    sample();
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      const ms = performance.now() - started;
      // 0: full marks everywhere; 1: points lost (expected in a mixed class, --exit-zero aside).
      if (code === 0 || code === 1) resolvePromise({ ms, peakRss });
      else reject(new Error(`netgrade ${args.join(' ')} ended with ${signal ?? `code ${code}`}:\n${stderr}`));
    });
  });
}

function runBatch(args: string[]): Promise<{ ms: number; peakRss: number }> {
  return runCli(['batch', ...args]);
}

function mib(bytes: number): string {
  return process.platform === 'linux' ? `${(bytes / 2 ** 20).toFixed(0)} MiB` : '–';
}

interface ClassFile {
  students: Array<{ name: string; result?: { score: number; maxScore: number }; error?: { code: string } }>;
}

async function readClass(outDir: string): Promise<ClassFile> {
  return JSON.parse(await readFile(join(outDir, 'results.json'), 'utf8')) as ClassFile;
}

async function summarise(outDir: string): Promise<{ graded: number; full: number }> {
  const { students } = await readClass(outDir);
  const graded = students.filter((s) => s.result);
  return { graded: graded.length, full: graded.filter((s) => s.result!.score === s.result!.maxScore).length };
}

/** Whether the merged shards give every student the score of the unsharded run. */
async function compareScores(unshardedDir: string, mergedDir: string): Promise<string> {
  const a = await readClass(unshardedDir);
  const b = await readClass(mergedDir);
  const scores = (c: ClassFile) => new Map(c.students.map((s) => [s.name, s.result ? `${s.result.score}/${s.result.maxScore}` : (s.error?.code ?? '?')]));
  const sa = scores(a);
  const sb = scores(b);
  const differ = [...sa].filter(([name, score]) => sb.get(name) !== score).map(([name, score]) => `${name}: ${score} vs ${sb.get(name) ?? 'missing'}`);
  if (sa.size !== sb.size) differ.push(`${sa.size} students unsharded, ${sb.size} merged`);
  return differ.length === 0 ? `the same ${sa.size} students with the same scores` : `${differ.length} difference(s): ${differ.slice(0, 5).join('; ')}`;
}
