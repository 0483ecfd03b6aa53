/**
 * Writes `<out>/results.json`, validated against the versioned schema before it is written
 * (a result that does not match the schema is a grader bug and must not reach consumers).
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { SubmissionResult } from '../model/results.ts';
import type { Reporter } from './reporter.ts';

export class JsonReporter implements Reporter {
  readonly #outDir: (result: SubmissionResult) => string;
  constructor(outDir: (result: SubmissionResult) => string) {
    this.#outDir = outDir;
  }

  async onSubmissionEnd(result: SubmissionResult): Promise<void> {
    const parsed = SubmissionResult.safeParse(result);
    if (!parsed.success) throw new Error(`results do not match the schema:\n${z.prettifyError(parsed.error)}`);
    const dir = this.#outDir(result);
    await writeJsonAtomically(join(dir, 'results.json'), parsed.data);
  }
}

/** Writes to a temp name and renames, so a reader never sees half a file. */
export async function writeJsonAtomically(path: string, value: unknown): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(value, null, 2) + '\n');
  await rename(temp, path);
}
