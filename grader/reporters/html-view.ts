/**
 * Turns results into what the HTML template shows: pure data, no markup. Everything from
 * a submission stays a plain string here; the template escapes it (handlebars `{{ }}`),
 * and nothing is ever passed through the unescaped `{{{ }}}` form.
 */
import { messages } from '../i18n/messages.ts';
import type { Language } from '../model/language.ts';
import type { Attachment, AttemptTiming, CheckAttempt, CheckResult, CheckStatus, ExerciseResult, SubmissionResult, TranscriptEntry } from '../model/results.ts';

type Translate = ReturnType<typeof messages.in>;

export interface TranscriptRow {
  at: string;
  conn: string;
  kind: TranscriptEntry['kind'];
  /** CSS class: sent, received, event or note. */
  side: 'sent' | 'received' | 'event' | 'note';
  arrow: string;
  /** The kind in words of the report's language ("sent", "发送"). */
  kindLabel: string;
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
  /** "12 bytes of output were dropped", when some were. */
  dropped?: string;
  /** The attempt's time, in words. */
  duration: string;
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
  /** "12 bytes of output were dropped", when some were. */
  dropped?: string;
  /** The check's time and seed, in words. */
  foot: string;
  open: boolean;
  flaky: boolean;
  /** Re-runs with the same seed (empty when the check was not re-run). */
  attempts: AttemptView[];
  /** Evidence the check attached (screenshots, logs). */
  attachments: AttachmentView[];
}

/** An attachment as the page shows it: an image (data URL) or text in a `<pre>`. */
export interface AttachmentView {
  name: string;
  /** `data:image/png;base64,…` for images. */
  imageSrc?: string;
  text?: string;
}

/** One part of a check's bar in the timeline (x and width in 0–1000 of the exercise's span). */
export interface TimelineSegment {
  x: number;
  width: number;
  kind: 'queued' | 'serverStart' | 'program' | 'probe' | 'exitGrace' | 'teardown';
  /** Tooltip: "echo.basic, starting your server: 112 ms". */
  label: string;
}

export interface TimelineRow {
  id: string;
  anchor: string;
  /** CSS class of the check's status (the probe segment's colour). */
  status: CheckStatus;
  alone?: string;
  segments: TimelineSegment[];
}

/** The exercise's per-check waterfall: what waited on what. */
export interface TimelineView {
  caption: string;
  note: string;
  legend: Array<{ kind: TimelineSegment['kind']; label: string }>;
  rows: TimelineRow[];
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
  /** Absent when the results carry no timing (older graders) or no check ran. */
  timeline?: TimelineView;
}

export interface ReportView {
  /** The `lang` attribute of the page. */
  lang: Language;
  /** The page's fixed text, in its language. */
  text: ReportText;
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

/** The fixed text of the student report, in one language. */
export interface ReportText {
  gradedBy: string;
  seed: string;
  replay: string;
  isolation: string;
  language: string;
  exercisesNav: string;
  expected: string;
  actual: string;
  legendSent: string;
  legendReceived: string;
  legendRest: string;
  colTime: string;
  colConn: string;
  colDir: string;
  colData: string;
  stdout: string;
  stderr: string;
  hex: string;
  flaky: string;
  evidence: string;
  footer: string;
  legend: string;
}

const MARKS: Record<CheckStatus, string> = { passed: '✓', failed: '✗', error: '!', timeout: '◷', skipped: '–', flaky: '≈' };

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

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

export function transcriptRow(entry: TranscriptEntry, t: Translate = messages.in('en')): TranscriptRow {
  const side = entry.kind === 'sent' || entry.kind === 'received' ? entry.kind : entry.kind === 'note' ? 'note' : 'event';
  const arrow = side === 'sent' ? '→' : side === 'received' ? '←' : '·';
  const row: TranscriptRow = { at: `${entry.at.toFixed(1)} ms`, conn: entry.conn, kind: entry.kind, kindLabel: t(`event.${entry.kind}`), side, arrow };
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
    if (entry.text !== undefined) row.detail = entry.text;
  }
  return row;
}

/** What a check and each of its re-runs show alike: status, message, expected and actual, time. */
function outcomeView<S extends CheckStatus>(
  t: Translate,
  outcome: Pick<CheckResult, 'message' | 'expected' | 'actual' | 'durationMs'> & { status: S },
) {
  return {
    status: outcome.status,
    statusLabel: t(`status.${outcome.status as CheckStatus}`),
    mark: MARKS[outcome.status],
    message: outcome.message,
    ...(outcome.expected !== undefined ? { expected: outcome.expected } : {}),
    ...(outcome.actual !== undefined ? { actual: outcome.actual } : {}),
    hasComparison: outcome.expected !== undefined || outcome.actual !== undefined,
    durationMs: outcome.durationMs,
  };
}

function attemptView(t: Translate, attempt: CheckAttempt): AttemptView {
  const rows = attempt.transcript?.map((entry) => transcriptRow(entry, t)) ?? [];
  return {
    label: t('html.rerun', { n: attempt.attempt - 1 }),
    ...outcomeView(t, attempt),
    transcriptLabel: t('html.events', { label: t('html.transcriptRerun'), n: rows.length }),
    transcript: rows,
    ...(attempt.transcript === undefined ? { note: t('html.rerunSame') } : {}),
    ...(attempt.output?.stdout ? { stdout: attempt.output.stdout } : {}),
    ...(attempt.output?.stderr ? { stderr: attempt.output.stderr } : {}),
    droppedBytes: attempt.output?.droppedBytes ?? 0,
    ...(attempt.output?.droppedBytes ? { dropped: t('html.dropped', { bytes: { bytes: attempt.output.droppedBytes } }) } : {}),
    duration: t('html.duration', { duration: { ms: attempt.durationMs } }),
    open: false,
  };
}

function attachmentView(attachment: Attachment): AttachmentView {
  if (attachment.encoding === 'base64') return { name: attachment.name, imageSrc: `data:${attachment.contentType};base64,${attachment.body}` };
  if (attachment.contentType !== 'application/json') return { name: attachment.name, text: attachment.body };
  try {
    return { name: attachment.name, text: JSON.stringify(JSON.parse(attachment.body), null, 2) };
  } catch {
    return { name: attachment.name, text: attachment.body };
  }
}

const SEGMENT_KINDS = ['queued', 'serverStart', 'program', 'probe', 'exitGrace', 'teardown'] as const;
const SEGMENT_FIELD = {
  queued: 'queuedMs',
  serverStart: 'serverStartMs',
  program: 'programMs',
  probe: 'probeMs',
  exitGrace: 'exitGraceMs',
  teardown: 'teardownMs',
} as const satisfies Record<(typeof SEGMENT_KINDS)[number], keyof AttemptTiming>;

/**
 * The exercise's waterfall: each check's attempts as bars on the exercise's clock, split
 * into where the time went (`CheckTiming`). Drawn by the template as inline SVG: no script.
 */
export function timelineView(t: Translate, exercise: ExerciseResult): TimelineView | undefined {
  const attempts = exercise.checks.flatMap((check) => {
    if (!check.timing) return [];
    const all: AttemptTiming[] = [check.timing, ...(check.timing.reruns ?? [])];
    return all.map((timing, index) => ({ check, timing, rerun: index }));
  });
  if (attempts.length === 0) return undefined;
  const begin = (timing: AttemptTiming) => timing.startedAtMs - timing.queuedMs;
  const length = (timing: AttemptTiming) => SEGMENT_KINDS.reduce((sum, kind) => sum + timing[SEGMENT_FIELD[kind]], 0);
  const origin = Math.min(...attempts.map(({ timing }) => begin(timing)));
  const end = Math.max(...attempts.map(({ timing }) => begin(timing) + length(timing)));
  const span = Math.max(end - origin, 1);
  const scale = (ms: number) => Math.round((ms / span) * 10000) / 10;
  const what = Object.fromEntries(SEGMENT_KINDS.map((kind) => [kind, t(`html.timeline.${kind}`)])) as Record<TimelineSegment['kind'], string>;
  const rows = attempts.map(({ check, timing, rerun }): TimelineRow => {
    const name = rerun === 0 ? check.id : t('html.timeline.rerun', { id: check.id, n: rerun });
    let at = begin(timing) - origin;
    const segments: TimelineSegment[] = [];
    for (const kind of SEGMENT_KINDS) {
      const ms = timing[SEGMENT_FIELD[kind]];
      if (ms > 0) segments.push({ x: scale(at), width: Math.max(scale(ms), 0.5), kind, label: t('html.timeline.segment', { id: name, what: what[kind], duration: { ms: Math.round(ms) } }) });
      at += ms;
    }
    return {
      id: name,
      anchor: `${exercise.id}--${check.id}`.replace(/[^a-zA-Z0-9_-]/g, '-'),
      status: check.status,
      ...(timing.alone ? { alone: t('html.timeline.alone', { id: check.id }) } : {}),
      segments,
    };
  });
  return {
    caption: t('html.timeline', { duration: { ms: Math.round(span) } }),
    note: t('html.timeline.note'),
    legend: SEGMENT_KINDS.map((kind) => ({ kind, label: what[kind] })),
    rows,
  };
}

function checkView(t: Translate, exerciseId: string, check: CheckResult): CheckView {
  const attempts = (check.attempts ?? []).map((attempt) => attemptView(t, attempt));
  const transcript = check.transcript.map((entry) => transcriptRow(entry, t));
  return {
    id: check.id,
    anchor: `${exerciseId}--${check.id}`.replace(/[^a-zA-Z0-9_-]/g, '-'),
    title: check.title,
    ...outcomeView(t, check),
    points: check.points,
    maxPoints: check.maxPoints,
    seed: check.seed,
    transcriptLabel: t('html.events', { label: t(attempts.length > 0 ? 'html.transcriptFirst' : 'html.transcript'), n: transcript.length }),
    transcript,
    ...(check.output?.stdout ? { stdout: check.output.stdout } : {}),
    ...(check.output?.stderr ? { stderr: check.output.stderr } : {}),
    droppedBytes: check.output?.droppedBytes ?? 0,
    ...(check.output?.droppedBytes ? { dropped: t('html.dropped', { bytes: { bytes: check.output.droppedBytes } }) } : {}),
    foot: t('html.checkFoot', { duration: { ms: check.durationMs }, seed: String(check.seed) }),
    open: check.status !== 'passed' && check.status !== 'skipped',
    flaky: check.status === 'flaky',
    attempts,
    attachments: (check.attachments ?? []).map(attachmentView),
  };
}

export function reportView(result: SubmissionResult, replayCommand: string): ReportView {
  const lang = result.language ?? 'en';
  const t = messages.in(lang);
  const percent = (score: number, max: number) => (max === 0 ? 0 : Math.round((score / max) * 100));
  const duration = t('terminal.seconds', { duration: { seconds: result.durationMs / 1000 } });
  return {
    lang,
    text: {
      gradedBy: t('html.gradedBy', { version: result.grader.version, node: result.grader.node, startedAt: new Date(result.startedAt), duration }),
      seed: t('html.seed'),
      replay: t('html.replay'),
      isolation: t('html.isolation', { isolation: result.isolation }),
      language: t('html.language'),
      exercisesNav: t('html.exercisesNav'),
      expected: t('html.expected'),
      actual: t('html.actual'),
      legendSent: t('html.legend.sent'),
      legendReceived: t('html.legend.received'),
      legendRest: t('html.legend.rest'),
      colTime: t('html.col.time'),
      colConn: t('html.col.conn'),
      colDir: t('html.col.dir'),
      colData: t('html.col.data'),
      stdout: t('html.stdout'),
      stderr: t('html.stderr'),
      hex: t('html.hex'),
      flaky: t('status.flaky'),
      evidence: t('html.evidence'),
      footer: t('html.footer'),
      legend: t('status.legend'),
    },
    title: t('html.title', { name: result.submission.name }),
    submissionName: result.submission.name,
    submissionPath: result.submission.path,
    score: result.score,
    maxScore: result.maxScore,
    percent: percent(result.score, result.maxScore),
    seed: result.seed,
    replay: replayCommand,
    isolation: result.isolation,
    startedAt: result.startedAt,
    duration,
    graderVersion: result.grader.version,
    node: result.grader.node,
    exercises: result.exercises.map((exercise) => {
      const passed = exercise.checks.filter((c) => c.status === 'passed').length;
      const flaky = exercise.checks.filter((c) => c.status === 'flaky').length;
      const total = exercise.checks.length;
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
        checks: exercise.checks.map((c) => checkView(t, exercise.id, c)),
        counts: flaky > 0 ? t('html.countsFlaky', { passed, total, flaky }) : t('html.counts', { passed, total }),
        ...optional('timeline', timelineView(t, exercise)),
      };
    }),
  };
}
