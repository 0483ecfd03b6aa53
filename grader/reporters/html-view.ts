/**
 * Turns results into what the HTML template shows: pure data, no markup. Everything from
 * a submission stays a plain string here; the template escapes it (handlebars `{{ }}`),
 * and nothing is ever passed through the unescaped `{{{ }}}` form.
 */
import type { CheckAttempt, CheckResult, CheckStatus, ExerciseResult, SubmissionResult, TranscriptEntry } from '../model/results.ts';

export interface TranscriptRow {
  at: string;
  conn: string;
  kind: TranscriptEntry['kind'];
  /** CSS class: sent, received, event or note. */
  side: 'sent' | 'received' | 'event' | 'note';
  arrow: string;
  /** Readable text (UTF-8), with line ends made visible; undefined for binary data. */
  text?: string;
  /** Binary data as text: valid UTF-8 kept, other bytes as \xNN escapes (length headers, NULs). */
  escaped?: string;
  /** Hex dump for binary data. */
  hex?: string;
  detail?: string;
  size?: string;
}

/** A re-run of a check (same seed), shown collapsed under the check. */
export interface AttemptView {
  /** "Re-run 1 with the same seed". */
  label: string;
  status: CheckAttempt['status'];
  statusLabel: string;
  mark: string;
  message: string;
  expected?: string;
  actual?: string;
  hasComparison: boolean;
  durationMs: number;
  transcriptLabel: string;
  transcript: TranscriptRow[];
  /** Why there is no transcript (it failed exactly as the first attempt did). */
  note?: string;
  stdout?: string;
  stderr?: string;
  droppedBytes: number;
  open: false;
}

export interface CheckView {
  id: string;
  anchor: string;
  title: string;
  status: CheckStatus;
  statusLabel: string;
  mark: string;
  points: number;
  maxPoints: number;
  message: string;
  expected?: string;
  actual?: string;
  hasComparison: boolean;
  durationMs: number;
  seed: number;
  /** "Transcript", or "Transcript of the first attempt" when the check was re-run. */
  transcriptLabel: string;
  transcript: TranscriptRow[];
  stdout?: string;
  stderr?: string;
  droppedBytes: number;
  open: boolean;
  flaky: boolean;
  /** Re-runs with the same seed (empty when the check was not re-run). */
  attempts: AttemptView[];
}

export interface ExerciseView {
  id: string;
  title: string;
  score: number;
  maxScore: number;
  percent: number;
  submitted: boolean;
  verdict?: ExerciseResult['verdict'];
  notes: string[];
  parts: Array<{ id: string; score: number; maxScore: number }>;
  checks: CheckView[];
  counts: string;
}

export interface ReportView {
  title: string;
  submissionName: string;
  submissionPath: string;
  score: number;
  maxScore: number;
  percent: number;
  seed: number;
  replay: string;
  isolation: string;
  startedAt: string;
  duration: string;
  graderVersion: string;
  node: string;
  exercises: ExerciseView[];
}

const STATUS_LABEL: Record<CheckStatus, { label: string; mark: string }> = {
  passed: { label: 'passed', mark: '✓' },
  failed: { label: 'failed', mark: '✗' },
  error: { label: 'error', mark: '!' },
  timeout: { label: 'timed out', mark: '◷' },
  skipped: { label: 'not run', mark: '–' },
  flaky: { label: 'flaky', mark: '≈' },
};

function isPrintable(text: string): boolean {
  return !text.includes('\uFFFD') && !/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(text);
}

/** Makes line ends and tabs visible while keeping the text readable. */
export function visibleText(text: string): string {
  return text.replace(/\r/g, '\\r').replace(/\t/g, '\\t').replace(/\n/g, '↵\n');
}

/**
 * Bytes as readable text: valid UTF-8 characters as themselves, control and invalid bytes
 * as `\xNN`, line ends made visible. Shows "\x00\x00\x00\x0c张三 18" rather than hex only.
 */
export function escapedText(bytes: Uint8Array, maxBytes = 4096): string {
  const buf = Buffer.from(bytes.subarray(0, maxBytes));
  let out = '';
  let i = 0;
  while (i < buf.length) {
    const b = buf[i]!;
    const width = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 ? 2 : 0;
    const char = width > 0 ? buf.subarray(i, i + width).toString('utf8') : '\uFFFD';
    const valid = width > 0 && i + width <= buf.length && !char.includes('\uFFFD');
    if (valid && width === 1 && (b < 0x20 || b === 0x7f) && b !== 0x0a && b !== 0x0d && b !== 0x09) {
      out += `\\x${b.toString(16).padStart(2, '0')}`;
    } else if (valid) {
      out += char;
      i += width;
      continue;
    } else {
      out += `\\x${b.toString(16).padStart(2, '0')}`;
    }
    i += 1;
  }
  return visibleText(out) + (bytes.length > maxBytes ? `… ${bytes.length - maxBytes} more bytes` : '');
}

/** A classic hex dump: offset, 16 bytes in hex, the printable ASCII beside them. */
export function hexDump(bytes: Uint8Array, maxBytes = 1024): string {
  const lines: string[] = [];
  const shown = bytes.subarray(0, maxBytes);
  for (let offset = 0; offset < shown.length; offset += 16) {
    const row = shown.subarray(offset, offset + 16);
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${offset.toString(16).padStart(6, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  if (bytes.length > maxBytes) lines.push(`… ${bytes.length - maxBytes} more bytes`);
  return lines.join('\n');
}

export function transcriptRow(entry: TranscriptEntry): TranscriptRow {
  const side = entry.kind === 'sent' || entry.kind === 'received' ? entry.kind : entry.kind === 'note' ? 'note' : 'event';
  const arrow = side === 'sent' ? '→' : side === 'received' ? '←' : '·';
  const row: TranscriptRow = { at: `${entry.at.toFixed(1)} ms`, conn: entry.conn, kind: entry.kind, side, arrow };
  if (entry.data !== undefined) {
    const bytes = Buffer.from(entry.data, 'base64');
    const text = bytes.toString('utf8');
    row.size = `${bytes.length} B`;
    if (isPrintable(text)) {
      row.text = visibleText(text);
    } else {
      row.escaped = escapedText(bytes);
      row.hex = hexDump(bytes);
    }
    if (entry.text) row.detail = entry.text;
  } else {
    row.detail = entry.text ?? entry.kind;
  }
  return row;
}

/** What a check and each of its re-runs show alike: status, message, expected and actual, time. */
function outcomeView<S extends CheckStatus>(
  outcome: Pick<CheckResult, 'message' | 'expected' | 'actual' | 'durationMs'> & { status: S },
) {
  const status = STATUS_LABEL[outcome.status];
  return {
    status: outcome.status,
    statusLabel: status.label,
    mark: status.mark,
    message: outcome.message,
    ...(outcome.expected !== undefined ? { expected: outcome.expected } : {}),
    ...(outcome.actual !== undefined ? { actual: outcome.actual } : {}),
    hasComparison: outcome.expected !== undefined || outcome.actual !== undefined,
    durationMs: outcome.durationMs,
  };
}

function attemptView(attempt: CheckAttempt): AttemptView {
  const rows = attempt.transcript?.map(transcriptRow) ?? [];
  return {
    label: `Re-run ${attempt.attempt - 1} with the same seed`,
    ...outcomeView(attempt),
    transcriptLabel: 'Transcript of this re-run',
    transcript: rows,
    ...(attempt.transcript === undefined ? { note: 'It failed exactly as the first attempt did: same result, same message (its transcript is not kept).' } : {}),
    ...(attempt.output?.stdout ? { stdout: attempt.output.stdout } : {}),
    ...(attempt.output?.stderr ? { stderr: attempt.output.stderr } : {}),
    droppedBytes: attempt.output?.droppedBytes ?? 0,
    open: false,
  };
}

function checkView(exerciseId: string, check: CheckResult): CheckView {
  const attempts = (check.attempts ?? []).map(attemptView);
  return {
    id: check.id,
    anchor: `${exerciseId}--${check.id}`.replace(/[^a-zA-Z0-9_-]/g, '-'),
    title: check.title,
    ...outcomeView(check),
    points: check.points,
    maxPoints: check.maxPoints,
    seed: check.seed,
    transcriptLabel: attempts.length > 0 ? 'Transcript of the first attempt' : 'Transcript',
    transcript: check.transcript.map(transcriptRow),
    ...(check.output?.stdout ? { stdout: check.output.stdout } : {}),
    ...(check.output?.stderr ? { stderr: check.output.stderr } : {}),
    droppedBytes: check.output?.droppedBytes ?? 0,
    open: check.status !== 'passed' && check.status !== 'skipped',
    flaky: check.status === 'flaky',
    attempts,
  };
}

export function reportView(result: SubmissionResult, replayCommand: string): ReportView {
  const percent = (score: number, max: number) => (max === 0 ? 0 : Math.round((score / max) * 100));
  return {
    title: `netgrade report: ${result.submission.name}`,
    submissionName: result.submission.name,
    submissionPath: result.submission.path,
    score: result.score,
    maxScore: result.maxScore,
    percent: percent(result.score, result.maxScore),
    seed: result.seed,
    replay: replayCommand,
    isolation: result.isolation,
    startedAt: result.startedAt,
    duration: `${(result.durationMs / 1000).toFixed(1)} s`,
    graderVersion: result.grader.version,
    node: result.grader.node,
    exercises: result.exercises.map((exercise) => {
      const passed = exercise.checks.filter((c) => c.status === 'passed').length;
      const flaky = exercise.checks.filter((c) => c.status === 'flaky').length;
      return {
        id: exercise.id,
        title: exercise.title,
        score: exercise.score,
        maxScore: exercise.maxScore,
        percent: percent(exercise.score, exercise.maxScore),
        submitted: exercise.submitted,
        ...(exercise.verdict ? { verdict: exercise.verdict } : {}),
        notes: exercise.notes,
        parts: exercise.parts,
        checks: exercise.checks.map((c) => checkView(exercise.id, c)),
        counts: `${passed} of ${exercise.checks.length} checks passed${flaky > 0 ? `, ${flaky} flaky (no points)` : ''}`,
      };
    }),
  };
}
