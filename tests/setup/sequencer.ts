/**
 * The order test files start in: longest first, so that with three files at once the longest
 * (web-server's, about 14 minutes) does not start last and leave the run waiting on it alone.
 *
 * vitest itself orders by the durations of the previous run on this machine, and, on a fresh
 * clone (CI), by file size; our exercise suites are a few lines each, so CI started them last.
 * This sequencer always uses the durations recorded in `tests/durations.json` (refreshed with
 * `node scripts/test-durations.ts <vitest json report>`), also where vitest has results of its
 * own: those also come from filtered runs (`-t`), which record a long file at a few seconds and
 * start it last in the next whole run (seen: 1,595 s instead of about 1,250). A file not listed
 * there counts as long, so a new exercise starts early.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Seconds per test file (paths relative to the repository), from `tests/durations.json`. */
export function recordedDurations(file: string): Map<string, number> {
  try {
    const table = JSON.parse(readFileSync(file, 'utf8')) as { seconds?: Record<string, number> };
    return new Map(Object.entries(table.seconds ?? {}));
  } catch {
    return new Map();
  }
}

/** Longest first by the recorded durations; a file with none first of all. */
export function longestFirst(paths: string[], seconds: Map<string, number>): string[] {
  const weight = (path: string) => seconds.get(path) ?? Number.POSITIVE_INFINITY;
  return [...paths].sort((a, b) => weight(b) - weight(a) || a.localeCompare(b));
}

export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    // The config's root is the repository (the config file's folder).
    const root = this.ctx.config.root;
    const byPath = new Map(files.map((spec) => [relative(root, spec.moduleId), spec]));
    return longestFirst([...byPath.keys()], recordedDurations(join(root, 'tests', 'durations.json'))).map((path) => byPath.get(path)!);
  }
}
