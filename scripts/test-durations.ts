/**
 * Writes tests/durations.json (seconds per test file, read by tests/setup/sequencer.ts) from a
 * vitest JSON report:
 *
 *   npx vitest run --reporter=default --reporter=json --outputFile=/tmp/vitest.json
 *   node scripts/test-durations.ts /tmp/vitest.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const reportPath = process.argv[2];
if (!reportPath) {
  process.stderr.write('usage: node scripts/test-durations.ts <vitest json report>\n');
  process.exit(2);
}
const report = JSON.parse(readFileSync(reportPath, 'utf8')) as { testResults: Array<{ name: string; startTime: number; endTime: number }> };
const seconds = Object.fromEntries(
  report.testResults
    .map((file) => [relative(ROOT, file.name), Math.round((file.endTime - file.startTime) / 1000)] as const)
    .sort(([a], [b]) => a.localeCompare(b)),
);
const out = join(ROOT, 'tests', 'durations.json');
const note = `seconds per test file in a whole run, three files at once; read by tests/setup/sequencer.ts for the order files start in (longest first); written by scripts/test-durations.ts from ${relative(ROOT, reportPath)}`;
writeFileSync(out, JSON.stringify({ note, seconds }, null, 2) + '\n');
process.stdout.write(`${Object.keys(seconds).length} files → ${relative(process.cwd(), out)}\n`);
