/**
 * The checks of bank-transfer, one per clause of the contract (../shared/EXERCISES.md).
 * Every check starts its own server: checks change balances, and a deadlocked or crashed
 * server must cost only the check that caused it.
 */
import { setTimeout as pause } from 'node:timers/promises';
import type { CheckContext, CheckDefinition } from '../../grader/exercise/define.ts';
import { CheckFailure } from '../../grader/model/errors.ts';
import { ABSENCE_MS, describeOutcome, expectClosed, expectLine, expectSilence, show } from '../../grader/probes/expect.ts';
import { bytewise } from '../../grader/probes/segmentation.ts';
import type { TcpProbe } from '../../grader/probes/tcp.ts';
import {
  ACCOUNTS,
  ANY_ERR,
  ANY_REFUSAL,
  REPLY_MS,
  TOTAL,
  ask,
  awaitReplies,
  connectAll,
  conversation,
  deadlockSuspected,
  expectInOrder,
  describeSent,
  expectBalances,
  expectReply,
  quote,
  replyFailure,
  replyMs,
  sendTogether,
  startBank,
  transfersTogether,
  type Bank,
  type Sent,
} from './protocol.ts';

/** How long transfers sent together may take before a deadlock is suspected: a few delays each. */
function deadlockMs(ctx: CheckContext, bank: Bank, transfers: number): number {
  return ctx.ms(1500) + 3 * bank.delayMs * transfers;
}

/** The delay of the deadlock checks: the window in which transfers sent together must reach the server. */
const DEADLOCK_DELAY_MS = 500;

/** atomic.audit sends AUDITs a quarter of the delay apart until the transfers are answered, at least this many. */
const MIN_AUDITS = 3;

const BAD_AMOUNTS = ['0', '-5', '1.5', '5.0', '1e3', '+5', 'abc', '5x', '0x10', '0b11', '1_000', '00', '５'];

export const checks: CheckDefinition[] = [
  // ------------------------------------------------------------------------------- basics
  {
    id: 'basic.balance',
    title: 'BALANCE answers OK <balance> for accounts (also 李四) and FAIL unknown account otherwise',
    points: 4,
    async run(ctx) {
      const bank = await startBank(ctx);
      const [c1] = await connectAll(ctx, bank, 1);
      await conversation(
        ctx,
        bank,
        c1!,
        [
          ['BALANCE Tom', 'OK 5000'],
          ['BALANCE Abby', 'OK 8000'],
          ['BALANCE Nobody', 'FAIL unknown account'],
          ['BALANCE tom', 'FAIL unknown account'],
          ['BALANCE 李四', 'OK 2500'],
        ],
        () => 'BALANCE <name> should answer `OK <balance>` for an account of accounts.json and `FAIL unknown account` otherwise (names are case-sensitive and may be non-ASCII: decode whole lines as UTF-8).',
      );
    },
  },
  {
    id: 'basic.transfer',
    title: 'A transfer moves the money and AUDIT keeps the total',
    points: 4,
    async run(ctx) {
      const bank = await startBank(ctx);
      const [c1] = await connectAll(ctx, bank, 1);
      await conversation(
        ctx,
        bank,
        c1!,
        [
          ['TRANSFER Tom Abby 2000', 'OK'],
          ['BALANCE Tom', 'OK 3000'],
          ['BALANCE Abby', 'OK 10000'],
          ['AUDIT', `OK ${TOTAL}`],
          ['TRANSFER 李四 Eve 2500', 'OK'],
          ['BALANCE 李四', 'OK 0'],
          ['BALANCE Eve', 'OK 2500'],
        ],
        (request) =>
          request.startsWith('TRANSFER')
            ? 'The sender has the money and both accounts exist: the transfer should succeed.'
            : `After TRANSFER Tom Abby 2000 → OK (Tom 5000, Abby 8000), Tom should have 3000 and Abby 10000; after TRANSFER 李四 Eve 2500, 李四 has 0 and Eve 2500; AUDIT is always the total ${TOTAL}.`,
      );
    },
  },
  {
    id: 'transfer.delay',
    title: 'A transfer awaits TRANSFER_DELAY_MS (default 100) before its OK',
    points: 4,
    // Judges wall-clock timing: alone under the concurrent scheduling.
    exclusive: true,
    async run(ctx) {
      // Only lower bounds: a loaded machine makes a correct server slower, never faster.
      const timeTransfer = async (bank: Awaited<ReturnType<typeof startBank>>): Promise<number> => {
        const [c1] = await connectAll(ctx, bank, 1);
        const request = 'TRANSFER Tom Abby 1';
        const started = performance.now();
        await c1!.send(`${request}\n`);
        await expectReply(c1!, request, 'OK', replyMs(ctx, bank, request), 'Tom has 5000: the transfer should succeed.');
        return Math.round(performance.now() - started);
      };
      const took = await timeTransfer(await startBank(ctx, { delayMs: 400 }));
      if (took < 380) {
        throw new CheckFailure(
          `TRANSFER answered after ${took} ms; with TRANSFER_DELAY_MS=400 it must await the delay between debit and credit (read the env variable; the default 100 is only for when it is unset).`,
          { expected: 'OK after at least 380 ms', actual: `OK after ${took} ms` },
        );
      }
      // The default: five transfers in one segment on one connection are answered one at a
      // time, so a server that waits 100 ms each needs at least 500 ms for the five; a server
      // without the default would have to be stalled 475 ms to pass (a single transfer, with
      // a 95 ms bound, passed a zero-delay server once in a re-run at load ~37).
      const byDefault = await startBank(ctx, { delayMs: 'unset' });
      const [d1] = await connectAll(ctx, byDefault, 1);
      const request = 'TRANSFER Tom Abby 1';
      const started = performance.now();
      await d1!.send(`${request}\n`.repeat(5));
      for (let i = 0; i < 5; i++) {
        await expectReply(d1!, request, 'OK', replyMs(ctx, byDefault, request), '(five transfers of 1 from Tom, sent in one segment.) Tom has 5000: each transfer should succeed.');
      }
      const tookByDefault = Math.round(performance.now() - started);
      if (tookByDefault < 475) {
        throw new CheckFailure(
          `With TRANSFER_DELAY_MS unset, five transfers sent in one segment were all answered after ${tookByDefault} ms; answered one at a time, each awaiting the default delay of 100 ms, they take at least 500 ms (use 100 when the env variable is missing).`,
          { expected: 'the fifth OK after at least 475 ms', actual: `the fifth OK after ${tookByDefault} ms` },
        );
      }
    },
  },
  {
    id: 'transfer.insufficient',
    title: 'No overdraft: more than the balance gets FAIL insufficient funds; the whole balance may move',
    points: 4,
    async run(ctx) {
      const bank = await startBank(ctx);
      const [c1] = await connectAll(ctx, bank, 1);
      await conversation(
        ctx,
        bank,
        c1!,
        [
          ['TRANSFER Tom Abby 5001', 'FAIL insufficient funds'],
          ['TRANSFER Eve Tom 1', 'FAIL insufficient funds'],
          ['BALANCE Tom', 'OK 5000'],
          ['TRANSFER Tom Abby 5000', 'OK'],
          ['BALANCE Tom', 'OK 0'],
          ['BALANCE Abby', 'OK 13000'],
          ['TRANSFER Tom Abby 1', 'FAIL insufficient funds'],
          ['TRANSFER Tom Abby 99999999999999999999999', 'FAIL insufficient funds'],
        ],
        () =>
          'A transfer of more than the balance gets `FAIL insufficient funds` and changes nothing; a transfer of exactly the balance is allowed and leaves 0 (Tom 5000, Eve 0; compare amounts of any size exactly, e.g. with BigInt).',
      );
    },
  },

  {
    id: 'transfer.leading-zeros',
    title: 'An amount with leading zeros (007) is a valid decimal integer',
    points: 2,
    async run(ctx) {
      const bank = await startBank(ctx);
      const [c1] = await connectAll(ctx, bank, 1);
      await conversation(
        ctx,
        bank,
        c1!,
        [
          ['TRANSFER Tom Abby 007', 'OK'],
          ['BALANCE Tom', 'OK 4993'],
          ['TRANSFER Abby Carl 0000000000000000000000000010', 'OK'],
          ['BALANCE Carl', 'OK 3010'],
          ['AUDIT', `OK ${TOTAL}`],
        ],
        (request) =>
          request.startsWith('TRANSFER')
            ? 'The amount is valid when it is a decimal integer `[0-9]+` above 0: leading zeros are allowed (007 is 7); only all-zero amounts (0, 00) are `FAIL bad amount`.'
            : 'After TRANSFER Tom Abby 007 → OK, 7 moved from Tom (5000) to Abby; after TRANSFER Abby Carl 00…010 → OK, 10 moved to Carl (3000).',
      );
    },
  },

  // ------------------------------------------------------------------------------- errors
  {
    id: 'errors.err',
    title: 'Malformed requests (unknown verb, wrong word count, empty line) get ERR and the connection survives',
    points: 4,
    async run(ctx) {
      const bank = await startBank(ctx);
      const [c1] = await connectAll(ctx, bank, 1);
      const malformed = ['HELLO', 'balance Tom', 'BALANCE', 'BALANCE Tom Abby', 'TRANSFER Tom Abby', 'TRANSFER Tom Abby 5 6', 'AUDIT now', '', 'DEPOSIT Tom 5'];
      await c1!.send(malformed.map((line) => `${line}\n`).join(''));
      for (const request of malformed) {
        await expectReply(
          c1!,
          request,
          ANY_ERR,
          ctx.ms(REPLY_MS),
          `(the nine malformed lines were sent in one segment.) ${quote(request)} is malformed (unknown verb, verbs are exact and upper-case / wrong number of words / empty line) and should get \`ERR <reason>\`, never FAIL or silence.`,
        );
      }
      await ask(ctx, bank, c1!, 'BALANCE Tom', 'OK 5000', 'A connection survives every ERR: keep serving it.');
    },
  },
  {
    id: 'errors.bad-amount',
    title: 'Amounts that are not a positive decimal integer, and from = to, get FAIL bad amount',
    points: 5,
    async run(ctx) {
      const bank = await startBank(ctx);
      const [c1] = await connectAll(ctx, bank, 1);
      const requests = [...BAD_AMOUNTS.map((a) => `TRANSFER Tom Abby ${a}`), 'TRANSFER Tom Tom 5'];
      const after: Array<[string, string]> = [
        ['BALANCE Tom', 'OK 5000'],
        ['BALANCE Abby', 'OK 8000'],
        ['AUDIT', `OK ${TOTAL}`],
      ];
      await c1!.send([...requests, ...after.map(([r]) => r)].map((r) => `${r}\n`).join(''));
      for (const request of requests) {
        const amount = request.split(' ')[3]!;
        const hint =
          request === 'TRANSFER Tom Tom 5'
            ? 'A transfer from an account to itself is `FAIL bad amount`.'
            : `The amount ${show(amount)} is not a positive decimal integer (digits 0-9 only, above 0): expected \`FAIL bad amount\` and no money moved (beware parseInt/Number: they accept \`1.5\`, \`5x\`, \`-5\`, \`1e3\`; test the text with /^[0-9]+$/ and then reject 0).`;
        // A lenient server may carry out such a "transfer": allow its delay.
        await expectReply(c1!, request, 'FAIL bad amount', replyMs(ctx, bank, request), hint);
      }
      for (const [request, expected] of after) {
        await expectReply(c1!, request, expected, ctx.ms(REPLY_MS), 'After transfers that all got FAIL bad amount, no money may have moved.');
      }
    },
  },
  {
    id: 'errors.spacing',
    title: 'Words are taken exactly as sent: odd spacing, a tab or a stray \\r is refused (ERR or FAIL), never trimmed away',
    points: 3,
    async run(ctx) {
      const bank = await startBank(ctx);
      const [c1] = await connectAll(ctx, bank, 1);
      // Each is refused (ERR for a wrong number of words or an unknown verb, or FAIL for a name
      // or amount that is not one): which of the two is the server's reading; never OK.
      const odd = [
        'BALANCE Tom ',
        'BALANCE  Tom',
        ' BALANCE Tom',
        'BALANCE\tTom',
        'BALANCE Tom\r\r',
        'AUDIT ',
        'TRANSFER Tom Abby 5 ',
        'TRANSFER Tom  Abby 5',
        'TRANSFER Tom Abby\t5',
        'TRANSFER  Tom Abby 5',
      ];
      for (const request of odd) {
        await ask(
          ctx,
          bank,
          c1!,
          request,
          ANY_REFUSAL,
          `Names and arguments are taken exactly as sent (../shared/EXERCISES.md, Conventions): words are separated by one space, and only a \`\\r\` right before the \`\\n\` is dropped. A doubled, leading or trailing space, a tab or another \`\\r\` makes the request malformed (\`ERR\`) or names no account (\`FAIL unknown account\`): split on ' ', do not trim or split on runs of whitespace.`,
        );
      }
      await expectBalances(ctx, bank, c1!, { Tom: 5000, Abby: 8000 }, 'After the oddly spaced transfers (all refused), no money may have moved.');
    },
  },
  {
    id: 'names.exact',
    title: 'Names are looked up exactly: constructor, __proto__ or toString are unknown accounts',
    points: 3,
    async run(ctx) {
      const bank = await startBank(ctx);
      const [c1] = await connectAll(ctx, bank, 1);
      await conversation(
        ctx,
        bank,
        c1!,
        [
          ['BALANCE constructor', 'FAIL unknown account'],
          ['BALANCE __proto__', 'FAIL unknown account'],
          ['BALANCE toString', 'FAIL unknown account'],
          ['TRANSFER Tom constructor 5', 'FAIL unknown account'],
          ['TRANSFER hasOwnProperty Tom 5', 'FAIL unknown account'],
          ['BALANCE Tom', 'OK 5000'],
          ['AUDIT', `OK ${TOTAL}`],
        ],
        (request) =>
          request.startsWith('BALANCE Tom') || request === 'AUDIT'
            ? 'Transfers to or from names that are not accounts move no money.'
            : `${quote(request)} names no account of accounts.json (names are letters and digits, and these are too). A plain object inherits constructor, toString, __proto__…: keep the accounts in a Map (or check Object.hasOwn) instead of looking names up on the object JSON.parse returned.`,
      );
    },
  },
  {
    id: 'errors.check-order',
    title: 'TRANSFER checks apply in order: ERR, bad amount, unknown account, insufficient funds',
    points: 4,
    async run(ctx) {
      const bank = await startBank(ctx);
      const [c1] = await connectAll(ctx, bank, 1);
      await conversation(
        ctx,
        bank,
        c1!,
        [
          ['TRANSFER Nobody Tom abc', 'FAIL bad amount'],
          ['TRANSFER Nobody Nobody 5', 'FAIL bad amount'],
          ['TRANSFER Tom Nobody 99999999', 'FAIL unknown account'],
          ['TRANSFER Ghost Tom 5', 'FAIL unknown account'],
          ['TRANSFER Nobody Tom x y', ANY_ERR],
        ],
        (request, expected) =>
          `The checks apply in the order ERR (word count), bad amount (amount or from = to), unknown account, insufficient funds: for ${quote(request)} the first that applies is ${expected === ANY_ERR ? '`ERR`' : `\`${expected}\``}.`,
      );
    },
  },
  {
    id: 'errors.no-crash',
    title: 'Garbage (binary, invalid UTF-8, a 200 KB line, NUL bytes) never stops the server',
    points: 4,
    async run(ctx) {
      const bank = await startBank(ctx);
      const [c1] = await connectAll(ctx, bank, 1);
      const garbage = [
        Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a]),
        Buffer.concat([Buffer.from('BALANCE '), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]),
        Buffer.from(`${'x'.repeat(200_000)}\n`),
        Buffer.from('   \t  \n'),
        Buffer.from([0x00, 0x00, 0x00, 0x0a]),
      ];
      for (const bytes of garbage) await c1!.send(bytes);
      // Requests of one connection are answered in order: once AUDIT is answered, all the
      // garbage before it has been read. Replies to the garbage itself are not judged.
      await c1!.send('AUDIT\n');
      const limitMs = ctx.ms(3000);
      const started = performance.now();
      const seen: string[] = [];
      for (;;) {
        const outcome = await c1!.readLine(Math.max(1, limitMs - (performance.now() - started)));
        if (outcome.kind === 'ok' && outcome.value === `OK ${TOTAL}`) break;
        if (outcome.kind === 'ok') {
          seen.push(outcome.value);
          continue;
        }
        throw new CheckFailure(
          `After malformed input on ${c1!.label} (binary bytes, invalid UTF-8, a 200 KB line, a line of spaces, NUL bytes) followed by AUDIT, expected a line ${show(`OK ${TOTAL}`)} but got ${describeOutcome(outcome)}${seen.length > 0 ? ` (after ${seen.length} other line(s))` : ''}. No input may crash the server or stop it serving: decode leniently (invalid UTF-8 becomes U+FFFD), cap the line length, and answer ERR.`,
          { expected: `OK ${TOTAL}`, actual: describeOutcome(outcome) },
        );
      }
      const c2 = await ctx.connect(bank.server);
      await ask(ctx, bank, c2, 'BALANCE Tom', 'OK 5000', 'After garbage on another connection, a new client must still be served.');
      bank.server.assertAlive();
    },
  },

  {
    id: 'robust.reset',
    title: 'Clients that reset at every stage (before sending, mid-line, during a transfer, after a reply) stop nothing',
    points: 4,
    async run(ctx) {
      const bank = await startBank(ctx, { delayMs: 300 });
      const [c1, c2, c3, c4, c5] = await connectAll(ctx, bank, 5);
      c1!.reset(); // connected, sent nothing
      await c2!.send('BALANCE To', { paced: true }); // half a line, read by the server
      c2!.reset();
      await c3!.send('TRANSFER Tom Abby 1000\n', { paced: true }); // read by the server, its reply still owed
      c3!.reset();
      await ask(ctx, bank, c4!, 'BALANCE Carl', 'OK 3000', 'A BALANCE of an account no transfer touches is answered at once.');
      c4!.reset(); // after its reply
      ctx.note(`${c1!.label} reset before sending, ${c2!.label} after half a line, ${c3!.label} after a TRANSFER (reply owed), ${c4!.label} after a reply.`);
      const hint = `(${c1!.label} reset before sending, ${c2!.label} after "BALANCE To", ${c3!.label} right after sending TRANSFER Tom Abby 1000 (300 ms delay), ${c4!.label} after a reply.) A client that resets must cost nothing but its own connection: handle 'error' on every socket (ECONNRESET, EPIPE), never write to a destroyed socket without one, and let a transfer in flight finish (or not start) as a whole.`;
      // The reset client's transfer happens as a whole or not at all. Whether its money may be
      // seen in flight is atomic.balance's question, not this one's: ask Tom's and Abby's
      // balances until they add up to 13000 again (a correct server's BALANCE waits for the
      // transfer's locks and answers that at once), paced a quarter of the delay apart.
      const settleBy = performance.now() + replyMs(ctx, bank, 'TRANSFER') + 4 * bank.delayMs;
      const balanceOf = async (name: string): Promise<number> => {
        await c5!.send(`BALANCE ${name}\n`);
        const line = await expectLine(c5!, /^OK [0-9]+$/, { after: `sending ${quote(`BALANCE ${name}`)}`, timeoutMs: replyMs(ctx, bank, 'BALANCE') + bank.delayMs, hint });
        return Number(line.slice(3));
      };
      for (let round = 1; ; round++) {
        if (round > 1) await pause(Math.round(bank.delayMs / 4));
        const tom = await balanceOf('Tom');
        const abby = await balanceOf('Abby');
        if (tom + abby === 13000 && (tom === 5000 || tom === 4000)) break;
        if (performance.now() > settleBy) {
          throw new CheckFailure(
            `After the resets, BALANCE Tom and BALANCE Abby on ${c5!.label} gave ${tom} + ${abby} = ${tom + abby} and did not come back to 5000 + 8000 or 4000 + 9000 within ${Math.round(replyMs(ctx, bank, 'TRANSFER') + 4 * bank.delayMs)} ms: the transfer of the client that reset was done only in part. ${hint}`,
            { expected: 'Tom + Abby = 13000 (5000 + 8000, or 4000 + 9000)', actual: `BALANCE Tom → OK ${tom}, BALANCE Abby → OK ${abby}` },
          );
        }
      }
      await ask(ctx, bank, c5!, 'AUDIT', `OK ${TOTAL}`, hint);
      bank.server.assertAlive();
    },
  },

  // ------------------------------------------------------------------------------ framing
  {
    id: 'framing.split',
    title: 'Requests arriving one byte at a time (splitting 李) are reassembled',
    points: 3,
    // ~50 paced segments, each waiting until the server has read the one before: at load ~40
    // the reference took over the default 20 s. The deadline only bounds a faulty server.
    timeoutMs: 60_000,
    async run(ctx) {
      const bank = await startBank(ctx);
      const [c1] = await connectAll(ctx, bank, 1);
      const steps: Array<[string, string]> = [
        ['BALANCE 李四', 'OK 2500'],
        ['TRANSFER Tom Abby 5', 'OK'],
        ['BALANCE Tom', 'OK 4995'],
      ];
      await c1!.send(steps.map(([r]) => `${r}\n`).join(''), { segmentation: bytewise });
      for (const [request, expected] of steps) {
        await expectReply(
          c1!,
          request,
          expected,
          replyMs(ctx, bank, request),
          '(the three requests were sent one byte per segment, so `李` = e6 9d 8e was split.) Collect bytes up to `\\n` and decode whole lines, never single chunks.',
        );
      }
    },
  },
  {
    id: 'framing.pipelined',
    title: 'Several requests in one segment are answered one at a time, in order',
    points: 3,
    async run(ctx) {
      const bank = await startBank(ctx);
      const [c1] = await connectAll(ctx, bank, 1);
      const steps: Array<[string, string]> = [
        ['TRANSFER Tom Abby 100', 'OK'],
        ['BALANCE Tom', 'OK 4900'],
        ['BALANCE Abby', 'OK 8100'],
        ['TRANSFER Tom Abby 99999', 'FAIL insufficient funds'],
        ['AUDIT', `OK ${TOTAL}`],
        ['BALANCE Nobody', 'FAIL unknown account'],
      ];
      await c1!.send(steps.map(([r]) => `${r}\n`).join(''));
      await expectInOrder(ctx, bank, c1!, steps, '(the six requests were sent in one segment.) Requests of one connection must be answered one at a time, in order: the BALANCE after a TRANSFER in the same segment must see the transfer.');
      // The six replies have arrived: an extra line would be written with them.
      await expectSilence(c1!, {
        after: 'the six replies to the six requests',
        ms: ctx.ms(ABSENCE_MS),
        hint: 'Send exactly one reply line per request.',
        meaning: 'nothing more after the six replies',
      });
    },
  },
  {
    id: 'framing.crlf',
    title: 'Lines ending in \\r\\n are accepted',
    points: 3,
    async run(ctx) {
      const bank = await startBank(ctx);
      const [c1] = await connectAll(ctx, bank, 1);
      const steps: Array<[string, string]> = [
        ['BALANCE Tom', 'OK 5000'],
        ['TRANSFER Tom Abby 1', 'OK'],
        ['AUDIT', `OK ${TOTAL}`],
      ];
      await c1!.send(steps.map(([r]) => `${r}\r\n`).join(''));
      for (const [request, expected] of steps) {
        await expectReply(c1!, `${request}\r\n`, expected, replyMs(ctx, bank, request), 'Lines ending in `\\r\\n` must be accepted: strip the `\\r` before splitting the words.');
      }
    },
  },
  {
    id: 'framing.fin',
    title: "After the client's FIN every request received is answered (a last line without \\n too), then the server closes",
    points: 4,
    async run(ctx) {
      const bank = await startBank(ctx);
      const [c1] = await connectAll(ctx, bank, 1);
      // BALANCE first: a server that answers out of order (framing.pipelined's mistake) still
      // answers these three in order, so this check judges only the FIN.
      const steps: Array<[string, string]> = [
        ['BALANCE Tom', 'OK 5000'],
        ['TRANSFER Tom Abby 100', 'OK'],
        ['AUDIT', `OK ${TOTAL}`],
      ];
      await c1!.send(steps.map(([r]) => r).join('\n'));
      c1!.end();
      const hint =
        "(the requests were followed at once by our FIN, the last one without `\\n`.) After the client's FIN the server must still answer every request received, including a last line without `\\n`, and then close. With node:net, create the server with `{ allowHalfOpen: true }` and call `socket.end()` once the replies are written.";
      for (const [request, expected] of steps) await expectReply(c1!, request, expected, replyMs(ctx, bank, request), hint);
      await expectClosed(c1!, {
        after: 'answering the three requests sent before our FIN',
        timeoutMs: ctx.ms(REPLY_MS),
        hint: 'Call socket.end() once the client has ended and every reply is written.',
      });
    },
  },
  {
    id: 'concurrency.idle-client',
    title: 'An idle client and a client stuck mid-line do not delay others',
    points: 4,
    // Judges wall-clock timing: alone under the concurrent scheduling.
    exclusive: true,
    async run(ctx) {
      const bank = await startBank(ctx);
      const [c1, c2, c3] = await connectAll(ctx, bank, 3);
      void c1; // connected, sends nothing
      await c2!.send('TRANSFER Tom Ab', { paced: true }); // half a line, read by the server
      const started = performance.now();
      const hint = `(${c1!.label} is connected and silent, ${c2!.label} sent "TRANSFER Tom Ab" and stopped.) A client that sends nothing, or half a line, must not delay other clients: never wait for one client's bytes while serving another.`;
      await conversation(
        ctx,
        bank,
        c3!,
        [
          ['BALANCE Tom', 'OK 5000'],
          ['TRANSFER Carl Dora 1', 'OK'],
          ['AUDIT', `OK ${TOTAL}`],
        ],
        () => hint,
      );
      const took = Math.round(performance.now() - started);
      const limit = ctx.ms(1500) + bank.delayMs;
      if (took > limit) {
        throw new CheckFailure(`With an idle client and a half-line client connected, three requests on ${c3!.label} (one of them a transfer of ${bank.delayMs} ms) took ${took} ms. ${hint}`, {
          expected: `all three answered within ${limit} ms`,
          actual: `${took} ms`,
        });
      }
      const request = 'TRANSFER Tom Abby 5';
      await c2!.send('by 5\n');
      await expectReply(c2!, request, 'OK', replyMs(ctx, bank, request), `(${c2!.label} sent "TRANSFER Tom Ab" earlier and now "by 5\\n".) The two pieces form one line: keep each connection's unfinished line until its \`\\n\` arrives.`);
    },
  },

  // ---------------------------------------------------------- atomicity, deadlock, parallelism
  {
    id: 'atomic.audit',
    title: 'AUDIT returns the initial total while transfers are in flight',
    points: 5,
    async run(ctx) {
      const bank = await startBank(ctx, { delayMs: 400 });
      const [c1, c2, c3, c4] = await connectAll(ctx, bank, 4);
      // No two transfers in opposite directions and no cycle: a lock-order mistake fails only the deadlock checks.
      const sent = await sendTogether(
        [
          [c1!, ['TRANSFER Tom Abby 1000', 'TRANSFER Tom Abby 1000']],
          [c2!, ['TRANSFER Carl Dora 500', 'TRANSFER Dora Eve 700']],
          [c3!, 'TRANSFER 李四 Eve 2000'],
        ],
        // Resolves once the server has read the transfers: the first AUDIT follows at once,
        // while the money is in flight, however late the grader's own timers fire under load.
        { paced: true },
      );
      let transfersDone = false;
      // The transfers' replies are not judged; AUDITs go on until they have all arrived.
      const replies = awaitReplies(sent, ctx.ms(REPLY_MS) + 6 * bank.delayMs).then(() => {
        transfersDone = true;
      });
      for (let i = 1; i <= MIN_AUDITS || !transfersDone; i++) {
        // Spread the later AUDITs over the transfers' delays (pacing the load, not synchronisation).
        if (i > 1) await pause(Math.round(bank.delayMs / 4));
        await ask(
          ctx,
          bank,
          c4!,
          'AUDIT',
          `OK ${TOTAL}`,
          `(AUDIT number ${i}, while ${sent.map(describeSent).join(', ')} were sent on other connections.) AUDIT must always return the initial total ${TOTAL}, also while transfers are in flight: take every account's lock (in the global order) so it waits for them, or add the money in flight.`,
        );
      }
      await replies;
    },
  },
  {
    id: 'atomic.balance',
    title: "BALANCE never shows a transfer's money in flight",
    points: 4,
    async run(ctx) {
      const bank = await startBank(ctx, { delayMs: 500 });
      const [c1, c2, c3] = await connectAll(ctx, bank, 3);
      const transfer = 'TRANSFER Tom Abby 1000';
      // Paced: resolves once the server has read the transfer, and the first pair follows at
      // once, while the money is in flight (a pause first let a grader descheduled under load
      // send its first pair after the transfer was done: the variants passed 1 time in 5).
      const [moving] = await sendTogether([[c1!, transfer]], { paced: true });
      let transferDone = false;
      const done = awaitReplies([moving!], ctx.ms(REPLY_MS) + 4 * bank.delayMs).then(() => {
        transferDone = true;
      });
      // Pairs of BALANCEs, each pair at the same moment, until the transfer is answered: the first
      // at once, the next a quarter of the delay apart (pacing, not synchronisation).
      for (let pair = 1; pair === 1 || !transferDone; pair++) {
        if (pair > 1) await pause(Math.round(bank.delayMs / 4));
        const asked = await sendTogether([
          [c2!, 'BALANCE Tom'],
          [c3!, 'BALANCE Abby'],
        ]);
        const answers = await awaitReplies(asked, ctx.ms(3000) + bank.delayMs);
        const values: number[] = [];
        for (const answer of answers) {
          const match = answer.outcome.kind === 'ok' ? /^OK (-?[0-9]+)$/.exec(answer.outcome.value) : null;
          if (!match) {
            throw replyFailure(answer.sent.probe, answer.sent.request, 'OK <balance>', answer.outcome, `(sent while ${describeSent(moving!)} was in flight.) A BALANCE of an account in a transfer may wait until the transfer is done, but must be answered.`);
          }
          values.push(Number(match[1]));
        }
        const [tom, abby] = values as [number, number];
        if (tom + abby !== 13000) {
          throw new CheckFailure(
            `During ${describeSent(moving!)}, BALANCE Tom + BALANCE Abby (pair ${pair}, sent at the same moment on ${c2!.label} and ${c3!.label}) gave ${tom} + ${abby} = ${tom + abby} ≠ 13000: a transfer's money was visible in flight. Hold both accounts' locks for the whole transfer (delay included) and take the account's lock in BALANCE.`,
            { expected: 'two balances adding up to 13000 (5000 + 8000)', actual: `BALANCE Tom → OK ${tom}, BALANCE Abby → OK ${abby}` },
          );
        }
      }
      await done;
    },
  },
  {
    id: 'atomic.no-overdraft',
    title: 'Five concurrent transfers of 2000 from Tom (5000): exactly two OK, no overdraft',
    points: 5,
    async run(ctx) {
      const bank = await startBank(ctx, { delayMs: 300 }) // long: the five arrive within one delay even under load;
      const probes = await connectAll(ctx, bank, 5);
      const targets = ['Abby', 'Carl', 'Dora', 'Eve', '李四'];
      const sent = await sendTogether(targets.map((to, i) => [probes[i]!, `TRANSFER Tom ${to} 2000`]));
      const timeoutMs = ctx.ms(3000) + 5 * bank.delayMs;
      const answers = await awaitReplies(sent, timeoutMs);
      const pending = answers.filter((a) => a.outcome.kind === 'timeout').map((a) => a.sent);
      if (pending.length > 0) throw deadlockSuspected(pending, timeoutMs, bank.delayMs, 'with five transfers of 2000 from Tom sent at the same moment,', answers);
      let oks = 0;
      for (const answer of answers) {
        const line = answer.outcome.kind === 'ok' ? answer.outcome.value : undefined;
        if (line === 'OK') oks++;
        else if (line !== 'FAIL insufficient funds') {
          throw replyFailure(answer.sent.probe, answer.sent.request, 'OK', answer.outcome, 'Each of the five transfers from Tom may only get `OK` or `FAIL insufficient funds`.');
        }
      }
      const hint = 'the balance check and the debit must happen under the account\'s lock, with no await in between.';
      if (oks !== 2) {
        throw new CheckFailure(
          `Five transfers of 2000 from Tom (balance 5000) sent at the same moment on five connections got ${oks} OK (expected exactly 2, and 3 × FAIL insufficient funds): ${hint}`,
          { expected: '2 × OK, 3 × FAIL insufficient funds', actual: answers.map((a) => `${describeSent(a.sent)} → ${describeOutcome(a.outcome)}`).join('\n') },
        );
      }
      await ask(ctx, bank, probes[0]!, 'BALANCE Tom', 'OK 1000', `After two of five transfers of 2000 from Tom (5000) got OK, Tom has 1000: ${hint}`);
      await ask(ctx, bank, probes[0]!, 'AUDIT', `OK ${TOTAL}`, 'Concurrent transfers must neither create nor lose money.');
    },
  },
  {
    id: 'atomic.storm',
    title: 'A storm of concurrent random transfers: AUDIT always the total, no balance negative, final balances as the OKs say',
    points: 7,
    async run(ctx) {
      await storm(ctx);
    },
  },
  {
    id: 'deadlock.opposite-transfers',
    title: 'Tom→Abby and Abby→Tom at the same moment both complete',
    points: 7,
    async run(ctx) {
      // 500 ms: a request-order locker deadlocks only when the second transfer reaches the
      // server within one delay of the first; with 100 ms a grader preempted between its two
      // writes (load ~40) let it pass on a re-run.
      const bank = await startBank(ctx, { delayMs: DEADLOCK_DELAY_MS });
      const [c1, c2, c3] = await connectAll(ctx, bank, 3);
      await transfersTogether(
        bank,
        [
          [c1!, 'TRANSFER Tom Abby 2000'],
          [c2!, 'TRANSFER Abby Tom 3000'],
        ],
        deadlockMs(ctx, bank, 2),
        'with opposite transfers sent at the same moment (like the classic program),',
      );
      await expectBalances(ctx, bank, c3!, { Tom: 6000, Abby: 7000 }, 'After TRANSFER Tom Abby 2000 and TRANSFER Abby Tom 3000 both answered OK, Tom has 6000 and Abby 7000.');
    },
  },
  {
    id: 'deadlock.ring',
    title: 'Rings of transfers over three and five accounts at the same moment all complete',
    points: 5,
    timeoutMs: 40_000,
    async run(ctx) {
      const bank = await startBank(ctx, { delayMs: DEADLOCK_DELAY_MS });
      const probes = await connectAll(ctx, bank, 6);
      const check = probes[5]!;
      const ring3 = ['Tom', 'Abby', 'Carl'];
      await ringOf(ctx, bank, probes, ring3, ring3.map(() => 1000));
      await expectBalances(ctx, bank, check, { Tom: 5000, Abby: 8000, Carl: 3000 }, 'After the ring Tom→Abby→Carl→Tom of 1000 each (all OK), each account sent and received 1000: the balances are unchanged.');
      // A ring over the five funded accounts, in a seeded order, each sender able to pay.
      const ring5 = ctx.random.shuffle(['Tom', 'Abby', 'Carl', 'Dora', '李四']);
      const amounts = ring5.map((name) => ctx.random.int(1, ACCOUNTS[name]!));
      await ringOf(ctx, bank, probes, ring5, amounts);
      const expected: Record<string, number> = {};
      ring5.forEach((name, i) => {
        const before = (i + ring5.length - 1) % ring5.length;
        expected[name] = ACCOUNTS[name]! - amounts[i]! + amounts[before]!;
      });
      await expectBalances(ctx, bank, check, expected, `After the ring ${ring5.join('→')}→${ring5[0]} (all OK), each account has its balance minus what it sent plus what it received.`);
    },
  },
  {
    id: 'parallel.disjoint-pairs',
    title: 'Five transfers between disjoint pairs, from five connections at once, take about one delay',
    points: 5,
    // Judges wall-clock timing: alone under the concurrent scheduling.
    exclusive: true,
    async run(ctx) {
      const accounts = { ...ACCOUNTS, Finn: 700, Gus: 0, Hana: 900, Ivo: 0 };
      const bank = await startBank(ctx, { delayMs: ctx.ms(400), accounts });
      const pairs: Array<[string, string]> = [
        ['Tom', 'Abby'],
        ['Carl', 'Dora'],
        ['李四', 'Eve'],
        ['Finn', 'Gus'],
        ['Hana', 'Ivo'],
      ];
      const probes = await connectAll(ctx, bank, pairs.length);
      const sent = await sendTogether(pairs.map(([from, to], i) => [probes[i]!, `TRANSFER ${from} ${to} 10`]));
      // Long enough to measure transfers done one after the other (and report how long they took).
      const answers = await awaitReplies(sent, ctx.ms(REPLY_MS) + 2 * pairs.length * bank.delayMs);
      for (const answer of answers) {
        if (answer.outcome.kind !== 'ok' || answer.outcome.value !== 'OK') {
          throw replyFailure(answer.sent.probe, answer.sent.request, 'OK', answer.outcome, 'Every sender can afford its transfer of 10.');
        }
      }
      const latest = Math.max(...answers.map((a) => a.ms));
      const ratio = latest / bank.delayMs;
      const allowed = 2.5;
      if (ratio > allowed) {
        throw new CheckFailure(
          `${pairs.length} transfers between disjoint pairs of accounts (${pairs.map(([f, t]) => `${f}→${t}`).join(', ')}), sent at the same moment on ${pairs.length} connections, took ${latest} ms together with TRANSFER_DELAY_MS=${bank.delayMs}: ${ratio.toFixed(1)} delays, where parallel transfers take about 1 and one after the other ${pairs.length} (allowed: ${allowed}, a margin for a loaded machine). Lock the two accounts involved, not the whole bank.`,
          {
            expected: `the last OK within ${Math.round(allowed * bank.delayMs)} ms (${allowed} × ${bank.delayMs})`,
            actual: answers.map((a) => `${describeSent(a.sent)} → OK after ${a.ms} ms`).join('\n'),
          },
        );
      }
    },
  },
];

/** Sends the ring members[0]→members[1]→…→members[0] at the same moment; all must be OK. */
async function ringOf(ctx: CheckContext, bank: Bank, probes: TcpProbe[], members: string[], amounts: number[]): Promise<void> {
  const items = members.map((from, i): [TcpProbe, string] => [probes[i]!, `TRANSFER ${from} ${members[(i + 1) % members.length]} ${amounts[i]}`]);
  await transfersTogether(bank, items, deadlockMs(ctx, bank, members.length), `with a ring of ${members.length} transfers (${members.join('→')}→${members[0]}) sent at the same moment,`);
}

// ------------------------------------------------------------------------------------ storm

const STORM_CLIENTS = 8;
const STORM_ROUNDS = 6;
const STORM_DELAY_MS = 50;

interface StormStep {
  from: string;
  to: string;
  /** The amount as a share of what `from` holds as far as the grader knows when sending. */
  share: number;
}

/**
 * Eight clients each send six random transfers (seeded), each after the previous reply;
 * meanwhile one client asks AUDIT and another BALANCE of random accounts, over and over.
 * Amounts are 40–90 % of what the sender holds (sometimes more than all of it), so
 * transfers from one account at the same moment would overdraw it if the check and the
 * debit were apart. The grader keeps its own model: the initial balances plus the transfers
 * answered OK.
 */
async function storm(ctx: CheckContext): Promise<void> {
  const bank = await startBank(ctx, { delayMs: STORM_DELAY_MS });
  const names = Object.keys(ACCOUNTS);
  const plan: StormStep[][] = Array.from({ length: STORM_CLIENTS }, () =>
    Array.from({ length: STORM_ROUNDS }, () => {
      const from = ctx.random.pick(names);
      const to = ctx.random.pick(names.filter((n) => n !== from));
      const share = ctx.random.next() < 0.15 ? 1.25 : 0.4 + 0.5 * ctx.random.next();
      return { from, to, share };
    }),
  );
  const watched = Array.from({ length: 64 }, () => ctx.random.pick(names));
  const probes = await connectAll(ctx, bank, STORM_CLIENTS + 2);
  const auditor = probes[STORM_CLIENTS]!;
  const watcher = probes[STORM_CLIENTS + 1]!;

  const model = new Map(Object.entries(ACCOUNTS));
  const deadline = ctx.ms(REPLY_MS) + 2 * STORM_CLIENTS * bank.delayMs;
  const pending = new Map<TcpProbe, Sent>();
  let failure: CheckFailure | undefined;
  let stop = false;
  let transfersDone = false;
  let oks = 0;
  let refused = 0;
  let observed = 0;
  const inFlight = () => [...pending.values()].filter((s) => s.request.startsWith('TRANSFER ')).length;

  /** Sends a request and reads its reply; undefined when it timed out (left in `pending`). */
  const exchange = async (probe: TcpProbe, request: string): Promise<string | undefined> => {
    const sent: Sent = { probe, request, sentAt: performance.now() };
    pending.set(probe, sent);
    await probe.send(`${request}\n`);
    const outcome = await probe.readLine(deadline);
    if (outcome.kind === 'timeout') {
      stop = true;
      return undefined;
    }
    pending.delete(probe);
    if (outcome.kind !== 'ok') {
      failure ??= replyFailure(probe, request, request.startsWith('TRANSFER') ? 'OK' : 'OK <n>', outcome, 'During the storm.');
      stop = true;
      return undefined;
    }
    return outcome.value;
  };
  const fail = (f: CheckFailure) => {
    failure ??= f;
    stop = true;
  };

  const transferLoop = async (probe: TcpProbe, steps: StormStep[]) => {
    for (const step of steps) {
      if (stop) return;
      const have = model.get(step.from)!;
      const amount = Math.max(1, Math.round(have * step.share));
      const request = `TRANSFER ${step.from} ${step.to} ${amount}`;
      const reply = await exchange(probe, request);
      if (reply === undefined) return;
      if (reply === 'OK') {
        oks++;
        model.set(step.from, model.get(step.from)! - amount);
        model.set(step.to, model.get(step.to)! + amount);
      } else if (reply === 'FAIL insufficient funds') {
        refused++;
      } else {
        fail(replyFailure(probe, request, 'OK', { kind: 'ok', value: reply }, 'Every transfer of the storm is well-formed between existing accounts: the only possible replies are `OK` and `FAIL insufficient funds`.'));
        return;
      }
    }
  };

  const observeLoop = async (probe: TcpProbe, next: (i: number) => string, judge: (request: string, reply: string) => CheckFailure | undefined) => {
    for (let i = 0; !stop && !transfersDone; i++) {
      const request = next(i);
      const transfersAround = inFlight();
      const reply = await exchange(probe, request);
      if (reply === undefined) return;
      observed++;
      const problem = judge(request, reply);
      if (problem) {
        fail(new CheckFailure(`${problem.message} (${transfersAround} transfer(s) of the storm were waiting for their replies when it was sent.)`, { expected: problem.expected ?? '', actual: problem.actual ?? '' }));
        return;
      }
      // Spread the observations over the storm (pacing the load, not synchronisation).
      await pause(Math.round(bank.delayMs / 2));
    }
  };

  const transfers = Promise.all(plan.map((steps, i) => transferLoop(probes[i]!, steps))).then(() => {
    transfersDone = true;
  });
  const audits = observeLoop(
    auditor,
    () => 'AUDIT',
    (request, reply) =>
      reply === `OK ${TOTAL}`
        ? undefined
        : replyFailure(
            auditor,
            request,
            `OK ${TOTAL}`,
            { kind: 'ok', value: reply },
            `AUDIT during a storm of concurrent transfers must always return the initial total ${TOTAL}: it saw money in flight (or money was created or lost). Take every account's lock in the global order in AUDIT, or add the money in flight.`,
          ),
  );
  const balances = observeLoop(
    watcher,
    (i) => `BALANCE ${watched[i % watched.length]}`,
    (request, reply) => {
      const match = /^OK (-?[0-9]+)$/.exec(reply);
      if (!match) return replyFailure(watcher, request, 'OK <balance>', { kind: 'ok', value: reply }, 'BALANCE of an existing account answers `OK <balance>`.');
      if (Number(match[1]) < 0) {
        return new CheckFailure(
          `During the storm, ${watcher.label} sent ${quote(request)} and got ${show(reply)}: a balance went negative. Concurrent transfers from one account must not both pass the balance check: check and debit under the account's lock, with no await in between.`,
          { expected: 'OK <a balance ≥ 0>', actual: reply },
        );
      }
      return undefined;
    },
  );
  await Promise.all([transfers, audits, balances]);

  if (failure) throw failure;
  if (pending.size > 0) {
    throw deadlockSuspected([...pending.values()], deadline, bank.delayMs, `during a storm of ${STORM_CLIENTS} clients sending transfers (${oks} answered OK and ${refused} FAIL so far),`);
  }
  ctx.note(`storm: ${oks} transfers OK, ${refused} FAIL insufficient funds, ${observed} AUDIT/BALANCE observations`);

  const summary = `${oks} transfers answered OK and ${refused} FAIL insufficient funds`;
  const overdrawn = [...model].filter(([, balance]) => balance < 0);
  if (overdrawn.length > 0) {
    throw new CheckFailure(
      `After the storm (${summary}), the transfers answered OK took more from ${overdrawn.map(([n]) => n).join(', ')} than it ever had: a balance went negative. Concurrent transfers from one account must not both pass the balance check: check and debit under the account's lock, with no await in between.`,
      { expected: 'every balance ≥ 0', actual: overdrawn.map(([n, b]) => `${n}: ${b}`).join(', ') },
    );
  }
  const expected = Object.fromEntries(model);
  await expectBalances(
    ctx,
    bank,
    auditor,
    expected,
    `After the storm (${summary}), each balance should be its initial balance plus the OK transfers into it minus the OK transfers out of it: a transfer answered OK is applied exactly once, a FAIL changes nothing.`,
  );
}
