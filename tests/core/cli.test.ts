/** The command line's exit codes and usage errors. */
import { join } from 'node:path';
import { mkdtemp, readFile, rm, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, test, vi } from 'vitest';
import { main } from '../../grader/cli/netgrade.ts';
import { loadExercise } from '../../grader/exercise/registry.ts';
import { SubmissionResult } from '../../grader/model/results.ts';
import { SOLUTIONS, VARIANTS } from '../helpers/grade.ts';

async function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  // main() records the language in NETGRADE_LANG for the processes it starts: keep it to this run.
  const saved = { NETGRADE_LANG: process.env.NETGRADE_LANG, LANG: process.env.LANG, LC_ALL: process.env.LC_ALL };
  delete process.env.NETGRADE_LANG;
  Object.assign(process.env, env);
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

async function submissionWith(folder: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'netgrade-cli-'));
  await cp(folder, join(dir, 'sticky-packets'), { recursive: true });
  return dir;
}

describe('netgrade CLI', () => {
  test('usage errors exit 2 with a specific message', async () => {
    expect((await run(['grade', '/definitely/not/here'])).stderr).toContain('Submission folder not found');
    expect((await run(['grade', '/definitely/not/here'])).code).toBe(2);
    const unknown = await run(['grade', '.', '--exercise', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown exercise "nope"');
    const badReporter = await run(['grade', '.', '--reporter', 'pdf']);
    expect(badReporter.code).toBe(2);
    expect(badReporter.stderr).toContain('unknown reporter "pdf"');
    expect((await run(['grade', '.', '--seed', '-1'])).code).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
  });

  test('--help exits 0', async () => {
    const help = await run(['grade', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--reporter <list>');
    expect(help.stdout).toContain('--lang <code>');
  });

  test('--lang zh-CN: help and usage errors in Chinese; an unknown language is a usage error', async () => {
    const help = await run(['grade', '--help', '--lang', 'zh-CN']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('用法：');
    expect(help.stdout).toContain('报告形式');
    const missing = await run(['grade', '/definitely/not/here', '--lang=zh-CN']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('找不到提交文件夹');
    const bad = await run(['grade', '.', '--retries', '9'], { NETGRADE_LANG: 'zh-CN' });
    expect(bad.stderr).toContain('不能大于 5');
    const unknown = await run(['list', '--lang', 'fr']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown language "fr"');
  });

  test('exit 0 when every graded check passed, 1 when points were lost; JSON written to --out', async () => {
    const good = await submissionWith(join(SOLUTIONS, 'sticky-packets'));
    const bad = await submissionWith(join(VARIANTS, 'sticky-packets', 'decode-body-pieces'));
    const out = await mkdtemp(join(tmpdir(), 'netgrade-cli-out-'));
    try {
      const checks = ['--check', 'batch.classic', '--check', 'framing.utf8-split'];
      const points = Object.fromEntries((await (await loadExercise('sticky-packets')).checks({ options: {} })).map((c) => [c.id, c.points]));
      const total = points['batch.classic']! + points['framing.utf8-split']!;
      const passed = await run(['grade', good, '--exercise', 'sticky-packets', ...checks, '--reporter', 'terminal,json', '--out', out, '--seed', '5']);
      expect(passed.code).toBe(0);
      expect(passed.stdout).toContain(`Total ${total}/${total}`);
      const json = SubmissionResult.parse(JSON.parse(await readFile(join(out, 'results.json'), 'utf8')));
      expect(json.seed).toBe(5);
      const failed = await run(['grade', bad, '--exercise', 'sticky-packets', ...checks, '--reporter', 'terminal', '--out', out]);
      expect(failed.code).toBe(1);
      expect(failed.stdout).toMatch(new RegExp(`framing\\.utf8-split +0/${points['framing.utf8-split']}`));
      // The same in Chinese, chosen by the locale: status words, totals, the footer.
      const chinese = await run(['grade', bad, '--exercise', 'sticky-packets', ...checks, '--reporter', 'terminal', '--out', out], { LANG: 'zh_CN.UTF-8' });
      expect(chinese.code).toBe(1);
      expect(chinese.stdout).toContain('总分');
      expect(chinese.stdout).toContain('原样复现：');
      expect(chinese.stdout).not.toMatch(/Total|Replay exactly/);
    } finally {
      await Promise.all([good, bad, out].map((d) => rm(d, { recursive: true, force: true })));
    }
  });
});

describe('terminal reporter colour', () => {
  test('no escape codes when the stream is not a TTY, or NO_COLOR is set', async () => {
    const { PassThrough } = await import('node:stream');
    const { TerminalReporter } = await import('../../grader/reporters/terminal.ts');
    const { WriteStream } = await import('node:tty');
    const render = (isTTY: boolean) => {
      // A pipe has no colour methods; a terminal's decide from the environment (NO_COLOR, TERM).
      const stream = isTTY
        ? Object.assign(new PassThrough(), { isTTY, getColorDepth: WriteStream.prototype.getColorDepth, hasColors: WriteStream.prototype.hasColors })
        : new PassThrough();
      let text = '';
      stream.on('data', (chunk) => (text += String(chunk)));
      const reporter = new TerminalReporter({ stream });
      reporter.onCheckEnd('x', { id: 'a.b', title: 'T', status: 'failed', points: 0, maxPoints: 5, message: 'm', transcript: [], durationMs: 1, seed: 1 });
      return text;
    };
    // The environment decides too: FORCE_COLOR (set by some CI runners and test tools) wins.
    vi.stubEnv('NO_COLOR', undefined);
    vi.stubEnv('FORCE_COLOR', undefined);
    vi.stubEnv('TERM', 'xterm-256color');
    vi.stubEnv('CI', undefined); // Node's colour depth treats unknown CI environments as monochrome
    expect(render(false)).not.toMatch(/\x1b\[/);
    expect(render(false)).toContain('✗ a.b');
    expect(render(true)).toMatch(/\x1b\[/);
    vi.stubEnv('NO_COLOR', '1');
    try {
      expect(render(true)).not.toMatch(/\x1b\[/);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
