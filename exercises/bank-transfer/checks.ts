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
import { text } from './messages.ts';
import { currentLanguage } from '../../grader/i18n/language.ts';

const { t } = text;

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
    get title() {
      return t('basic.balance.title');
    },
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
        () => t('basic.balance.hint'),
      );
    },
  },
  {
    id: 'basic.transfer',
    get title() {
      return t('basic.transfer.title');
    },
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
            ? t('basic.transfer.hintTransfer')
            : t('basic.transfer.hintAfter', { total: String(TOTAL) }),
      );
    },
  },
  {
    id: 'transfer.delay',
    get title() {
      return t('transfer.delay.title');
    },
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
        await expectReply(c1!, request, 'OK', replyMs(ctx, bank, request), t('delay.afford'));
        return Math.round(performance.now() - started);
      };
      const took = await timeTransfer(await startBank(ctx, { delayMs: 400 }));
      if (took < 380) {
        throw new CheckFailure(
          t('delay.tooSoon', { took: { ms: took } }),
          { expected: t('delay.tooSoonExpected', { ms: { ms: 380 } }), actual: t('delay.tooSoonActual', { ms: { ms: took } }) },
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
        await expectReply(d1!, request, 'OK', replyMs(ctx, byDefault, request), t('delay.affordFive'));
      }
      const tookByDefault = Math.round(performance.now() - started);
      if (tookByDefault < 475) {
        throw new CheckFailure(
          t('delay.defaultTooSoon', { took: { ms: tookByDefault } }),
          { expected: t('delay.defaultExpected', { ms: { ms: 475 } }), actual: t('delay.defaultActual', { ms: { ms: tookByDefault } }) },
        );
      }
    },
  },
  {
    id: 'transfer.insufficient',
    get title() {
      return t('transfer.insufficient.title');
    },
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
          t('insufficient.hint'),
      );
    },
  },

  {
    id: 'transfer.leading-zeros',
    get title() {
      return t('transfer.leading-zeros.title');
    },
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
            ? t('zeros.hintTransfer')
            : t('zeros.hintAfter'),
      );
    },
  },

  // ------------------------------------------------------------------------------- errors
  {
    id: 'errors.err',
    get title() {
      return t('errors.err.title');
    },
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
          t('err.hint', { request: quote(request) }),
        );
      }
      await ask(ctx, bank, c1!, 'BALANCE Tom', 'OK 5000', t('err.survives'));
    },
  },
  {
    id: 'errors.bad-amount',
    get title() {
      return t('errors.bad-amount.title');
    },
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
            ? t('badAmount.self')
            : t('badAmount.hint', { amount: show(amount) });
        // A lenient server may carry out such a "transfer": allow its delay.
        await expectReply(c1!, request, 'FAIL bad amount', replyMs(ctx, bank, request), hint);
      }
      for (const [request, expected] of after) {
        await expectReply(c1!, request, expected, ctx.ms(REPLY_MS), t('badAmount.after'));
      }
    },
  },
  {
    id: 'errors.spacing',
    get title() {
      return t('errors.spacing.title');
    },
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
          t('spacing.hint'),
        );
      }
      await expectBalances(ctx, bank, c1!, { Tom: 5000, Abby: 8000 }, t('spacing.after'));
    },
  },
  {
    id: 'names.exact',
    get title() {
      return t('names.exact.title');
    },
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
            ? t('names.noMoney')
            : t('names.hint', { request: quote(request) }),
      );
    },
  },
  {
    id: 'errors.check-order',
    get title() {
      return t('errors.check-order.title');
    },
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
          t('checkOrder.hint', { request: quote(request), first: expected === ANY_ERR ? '`ERR`' : `\`${expected}\`` }),
      );
    },
  },
  {
    id: 'errors.no-crash',
    get title() {
      return t('errors.no-crash.title');
    },
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
        const params = { conn: c1!.label, want: show(`OK ${TOTAL}`), got: describeOutcome(outcome) };
        throw new CheckFailure(
          seen.length > 0 ? t('noCrash.failureAfter', { ...params, n: seen.length }) : t('noCrash.failure', params),
          { expected: `OK ${TOTAL}`, actual: describeOutcome(outcome) },
        );
      }
      const c2 = await ctx.connect(bank.server);
      await ask(ctx, bank, c2, 'BALANCE Tom', 'OK 5000', t('noCrash.newClient'));
      bank.server.assertAlive();
    },
  },

  {
    id: 'robust.reset',
    get title() {
      return t('robust.reset.title');
    },
    points: 4,
    async run(ctx) {
      const bank = await startBank(ctx, { delayMs: 300 });
      const [c1, c2, c3, c4, c5] = await connectAll(ctx, bank, 5);
      c1!.reset(); // connected, sent nothing
      await c2!.send('BALANCE To', { paced: true }); // half a line, read by the server
      c2!.reset();
      await c3!.send('TRANSFER Tom Abby 1000\n', { paced: true }); // read by the server, its reply still owed
      c3!.reset();
      await ask(ctx, bank, c4!, 'BALANCE Carl', 'OK 3000', t('reset.carl'));
      c4!.reset(); // after its reply
      const labels = { c1: c1!.label, c2: c2!.label, c3: c3!.label, c4: c4!.label };
      ctx.note(t('reset.note', labels));
      const hint = t('reset.hint', labels);
      // The reset client's transfer happens as a whole or not at all. Whether its money may be
      // seen in flight is atomic.balance's question, not this one's: ask Tom's and Abby's
      // balances until they add up to 13000 again (a correct server's BALANCE waits for the
      // transfer's locks and answers that at once), paced a quarter of the delay apart.
      const settleBy = performance.now() + replyMs(ctx, bank, 'TRANSFER') + 4 * bank.delayMs;
      const balanceOf = async (name: string): Promise<number> => {
        await c5!.send(`BALANCE ${name}\n`);
        const line = await expectLine(c5!, /^OK [0-9]+$/, { after: t('sending', { request: quote(`BALANCE ${name}`) }), timeoutMs: replyMs(ctx, bank, 'BALANCE') + bank.delayMs, hint });
        return Number(line.slice(3));
      };
      for (let round = 1; ; round++) {
        if (round > 1) await pause(Math.round(bank.delayMs / 4));
        const tom = await balanceOf('Tom');
        const abby = await balanceOf('Abby');
        if (tom + abby === 13000 && (tom === 5000 || tom === 4000)) break;
        if (performance.now() > settleBy) {
          throw new CheckFailure(
            t('reset.partial', { conn: c5!.label, tom: String(tom), abby: String(abby), sum: String(tom + abby), ms: { ms: Math.round(replyMs(ctx, bank, 'TRANSFER') + 4 * bank.delayMs) }, hint }),
            { expected: t('reset.partialExpected'), actual: `BALANCE Tom → OK ${tom}, BALANCE Abby → OK ${abby}` },
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
    get title() {
      return t('framing.split.title');
    },
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
          t('split.hint'),
        );
      }
    },
  },
  {
    id: 'framing.pipelined',
    get title() {
      return t('framing.pipelined.title');
    },
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
      await expectInOrder(ctx, bank, c1!, steps, t('pipelined.hint'));
      // The six replies have arrived: an extra line would be written with them.
      await expectSilence(c1!, {
        after: t('pipelined.after'),
        ms: ctx.ms(ABSENCE_MS),
        hint: t('pipelined.oneReply'),
        meaning: t('pipelined.meaning'),
      });
    },
  },
  {
    id: 'framing.crlf',
    get title() {
      return t('framing.crlf.title');
    },
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
        await expectReply(c1!, `${request}\r\n`, expected, replyMs(ctx, bank, request), t('crlf.hint'));
      }
    },
  },
  {
    id: 'framing.fin',
    get title() {
      return t('framing.fin.title');
    },
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
        t('fin.hint');
      for (const [request, expected] of steps) await expectReply(c1!, request, expected, replyMs(ctx, bank, request), hint);
      await expectClosed(c1!, {
        after: t('fin.after'),
        timeoutMs: ctx.ms(REPLY_MS),
        hint: t('fin.closeHint'),
      });
    },
  },
  {
    id: 'concurrency.idle-client',
    get title() {
      return t('concurrency.idle-client.title');
    },
    points: 4,
    // Judges wall-clock timing: alone under the concurrent scheduling.
    exclusive: true,
    async run(ctx) {
      const bank = await startBank(ctx);
      const [c1, c2, c3] = await connectAll(ctx, bank, 3);
      void c1; // connected, sends nothing
      await c2!.send('TRANSFER Tom Ab', { paced: true }); // half a line, read by the server
      const started = performance.now();
      const hint = t('idle.hint', { c1: c1!.label, c2: c2!.label });
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
        throw new CheckFailure(t('idle.slow', { conn: c3!.label, delay: { ms: bank.delayMs }, took: { ms: took }, hint }), {
          expected: t('idle.expected', { ms: { ms: limit } }),
          actual: t('ms', { ms: { ms: took } }),
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
    get title() {
      return t('atomic.audit.title');
    },
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
          t('audit.hint', { i, sent: sent.map(describeSent), total: String(TOTAL) }),
        );
      }
      await replies;
    },
  },
  {
    id: 'atomic.balance',
    get title() {
      return t('atomic.balance.title');
    },
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
            throw replyFailure(answer.sent.probe, answer.sent.request, 'OK <balance>', answer.outcome, t('balance.hint', { moving: describeSent(moving!) }));
          }
          values.push(Number(match[1]));
        }
        const [tom, abby] = values as [number, number];
        if (tom + abby !== 13000) {
          throw new CheckFailure(
            t('balance.visible', { moving: describeSent(moving!), pair, c2: c2!.label, c3: c3!.label, tom: String(tom), abby: String(abby), sum: String(tom + abby) }),
            { expected: t('balance.expected'), actual: `BALANCE Tom → OK ${tom}, BALANCE Abby → OK ${abby}` },
          );
        }
      }
      await done;
    },
  },
  {
    id: 'atomic.no-overdraft',
    get title() {
      return t('atomic.no-overdraft.title');
    },
    points: 5,
    async run(ctx) {
      const bank = await startBank(ctx, { delayMs: 300 }) // long: the five arrive within one delay even under load;
      const probes = await connectAll(ctx, bank, 5);
      const targets = ['Abby', 'Carl', 'Dora', 'Eve', '李四'];
      const sent = await sendTogether(targets.map((to, i) => [probes[i]!, `TRANSFER Tom ${to} 2000`]));
      const timeoutMs = ctx.ms(3000) + 5 * bank.delayMs;
      const answers = await awaitReplies(sent, timeoutMs);
      const pending = answers.filter((a) => a.outcome.kind === 'timeout').map((a) => a.sent);
      if (pending.length > 0) throw deadlockSuspected(pending, timeoutMs, bank.delayMs, t('overdraft.context'), answers);
      let oks = 0;
      for (const answer of answers) {
        const line = answer.outcome.kind === 'ok' ? answer.outcome.value : undefined;
        if (line === 'OK') oks++;
        else if (line !== 'FAIL insufficient funds') {
          throw replyFailure(answer.sent.probe, answer.sent.request, 'OK', answer.outcome, t('overdraft.onlyTwo'));
        }
      }
      const hint = t('overdraft.lock');
      if (oks !== 2) {
        throw new CheckFailure(
          t('overdraft.count', { oks, hint }),
          { expected: '2 × OK, 3 × FAIL insufficient funds', actual: answers.map((a) => `${describeSent(a.sent)} → ${describeOutcome(a.outcome)}`).join('\n') },
        );
      }
      await ask(ctx, bank, probes[0]!, 'BALANCE Tom', 'OK 1000', t('overdraft.after', { hint }));
      await ask(ctx, bank, probes[0]!, 'AUDIT', `OK ${TOTAL}`, t('overdraft.total'));
    },
  },
  {
    id: 'atomic.storm',
    get title() {
      return t('atomic.storm.title');
    },
    points: 7,
    async run(ctx) {
      await storm(ctx);
    },
  },
  {
    id: 'deadlock.opposite-transfers',
    get title() {
      return t('deadlock.opposite-transfers.title');
    },
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
        t('opposite.context'),
      );
      await expectBalances(ctx, bank, c3!, { Tom: 6000, Abby: 7000 }, t('opposite.after'));
    },
  },
  {
    id: 'deadlock.ring',
    get title() {
      return t('deadlock.ring.title');
    },
    points: 5,
    timeoutMs: 40_000,
    async run(ctx) {
      const bank = await startBank(ctx, { delayMs: DEADLOCK_DELAY_MS });
      const probes = await connectAll(ctx, bank, 6);
      const check = probes[5]!;
      const ring3 = ['Tom', 'Abby', 'Carl'];
      await ringOf(ctx, bank, probes, ring3, ring3.map(() => 1000));
      await expectBalances(ctx, bank, check, { Tom: 5000, Abby: 8000, Carl: 3000 }, t('ring.three'));
      // A ring over the five funded accounts, in a seeded order, each sender able to pay.
      const ring5 = ctx.random.shuffle(['Tom', 'Abby', 'Carl', 'Dora', '李四']);
      const amounts = ring5.map((name) => ctx.random.int(1, ACCOUNTS[name]!));
      await ringOf(ctx, bank, probes, ring5, amounts);
      const expected: Record<string, number> = {};
      ring5.forEach((name, i) => {
        const before = (i + ring5.length - 1) % ring5.length;
        expected[name] = ACCOUNTS[name]! - amounts[i]! + amounts[before]!;
      });
      await expectBalances(ctx, bank, check, expected, t('ring.five', { ring: `${ring5.join('→')}→${ring5[0]}` }));
    },
  },
  {
    id: 'parallel.disjoint-pairs',
    get title() {
      return t('parallel.disjoint-pairs.title');
    },
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
          throw replyFailure(answer.sent.probe, answer.sent.request, 'OK', answer.outcome, t('disjoint.afford'));
        }
      }
      const latest = Math.max(...answers.map((a) => a.ms));
      const ratio = latest / bank.delayMs;
      const allowed = 2.5;
      if (ratio > allowed) {
        throw new CheckFailure(
          t('disjoint.slow', {
            n: pairs.length,
            pairs: pairs.map(([from, to]) => `${from}→${to}`).join(currentLanguage() === 'zh-CN' ? '、' : ', '),
            took: { ms: latest },
            delay: String(bank.delayMs),
            ratio: ratio.toFixed(1),
            allowed: String(allowed),
          }),
          {
            expected: t('disjoint.expected', { ms: { ms: Math.round(allowed * bank.delayMs) }, allowed: String(allowed), delay: String(bank.delayMs) }),
            actual: answers.map((a) => t('disjoint.actualLine', { sent: describeSent(a.sent), ms: { ms: a.ms } })).join('\n'),
          },
        );
      }
    },
  },
];

/** Sends the ring members[0]→members[1]→…→members[0] at the same moment; all must be OK. */
async function ringOf(ctx: CheckContext, bank: Bank, probes: TcpProbe[], members: string[], amounts: number[]): Promise<void> {
  const items = members.map((from, i): [TcpProbe, string] => [probes[i]!, `TRANSFER ${from} ${members[(i + 1) % members.length]} ${amounts[i]}`]);
  await transfersTogether(bank, items, deadlockMs(ctx, bank, members.length), t('ring.context', { n: members.length, ring: `${members.join('→')}→${members[0]}` }));
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
      failure ??= replyFailure(probe, request, request.startsWith('TRANSFER') ? 'OK' : 'OK <n>', outcome, t('storm.during'));
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
        fail(replyFailure(probe, request, 'OK', { kind: 'ok', value: reply }, t('storm.onlyTwo')));
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
        fail(new CheckFailure(t('storm.waiting', { message: problem.message, n: transfersAround }), { expected: problem.expected ?? '', actual: problem.actual ?? '' }));
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
          t('storm.negative', { conn: watcher.label, request: quote(request), reply: show(reply) }),
          { expected: 'OK <a balance ≥ 0>', actual: reply },
        );
      }
      return undefined;
    },
  );
  await Promise.all([transfers, audits, balances]);

  if (failure) throw failure;
  if (pending.size > 0) {
    throw deadlockSuspected([...pending.values()], deadline, bank.delayMs, t('storm.context', { clients: STORM_CLIENTS, oks, refused }));
  }
  ctx.note(t('storm.note', { oks, refused, observed }));

  const summary = t('storm.summary', { oks, refused });
  const overdrawn = [...model].filter(([, balance]) => balance < 0);
  if (overdrawn.length > 0) {
    throw new CheckFailure(
      t('storm.overdrawn', { summary, names: overdrawn.map(([n]) => n) }),
      { expected: t('storm.overdrawnExpected'), actual: overdrawn.map(([n, b]) => `${n}: ${b}`).join(', ') },
    );
  }
  const expected = Object.fromEntries(model);
  await expectBalances(
    ctx,
    bank,
    auditor,
    expected,
    t('storm.final', { summary }),
  );
}
