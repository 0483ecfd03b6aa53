/**
 * stage-exam, part echo: the concurrent echo server (收到收到). Every check starts its own
 * fresh server, so a server killed by one check costs only that check and stdout is judged
 * per check.
 */
import type { CheckContext, CheckDefinition } from '../../grader/exercise/define.ts';
import { CheckFailure } from '../../grader/model/errors.ts';
import { ABSENCE_MS, describeOutcome, expectClosed, expectSilence, show } from '../../grader/probes/expect.ts';
import { bytewise, utf8Split } from '../../grader/probes/segmentation.ts';
import type { TcpProbe } from '../../grader/probes/tcp.ts';
import { waitUntilAccepted } from '../../grader/probes/delivery.ts';
import type { RunningServer } from '../../grader/sandbox/sandbox.ts';
import { text } from './messages.ts';

const { t } = text;

export const REPLY = Buffer.from('收到收到\n', 'utf8');
const REPLY_TEXT = '收到收到\\n';
/** A reply (or a close) on loopback: a correct server answers in milliseconds. */
const REPLY_MS = 1500;
/** How long "nothing more arrives" is watched, once the expected replies are in or every byte sent was read. */
const QUIET_MS = ABSENCE_MS;
/**
 * How long `echo.split-line` watches a line that has not ended yet. Longer than QUIET_MS on
 * purpose: here absence is the point, since a server that takes a pause in the input for
 * the end of a line (an idle timer instead of \n) answers only once its timer fires. It
 * catches such timers up to about this long; the one check that pays it is worth it.
 */
const UNENDED_LINE_WATCH_MS = 400;
/** The load check: clients connected at once, and messages each sends. */
const LOAD_CLIENTS = 50;
const LOAD_MESSAGES = 20;
/** Under load a reply may take longer; still far from what a blocked client waits. */
const LOAD_REPLY_MS = 3000;

function replies(n: number): Buffer {
  return Buffer.concat(Array.from({ length: n }, () => REPLY));
}

function describeBytes(bytes: Buffer): string {
  if (bytes.length === 0) return t('bytes.nothing');
  let count = 0;
  let at = 0;
  while (bytes.subarray(at, at + REPLY.length).equals(REPLY)) {
    count++;
    at += REPLY.length;
  }
  if (at === bytes.length) return t('bytes.replies', { n: count, reply: REPLY_TEXT });
  return show(bytes);
}

/**
 * Reads exactly `n` replies, then requires that nothing more arrives within QUIET_MS and
 * (unless `closes`) that the connection stays open. Throws a CheckFailure saying `what`.
 */
async function expectReplies(
  probe: TcpProbe,
  n: number,
  ctx: CheckContext,
  what: string,
  hint: string,
  options: { closes?: boolean; quiet?: boolean } = {},
): Promise<void> {
  const want = replies(n);
  const wanted = n === 0 ? t('replies.none') : t('replies.exactly', { n, reply: REPLY_TEXT });
  const fail = (got: string) =>
    new CheckFailure(t(options.closes ? 'replies.failClose' : 'replies.fail', { what, conn: probe.label, want: wanted, got, hint }), {
      expected: t(options.closes ? 'replies.expectedClose' : 'replies.expected', { n, reply: REPLY_TEXT }),
      actual: got,
    });
  if (options.closes && n === 0) {
    await expectClosed(probe, { after: what, timeoutMs: ctx.ms(REPLY_MS), hint });
    return;
  }
  if (options.closes) {
    const outcome = await probe.readUntilClosed(ctx.ms(REPLY_MS));
    if (outcome.kind === 'ok') {
      if (outcome.value.equals(want)) return;
      throw fail(t('replies.thenClose', { got: describeBytes(outcome.value) }));
    }
    throw fail(t('replies.stillOpen', { got: describeBytes(probe.pending), ms: { ms: ctx.ms(REPLY_MS) } }));
  }
  if (n > 0) {
    const outcome = await probe.readBytes(want.length, ctx.ms(REPLY_MS));
    if (outcome.kind !== 'ok') throw fail(describeOutcome(outcome, describeBytes));
    if (!outcome.value.equals(want)) throw fail(show(outcome.value));
  }
  if (options.quiet === false) return;
  await expectSilence(probe, {
    after: n === 0 ? what : t('replies.afterExpected', { what, n }),
    ms: ctx.ms(QUIET_MS),
    open: true,
    hint: t('replies.quietHint', { n, hint }),
    meaning: t('replies.quietMeaning', { ms: { ms: ctx.ms(QUIET_MS) } }),
  });
}

/** The server's stdout split into lines, keeping a `\r` (a line ending in `\r` does not count). */
function stdoutLines(server: RunningServer): string[] {
  return server.process.stdout.text().split('\n');
}

const printed = (lines: string[], message: string) => lines.some((line) => line.endsWith(message));

/** Waits until every message is printed as (the end of) a stdout line; returns those missing. */
async function waitForStdout(server: RunningServer, messages: string[], timeoutMs: number): Promise<string[]> {
  const missing = () => {
    const lines = stdoutLines(server);
    return messages.filter((m) => !printed(lines, m));
  };
  if (missing().length === 0) return [];
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      stop();
      resolve(missing());
    };
    const timer = setTimeout(done, timeoutMs);
    const stop = server.process.stdout.onData(() => {
      if (missing().length === 0) done();
    });
  });
}

function stdoutExcerpt(server: RunningServer): string {
  return server.process.stdout.excerpt(15, 1500) || t('stdout.nothing');
}

async function expectOnStdout(server: RunningServer, messages: string[], ctx: CheckContext, context: string): Promise<void> {
  const missing = await waitForStdout(server, messages, ctx.ms(REPLY_MS));
  if (missing.length === 0) return;
  const lines = stdoutLines(server);
  for (const message of missing) {
    if (printed(lines, `${message}\r`)) {
      throw new CheckFailure(t('stdout.cr', { context, shown: show(`${message}\r`) }), {
        expected: t('stdout.lineEndingWith', { message: show(message) }),
        actual: stdoutExcerpt(server),
      });
    }
    const mangled = lines.find((line) => line.includes('\uFFFD'));
    if (mangled !== undefined) {
      throw new CheckFailure(t('stdout.mangled', { context, message: show(message), mangled: show(mangled) }), {
        expected: t('stdout.lineEndingWith', { message: show(message) }),
        actual: stdoutExcerpt(server),
      });
    }
  }
  throw new CheckFailure(
    t(missing.length > 1 ? 'stdout.missingMany' : 'stdout.missingOne', { context, messages: missing.map((m) => show(m)), ms: { ms: ctx.ms(REPLY_MS) } }),
    { expected: missing.map((m) => t('stdout.lineEndingWith', { message: show(m) })).join('\n'), actual: stdoutExcerpt(server) },
  );
}


const framing = () => t('hint.framing');

export const echoChecks: CheckDefinition[] = [
  {
    id: 'echo.basic',
    get title() {
      return t('echo.basic.title');
    },
    points: 3,
    part: 'echo',
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      await probe.send('你好\n');
      await expectReplies(probe, 1, ctx, t('sent', { data: '"你好\\n"' }), t('basic.hint', { reply: REPLY_TEXT }));
    },
  },
  {
    id: 'echo.pipelined',
    get title() {
      return t('echo.pipelined.title');
    },
    points: 4,
    part: 'echo',
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      await probe.send('一\n\nthree\n');
      await expectReplies(probe, 3, ctx, t('pipelined.what'), t('pipelined.hint', { framing: framing() }));
    },
  },
  {
    id: 'echo.split-line',
    get title() {
      return t('echo.split-line.title');
    },
    points: 4,
    part: 'echo',
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      await probe.send('hello world', { segmentation: bytewise, paced: true });
      const early = await probe.collectFor(ctx.ms(UNENDED_LINE_WATCH_MS));
      if (early.length > 0) {
        throw new CheckFailure(t('split.early', { conn: probe.label, got: describeBytes(early), framing: framing() }), {
          expected: t('split.early.expected'),
          actual: describeBytes(early),
        });
      }
      await probe.send('\n');
      await expectReplies(probe, 1, ctx, t('split.what'), framing());
    },
  },
  {
    id: 'echo.split-utf8',
    get title() {
      return t('echo.split-utf8.title');
    },
    points: 4,
    part: 'echo',
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      const message = '收到消息✓ñ-utf8';
      await probe.send(`${message}\n`, { segmentation: utf8Split });
      await expectReplies(probe, 1, ctx, t('utf8.what', { data: show(`${message}\n`) }), framing());
      await expectOnStdout(server, [message], ctx, t('utf8.context', { data: show(`${message}\n`) }));
    },
  },
  {
    id: 'echo.crlf',
    get title() {
      return t('echo.crlf.title');
    },
    points: 2,
    part: 'echo',
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      await probe.send('hello-crlf\r\n');
      await expectReplies(probe, 1, ctx, t('sent', { data: '"hello-crlf\\r\\n"' }), t('crlf.hint'), { quiet: false });
      await expectOnStdout(server, ['hello-crlf'], ctx, t('crlf.context', { data: '"hello-crlf\\r\\n"' }));
      // A \r anywhere else is an ordinary character of the line (node:readline, for one, ends a line there).
      await probe.send('a\rb\n');
      await expectReplies(
        probe,
        1,
        ctx,
        t('crlf.innerWhat'),
        t('crlf.innerHint'),
      );
      await expectOnStdout(server, ['a\rb'], ctx, t('crlf.context', { data: '"a\\rb\\n"' }));
      await probe.send('Q\r\n');
      await expectReplies(probe, 0, ctx, t('crlf.quitWhat'), t('crlf.quitHint'), { closes: true });
    },
  },
  {
    id: 'echo.quit',
    get title() {
      return t('echo.quit.title');
    },
    points: 3,
    part: 'echo',
    async run(ctx) {
      const server = await ctx.startServer();
      const first = await ctx.connect(server);
      await first.send('hi\nQ\nafter\n');
      await expectReplies(first, 1, ctx, t('quit.what'), t('quit.hint', { framing: framing() }), { closes: true });
      const second = await ctx.connect(server);
      await second.send('Q\n');
      await expectReplies(second, 0, ctx, t('sent', { data: '"Q\\n"' }), t('quit.aloneHint'), { closes: true });
    },
  },
  {
    id: 'echo.quit-any-case',
    get title() {
      return t('echo.quit-any-case.title');
    },
    points: 3,
    part: 'echo',
    async run(ctx) {
      const server = await ctx.startServer();
      for (const line of ['q\n', '  Q  \n', '\tq\r\n']) {
        const probe = await ctx.connect(server);
        await probe.send(line);
        await expectReplies(probe, 0, ctx, t('sent', { data: show(line) }), t('anyCase.hint'), { closes: true });
      }
      const probe = await ctx.connect(server);
      await probe.send('quit\n');
      await expectReplies(probe, 1, ctx, t('sent', { data: '"quit\\n"' }), t('anyCase.quitHint'));
    },
  },
  {
    id: 'echo.fin',
    get title() {
      return t('echo.fin.title');
    },
    points: 3,
    part: 'echo',
    async run(ctx) {
      const server = await ctx.startServer();
      const cases: { send: string; replies: number }[] = [
        { send: 'hello', replies: 1 },
        { send: 'a\nb', replies: 2 },
        { send: 'Q', replies: 0 },
        { send: 'x\n', replies: 1 },
      ];
      for (const c of cases) {
        const probe = await ctx.connect(server);
        await probe.send(c.send);
        probe.end();
        await expectReplies(
          probe,
          c.replies,
          ctx,
          t('fin.what', { data: show(c.send) }),
          t('fin.hint'),
          { closes: true },
        );
      }
    },
  },
  {
    id: 'echo.stdout',
    get title() {
      return t('echo.stdout.title');
    },
    points: 3,
    part: 'echo',
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      const messages = [`stdout-1-${ctx.random.int(100000, 999999)}`, '第二条消息 two', 'three 3'];
      for (const message of messages) {
        await probe.send(`${message}\n`);
        await expectReplies(probe, 1, ctx, t('sent', { data: show(`${message}\n`) }), t('stdout.hint'), { quiet: false });
      }
      await expectOnStdout(server, messages, ctx, t('stdout.context'));
    },
  },
  {
    id: 'echo.idle-client',
    /** Needs the machine to itself (timing): a third client echoed within 1500 ms while one is silent and one stopped mid-line. */
    exclusive: true,
    get title() {
      return t('echo.idle-client.title');
    },
    points: 4,
    part: 'echo',
    async run(ctx) {
      const server = await ctx.startServer();
      const idle = await ctx.connect(server);
      const halfway = await ctx.connect(server);
      await halfway.send('hal');
      const third = await ctx.connect(server);
      await third.send('c-line\n');
      const outcome = await third.readBytes(REPLY.length, ctx.ms(REPLY_MS));
      if (outcome.kind !== 'ok' || !outcome.value.equals(REPLY)) {
        throw new CheckFailure(t('idle.fail', { idle: idle.label, halfway: halfway.label, third: third.label, got: describeOutcome(outcome, describeBytes) }), {
          expected: t('idle.expected', { reply: REPLY_TEXT, ms: { ms: ctx.ms(REPLY_MS) } }),
          actual: describeOutcome(outcome, describeBytes),
        });
      }
      // The waiting clients are still served when they go on.
      await idle.send('a\n');
      await expectReplies(idle, 1, ctx, t('idle.thenWhat', { conn: idle.label }), t('idle.thenHint'), { quiet: false });
      await halfway.send('f\n');
      const rest = await halfway.readBytes(REPLY.length, ctx.ms(REPLY_MS));
      if (rest.kind !== 'ok') {
        throw new CheckFailure(t('idle.rest', { conn: halfway.label, got: describeOutcome(rest, describeBytes) }), {
          expected: REPLY_TEXT,
          actual: describeOutcome(rest, describeBytes),
        });
      }
    },
  },
  {
    id: 'echo.load',
    get title() {
      return t('echo.load.title', { clients: LOAD_CLIENTS, messages: LOAD_MESSAGES });
    },
    points: 4,
    part: 'echo',
    timeoutMs: 30_000,
    async run(ctx) {
      const server = await ctx.startServer();
      const probes = await Promise.all(Array.from({ length: LOAD_CLIENTS }, () => ctx.connect(server)));
      const tag = ctx.random.int(1000, 9999);
      const answered = probes.map(() => 0);
      const deadline = ctx.ms(LOAD_REPLY_MS);
      // Every client talks at the same time, one message after another (each waits for its
      // reply); no client leaves before all are done, so they are all connected throughout.
      const failures = await Promise.all(
        probes.map(async (probe, c) => {
          for (let i = 0; i < LOAD_MESSAGES; i++) {
            await probe.send(`load ${tag} client ${c + 1} message ${i + 1}\n`);
            const outcome = await probe.readBytes(REPLY.length, deadline);
            if (outcome.kind !== 'ok' || !outcome.value.equals(REPLY)) return { c, i, got: describeOutcome(outcome, describeBytes) };
            answered[c]!++;
          }
          return undefined;
        }),
      );
      const failed = failures.filter((f) => f !== undefined);
      if (failed.length === 0) return;
      const none = answered.filter((n) => n === 0).length;
      const complete = answered.filter((n) => n === LOAD_MESSAGES).length;
      const first = failed[0]!;
      throw new CheckFailure(
        t('load.fail', { clients: LOAD_CLIENTS, messages: LOAD_MESSAGES, complete, none, client: String(first.c + 1), message: String(first.i + 1), got: first.got }),
        {
          expected: t('load.expected', { clients: LOAD_CLIENTS, messages: LOAD_MESSAGES }),
          actual: t('load.actual', { replies: answered.reduce((a, b) => a + b, 0), complete }),
        },
      );
    },
  },
  {
    id: 'echo.reset',
    get title() {
      return t('echo.reset.title');
    },
    points: 3,
    part: 'echo',
    async run(ctx) {
      const server = await ctx.startServer();
      const crashed = (after: string) => {
        const exit = server.process.exitInfo;
        if (!exit) return;
        const how = exit.signal ? t('reset.killed', { signal: exit.signal }) : t('reset.exited', { code: String(exit.exitCode) });
        throw new CheckFailure(t('reset.crashed', { how, after }), { actual: server.process.stderr.excerpt(15, 1500) });
      };
      /** A fresh client is served after the reset (the reset reached the server before it connected). */
      const stillServes = async (after: string) => {
        const fresh = await ctx.connect(server).catch((error: unknown) => {
          crashed(after);
          throw error;
        });
        const line = 'after reset\n';
        await fresh.send(line);
        const outcome = await fresh.readBytes(REPLY.length, ctx.ms(REPLY_MS));
        if (outcome.kind === 'ok' && outcome.value.equals(REPLY)) {
          // Leave, so that a server serving one client at a time moves on (that mistake is
          // echo.idle-client's and echo.load's, not this check's); its close is not judged here.
          fresh.end();
          await fresh.readUntilClosed(ctx.ms(REPLY_MS));
          return;
        }
        crashed(after);
        throw new CheckFailure(t('reset.notServed', { after, conn: fresh.label, line: show(line), got: describeOutcome(outcome, describeBytes) }), {
          expected: REPLY_TEXT,
          actual: describeOutcome(outcome, describeBytes),
        });
      };

      // 1. Before sending anything: once the server has accepted the connection (its
      //    'connection' handler has run), the client resets it without a byte.
      const mute = await ctx.connect(server);
      await waitUntilAccepted(server, ctx.ms(REPLY_MS));
      mute.reset();
      await stillServes(t('reset.beforeByte', { conn: mute.label }));

      // 2.-4. After half a line, right after a whole line, while the server writes replies.
      const resets = [
        { what: t('reset.halfLine'), bytes: 'hal', paced: true },
        { what: t('reset.afterLine'), bytes: 'x\n', paced: true },
        { what: t('reset.duringReplies'), bytes: 'y\n'.repeat(2000), paced: false },
      ];
      for (const r of resets) {
        const probe = await ctx.connect(server);
        await probe.send(r.bytes, { paced: r.paced });
        probe.reset();
        crashed(r.what);
        await stillServes(r.what);
      }
      crashed(t('reset.late'));
    },
  },
];
