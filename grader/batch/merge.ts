/**
 * `netgrade merge <dirs...>`: builds one class from the `results.json` of several shards.
 * Refuses shards of different grader versions or grading options, shards that overlap
 * (a student in two shards), and shards that disagree on the exercises graded.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { CLASS_SCHEMA_VERSION, ClassResult } from '../model/class.ts';
import { UsageError } from '../model/errors.ts';
import { compareNames } from './batch.ts';

export async function readClassResult(dir: string): Promise<ClassResult> {
  const file = join(dir, 'results.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  const version = (raw as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version !== CLASS_SCHEMA_VERSION) {
    throw new UsageError(`${file} has class schema version ${version}; this netgrade reads version ${CLASS_SCHEMA_VERSION}. Regrade the shard with this version.`);
  }
  const parsed = ClassResult.safeParse(raw);
  if (!parsed.success) throw new UsageError(`${file} is not a netgrade class result:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export function mergeClassResults(shards: Array<{ dir: string; result: ClassResult }>): ClassResult {
  if (shards.length === 0) throw new UsageError('Nothing to merge.');
  const first = shards[0]!;
  const owner = new Map<string, string>();
  for (const { dir, result } of shards) {
    if (result.grader.version !== first.result.grader.version) {
      throw new UsageError(`Shards of different grader versions: ${first.dir} is netgrade ${first.result.grader.version}, ${dir} is ${result.grader.version}. Regrade with one version.`);
    }
    if (result.optionsHash !== first.result.optionsHash || JSON.stringify(result.exercises) !== JSON.stringify(first.result.exercises)) {
      throw new UsageError(`Shards graded with different options (exercises, checks, seed, time scale or retries): ${first.dir} and ${dir}.`);
    }
    for (const student of result.students) {
      const other = owner.get(student.name);
      if (other) throw new UsageError(`Overlapping shards: student "${student.name}" is in ${other} and in ${dir}.`);
      owner.set(student.name, dir);
    }
  }
  const counts = new Set(shards.map((s) => s.result.shard?.count));
  const indexes = shards.map((s) => s.result.shard?.index);
  if (counts.size === 1 && !counts.has(undefined)) {
    const count = [...counts][0]!;
    const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !indexes.includes(i));
    if (missing.length > 0) process.stderr.write(`netgrade merge: warning: shard(s) ${missing.map((i) => `${i}/${count}`).join(', ')} missing; the class is incomplete.\n`);
  }
  const { shard: _shard, ...rest } = first.result;
  return { ...rest, students: shards.flatMap((s) => s.result.students).sort((a, b) => compareNames(a.name, b.name)) };
}
