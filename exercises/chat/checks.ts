/**
 * The checks of chat, one per clause of the contract (../shared/EXERCISES.md). Every check
 * starts its own server and talks to it from several UDP sockets (see protocol.ts for how the
 * room knows that everything has arrived).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { CheckDefinition } from '../../grader/exercise/define.ts';
import { CheckFailure } from '../../grader/model/errors.ts';
import { show } from '../../grader/probes/expect.ts';
import {
  QUIET_MS,
  Room,
  announcement,
  chatLine,
  exitLine,
  randomContent,
  welcome,
  type Client,
} from './protocol.ts';
import { text } from './messages.ts';

const { t } = text;

/** The names LOGIN must refuse after alice logged in, and why. */
const REFUSED: { request: string; why: () => string }[] = [
  { request: 'LOGIN alice', why: () => t('refused.taken') },
  { request: 'LOGIN', why: () => t('refused.empty') },
  { request: 'LOGIN ', why: () => t('refused.empty') },
  { request: 'LOGIN bob smith', why: () => t('refused.space') },
  { request: 'LOGIN bob\tsmith', why: () => t('refused.tab') },
  { request: 'LOGIN 管理员', why: () => t('refused.admin') },
  { request: 'LOGIN 系统管理', why: () => t('refused.admin') },
  { request: 'LOGIN 张三\u3000', why: () => t('refused.ideographic') },
  { request: 'LOGIN  bob', why: () => t('refused.leadingSpace') },
  { request: 'LOGIN bob\n', why: () => t('refused.newline') },
];

/** Malformed or unknown datagrams, sent by an address that never logged in. */
const MALFORMED: (string | Buffer)[] = [
  Buffer.alloc(0),
  'HELLO',
  'login carol',
  'CHAT',
  'CHAT alice',
  'CHAT alice ',
  'EXIT',
  'EXIT nobody',
  'LOGINcarol',
  'CHATalice hi',
  Buffer.from([0xff, 0xfe, 0x00, 0x01]),
  'A'.repeat(10_000),
  'EXIT  alice',
];

const CROWD_SIZE = 30;
const CROWD_NAMES = ['小明', 'Lucy', 'Tom', '张伟', '王芳', 'Zoë', 'Олег', '佐藤', 'Émile', 'Ana', '李雷', '韩梅梅'];

function describe(datagram: string | Buffer): string {
  return typeof datagram === 'string' ? show(datagram) : datagram.length === 0 ? t('datagram.empty') : show(datagram, 60);
}

async function users(room: Room, entries: [letter: string, name: string][]): Promise<Client[]> {
  const clients: Client[] = [];
  for (const [letter, name] of entries) {
    const client = await room.client(letter);
    await room.login(client, name, t('ctx.setup'));
    clients.push(client);
  }
  await room.settle();
  return clients;
}

export const checks: CheckDefinition[] = [
  {
    id: 'login.ok',
    get title() { return t('login.ok.title'); },
    points: 6,
    async run(ctx) {
      const room = await Room.open(ctx, { observer: false });
      const a = await room.client('A');
      await a.send('LOGIN alice');
      const reply = await room.next(a);
      if (!reply || !reply.equals(Buffer.from('OK'))) {
        const got = reply ? show(reply) : room.nothingWithin;
        throw new CheckFailure(
          t('login.notOk', { client: a.label, request: show('LOGIN alice'), ok: show('OK'), got }),
          { expected: 'OK', actual: got },
        );
      }
    },
  },
  {
    id: 'login.fail',
    get title() { return t('login.fail.title'); },
    points: 10,
    async run(ctx) {
      const room = await Room.open(ctx);
      const [a] = await users(room, [['A', 'alice']]);
      const b = await room.client('B');
      for (const { request, why } of REFUSED) {
        await b.send(request);
        const reply = await room.next(b);
        if (!reply || !reply.equals(Buffer.from('FAIL'))) {
          const got = reply ? show(reply) : room.nothingWithin;
          throw new CheckFailure(
            t('login.notFail', { client: b.label, request: show(request), fail: show('FAIL'), why: why(), got }),
            { expected: 'FAIL', actual: got },
          );
        }
      }
      await room.expect(t('step.afterRefused', { n: REFUSED.length, client: b.label }), [{ client: a!, datagrams: [] }], {
        hint: t('hint.refusedNotAnnounced'),
      });
      await a!.send('LOGIN alice');
      const again = await room.next(a!);
      if (!again || !again.equals(Buffer.from('FAIL'))) {
        const got = again ? show(again) : room.nothingWithin;
        throw new CheckFailure(
          t('login.againNotFail', { client: a!.label, request: show('LOGIN alice'), fail: show('FAIL'), got }),
          { expected: 'FAIL', actual: got },
        );
      }
      await room.login(b, 'bob', t('ctx.afterRefusedNames'));
      await room.expect(t('step.bobAfterRefused', { client: b.label }), [{ client: a!, datagrams: [welcome('bob')] }], {
        hint: t('hint.welcomeOnce'),
      });
    },
  },
  {
    id: 'login.welcome',
    get title() { return t('login.welcome.title'); },
    points: 8,
    async run(ctx) {
      const room = await Room.open(ctx);
      const [a] = await users(room, [['A', 'alice']]);
      const b = await room.client('B');
      await room.sendLogin(b, 'bob');
      await room.expect(t('step.afterSent', { client: b.label, datagram: show('LOGIN bob') }), [
        { client: a!, datagrams: [welcome('bob')], why: t('why.everyOtherOnce', { line: show(welcome('bob')) }) },
        { client: b, datagrams: ['OK'], why: t('why.newcomerOnlyOk') },
      ], { hint: '' });
      const s = await room.client('S');
      await room.sendLogin(s, 'x');
      await room.expect(t('step.afterSent', { client: s.label, datagram: show('LOGIN x') }), [
        { client: s, datagrams: ['OK'], why: t('why.newcomerOnlyOkShort') },
        { client: a!, datagrams: [welcome('x')], why: t('why.everyOtherOnce', { line: show(welcome('x')) }) },
      ], { hint: '' });
      await room.sendLogin(s, 'y');
      await room.expect(t('step.alsoSent', { client: s.label, datagram: show('LOGIN y') }), [
        {
          client: s,
          datagrams: ['OK', welcome('y')],
          anyOrder: true,
          why: t('why.sameAddress', { line: show(welcome('y')) }),
        },
        { client: a!, datagrams: [welcome('y')], why: t('why.everyOtherOnce', { line: show(welcome('y')) }) },
      ], { hint: '' });
    },
  },
  {
    id: 'login.same-address',
    get title() { return t('login.same-address.title'); },
    points: 5,
    async run(ctx) {
      const room = await Room.open(ctx);
      const [a] = await users(room, [['A', 'alice']]);
      const s = await room.client('S');
      await room.login(s, 'x', t('ctx.severalNames'));
      await room.login(s, 'y', t('ctx.severalNamesAfter', { datagram: show('LOGIN x') }));
      await room.settle();
      const hint = t('hint.byName');
      await s.send('CHAT y hi');
      await room.expect(t('step.sentAsXY', { client: s.label, datagram: show('CHAT y hi') }), [{ client: a!, datagrams: [chatLine('y', 'hi')] }], { hint });
      await s.send('EXIT x');
      s.removeName('x');
      await room.expect(t('step.sent', { client: s.label, datagram: show('EXIT x') }), [{ client: a!, datagrams: [exitLine('x')] }], { hint });
      await s.send('CHAT y again');
      await room.expect(t('step.afterXLeft', { client: s.label, datagram: show('CHAT y again') }), [{ client: a!, datagrams: [chatLine('y', 'again')] }], {
        hint: t('hint.byNameExitOnlyX'),
      });
    },
  },
  {
    id: 'chat.relay',
    get title() { return t('chat.relay.title'); },
    points: 10,
    async run(ctx) {
      const room = await Room.open(ctx);
      const [a, b, c] = await users(room, [['A', 'alice'], ['B', 'bob'], ['C', 'carol']]);
      const hint = t('hint.relay');
      const word = ctx.random.pick(['一起出去玩啊', 'héllo', '🙂', 'Привет', '好的!']);
      const steps: [Client, string, string, Client[]][] = [
        [a!, 'alice', '你好', [b!, c!]],
        [b!, 'bob', 'hello', [a!, c!]],
        [c!, 'carol', word, [a!, b!]],
      ];
      for (const [from, name, content, others] of steps) {
        await from.send(`CHAT ${name} ${content}`);
        await room.expect(
          t('step.sent', { client: from.label, datagram: show(`CHAT ${name} ${content}`) }),
          others.map((client) => ({ client, datagrams: [chatLine(name, content)] })),
          { hint },
        );
      }
    },
  },
  {
    id: 'chat.no-echo',
    get title() { return t('chat.no-echo.title'); },
    points: 5,
    async run(ctx) {
      const room = await Room.open(ctx);
      const [a, b] = await users(room, [['A', 'alice'], ['B', 'bob']]);
      const s = await room.client('S');
      await room.login(s, 'x', t('ctx.setup'));
      await room.login(s, 'y', t('ctx.setup'));
      await room.settle();
      await a!.send('CHAT alice hi');
      await room.expect(t('step.sent', { client: a!.label, datagram: show('CHAT alice hi') }), [
        { client: a!, datagrams: [], why: t('why.noOwn') },
        { client: b!, datagrams: [chatLine('alice', 'hi')] },
        { client: s, datagrams: [chatLine('alice', 'hi'), chatLine('alice', 'hi')], why: t('why.twoCopies') },
      ], { quiet: true, hint: t('hint.everyOtherOnceMessage') });
      await s.send('CHAT x hi');
      await room.expect(t('step.sentAsXY', { client: s.label, datagram: show('CHAT x hi') }), [
        { client: s, datagrams: [chatLine('x', 'hi')], why: t('why.skipByName') },
        { client: a!, datagrams: [chatLine('x', 'hi')] },
        { client: b!, datagrams: [chatLine('x', 'hi')] },
      ], { hint: t('hint.everyOtherOnceMessage') });
    },
  },
  {
    id: 'chat.content',
    get title() { return t('chat.content.title'); },
    points: 8,
    async run(ctx) {
      const room = await Room.open(ctx);
      const [a, b] = await users(room, [['A', 'alice'], ['B', 'bob']]);
      const contents = [
        '今天 天气 不错',
        ' leading',
        'trailing  ',
        'a  b   c',
        '😀 emoji 𝄞',
        'x : y',
        'EXIT bob',
        'two\nlines',
        'ends in a newline\n',
        '中'.repeat(1333) + 'a',
        randomContent(ctx, 4000),
      ];
      for (const content of contents) {
        await a!.send(`CHAT alice ${content}`);
        await room.expect(t('step.sentContent', { client: a!.label, datagram: show(`CHAT alice ${content}`, 80), bytes: Buffer.byteLength(content) }), [
          { client: b!, datagrams: [chatLine('alice', content)] },
        ], {
          hint: t('hint.content'),
        });
      }
    },
  },
  {
    id: 'chat.impersonation',
    get title() { return t('chat.impersonation.title'); },
    points: 10,
    async run(ctx) {
      const room = await Room.open(ctx);
      const [a, b, c] = await users(room, [['A', 'alice'], ['B', 'bob'], ['C', 'carol']]);
      const d = await room.client('D');
      const attempts: [Client, string][] = [
        [c!, 'CHAT alice fake'],
        [d, 'CHAT alice fake2'],
        [d, 'CHAT nobody hi'],
        [d, 'EXIT alice'],
        [c!, 'EXIT bob'],
      ];
      for (const [from, datagram] of attempts) await from.send(datagram);
      const sent = attempts.map(([from, datagram]) => t('impersonation.item', { letter: from.letter, datagram: show(datagram) })).join(t('list.separator'));
      await room.expect(t('step.impersonation', { sent }), [a!, b!, c!, d].map((client) => ({ client, datagrams: [] })), {
        quiet: true,
        hint: t('hint.impersonation'),
      });
      await b!.send('CHAT bob hi');
      await room.expect(t('step.then', { client: b!.label, datagram: show('CHAT bob hi') }), [
        { client: a!, datagrams: [chatLine('bob', 'hi')] },
        { client: c!, datagrams: [chatLine('bob', 'hi')] },
      ], { hint: t('hint.stillLoggedIn') });
    },
  },
  {
    id: 'exit.broadcast',
    get title() { return t('exit.broadcast.title'); },
    points: 6,
    async run(ctx) {
      const room = await Room.open(ctx);
      const [a, b, c] = await users(room, [['A', 'alice'], ['B', 'bob'], ['C', 'carol']]);
      await a!.send('EXIT alice');
      a!.removeName('alice');
      await room.expect(t('step.sent', { client: a!.label, datagram: show('EXIT alice') }), [
        { client: b!, datagrams: [exitLine('alice')] },
        { client: c!, datagrams: [exitLine('alice')] },
        { client: a!, datagrams: [], why: t('why.exitNoReply') },
      ], { quiet: true, hint: t('hint.everyRemainingOnce', { line: show(exitLine('alice')) }) });
    },
  },
  {
    id: 'exit.removed',
    get title() { return t('exit.removed.title'); },
    points: 6,
    async run(ctx) {
      const room = await Room.open(ctx);
      const [a, b] = await users(room, [['A', 'alice'], ['B', 'bob']]);
      await a!.send('EXIT alice');
      a!.removeName('alice');
      await room.settle();
      const hint = t('hint.removed');
      await a!.send('CHAT alice ghost');
      await room.expect(t('step.afterExit', { exit: show('EXIT alice'), client: a!.label, datagram: show('CHAT alice ghost') }), [
        { client: b!, datagrams: [], why: t('why.ghostRelayed') },
      ], { hint });
      await b!.send('CHAT bob after');
      await room.expect(t('step.afterExit', { exit: show('EXIT alice'), client: b!.label, datagram: show('CHAT bob after') }), [
        { client: a!, datagrams: [], why: t('why.ghostReceived') },
      ], { quiet: true, hint });
      const d = await room.client('D');
      await d.send('LOGIN alice');
      const reply = await room.next(d);
      if (!reply || !reply.equals(Buffer.from('OK'))) {
        const got = reply ? show(reply) : room.nothingWithin;
        throw new CheckFailure(t('exit.nameNotFree', { client: d.label, request: show('LOGIN alice'), ok: show('OK'), got }), {
          expected: 'OK',
          actual: got,
        });
      }
    },
  },
  {
    id: 'admin.announce',
    get title() { return t('admin.announce.title'); },
    points: 10,
    async run(ctx) {
      const room = await Room.open(ctx);
      const [a, b] = await users(room, [['A', 'alice'], ['B', 'bob']]);
      const s = await room.client('S');
      await room.login(s, 'x', t('ctx.setup'));
      await room.login(s, 'y', t('ctx.setup'));
      await room.settle();
      const hint = t('hint.admin');
      const first = '大家好，欢迎进入聊天室。';
      room.server.writeStdin(`${first}\n`);
      await room.expect(t('step.stdinOne', { line: show(`${first}\n`) }), [
        { client: a!, datagrams: [announcement(first)] },
        { client: b!, datagrams: [announcement(first)] },
        { client: s, datagrams: [announcement(first), announcement(first)] },
      ], { hint });
      const second = '今晚 8 点 开会';
      const bytes = Buffer.from(`${second}\r\n`, 'utf8');
      // Two bytes per write, so pieces end inside characters. The gap is pacing (so that the
      // server reads pieces apart), not synchronisation: a server that reads them together
      // must produce the same announcement.
      for (let at = 0; at < bytes.length; at += 2) {
        room.server.process.writeStdin(bytes.subarray(at, at + 2));
        await delay(ctx.ms(15));
      }
      await room.expect(t('step.stdinPieces', { line: show(`${second}\r\n`), ms: { ms: 15 } }), [
        { client: a!, datagrams: [announcement(second)] },
        { client: b!, datagrams: [announcement(second)] },
        { client: s, datagrams: [announcement(second), announcement(second)] },
      ], { hint: t('hint.adminCrlf') });
    },
  },
  {
    id: 'admin.after-stdin-end',
    get title() { return t('admin.after-stdin-end.title'); },
    points: 4,
    async run(ctx) {
      const room = await Room.open(ctx);
      const [a] = await users(room, [['A', 'alice']]);
      room.server.writeStdin('bye\n');
      room.server.endStdin();
      // The announcement shows that the server has read its stdin up to the end (not judged here).
      await room.until(() => a!.got.length > 0, room.replyMs);
      room.clearAll();
      // The absence of an exit can only be observed over time: a short window.
      const exited = await Promise.race([room.server.process.exited.then(() => true), delay(ctx.ms(QUIET_MS)).then(() => false)]);
      if (exited) {
        room.assertRunning(
          t('after.stdinEnd'),
          t('hint.stdinEndNoExit'),
        );
      }
      const b = await room.client('B');
      await room.login(b, 'bob', t('ctx.afterStdinEnded'));
      await b.send('CHAT bob still');
      await room.expect(t('step.afterStdinEnded', { client: b.label, datagram: show('CHAT bob still') }), [
        { client: a!, datagrams: [welcome('bob'), chatLine('bob', 'still')] },
      ], { hint: t('hint.stdinEnd') });
      room.server.assertAlive();
    },
  },
  {
    id: 'robust.ignored',
    get title() { return t('robust.ignored.title'); },
    points: 6,
    async run(ctx) {
      const room = await Room.open(ctx);
      const [a, b] = await users(room, [['A', 'alice'], ['B', 'bob']]);
      const d = await room.client('D');
      const sends: [Client, string | Buffer][] = [...MALFORMED.map((m): [Client, string | Buffer] => [d, m]), [a!, 'CHAT alice'], [a!, 'CHAT alice ']];
      const hint = t('hint.malformed');
      for (const [from, datagram] of sends) {
        await from.send(datagram);
        await room.expect(t('step.sent', { client: from.label, datagram: describe(datagram) }), [a!, b!, d].map((client) => ({ client, datagrams: [] })), { hint });
        room.assertRunning(t('after.sent', { client: from.label, datagram: describe(datagram) }));
      }
      await room.expect(t('step.afterAllMalformed', { n: sends.length }), [a!, b!, d].map((client) => ({ client, datagrams: [] })), { quiet: true, hint });
      room.assertRunning(t('after.malformed'));
      await d.send('LOGIN dave');
      const reply = await room.next(d);
      if (!reply || !reply.equals(Buffer.from('OK'))) {
        room.assertRunning(t('after.malformed'));
        const got = reply ? show(reply) : room.nothingWithin;
        throw new CheckFailure(t('robust.notOk', { client: d.label, request: show('LOGIN dave'), ok: show('OK'), got }), {
          expected: 'OK',
          actual: got,
        });
      }
    },
  },
  {
    id: 'chat.crowd',
    get title() { return t('chat.crowd.title'); },
    points: 6,
    // 31 logins and marks, one after the other: on a machine at load ~40 (the shared test
    // machine) they took over the default 15 s. The deadline only bounds a faulty server.
    timeoutMs: 45_000,
    async run(ctx) {
      const room = await Room.open(ctx);
      const members: { client: Client; name: string; content: string }[] = [];
      for (let i = 1; i <= CROWD_SIZE; i++) {
        const name = `${ctx.random.pick(CROWD_NAMES)}${String(i).padStart(2, '0')}`;
        const content = `消息#${i}-${ctx.random.int(1000, 9999)}`;
        const client = await room.client(`U${i}`);
        await room.login(
          client,
          name,
          t('ctx.crowd', { i, k: i - 1, total: CROWD_SIZE }),
          t('hint.crowdLogin', { n: CROWD_SIZE }),
        );
        members.push({ client, name, content });
      }
      // Welcomes are judged elsewhere: only the chat lines of the crowd count here.
      const lines = new Map(members.map((m) => [Buffer.from(chatLine(m.name, m.content)).toString('hex'), m]));
      const tally = (client: Client) => {
        const counts = new Map<string, number>();
        for (const datagram of client.got) {
          const sender = lines.get(datagram.toString('hex'));
          if (sender && sender.client !== client) counts.set(sender.name, (counts.get(sender.name) ?? 0) + 1);
        }
        return counts;
      };
      const complete = () => members.every((m) => tally(m.client).size === CROWD_SIZE - 1);
      await Promise.all(members.map((m) => m.client.send(`CHAT ${m.name} ${m.content}`)));
      await room.until(complete, ctx.ms(3000));
      await room.mark();
      const faults: string[] = [];
      for (const m of members) {
        const counts = tally(m.client);
        const missing = members.filter((o) => o !== m && !counts.has(o.name)).map((o) => o.name);
        const twice = [...counts].filter(([, n]) => n > 1).map(([name, n]) => `${name} ×${n}`);
        if (missing.length === 0 && twice.length === 0) continue;
        const fault = { client: m.client.label, count: counts.size, total: CROWD_SIZE - 1 };
        const sep = t('list.separator');
        faults.push(
          missing.length > 0 && twice.length > 0
            ? t('crowd.faultBoth', { ...fault, missing: missing.join(sep), twice: twice.join(sep) })
            : missing.length > 0
              ? t('crowd.faultMissing', { ...fault, missing: missing.join(sep) })
              : t('crowd.faultTwice', { ...fault, twice: twice.join(sep) }),
        );
      }
      if (faults.length > 0) {
        throw new CheckFailure(
          t('crowd.fail', { n: CROWD_SIZE, others: CROWD_SIZE - 1, faults: faults.length, first: faults[0]! }),
          {
            expected: t('crowd.expected', { n: CROWD_SIZE, others: CROWD_SIZE - 1 }),
            actual: faults.join('\n'),
          },
        );
      }
    },
  },
];
