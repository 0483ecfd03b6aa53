/**
 * `npm run bench`: how fast a submission and a class are graded, against the floor (what
 * starting a server and one round trip cost on this machine), under both schedulings side by
 * side in one run (`sequential`, the grader's scheduling before issue #11, and `concurrent`),
 * so that the ratio is measured on one machine at one moment. Writes bench/results.md.
 * Timings live here, never in the test suite.
 *
 *   node bench/run.ts [--runs N] [--only floor,exercises,timing,submission,weak,silent,class,class-all,shards,cache]
 *                     [--schedules sequential,concurrent] [--exercises sticky-packets,...|all]
 *                     [--class-size 50] [--concurrency 1,2,4,8] [--class-all-size 50]
 *                     [--class-all-concurrency 2,4] [--silent-runs 1] [--shard-concurrency <n>]
 *                     [--results bench/results.md]
 *
 * The classes are generated from solutions/ and tests/variants/: one folder per student, with
 * for each exercise graded either the reference solution or one faulty variant (every other
 * student is faulty, the variants taken in turn), and graded with `netgrade batch` as a child
 * process (NETGRADE_SCHEDULE in its environment), its peak memory sampled from /proc.
 * Run it on an otherwise idle machine: every figure is a wall-clock time.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, freemem, tmpdir, totalmem } from 'node:os';
import { connect, createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { exerciseIds, loadExercises, REPO_ROOT } from '../grader/exercise/registry.ts';
import type { SubmissionResult } from '../grader/model/results.ts';
import { Multiplexer } from '../grader/reporters/reporter.ts';
import { gradeSubmission } from '../grader/runner/grade-submission.ts';
import { CpuPressure, readStat } from '../grader/runner/cpu-pressure.ts';
import { defaultCheckSlots, SCHEDULES, type Schedule } from '../grader/runner/scheduler.ts';
import { inPrivateNetwork, isolationModeFromEnv, resolveIsolation } from '../grader/sandbox/isolation.ts';
import { describeIsolation } from '../grader/sandbox/limits.ts';
import { spawnStats } from '../grader/sandbox/process-registry.ts';
import { DEFAULT_SANDBOX_CONFIG } from '../grader/sandbox/sandbox.ts';

/** The seven exercises of issue #11's figures ("today's"): the whole submission and the class over all of them. */
const TODAY = ['stage-exam', 'sticky-packets', 'file-upload', 'ftp', 'bank-transfer', 'interleave', 'chat'];
/**
 * The class of the sticky-packets section: one exercise (15 checks), so that every -j under
 * both schedulings finishes in minutes on 2 cores; `--exercises a,b|all` grades others.
 */
const DEFAULT_CLASS_EXERCISES = 'sticky-packets';
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    only: { type: 'string', default: 'floor,exercises,timing,submission,weak,silent,class,class-all,shards,cache' },
    schedules: { type: 'string', default: SCHEDULES.join(',') },
    /** Exercises the class of section 7 is graded on (comma-separated ids, or `all`). */
    exercises: { type: 'string', default: DEFAULT_CLASS_EXERCISES },
    'class-size': { type: 'string', default: '50' },
    /** Concurrencies (-j) of the class runs of section 7. */
    concurrency: { type: 'string', default: '1,2,4,8' },
    /** The class over all of today's exercises (section 8). */
    'class-all-size': { type: 'string', default: '50' },
    'class-all-concurrency': { type: 'string', default: '2,4' },
    /** Runs of the never-answering submission (each takes minutes under the sequential scheduling). */
    'silent-runs': { type: 'string', default: '1' },
    /** Concurrency of the shards and of the unsharded run they are compared with (default: the number of cores, batch's default). */
    'shard-concurrency': { type: 'string', default: String(availableParallelism()) },
    results: { type: 'string', default: join(REPO_ROOT, 'bench', 'results.md') },
  },
});
const RUNS = Number(values.runs);
const ONLY = new Set(values.only!.split(','));
const SCHEDS = values.schedules!.split(',').filter(Boolean) as Schedule[];
for (const s of SCHEDS) if (!SCHEDULES.includes(s)) throw new Error(`--schedules: unknown scheduling ${s} (known: ${SCHEDULES.join(', ')})`);
const CLASS_SIZE = Number(values['class-size']);
const CLASS_CONCURRENCY = values.concurrency!.split(',').map(Number);
const CLASS_ALL_SIZE = Number(values['class-all-size']);
const CLASS_ALL_CONCURRENCY = values['class-all-concurrency']!.split(',').map(Number);
const SILENT_RUNS = Number(values['silent-runs']);
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
  s.runs === 1 ? `${s.median.toFixed(digits)} ${unit} (n=1)` : `${s.median.toFixed(digits)} ${unit} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)}, n=${s.runs})`;
const secs = (s: Stat) => fmt({ median: s.median / 1000, min: s.min / 1000, max: s.max / 1000, runs: s.runs }, 's', 1);
/** new / old, "0.42×": below 1 is faster. */
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : '–');

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

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time of this process and of every child it has waited for (servers, programs, bwrap), in ms (Linux). */
function cpuMs(): number {
  const own = process.cpuUsage();
  let children = 0;
  try {
    const stat = readFileSync('/proc/self/stat', 'latin1');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 16 and 17 (cutime, cstime) are rest[13] and rest[14].
    children = ((Number(rest[13]) + Number(rest[14])) / CLOCK_TICKS) * 1000;
  } catch {
    // not Linux: the grader's own CPU only
  }
  return (own.user + own.system) / 1000 + children;
}

interface Graded {
  ms: number;
  cpuMs: number;
  starts: number;
  score: number;
  max: number;
  result: SubmissionResult;
}

async function gradeOnce(submission: string, ids: string[], schedule: Schedule, options: { parallel?: number; retries?: number; compileCache?: boolean } = {}): Promise<Graded> {
  const exercises = await loadExercises(ids);
  const before = spawnStats.count;
  const cpuBefore = cpuMs();
  const started = performance.now();
  const result = await gradeSubmission({
    submissionDir: submission,
    exercises,
    seed: 1,
    options: {},
    sandbox: options.compileCache === undefined ? DEFAULT_SANDBOX_CONFIG : { ...DEFAULT_SANDBOX_CONFIG, compileCache: options.compileCache },
    reporter: new Multiplexer([]),
    exerciseConcurrency: options.parallel ?? 1,
    schedule,
    ...(options.retries === undefined ? {} : { retries: options.retries }),
  });
  const ms = performance.now() - started;
  return { ms, cpuMs: cpuMs() - cpuBefore, starts: spawnStats.count - before, score: result.score, max: result.maxScore, result };
}

/** Several gradings of one submission: wall and CPU statistics, the last result. */
async function measure(n: number, submission: string, ids: string[], schedule: Schedule, options: { parallel?: number; retries?: number; compileCache?: boolean } = {}) {
  const walls: number[] = [];
  const cpus: number[] = [];
  let last: Graded | undefined;
  for (let i = 0; i < n; i++) {
    last = await gradeOnce(submission, ids, schedule, options);
    walls.push(last.ms);
    cpus.push(last.cpuMs);
  }
  return { wall: stat(walls), cpu: stat(cpus), last: last! };
}

/** How a scheduling is run here, for the tables. */
const label = (schedule: Schedule, parallel?: number) =>
  schedule === 'sequential' ? `sequential${parallel && parallel > 1 ? `, --parallel ${parallel}` : ''}` : `concurrent (${defaultCheckSlots()} slots)`;

const lines: string[] = [];
const out = (line = '') => {
  lines.push(line);
  process.stdout.write(line + '\n');
};

/** The contended share of the next half second, as the concurrent scheduling sees it. */
async function contention(): Promise<string> {
  const gauge = new CpuPressure(0);
  gauge.now();
  await new Promise((r) => setTimeout(r, 500));
  const value = gauge.now();
  return value === undefined ? 'unknown' : `${(value * 100).toFixed(0)} %`;
}

const loadavg = () => readFileSync('/proc/loadavg', 'latin1').trim();
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB (${(freemem() / 2 ** 30).toFixed(0)} free), Node ${process.version}, ${process.platform}`;
out('# netgrade benchmark');
out();
out(`- date: ${new Date().toISOString()}`);
out(`- machine: ${machine}`);
out(`- load average at start: ${loadavg()}`);
out(
  `- reproduce: \`npm run bench\` (this run: \`node bench/run.ts --runs ${RUNS} --only ${[...ONLY].join(',')} --schedules ${SCHEDS.join(',')} --exercises ${values.exercises} --class-size ${CLASS_SIZE} --concurrency ${CLASS_CONCURRENCY.join(',')} --class-all-size ${CLASS_ALL_SIZE} --class-all-concurrency ${CLASS_ALL_CONCURRENCY.join(',')} --silent-runs ${SILENT_RUNS} --shard-concurrency ${SHARD_CONCURRENCY}\`)`,
);
out('- every figure: median (min–max, n = runs); a ratio is concurrent / sequential (below 1: faster), both measured in this run');
out(
  `- schedulings: \`sequential\` (before issue #11: one check at a time per exercise) and \`concurrent\` (checks side by side, each with its own server, at most ${defaultCheckSlots()} at once, a further one only while the CPUs are not contended${process.env.NETGRADE_CPU_PRESSURE === '0' ? ': OFF in this run (NETGRADE_CPU_PRESSURE=0)' : ''}; \`exclusive\` checks alone); \`NETGRADE_SCHEDULE\` picks one`,
);
out(`- CPU contention at start (share of the last 0.5 s in which a runnable task waited for a CPU): ${await contention()}`);

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
const today = TODAY.filter((id) => ids.includes(id));
const CLASS_EXERCISES = values.exercises === 'all' ? ids : values.exercises!.split(',').filter(Boolean);
for (const id of CLASS_EXERCISES) if (!ids.includes(id)) throw new Error(`--exercises: unknown exercise ${id} (known: ${ids.join(', ')})`);

/** A temporary submission holding `folder` as exercise `id`. */
async function submissionOf(entries: Array<[id: string, folder: string]>): Promise<string> {
  const submission = await mkdtemp(join(tmpdir(), 'netgrade-bench-sub-'));
  for (const [id, folder] of entries) await cp(folder, join(submission, id), { recursive: true });
  return submission;
}

if (ONLY.has('exercises')) {
  out();
  out('## 2. Each reference solution');
  out();
  out('| exercise | starts | floor × starts | ' + SCHEDS.map((s) => `${s} wall`).join(' | ') + (SCHEDS.length === 2 ? ' | ratio' : '') + ' | score |');
  out('| --- | --- | --- | ' + SCHEDS.map(() => '---').join(' | ') + (SCHEDS.length === 2 ? ' | ---' : '') + ' | --- |');
  // Exercises with a reference solution (one being written may not have it yet).
  for (const id of ids.filter((e) => existsSync(join(REPO_ROOT, 'solutions', e)))) {
    const submission = await submissionOf([[id, join(REPO_ROOT, 'solutions', id)]]);
    const rows = [];
    for (const schedule of SCHEDS) rows.push(await measure(Math.min(RUNS, 5), submission, [id], schedule));
    await rm(submission, { recursive: true, force: true });
    const last = rows[0]!.last;
    const scores = [...new Set(rows.map((r) => `${r.last.score}/${r.last.max}`))].join(' vs ');
    out(
      `| ${id} | ${last.starts} | ${(floorMs * last.starts).toFixed(0)} ms | ${rows.map((r) => fmt(r.wall)).join(' | ')}${rows.length === 2 ? ` | ${ratio(rows[1]!.wall.median, rows[0]!.wall.median)}` : ''} | ${scores} |`,
    );
  }
}

const strong = join(REPO_ROOT, 'samples', 'ada-strong');
/** Reference wall time of the whole submission per scheduling (the yardstick of sections 5 and 6). */
const referenceWall = new Map<Schedule, number>();

if (ONLY.has('submission') || ONLY.has('timing') || ONLY.has('weak') || ONLY.has('silent')) {
  out();
  out(`## 3. One complete submission (samples/ada-strong: ${today.join(', ')})`);
  out();
  out('| scheduling | wall time | CPU time (grader + every process it waited for) | starts | score |');
  out('| --- | --- | --- | --- | --- |');
  const runs = ONLY.has('submission') ? RUNS : 1;
  const rows = new Map<string, Awaited<ReturnType<typeof measure>>>();
  const variants: Array<[Schedule, number]> = SCHEDS.flatMap((s): Array<[Schedule, number]> => (s === 'sequential' ? [['sequential', 1], ['sequential', 2]] : [['concurrent', 1]]));
  for (const [schedule, parallel] of variants) {
    const row = await measure(runs, strong, today, schedule, { parallel });
    rows.set(`${schedule}/${parallel}`, row);
    out(`| ${label(schedule, parallel)} | ${fmt(row.wall)} | ${fmt(row.cpu)} | ${row.last.starts} | ${row.last.score}/${row.last.max} |`);
  }
  const today2 = rows.get('sequential/2');
  const fresh = rows.get('concurrent/1');
  if (today2) referenceWall.set('sequential', today2.wall.median);
  if (fresh) referenceWall.set('concurrent', fresh.wall.median);
  out();
  if (today2 && fresh) {
    out(`- concurrent vs sequential --parallel 2 (the CLI's default before): wall ${ratio(fresh.wall.median, today2.wall.median)}, CPU ${ratio(fresh.cpu.median, today2.cpu.median)}`);
  }
  if (fresh) {
    out(`- goal, median under 8 s (stretch 5 s): ${fresh.wall.median < 5000 ? 'met, stretch too' : fresh.wall.median < 8000 ? 'met (stretch not)' : 'NOT met'}`);
    if (today2) out(`- goal, CPU per submission no higher than before: ${fresh.cpu.median <= today2.cpu.median * 1.05 ? 'met' : 'NOT met'} (within 5 %, the noise of this figure)`);
  }
  out(`- load average after: ${loadavg()}; CPU contention after: ${await contention()}`);
  out(`- isolation: ${describeIsolation(DEFAULT_SANDBOX_CONFIG.limits, resolveIsolation(isolationModeFromEnv()), inPrivateNetwork())}`);

  if (ONLY.has('timing') && fresh) {
    out();
    out('### Where the time goes (per-check `timing` of the last concurrent run)');
    out();
    timingSection(fresh.last.result, today2?.last.result);
  }
}

/** Sums of the per-check timing per exercise, the exclusive (serial) part, and the longest checks. */
function timingSection(result: SubmissionResult, sequential: SubmissionResult | undefined): void {
  out('| exercise | checks | server start | programs (summed, also when several ran at once) | probing and waiting | teardown | exit grace | exclusive checks (alone) | check time summed | exercise wall (sequential) |');
  out('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  let alone = 0;
  const all: Array<{ name: string; ms: number; t: NonNullable<SubmissionResult['exercises'][number]['checks'][number]['timing']> }> = [];
  for (const exercise of result.exercises) {
    const sum = { start: 0, program: 0, probe: 0, teardown: 0, grace: 0, alone: 0, total: 0 };
    for (const check of exercise.checks) {
      const timings = check.timing ? [check.timing, ...(check.timing.reruns ?? [])] : [];
      for (const t of timings) {
        sum.start += t.serverStartMs;
        sum.program += t.programMs;
        sum.probe += t.probeMs;
        sum.teardown += t.teardownMs;
        sum.grace += t.exitGraceMs;
      }
      sum.total += check.durationMs;
      if (check.timing?.alone) sum.alone += check.durationMs;
      if (check.timing) all.push({ name: `${exercise.id}/${check.id}`, ms: check.durationMs, t: check.timing });
    }
    alone += sum.alone;
    const seq = sequential?.exercises.find((e) => e.id === exercise.id);
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    out(`| ${exercise.id} | ${exercise.checks.length} | ${s(sum.start)} | ${s(sum.program)} | ${s(sum.probe)} | ${s(sum.teardown)} | ${s(sum.grace)} | ${s(sum.alone)} | ${s(sum.total)} | ${seq ? s(seq.durationMs) : '–'} |`);
  }
  out();
  out(`- the exclusive checks ran alone for ${(alone / 1000).toFixed(1)} s of the ${(result.durationMs / 1000).toFixed(1)} s: the part of the wall time no scheduling can overlap`);
  out('- the longest checks (first attempt):');
  out();
  out('| check | time | server start | programs | probing and waiting | teardown | waited for its turn | alone |');
  out('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const c of all.sort((a, b) => b.ms - a.ms).slice(0, 12)) {
    out(`| ${c.name} | ${c.ms} ms | ${c.t.serverStartMs.toFixed(0)} | ${c.t.programMs.toFixed(0)} | ${c.t.probeMs.toFixed(0)} | ${c.t.teardownMs.toFixed(0)} | ${c.t.queuedMs.toFixed(0)} | ${c.t.alone ? 'yes' : ''} |`);
  }
}

if (ONLY.has('weak')) {
  const ben = join(REPO_ROOT, 'samples', 'ben-mistakes');
  out();
  out('## 4. A weak submission (samples/ben-mistakes)');
  out();
  out('| scheduling | wall time | CPU time | score | vs the reference, same scheduling (goal ≤ 1.5×) |');
  out('| --- | --- | --- | --- | --- |');
  const walls = new Map<Schedule, number>();
  for (const schedule of SCHEDS) {
    const parallel = schedule === 'sequential' ? 2 : 1;
    const row = await measure(RUNS, ben, today, schedule, { parallel });
    walls.set(schedule, row.wall.median);
    const ref = referenceWall.get(schedule);
    out(`| ${label(schedule, parallel)} | ${fmt(row.wall)} | ${fmt(row.cpu)} | ${row.last.score}/${row.last.max} | ${ref ? ratio(row.wall.median, ref) : '–'} |`);
  }
  if (walls.size === 2) out(`\n- concurrent / sequential: ${ratio(walls.get('concurrent')!, walls.get('sequential')!)}`);
}

if (ONLY.has('silent')) {
  out();
  out('## 5. A submission that never answers (`--retries 0`)');
  out();
  out('tests/fixtures/do-nothing/silent.ts as every entry file (it listens, accepts and never reads or answers; the stage exam gets an empty answers.json).');
  out();
  out('| scheduling | wall time | CPU time | score | vs the reference, same scheduling (goal ≤ 3×) |');
  out('| --- | --- | --- | --- | --- |');
  const silent = await silentSubmission(today);
  const walls = new Map<Schedule, number>();
  try {
    for (const schedule of SCHEDS) {
      const parallel = schedule === 'sequential' ? 2 : 1;
      const row = await measure(SILENT_RUNS, silent, today, schedule, { parallel, retries: 0 });
      walls.set(schedule, row.wall.median);
      const ref = referenceWall.get(schedule);
      out(`| ${label(schedule, parallel)} | ${secs(row.wall)} | ${secs(row.cpu)} | ${row.last.score}/${row.last.max} | ${ref ? ratio(row.wall.median, ref) : '–'} |`);
    }
  } finally {
    await rm(silent, { recursive: true, force: true });
  }
  if (walls.size === 2) out(`\n- concurrent / sequential: ${ratio(walls.get('concurrent')!, walls.get('sequential')!)}`);
}

async function silentSubmission(exerciseIdsToFill: string[]): Promise<string> {
  const submission = await mkdtemp(join(tmpdir(), 'netgrade-bench-silent-'));
  const code = await readFile(join(REPO_ROOT, 'tests', 'fixtures', 'do-nothing', 'silent.ts'));
  for (const exercise of await loadExercises(exerciseIdsToFill)) {
    const folder = join(submission, exercise.meta.id);
    await mkdir(folder, { recursive: true });
    for (const entry of exercise.meta.entryFiles) await writeFile(join(folder, entry), entry.endsWith('.json') ? '{}\n' : code);
  }
  return submission;
}

const classSections = ['class', 'class-all', 'shards'].some((s) => ONLY.has(s));
if (classSections) {
  const help = execFileSync(process.execPath, [CLI, '--help']).toString();
  if (!help.includes('batch')) {
    out();
    out('- classes not measured: this build has no `netgrade batch` command yet.');
  } else {
    const root = await mkdtemp(join(tmpdir(), 'netgrade-bench-class-'));
    try {
      if (ONLY.has('class') || ONLY.has('shards')) await classOf('6', CLASS_EXERCISES, CLASS_SIZE, CLASS_CONCURRENCY, root, ONLY.has('class'), ONLY.has('shards'));
      if (ONLY.has('class-all')) await classOf('7', today, CLASS_ALL_SIZE, CLASS_ALL_CONCURRENCY, root, true, false);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
}

if (ONLY.has('cache')) await cacheSection();

await mkdir(dirname(RESULTS), { recursive: true });
await writeFile(RESULTS, lines.join('\n') + '\n');
process.stdout.write(`\nwritten: ${RESULTS}\n`);
// Exit at once, as grader/cli/netgrade.ts does: after its last in-process grading, a run of
// 2026-12-02 printed this line and then spun at half a core for over an hour in Node's
// exit-time cleanup (the same socket-handle spin netgrade.ts works around), and slowed down
// two whole test runs beside it before anyone noticed.
process.exit(0);

/** A class graded with `batch` at each -j under each scheduling; optionally the shards. */
async function classOf(section: string, exercises: string[], size: number, concurrencies: number[], root: string, table: boolean, shards: boolean): Promise<void> {
  const classDir = join(root, `class-${section}`);
  const composition = await makeClass(classDir, exercises, size);
  const exerciseArgs = exercises.flatMap((id) => ['--exercise', id]);
  out();
  out(`## ${section}. A class of ${size} with \`batch\`: ${exercises.join(', ')}`);
  out();
  out(`- ${composition}`);
  out(`- command: \`NETGRADE_SCHEDULE=<scheduling> node grader/cli/netgrade.ts batch <class> --out <dir> ${exerciseArgs.join(' ')} --progress none --exit-zero -j <n>\``);
  out("- peak memory: the largest sum, over 200 ms samples, of the resident set (RSS) of the batch process and every process under it (workers, students' servers and programs). RSS counts shared pages (Node's binary, libraries) once per process, so this over-states what the machine needed; it is the figure to compare between runs, not a sum of private memory.");
  out('- `exclusive` checks run alone within their student\'s grading; students graded side by side (-j) overlap under either scheduling.');
  const base = ['--progress', 'none', '--exit-zero', ...exerciseArgs];
  let unsharded: { ms: number; dir: string } | undefined;
  if (table) {
    out();
    out('| scheduling | -j | wall time | students per minute | peak RSS of the process tree | students graded | full marks |');
    out('| --- | --- | --- | --- | --- | --- | --- |');
    const best = new Map<Schedule, { perMinute: number; j: number }>();
    for (const schedule of SCHEDS) {
      for (const concurrency of concurrencies) {
        const outDir = join(root, `out-${section}-${schedule}-j${concurrency}`);
        const run = await runCli(['batch', classDir, '--out', outDir, ...base, '-j', String(concurrency)], { NETGRADE_SCHEDULE: schedule });
        const summary = await summarise(outDir);
        const perMinute = (size / run.ms) * 60000;
        if (perMinute > (best.get(schedule)?.perMinute ?? 0)) best.set(schedule, { perMinute, j: concurrency });
        out(`| ${schedule} | ${concurrency} | ${(run.ms / 1000).toFixed(1)} s | ${perMinute.toFixed(1)} | ${mib(run.peakRss)} | ${summary.graded}/${size} | ${summary.full} |`);
        if (shards && schedule === SCHEDS.at(-1) && concurrency === SHARD_CONCURRENCY) unsharded = { ms: run.ms, dir: outDir };
        else await rm(outDir, { recursive: true, force: true });
      }
    }
    out();
    for (const [schedule, b] of best) out(`- best, ${schedule}: ${b.perMinute.toFixed(1)} students per minute at -j ${b.j}`);
    const old = best.get('sequential');
    const fresh = best.get('concurrent');
    if (old && fresh) out(`- best concurrent / best sequential throughput: ${(fresh.perMinute / old.perMinute).toFixed(2)}× (goal for sticky-packets: at least 60 students per minute)`);
  }
  if (shards) await shardSection(classDir, base, root, unsharded);
}

async function shardSection(classDir: string, base: string[], root: string, unsharded: { ms: number; dir: string } | undefined): Promise<void> {
  const schedule = SCHEDS.at(-1)!;
  const env = { NETGRADE_SCHEDULE: schedule };
  if (!unsharded) {
    const outDir = join(root, `out-shards-j${SHARD_CONCURRENCY}`);
    const run = await runCli(['batch', classDir, '--out', outDir, ...base, '-j', String(SHARD_CONCURRENCY)], env);
    unsharded = { ms: run.ms, dir: outDir };
  }
  out();
  out(`Sharding (${schedule} scheduling): the same class as 3 shards (\`--shard i/3\`, -j ${SHARD_CONCURRENCY}) run one after another, then \`netgrade merge\`, against one unsharded run at -j ${SHARD_CONCURRENCY}.`);
  out();
  out('| run | wall time | peak RSS of the process tree |');
  out('| --- | --- | --- |');
  let shardTotal = 0;
  const shardDirs: string[] = [];
  for (let i = 1; i <= 3; i++) {
    const outDir = join(root, `shard-${i}`);
    const run = await runCli(['batch', classDir, '--out', outDir, ...base, '-j', String(SHARD_CONCURRENCY), '--shard', `${i}/3`], env);
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
function runCli(args: string[], env: Record<string, string> = {}): Promise<{ ms: number; peakRss: number }> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
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

/** Busy CPU time of the whole machine (every process, the kernel's work included), ms (Linux; 0 elsewhere). */
function machineBusyMs(): number {
  return ((readStat()?.busy ?? 0) / CLOCK_TICKS) * 1000;
}

/**
 * Node's compile cache shared between an exercise's processes (grader/sandbox/compile-cache.ts),
 * off and on in the same run: one whole submission in-process, and the sticky-packets class with
 * `batch` at -j 4. CPU time here is the whole machine's busy time over the run (sandboxed
 * grandchildren included, which the rusage of section 3 misses): run it on an idle machine.
 */
async function cacheSection(): Promise<void> {
  const ada = join(REPO_ROOT, 'samples', 'ada-strong');
  out();
  out("## 8. Node's compile cache shared by an exercise's processes (`NETGRADE_COMPILE_CACHE=0` turns it off)");
  out();
  out('| run | cache | wall time | CPU time of the whole machine | score |');
  out('| --- | --- | --- | --- | --- |');
  const busy = new Map<boolean, number>();
  for (const compileCache of [false, true]) {
    const walls: number[] = [];
    const cpu: number[] = [];
    let last: Graded | undefined;
    for (let i = 0; i < RUNS; i++) {
      const before = machineBusyMs();
      last = await gradeOnce(ada, TODAY, 'concurrent', { compileCache });
      walls.push(last.ms);
      cpu.push(machineBusyMs() - before);
    }
    busy.set(compileCache, stat(cpu).median);
    out(`| ada-strong, 7 exercises, concurrent | ${compileCache ? 'on' : 'off'} | ${fmt(stat(walls))} | ${fmt(stat(cpu))} | ${last!.score}/${last!.max} |`);
  }
  const classRoot = await mkdtemp(join(tmpdir(), 'netgrade-bench-cache-'));
  try {
    const classDir = join(classRoot, 'class');
    await makeClass(classDir, CLASS_EXERCISES, CLASS_SIZE);
    for (const cache of ['0', '1']) {
      const outDir = join(classRoot, `out-${cache}`);
      const before = machineBusyMs();
      const run = await runCli(['batch', classDir, '--out', outDir, '--progress', 'none', '--exit-zero', ...CLASS_EXERCISES.flatMap((id) => ['--exercise', id]), '-j', '4'], { NETGRADE_COMPILE_CACHE: cache });
      const cpu = machineBusyMs() - before;
      const summary = await summarise(outDir);
      out(`| class of ${CLASS_SIZE}, ${CLASS_EXERCISES.join(', ')}, batch -j 4 | ${cache === '1' ? 'on' : 'off'} | ${(run.ms / 1000).toFixed(1)} s (${((CLASS_SIZE / run.ms) * 60000).toFixed(1)} students per minute) | ${(cpu / 1000).toFixed(1)} s | ${summary.full} of ${summary.graded} full marks |`);
    }
  } finally {
    await rm(classRoot, { recursive: true, force: true });
  }
  const off = busy.get(false);
  const on = busy.get(true);
  if (off && on) out(`\n- one submission's CPU time with the cache / without: ${ratio(on, off)}`);
}
