/**
 * From the facts of a machine (machine.ts) to what `netgrade doctor` says: one finding per
 * thing looked at, the isolation level grading will get, and the steps to the full one.
 * Pure, so the tests can give it any machine.
 */
import { cliMessages } from '../i18n/cli-messages.ts';
import { DEFAULT_LIMITS } from '../sandbox/limits.ts';
import type { MachineFacts } from './machine.ts';

const { t } = cliMessages;

export type FindingStatus = 'ok' | 'warn' | 'fail' | 'info';
export interface Finding {
  /** What was looked at: node, bwrap, prlimit, uid, openFiles, chromium. */
  id: 'node' | 'bwrap' | 'prlimit' | 'uid' | 'openFiles' | 'chromium';
  status: FindingStatus;
  text: string;
}

/** full: sandbox + own uid (process-count limit) + prlimit; sandbox: bwrap without one of them; limits: prlimit only; none. */
export type IsolationGrade = 'full' | 'sandbox' | 'limits' | 'none';

export interface Diagnosis {
  findings: Finding[];
  level: IsolationGrade;
  levelText: string;
  /** Steps to full isolation (and to grade the browser exercises), in order. */
  fixes: string[];
  /** 0 when grading gets full isolation, 1 otherwise. */
  exitCode: 0 | 1;
}

function nodeCanStrip(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18);
}

export function diagnose(facts: MachineFacts): Diagnosis {
  const findings: Finding[] = [];
  const fixes: string[] = [];
  const limit = String(DEFAULT_LIMITS.openFiles);

  const node = { version: facts.node.version, path: facts.node.path };
  findings.push(nodeCanStrip(facts.node.version) ? { id: 'node', status: 'ok', text: t('doctor.node', node) } : { id: 'node', status: 'fail', text: t('doctor.nodeOld', node) });

  const sandbox = facts.sandbox.bwrap !== undefined && facts.sandbox.problem === undefined;
  if (sandbox) {
    findings.push({ id: 'bwrap', status: 'ok', text: t('doctor.bwrapOk', { path: facts.sandbox.bwrap! }) });
  } else if (facts.sandbox.reason === 'platform') {
    findings.push({ id: 'bwrap', status: 'fail', text: t('doctor.bwrapPlatform', { platform: facts.platform }) });
    fixes.push(t('doctor.fixPlatform'));
  } else if (facts.sandbox.reason === 'fails') {
    findings.push({ id: 'bwrap', status: 'fail', text: t('doctor.bwrapFails', { path: facts.sandbox.bwrap ?? 'bwrap', detail: facts.sandbox.problem ?? '' }) });
    fixes.push(t('doctor.fixNamespaces'));
  } else {
    findings.push({ id: 'bwrap', status: 'fail', text: t('doctor.bwrapMissing') });
    fixes.push(t('doctor.fixBwrap'));
  }

  findings.push(facts.prlimit ? { id: 'prlimit', status: 'ok', text: t('doctor.prlimitOk') } : { id: 'prlimit', status: 'fail', text: t('doctor.prlimitMissing') });
  if (!facts.prlimit && facts.platform === 'linux') fixes.push(t('doctor.fixPrlimit'));

  // The process-count limit: an unprivileged uid per program (bwrap level, as root, with setpriv).
  const ownUid = sandbox && facts.root && facts.sandbox.setpriv !== undefined;
  if (ownUid) findings.push({ id: 'uid', status: 'ok', text: t('doctor.uidOk', { n: DEFAULT_LIMITS.processes }) });
  else if (!facts.root) {
    findings.push({ id: 'uid', status: 'fail', text: t('doctor.uidNotRoot') });
    if (facts.platform === 'linux') fixes.push(t('doctor.fixRoot'));
  } else if (!sandbox) findings.push({ id: 'uid', status: 'fail', text: t('doctor.uidNoSandbox') });
  else {
    findings.push({ id: 'uid', status: 'fail', text: t('doctor.uidNoSetpriv') });
    fixes.push(t('doctor.fixSetpriv'));
  }

  const unlimited = (n: number) => (n === Infinity ? t('doctor.unlimited') : String(n));
  if (!facts.openFiles) findings.push({ id: 'openFiles', status: 'info', text: t('doctor.openFilesUnknown') });
  else if (facts.prlimit && !facts.root && facts.openFiles.hard < DEFAULT_LIMITS.openFiles) {
    findings.push({ id: 'openFiles', status: 'fail', text: t('doctor.openFilesLow', { hard: unlimited(facts.openFiles.hard), limit }) });
    fixes.push(t('doctor.fixOpenFiles', { limit }));
  } else {
    findings.push({ id: 'openFiles', status: 'ok', text: t('doctor.openFiles', { soft: unlimited(facts.openFiles.soft), hard: unlimited(facts.openFiles.hard), limit }) });
  }

  if (facts.browserExercises.length === 0) findings.push({ id: 'chromium', status: 'info', text: t('doctor.chromiumUnused') });
  else if (facts.chromium) findings.push({ id: 'chromium', status: 'ok', text: t('doctor.chromiumOk', { version: facts.chromium.version, path: facts.chromium.path, ids: facts.browserExercises }) });
  else {
    findings.push({ id: 'chromium', status: 'fail', text: t('doctor.chromiumMissing', { ids: facts.browserExercises }) });
    fixes.push(t('doctor.fixChromium', { ids: facts.browserExercises }));
  }

  const openFilesOk = findings.find((f) => f.id === 'openFiles')!.status !== 'fail';
  const level: IsolationGrade = sandbox ? (ownUid && facts.prlimit && openFilesOk ? 'full' : 'sandbox') : facts.prlimit ? 'limits' : 'none';
  const levelText =
    level === 'full'
      ? t('doctor.levelFull')
      : level === 'sandbox'
        ? t('doctor.levelSandbox', { missing: t(!ownUid && !facts.prlimit ? 'doctor.missingBoth' : !ownUid ? 'doctor.missingProcesses' : 'doctor.missingLimits') })
        : level === 'limits'
          ? t('doctor.levelLimits')
          : t('doctor.levelNone');
  return { findings, level, levelText, fixes, exitCode: level === 'full' ? 0 : 1 };
}

const MARKS: Record<FindingStatus, string> = { ok: '✓', warn: '!', fail: '✗', info: '-' };

/** The text doctor prints. */
export function renderDiagnosis(diagnosis: Diagnosis): string {
  const lines = [t('doctor.title'), ''];
  for (const f of diagnosis.findings) lines.push(`  ${MARKS[f.status]} ${f.text}`);
  lines.push('', diagnosis.levelText);
  if (diagnosis.fixes.length > 0) {
    lines.push(t('doctor.toFull'));
    diagnosis.fixes.forEach((fix, i) => lines.push(`  ${i + 1}. ${fix}`));
  }
  return lines.join('\n') + '\n';
}
