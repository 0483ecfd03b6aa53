/**
 * Running a program under load, for the checks that judge an order or a turn-taking "under
 * load" (interleave output.under-load, ticket-sale sales.under-load): busy loops on every
 * core, and several runs of the program at a time.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import type { CheckContext } from '../exercise/define.ts';
import type { SandboxProcess } from '../sandbox/process.ts';

/** A busy loop (a grader script run as a harness): one copy keeps one core busy. */
export const BUSY = fileURLToPath(new URL('./busy.mjs', import.meta.url));

/** Runs `count` programs, at most `parallel` at a time; results in run order. */
export async function runMany<T>(count: number, parallel: number, one: (i: number) => Promise<T>): Promise<T[]> {
  const limit = pLimit(Math.max(1, parallel));
  return Promise.all(Array.from({ length: count }, (_, i) => limit(() => one(i))));
}

/** Starts 2 × CPU count busy loops (grader processes); returns a function that stops them. */
export function startLoad(ctx: CheckContext): () => Promise<void> {
  const procs: SandboxProcess[] = [];
  const runs: Promise<unknown>[] = [];
  for (let i = 0; i < 2 * availableParallelism(); i++) {
    runs.push(ctx.runProgram({ harness: BUSY, timeoutMs: 600_000, onStart: (p) => procs.push(p) }).catch(() => undefined));
  }
  return async () => {
    await Promise.all(procs.map((p) => p.kill()));
    await Promise.all(runs);
  };
}
