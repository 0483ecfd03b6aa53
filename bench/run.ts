/**
 * `npm run bench`: how fast a submission and a class are graded, against the floor (what
 * starting a server and one round trip cost on this machine). Writes bench/results.md.
 * Timings live here, never in the test suite.
 *
 *   node bench/run.ts [--runs N] [--only floor,exercises,submission,class,shards]
 */
import { execFileSync, spawn } from 'node:child_process';
import { cp, mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { exerciseIds, loadExercises, REPO_ROOT } from '../grader/exercise/registry.ts';
import { Multiplexer } from '../grader/reporters/reporter.ts';
import { gradeSubmission } from '../grader/runner/grade-submission.ts';
import { spawnStats } from '../grader/sandbox/process-registry.ts';
import { DEFAULT_SANDBOX_CONFIG } from '../grader/sandbox/sandbox.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '7' }, only: { type: 'string', default: 'floor,exercises,submission,class,shards' } },
});
const RUNS = Number(values.runs);
const ONLY = new Set(values.only!.split(','));

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

async function gradeOnce(submission: string, ids: string[] = []): Promise<{ ms: number; starts: number; score: number; max: number }> {
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
out(`- reproduce: \`npm run bench\` (or \`node bench/run.ts --runs ${RUNS} --only ${[...ONLY].join(',')}\`)`);
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
  const wall = await repeat(Math.min(RUNS, 5), async () => {
    const r = await gradeOnce(strong);
    starts = r.starts;
    return r.ms;
  });
  out();
  out('## 3. One complete submission (samples/ada-strong, every exercise)');
  out();
  out(`- wall time: ${fmt(wall)}; ${starts} process starts; target under 5 s on 2 cores: ${wall.median < 5000 ? 'met' : 'NOT met'}`);
}

if (ONLY.has('class') || ONLY.has('shards')) {
  out();
  out('## 4–5. A class with `batch`, and sharding');
  out();
  const cli = join(REPO_ROOT, 'grader', 'cli', 'netgrade.ts');
  const help = execFileSync(process.execPath, [cli, '--help']).toString();
  if (!help.includes('batch')) {
    out('- not measured: this build has no `netgrade batch` command yet.');
  } else {
    const classDir = await mkdtemp(join(tmpdir(), 'netgrade-bench-class-'));
    const sources = [join(REPO_ROOT, 'samples', 'ada-strong'), join(REPO_ROOT, 'samples', 'ben-mistakes')];
    for (let i = 0; i < 50; i++) {
      await mkdir(join(classDir, `student-${String(i + 1).padStart(2, '0')}`), { recursive: true });
      await cp(sources[i % 2]!, join(classDir, `student-${String(i + 1).padStart(2, '0')}`), { recursive: true });
    }
    const runBatch = (args: string[]) => {
      const started = performance.now();
      const output = execFileSync('/usr/bin/time', ['-f', '%M', process.execPath, cli, 'batch', classDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      void output;
      return performance.now() - started;
    };
    if (ONLY.has('class')) {
      out('| concurrency | wall time | submissions per minute |');
      out('| --- | --- | --- |');
      for (const concurrency of [1, 2, 4, 8]) {
        const outDir = join(classDir, `..`, `out-${concurrency}-${Date.now()}`);
        const ms = runBatch(['--concurrency', String(concurrency), '--out', outDir]);
        out(`| ${concurrency} | ${(ms / 1000).toFixed(1)} s | ${((50 / ms) * 60000).toFixed(1)} |`);
        await rm(outDir, { recursive: true, force: true });
      }
    }
    await rm(classDir, { recursive: true, force: true });
  }
}

await mkdir(join(REPO_ROOT, 'bench'), { recursive: true });
await writeFile(join(REPO_ROOT, 'bench', 'results.md'), lines.join('\n') + '\n');
process.stdout.write('\nwritten: bench/results.md\n');
