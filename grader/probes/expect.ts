/**
 * Expectation helpers: each either returns what it read or throws a CheckFailure whose
 * message says what was sent, what was expected and what came back (or that nothing did).
 */
import { CheckFailure } from '../model/errors.ts';
import type { ReadOutcome, TcpProbe } from './tcp.ts';

/**
 * How long a check watches for something that must not happen (a reply, a datagram, a
 * write): absence can only be observed over time. Every check starts the window after a
 * positive event (the server has read our bytes, or answered, or a mark has come back), so
 * a reply or write made by mistake is already under way: 100 ms is the margin for a loaded
 * machine (it was 250-300 ms, paid in full by every correct server). Where absence itself
 * is the point (a server waiting for a pause), a check watches longer, under its own name.
 */
export const ABSENCE_MS = 100;

/** Quotes text for a message: escapes control characters, shortens long text. */
export function show(value: string | Uint8Array, max = 160): string {
  let text: string;
  if (typeof value === 'string') {
    text = value;
  } else {
    const buf = Buffer.from(value);
    const decoded = buf.toString('utf8');
    const printable = !decoded.includes('\uFFFD') && !/[\x00-\x08\x0e-\x1f]/.test(decoded);
    if (!printable) {
      const hex = buf.subarray(0, Math.ceil(max / 3)).toString('hex').replace(/(..)/g, '$1 ').trim();
      return `<${buf.length} bytes: ${hex}${buf.length > max / 3 ? ' …' : ''}>`;
    }
    text = decoded;
  }
  const escaped = JSON.stringify(text.length > max ? text.slice(0, max) : text);
  return text.length > max ? `${escaped.slice(0, -1)}…" (${text.length} characters)` : escaped;
}

/** "nothing within 2000 ms", "the connection closed after ...", for `actual` fields. */
export function describeOutcome<T>(outcome: ReadOutcome<T>, render: (value: T) => string = (v) => String(v)): string {
  switch (outcome.kind) {
    case 'ok':
      return render(outcome.value);
    case 'timeout':
      return outcome.partial.length === 0
        ? `nothing within ${outcome.waitedMs} ms`
        : `only ${show(outcome.partial)} within ${outcome.waitedMs} ms (no complete reply)`;
    case 'closed': {
      const how = outcome.reset ? 'the server reset the connection' : 'the server closed the connection';
      return outcome.partial.length === 0 ? how : `${show(outcome.partial)}, then ${how}`;
    }
  }
}

export interface ExpectContext {
  /** What the probe did before, for the message: e.g. `after sending "PING\n" on c1`. */
  after: string;
  timeoutMs: number;
}

/** Reads a line and requires it to equal `expected` (or match it). Returns the line. */
export async function expectLine(probe: TcpProbe, expected: string | RegExp, context: ExpectContext): Promise<string> {
  const outcome = await probe.readLine(context.timeoutMs);
  const wanted = typeof expected === 'string' ? show(expected) : `a line matching ${expected}`;
  if (outcome.kind === 'ok') {
    const ok = typeof expected === 'string' ? outcome.value === expected : expected.test(outcome.value);
    if (ok) return outcome.value;
    throw new CheckFailure(`${capitalise(context.after)} on ${probe.label}, expected the reply ${wanted} but got ${show(outcome.value)}.`, {
      expected: typeof expected === 'string' ? expected + '\n' : String(expected),
      actual: outcome.value + '\n',
    });
  }
  throw new CheckFailure(`${capitalise(context.after)} on ${probe.label}, expected the reply ${wanted} but got ${describeOutcome(outcome)}.`, {
    expected: typeof expected === 'string' ? expected + '\n' : String(expected),
    actual: describeOutcome(outcome),
  });
}

/** Requires the server to close the connection (FIN or reset) within the deadline. */
export async function expectClosed(probe: TcpProbe, context: ExpectContext): Promise<void> {
  const outcome = await probe.readUntilClosed(context.timeoutMs);
  if (outcome.kind === 'ok' && outcome.value.length === 0) return;
  if (outcome.kind === 'ok') {
    throw new CheckFailure(`${capitalise(context.after)} on ${probe.label}, expected the server to close the connection without a reply, but it sent ${show(outcome.value)} first.`, {
      expected: '(connection closed, nothing sent)',
      actual: show(outcome.value),
    });
  }
  throw new CheckFailure(`${capitalise(context.after)} on ${probe.label}, expected the server to close the connection, but it was still open after ${context.timeoutMs} ms.`, {
    expected: '(connection closed)',
    actual: describeOutcome(outcome),
  });
}

/** Fails with expected/actual when `actual !== expected`. */
export function expectEqual<T>(actual: T, expected: T, message: string, render: (v: T) => string = (v) => String(v)): void {
  if (actual === expected) return;
  throw new CheckFailure(message, { expected: render(expected), actual: render(actual) });
}

export function fail(message: string, detail: { expected?: string; actual?: string } = {}): never {
  throw new CheckFailure(message, detail);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
