/** `netgrade doctor`: the diagnosis of faked machines, and the real one agreeing with the sandbox's own probe. */
import { describe, expect, test } from 'vitest';
import { diagnose, renderDiagnosis } from '../../grader/doctor/diagnose.ts';
import { gatherFacts, parseOpenFiles, type MachineFacts } from '../../grader/doctor/machine.ts';
import { withLanguage } from '../../grader/i18n/language.ts';
import { resolveIsolation } from '../../grader/sandbox/isolation.ts';
import { limitsAvailable } from '../../grader/sandbox/limits.ts';
import { main } from '../../grader/cli/netgrade.ts';
import { vi } from 'vitest';

const FULL: MachineFacts = {
  platform: 'linux',
  node: { path: '/opt/node/bin/node', version: 'v24.21.0' },
  sandbox: { bwrap: '/usr/bin/bwrap', setpriv: '/usr/bin/setpriv' },
  root: true,
  prlimit: true,
  openFiles: { soft: 1024, hard: 1048576 },
  chromium: undefined,
  browserExercises: [],
};
const machine = (changes: Partial<MachineFacts>): MachineFacts => ({ ...FULL, ...changes });
const statusOf = (facts: MachineFacts) => Object.fromEntries(diagnose(facts).findings.map((f) => [f.id, f.status]));

describe('diagnose', () => {
  test('root, bubblewrap, setpriv and prlimit: full isolation, exit 0, nothing to fix', () => {
    const d = diagnose(FULL);
    expect(d).toMatchObject({ level: 'full', exitCode: 0, fixes: [] });
    expect(d.findings.every((f) => f.status === 'ok' || f.status === 'info')).toBe(true);
    expect(renderDiagnosis(d)).toContain('Isolation: full');
  });

  test('bubblewrap missing, not root: limits only, exit 1, says to install it and to run as root', () => {
    const d = diagnose(machine({ sandbox: { reason: 'missing', problem: 'bubblewrap (bwrap) is not installed' }, root: false }));
    expect(d).toMatchObject({ level: 'limits', exitCode: 1 });
    expect(d.fixes.join('\n')).toContain('apt-get install bubblewrap');
    expect(d.fixes.join('\n')).toContain('as root');
    expect(statusOf(machine({ sandbox: { reason: 'missing' }, root: false }))).toMatchObject({ bwrap: 'fail', uid: 'fail', prlimit: 'ok' });
  });

  test('bubblewrap present but its namespaces refused: the reason is shown, with how to allow them', () => {
    const d = diagnose(machine({ sandbox: { bwrap: '/usr/bin/bwrap', reason: 'fails', problem: 'bwrap does not work here (bwrap: setting up uid map: Permission denied)' } }));
    expect(d).toMatchObject({ level: 'limits', exitCode: 1 });
    expect(d.findings.find((f) => f.id === 'bwrap')!.text).toContain('setting up uid map: Permission denied');
    expect(d.fixes.join('\n')).toContain('apparmor_restrict_unprivileged_userns');
  });

  test('the sandbox as a user: a sandbox without the process-count limit, exit 1', () => {
    const d = diagnose(machine({ root: false, sandbox: { bwrap: '/usr/bin/bwrap' } }));
    expect(d).toMatchObject({ level: 'sandbox', exitCode: 1 });
    expect(d.levelText).toContain('process-count limit');
    expect(d.fixes.join('\n')).toContain('as root');
  });

  test('no prlimit and no bubblewrap (macOS): none, advice to grade on Linux', () => {
    const d = diagnose(machine({ platform: 'darwin', sandbox: { reason: 'platform', problem: 'no bubblewrap on darwin' }, prlimit: false, root: false, openFiles: undefined }));
    expect(d).toMatchObject({ level: 'none', exitCode: 1 });
    expect(d.fixes).toHaveLength(1);
    expect(d.fixes[0]).toContain('Linux');
  });

  test('an open-files hard limit below the programs\' one, without root, is a failure to fix', () => {
    const d = diagnose(machine({ root: false, openFiles: { soft: 256, hard: 1024 } }));
    expect(statusOf(machine({ root: false, openFiles: { soft: 256, hard: 1024 } })).openFiles).toBe('fail');
    expect(d.fixes.join('\n')).toContain('ulimit -Hn 4096');
  });

  test('Chromium: named for the exercises that use it, an advice when missing (isolation still decides the exit code)', () => {
    const missing = diagnose(machine({ browserExercises: ['web-server'] }));
    expect(missing.findings.find((f) => f.id === 'chromium')).toMatchObject({ status: 'fail' });
    expect(missing.fixes.join('\n')).toContain('apt-get install chromium');
    expect(missing.exitCode).toBe(0);
    const found = diagnose(machine({ browserExercises: ['web-server'], chromium: { path: '/usr/bin/chromium', version: '131.0.6778.85' } }));
    expect(found.findings.find((f) => f.id === 'chromium')!.text).toContain('131.0.6778.85');
  });

  test('Node too old for type stripping is a failure', () => {
    expect(statusOf(machine({ node: { path: '/usr/bin/node', version: 'v20.19.0' } })).node).toBe('fail');
    expect(statusOf(machine({ node: { path: '/usr/bin/node', version: 'v22.18.0' } })).node).toBe('ok');
  });

  test('in Chinese, in the course\'s words', () => {
    const text = withLanguage('zh-CN', () => renderDiagnosis(diagnose(machine({ sandbox: { reason: 'missing' }, root: false }))));
    expect(text).toContain('隔离级别：只有资源限制');
    expect(text).toContain('要得到完整隔离：');
    expect(text).toContain('`sudo apt-get install bubblewrap`');
    expect(text).not.toMatch(/Isolation|install bubblewrap:/);
  });

  test('parses /proc/self/limits', () => {
    const limits = 'Limit                     Soft Limit           Hard Limit           Units     \nMax open files            1024                 unlimited            files     \n';
    expect(parseOpenFiles(limits)).toEqual({ soft: 1024, hard: Infinity });
    expect(parseOpenFiles('nothing')).toBeUndefined();
  });
});

describe('on this machine', () => {
  test('doctor agrees with the isolation grading uses, and exits 0 exactly when it is full', async () => {
    const facts = await gatherFacts();
    const level = resolveIsolation('auto');
    const full = level.kind === 'bwrap' && level.setpriv !== undefined && limitsAvailable();
    expect(diagnose(facts).level === 'full').toBe(full);
    let stdout = '';
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
    let code: number;
    try {
      code = await main(['doctor', '--json', '--lang', 'en']);
    } finally {
      out.mockRestore();
    }
    const printed = JSON.parse(stdout) as { level: string; exitCode: number };
    expect(code).toBe(full ? 0 : 1);
    expect(printed).toMatchObject({ level: full ? 'full' : expect.any(String), exitCode: code });
  });
});
