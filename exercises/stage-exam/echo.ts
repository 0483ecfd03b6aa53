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
  if (bytes.length === 0) return 'nothing';
  let count = 0;
  let at = 0;
  while (bytes.subarray(at, at + REPLY.length).equals(REPLY)) {
    count++;
    at += REPLY.length;
  }
  if (at === bytes.length) return `${count} ${count === 1 ? 'reply' : 'replies'} "${REPLY_TEXT}"`;
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
  const fail = (got: string) =>
    new CheckFailure(`${what} on ${probe.label}: expected ${n === 0 ? 'no reply' : `exactly ${n} ${n === 1 ? 'reply' : 'replies'} "${REPLY_TEXT}"`}${options.closes ? ', then the server closes the connection' : ''}, but got ${got}. ${hint}`, {
      expected: `${n} × ${REPLY_TEXT}${options.closes ? ', then the connection closed' : ''}`,
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
      throw fail(`${describeBytes(outcome.value)}, then the close`);
    }
    throw fail(`${describeBytes(probe.pending)} and the connection still open after ${ctx.ms(REPLY_MS)} ms`);
  }
  if (n > 0) {
    const outcome = await probe.readBytes(want.length, ctx.ms(REPLY_MS));
    if (outcome.kind !== 'ok') throw fail(describeOutcome(outcome, describeBytes));
    if (!outcome.value.equals(want)) throw fail(show(outcome.value));
  }
  if (options.quiet === false) return;
  await expectSilence(probe, {
    after: n === 0 ? what : `${what}, then the ${n} expected ${n === 1 ? 'reply' : 'replies'}`,
    ms: ctx.ms(QUIET_MS),
    open: true,
    hint: `Exactly ${n} ${n === 1 ? 'reply' : 'replies'}, and the connection stays open. ${hint}`,
    meaning: `nothing more within ${ctx.ms(QUIET_MS)} ms, the connection open`,
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
  return server.process.stdout.excerpt(15, 1500) || '(nothing on stdout)';
}

async function expectOnStdout(server: RunningServer, messages: string[], ctx: CheckContext, context: string): Promise<void> {
  const missing = await waitForStdout(server, messages, ctx.ms(REPLY_MS));
  if (missing.length === 0) return;
  const lines = stdoutLines(server);
  for (const message of missing) {
    if (printed(lines, `${message}\r`)) {
      throw new CheckFailure(`${context}: stdout shows ${show(`${message}\r`)}: strip the \\r of \\r\\n before printing (and before comparing with Q).`, {
        expected: `a stdout line ending with ${show(message)}`,
        actual: stdoutExcerpt(server),
      });
    }
    const mangled = lines.find((line) => line.includes('\uFFFD'));
    if (mangled !== undefined) {
      throw new CheckFailure(
        `${context}: the message ${show(message)} was split inside a UTF-8 character and printed as ${show(mangled)}: decode a line only once all its bytes have arrived (keep Buffers until the \\n, or use a StringDecoder / setEncoding('utf8')), not chunk by chunk.`,
        { expected: `a stdout line ending with ${show(message)}`, actual: stdoutExcerpt(server) },
      );
    }
  }
  throw new CheckFailure(
    `${context}: the received message${missing.length > 1 ? 's' : ''} ${missing.map((m) => show(m)).join(', ')} ${missing.length > 1 ? 'do' : 'does'} not appear on stdout as a line of its own within ${ctx.ms(REPLY_MS)} ms. Print each message, without its \\n, on a line of its own (console.log(text)); a prefix before it is fine.`,
    { expected: missing.map((m) => `a stdout line ending with ${show(m)}`).join('\n'), actual: stdoutExcerpt(server) },
  );
}


const FRAMING_HINT = 'TCP keeps no message boundaries (粘包): collect the bytes, split them at each \\n, and keep the unfinished rest for the next chunk.';

export const echoChecks: CheckDefinition[] = [
  {
    id: 'echo.basic',
    title: 'One line gets one reply 收到收到 and the connection stays open',
    points: 3,
    part: 'echo',
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      await probe.send('你好\n');
      await expectReplies(probe, 1, ctx, 'Sent "你好\\n"', `Answer each line with exactly "${REPLY_TEXT}" (UTF-8, with its newline) and keep the connection open for the next line.`);
    },
  },
  {
    id: 'echo.pipelined',
    title: 'Three lines in one segment (one empty) get three replies',
    points: 4,
    part: 'echo',
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      await probe.send('一\n\nthree\n');
      await expectReplies(probe, 3, ctx, 'Sent three lines in one segment ("一\\n\\nthree\\n", the middle one empty)', `${FRAMING_HINT} An empty line is a line too.`);
    },
  },
  {
    id: 'echo.split-line',
    title: 'A line sent one byte per segment gets one reply, only after its \\n',
    points: 4,
    part: 'echo',
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      await probe.send('hello world', { segmentation: bytewise, paced: true });
      const early = await probe.collectFor(ctx.ms(UNENDED_LINE_WATCH_MS));
      if (early.length > 0) {
        throw new CheckFailure(`Sent "hello world" one byte per segment, without its \\n yet, on ${probe.label}, and the server already replied ${describeBytes(early)}: a line ends only at \\n, however many segments it arrives in. ${FRAMING_HINT}`, {
          expected: 'nothing before the \\n',
          actual: describeBytes(early),
        });
      }
      await probe.send('\n');
      await expectReplies(probe, 1, ctx, 'Sent "hello world" one byte per segment, then "\\n"', FRAMING_HINT);
    },
  },
  {
    id: 'echo.split-utf8',
    title: 'A line split inside multi-byte characters gets one reply and is printed intact',
    points: 4,
    part: 'echo',
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      const message = '收到消息✓ñ-utf8';
      await probe.send(`${message}\n`, { segmentation: utf8Split });
      await expectReplies(probe, 1, ctx, `Sent ${show(`${message}\n`)} cut inside every multi-byte character`, FRAMING_HINT);
      await expectOnStdout(server, [message], ctx, `After ${show(`${message}\n`)} arrived cut inside its multi-byte characters`);
    },
  },
  {
    id: 'echo.crlf',
    title: 'Lines ending in \\r\\n: a reply, the message printed without \\r, and Q\\r\\n closes; a \\r inside a line is part of it',
    points: 2,
    part: 'echo',
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      await probe.send('hello-crlf\r\n');
      await expectReplies(probe, 1, ctx, 'Sent "hello-crlf\\r\\n"', 'A line may end with \\r\\n: the \\r is not part of the line.', { quiet: false });
      await expectOnStdout(server, ['hello-crlf'], ctx, 'After "hello-crlf\\r\\n"');
      // A \r anywhere else is an ordinary character of the line (node:readline, for one, ends a line there).
      await probe.send('a\rb\n');
      await expectReplies(
        probe,
        1,
        ctx,
        'Sent "a\\rb\\n" (a \\r inside the line)',
        'A \\r ends a line only right before \\n; anywhere else it is an ordinary character of the line. node:readline also ends a line at a lone \\r: split the bytes at \\n yourself and drop one \\r right before it.',
      );
      await expectOnStdout(server, ['a\rb'], ctx, 'After "a\\rb\\n"');
      await probe.send('Q\r\n');
      await expectReplies(probe, 0, ctx, 'Then sent "Q\\r\\n"', 'Strip the \\r of \\r\\n before comparing the line with Q.', { closes: true });
    },
  },
  {
    id: 'echo.quit',
    title: 'Q closes the connection without a reply; lines after it are not answered',
    points: 3,
    part: 'echo',
    async run(ctx) {
      const server = await ctx.startServer();
      const first = await ctx.connect(server);
      await first.send('hi\nQ\nafter\n');
      await expectReplies(first, 1, ctx, 'Sent "hi\\nQ\\nafter\\n" in one segment', `"hi" gets one reply; "Q" closes the connection without a reply, and "after" (behind Q) is not answered. ${FRAMING_HINT}`, { closes: true });
      const second = await ctx.connect(server);
      await second.send('Q\n');
      await expectReplies(second, 0, ctx, 'Sent "Q\\n"', 'After "Q" the server closes the connection at once, without replying.', { closes: true });
    },
  },
  {
    id: 'echo.quit-any-case',
    title: 'q and Q with surrounding whitespace close the connection; quit is an ordinary line',
    points: 3,
    part: 'echo',
    async run(ctx) {
      const server = await ctx.startServer();
      for (const line of ['q\n', '  Q  \n', '\tq\r\n']) {
        const probe = await ctx.connect(server);
        await probe.send(line);
        await expectReplies(probe, 0, ctx, `Sent ${show(line)}`, 'It should close the connection like "Q": compare the trimmed line, in any case (line.trim().toUpperCase() === "Q").', { closes: true });
      }
      const probe = await ctx.connect(server);
      await probe.send('quit\n');
      await expectReplies(probe, 1, ctx, 'Sent "quit\\n"', '"quit" is not "Q": it is an ordinary line, answered, and the connection stays open.');
    },
  },
  {
    id: 'echo.fin',
    title: "After the client's FIN every line is answered, a last line without \\n too, then the server closes",
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
          `Sent ${show(c.send)}, then FIN (half-close)`,
          "When the client half-closes, answer every line received, a last line without \\n included ('end' event: handle what is left in the buffer), then close the connection (socket.end()).",
          { closes: true },
        );
      }
    },
  },
  {
    id: 'echo.stdout',
    title: 'Each received message is printed on stdout on a line of its own',
    points: 3,
    part: 'echo',
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      const messages = [`stdout-1-${ctx.random.int(100000, 999999)}`, '第二条消息 two', 'three 3'];
      for (const message of messages) {
        await probe.send(`${message}\n`);
        await expectReplies(probe, 1, ctx, `Sent ${show(`${message}\n`)}`, 'Each line gets one reply.', { quiet: false });
      }
      await expectOnStdout(server, messages, ctx, 'After three lines sent one at a time');
    },
  },
  {
    id: 'echo.idle-client',
    /** Needs the machine to itself (timing): a third client echoed within 1500 ms while one is silent and one stopped mid-line. */
    exclusive: true,
    title: 'An idle client and a client stopped mid-line do not delay another client',
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
        throw new CheckFailure(
          `While ${idle.label} sat connected and idle and ${halfway.label} had sent half a line ("hal"), ${third.label} sent "c-line\\n" and got ${describeOutcome(outcome, describeBytes)}. ` +
            'Serve every connection at once: never wait for one client (a blocking loop, an await on its next message) before accepting or serving the next.',
          { expected: `${REPLY_TEXT} within ${ctx.ms(REPLY_MS)} ms`, actual: describeOutcome(outcome, describeBytes) },
        );
      }
      // The waiting clients are still served when they go on.
      await idle.send('a\n');
      await expectReplies(idle, 1, ctx, `Then the idle ${idle.label} sent "a\\n"`, 'An idle client must be served once it speaks.', { quiet: false });
      await halfway.send('f\n');
      const rest = await halfway.readBytes(REPLY.length, ctx.ms(REPLY_MS));
      if (rest.kind !== 'ok') {
        throw new CheckFailure(`Then ${halfway.label} finished its line ("hal" + "f\\n") and got ${describeOutcome(rest, describeBytes)}.`, {
          expected: REPLY_TEXT,
          actual: describeOutcome(rest, describeBytes),
        });
      }
    },
  },
  {
    id: 'echo.load',
    title: `${LOAD_CLIENTS} clients connected at once, ${LOAD_MESSAGES} messages each, all answered`,
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
        `${LOAD_CLIENTS} clients connected at once and each sent ${LOAD_MESSAGES} lines, one after another: ${complete} got all their replies, ${none} got none at all` +
          ` (client ${first.c + 1}, message ${first.i + 1}: ${first.got}). Serve all connections at the same time, each with its own state: a client that stays connected must not hold up the others.`,
        { expected: `${LOAD_CLIENTS} × ${LOAD_MESSAGES} replies`, actual: `${answered.reduce((a, b) => a + b, 0)} replies; clients served completely: ${complete}` },
      );
    },
  },
  {
    id: 'echo.reset',
    title: 'Clients that reset their connection (before sending, mid-line, after a line, during replies) do not crash the server',
    points: 3,
    part: 'echo',
    async run(ctx) {
      const server = await ctx.startServer();
      const crashed = (after: string) => {
        const exit = server.process.exitInfo;
        if (!exit) return;
        const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.exitCode}`;
        throw new CheckFailure(
          `The server ${how} when a client reset its connection ${after}. A reset makes the socket emit 'error' (ECONNRESET, EPIPE), also on a connection that never sent a byte; with no listener Node throws it and the whole server dies: add socket.on('error', ...) to every connection as soon as it is accepted, not in a later event.`,
          { actual: server.process.stderr.excerpt(15, 1500) },
        );
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
        throw new CheckFailure(`After a client reset its connection ${after}, a new client (${fresh.label}) sent ${show(line)} and got ${describeOutcome(outcome, describeBytes)}: a client that resets or vanishes must not stop the server serving others.`, {
          expected: REPLY_TEXT,
          actual: describeOutcome(outcome, describeBytes),
        });
      };

      // 1. Before sending anything: once the server has accepted the connection (its
      //    'connection' handler has run), the client resets it without a byte.
      const mute = await ctx.connect(server);
      await waitUntilAccepted(server, ctx.ms(REPLY_MS));
      mute.reset();
      await stillServes(`right after connecting, before sending a byte (${mute.label}, once the server had accepted it)`);

      // 2.-4. After half a line, right after a whole line, while the server writes replies.
      const resets = [
        { what: 'after sending half a line ("hal")', bytes: 'hal', paced: true },
        { what: 'right after sending "x\\n"', bytes: 'x\n', paced: true },
        { what: 'while the server was writing replies to 2000 lines', bytes: 'y\n'.repeat(2000), paced: false },
      ];
      for (const r of resets) {
        const probe = await ctx.connect(server);
        await probe.send(r.bytes, { paced: r.paced });
        probe.reset();
        crashed(r.what);
        await stillServes(r.what);
      }
      crashed('(late: after the four resets)');
    },
  },
];
