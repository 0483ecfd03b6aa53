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

/** The names LOGIN must refuse after alice logged in, and why. */
const REFUSED: { request: string; why: string }[] = [
  { request: 'LOGIN alice', why: 'the name alice is taken' },
  { request: 'LOGIN', why: 'the name is empty' },
  { request: 'LOGIN ', why: 'the name is empty' },
  { request: 'LOGIN bob smith', why: 'the name contains a space' },
  { request: 'LOGIN bob\tsmith', why: 'the name contains a tab' },
  { request: 'LOGIN 管理员', why: 'the name contains 管理' },
  { request: 'LOGIN 系统管理', why: 'the name contains 管理' },
  { request: 'LOGIN 张三\u3000', why: 'the name contains an ideographic space U+3000 (whitespace too)' },
  { request: 'LOGIN  bob', why: 'the name " bob" starts with a space (taken exactly as sent: nothing is trimmed)' },
  { request: 'LOGIN bob\n', why: 'the name "bob\\n" ends in a newline, which is whitespace (datagrams carry no trailing newline, and nothing is trimmed)' },
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
  return typeof datagram === 'string' ? show(datagram) : datagram.length === 0 ? 'an empty datagram' : show(datagram, 60);
}

async function users(room: Room, entries: [letter: string, name: string][]): Promise<Client[]> {
  const clients: Client[] = [];
  for (const [letter, name] of entries) {
    const client = await room.client(letter);
    await room.login(client, name, 'Setting up:');
    clients.push(client);
  }
  await room.settle();
  return clients;
}

export const checks: CheckDefinition[] = [
  {
    id: 'login.ok',
    title: 'LOGIN is answered with exactly OK',
    points: 6,
    async run(ctx) {
      const room = await Room.open(ctx, { observer: false });
      const a = await room.client('A');
      await a.send('LOGIN alice');
      const reply = await room.next(a);
      if (!reply || !reply.equals(Buffer.from('OK'))) {
        const got = reply ? show(reply) : `nothing within ${room.replyMs} ms`;
        throw new CheckFailure(
          `${a.label} sent ${show('LOGIN alice')} to a fresh server and should be answered with exactly ${show('OK')} (the 2 bytes 4f 4b, no newline), but got ${got}. Reply with socket.send('OK', rinfo.port, rinfo.address).`,
          { expected: 'OK', actual: got },
        );
      }
    },
  },
  {
    id: 'login.fail',
    title: 'LOGIN with a taken, empty, whitespace or 管理 name gets FAIL, and nobody is welcomed',
    points: 10,
    async run(ctx) {
      const room = await Room.open(ctx);
      const [a] = await users(room, [['A', 'alice']]);
      const b = await room.client('B');
      for (const { request, why } of REFUSED) {
        await b.send(request);
        const reply = await room.next(b);
        if (!reply || !reply.equals(Buffer.from('FAIL'))) {
          const got = reply ? show(reply) : `nothing within ${room.replyMs} ms`;
          throw new CheckFailure(
            `${b.label} sent ${show(request)} (while alice is logged in) and should get exactly ${show('FAIL')}: ${why}. It got ${got}. LOGIN must refuse a name that is empty, taken, contains whitespace (/\\s/u) or contains 管理.`,
            { expected: 'FAIL', actual: got },
          );
        }
      }
      await room.expect(`After the ${REFUSED.length} refused logins from ${b.label}`, [{ client: a!, datagrams: [] }], {
        hint: 'A refused login must not be announced: welcome only a name that got OK.',
      });
      await a!.send('LOGIN alice');
      const again = await room.next(a!);
      if (!again || !again.equals(Buffer.from('FAIL'))) {
        const got = again ? show(again) : `nothing within ${room.replyMs} ms`;
        throw new CheckFailure(
          `${a!.label}, logged in as alice, sent ${show('LOGIN alice')} again and should get exactly ${show('FAIL')} (the name is taken, also by the same address), but got ${got}.`,
          { expected: 'FAIL', actual: got },
        );
      }
      await room.login(b, 'bob', 'After the refused names,');
      await room.expect(`After the refused logins, ${b.label} logged in as bob`, [{ client: a!, datagrams: [welcome('bob')] }], {
        hint: 'Only the name that got OK is welcomed, once.',
      });
    },
  },
  {
    id: 'login.welcome',
    title: 'A login is welcomed by every other user, not by the newcomer (also a second name at one address)',
    points: 8,
    async run(ctx) {
      const room = await Room.open(ctx);
      const [a] = await users(room, [['A', 'alice']]);
      const b = await room.client('B');
      await room.sendLogin(b, 'bob');
      await room.expect(`After ${b.label} sent ${show('LOGIN bob')}`, [
        { client: a!, datagrams: [welcome('bob')], why: `Every other user gets ${show(welcome('bob'))} once.` },
        { client: b, datagrams: ['OK'], why: 'The newcomer gets only OK: the welcome goes to every *other* user (broadcast before adding the newcomer, or skip its name).' },
      ], { hint: '' });
      const s = await room.client('S');
      await room.sendLogin(s, 'x');
      await room.expect(`After ${s.label} sent ${show('LOGIN x')}`, [
        { client: s, datagrams: ['OK'], why: 'The newcomer gets only OK: the welcome goes to every *other* user.' },
        { client: a!, datagrams: [welcome('x')], why: `Every other user gets ${show(welcome('x'))} once.` },
      ], { hint: '' });
      await room.sendLogin(s, 'y');
      await room.expect(`After ${s.label}, logged in as x, also sent ${show('LOGIN y')}`, [
        {
          client: s,
          datagrams: ['OK', welcome('y')],
          anyOrder: true,
          why: `x is another user at the same address: that address gets OK (for the login) and ${show(welcome('y'))} once (for x). A user is a name, not an address.`,
        },
        { client: a!, datagrams: [welcome('y')], why: `Every other user gets ${show(welcome('y'))} once.` },
      ], { hint: '' });
    },
  },
  {
    id: 'login.same-address',
    title: 'One address may log in under several names, and each can chat and exit',
    points: 5,
    async run(ctx) {
      const room = await Room.open(ctx);
      const [a] = await users(room, [['A', 'alice']]);
      const s = await room.client('S');
      await room.login(s, 'x', 'One address may log in under several names:');
      await room.login(s, 'y', `One address may log in under several names: after ${show('LOGIN x')},`);
      await room.settle();
      const hint = 'One address may log in under several names, and each name is a user of its own: keep users by name, with the address each logged in from.';
      await s.send('CHAT y hi');
      await room.expect(`${s.label} (logged in as x and y) sent ${show('CHAT y hi')}`, [{ client: a!, datagrams: [chatLine('y', 'hi')] }], { hint });
      await s.send('EXIT x');
      s.removeName('x');
      await room.expect(`${s.label} sent ${show('EXIT x')}`, [{ client: a!, datagrams: [exitLine('x')] }], { hint });
      await s.send('CHAT y again');
      await room.expect(`After x left, ${s.label} sent ${show('CHAT y again')}`, [{ client: a!, datagrams: [chatLine('y', 'again')] }], {
        hint: `${hint} EXIT x removes only x.`,
      });
    },
  },
  {
    id: 'chat.relay',
    title: 'CHAT reaches every other user exactly once',
    points: 10,
    async run(ctx) {
      const room = await Room.open(ctx);
      const [a, b, c] = await users(room, [['A', 'alice'], ['B', 'bob'], ['C', 'carol']]);
      const hint = 'Every other user gets `<name> : <content>` exactly once (no newline at the end).';
      const word = ctx.random.pick(['一起出去玩啊', 'héllo', '🙂', 'Привет', '好的!']);
      const steps: [Client, string, string, Client[]][] = [
        [a!, 'alice', '你好', [b!, c!]],
        [b!, 'bob', 'hello', [a!, c!]],
        [c!, 'carol', word, [a!, b!]],
      ];
      for (const [from, name, content, others] of steps) {
        await from.send(`CHAT ${name} ${content}`);
        await room.expect(
          `${from.label} sent ${show(`CHAT ${name} ${content}`)}`,
          others.map((client) => ({ client, datagrams: [chatLine(name, content)] })),
          { hint },
        );
      }
    },
  },
  {
    id: 'chat.no-echo',
    title: 'The sender does not get its own CHAT (another name at its address does, once)',
    points: 5,
    async run(ctx) {
      const room = await Room.open(ctx);
      const [a, b] = await users(room, [['A', 'alice'], ['B', 'bob']]);
      const s = await room.client('S');
      await room.login(s, 'x', 'Setting up:');
      await room.login(s, 'y', 'Setting up:');
      await room.settle();
      await a!.send('CHAT alice hi');
      await room.expect(`${a!.label} sent ${show('CHAT alice hi')}`, [
        { client: a!, datagrams: [], why: 'The sender must not receive its own message: send it to every user except the one whose name is in the CHAT.' },
        { client: b!, datagrams: [chatLine('alice', 'hi')] },
        { client: s, datagrams: [chatLine('alice', 'hi'), chatLine('alice', 'hi')], why: 'S is logged in as x and y: two users, so two copies.' },
      ], { quiet: true, hint: 'Every other user gets the message once.' });
      await s.send('CHAT x hi');
      await room.expect(`${s.label} (logged in as x and y) sent ${show('CHAT x hi')}`, [
        { client: s, datagrams: [chatLine('x', 'hi')], why: 'y is another user at the sender\'s address and gets the message once; x, the sender, gets nothing. Skip by name, not by address.' },
        { client: a!, datagrams: [chatLine('x', 'hi')] },
        { client: b!, datagrams: [chatLine('x', 'hi')] },
      ], { hint: 'Every other user gets the message once.' });
    },
  },
  {
    id: 'chat.content',
    title: 'The content is everything after the second space, unchanged (spaces, any Unicode, 4,000 bytes)',
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
        await room.expect(`${a!.label} sent ${show(`CHAT alice ${content}`, 80)} (content of ${Buffer.byteLength(content)} bytes)`, [
          { client: b!, datagrams: [chatLine('alice', content)] },
        ], {
          hint: 'The content is everything after the second space, exactly as sent (repeated, leading and trailing spaces, newlines, any Unicode, up to 4,000 bytes): take text.slice(secondSpace + 1), do not split on every space or line, trim or re-join.',
        });
      }
    },
  },
  {
    id: 'chat.impersonation',
    title: 'CHAT and EXIT under someone else\'s name, from another address, have no effect',
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
      const sent = attempts.map(([from, datagram]) => `${from.letter}: ${show(datagram)}`).join(', ');
      await room.expect(`After ${sent} (D never logged in)`, [a!, b!, c!, d].map((client) => ({ client, datagrams: [] })), {
        quiet: true,
        hint: 'A CHAT or EXIT with someone else\'s name was accepted. Only the address that logged in with a name may speak or leave under it: compare the sender\'s address and port with the ones stored for that name, and ignore the datagram otherwise.',
      });
      await b!.send('CHAT bob hi');
      await room.expect(`Then ${b!.label} sent ${show('CHAT bob hi')}`, [
        { client: a!, datagrams: [chatLine('bob', 'hi')] },
        { client: c!, datagrams: [chatLine('bob', 'hi')] },
      ], { hint: 'alice and carol are still logged in (the EXITs under their names came from other addresses) and must get bob\'s message.' });
    },
  },
  {
    id: 'exit.broadcast',
    title: 'EXIT is announced to the remaining users, with no reply to the leaver',
    points: 6,
    async run(ctx) {
      const room = await Room.open(ctx);
      const [a, b, c] = await users(room, [['A', 'alice'], ['B', 'bob'], ['C', 'carol']]);
      await a!.send('EXIT alice');
      a!.removeName('alice');
      await room.expect(`${a!.label} sent ${show('EXIT alice')}`, [
        { client: b!, datagrams: [exitLine('alice')] },
        { client: c!, datagrams: [exitLine('alice')] },
        { client: a!, datagrams: [], why: 'EXIT gets no reply, and the leaver does not get its own 退出 message.' },
      ], { quiet: true, hint: `Every remaining user gets ${show(exitLine('alice'))} once.` });
    },
  },
  {
    id: 'exit.removed',
    title: 'After EXIT the user gets nothing more, cannot speak, and the name is free again',
    points: 6,
    async run(ctx) {
      const room = await Room.open(ctx);
      const [a, b] = await users(room, [['A', 'alice'], ['B', 'bob']]);
      await a!.send('EXIT alice');
      a!.removeName('alice');
      await room.settle();
      const hint = 'After EXIT alice the user must be removed (delete her from the users).';
      await a!.send('CHAT alice ghost');
      await room.expect(`After ${show('EXIT alice')}, ${a!.label} sent ${show('CHAT alice ghost')}`, [
        { client: b!, datagrams: [], why: `${hint} Her CHAT was still relayed.` },
      ], { hint });
      await b!.send('CHAT bob after');
      await room.expect(`After ${show('EXIT alice')}, ${b!.label} sent ${show('CHAT bob after')}`, [
        { client: a!, datagrams: [], why: `${hint} She still received messages.` },
      ], { quiet: true, hint });
      const d = await room.client('D');
      await d.send('LOGIN alice');
      const reply = await room.next(d);
      if (!reply || !reply.equals(Buffer.from('OK'))) {
        const got = reply ? show(reply) : `nothing within ${room.replyMs} ms`;
        throw new CheckFailure(`After alice left, ${d.label} sent ${show('LOGIN alice')} and should get ${show('OK')}: the name is free again. It got ${got}. ${hint}`, {
          expected: 'OK',
          actual: got,
        });
      }
    },
  },
  {
    id: 'admin.announce',
    title: 'Every stdin line reaches every user as 管理员消息, also a line written in pieces',
    points: 10,
    async run(ctx) {
      const room = await Room.open(ctx);
      const [a, b] = await users(room, [['A', 'alice'], ['B', 'bob']]);
      const s = await room.client('S');
      await room.login(s, 'x', 'Setting up:');
      await room.login(s, 'y', 'Setting up:');
      await room.settle();
      const hint = 'Every line read on stdin goes to every user (an address with two names gets it twice) as `管理员消息 : <line>`, without the line ending. Read stdin with node:readline: a line may arrive in several pieces.';
      const first = '大家好，欢迎进入聊天室。';
      room.server.writeStdin(`${first}\n`);
      await room.expect(`The grader wrote ${show(`${first}\n`)} to the server's stdin (one write)`, [
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
      await room.expect(`The grader wrote ${show(`${second}\r\n`)} to the server's stdin in 2-byte pieces, 15 ms apart`, [
        { client: a!, datagrams: [announcement(second)] },
        { client: b!, datagrams: [announcement(second)] },
        { client: s, datagrams: [announcement(second), announcement(second)] },
      ], { hint: `${hint} A line ending in \\r\\n is announced without the \\r.` });
    },
  },
  {
    id: 'admin.after-stdin-end',
    title: 'The server keeps serving after its stdin ends',
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
          'after the grader wrote "bye\\n" to its stdin and closed it (EOF)',
          'When stdin ends the server must keep serving, just without announcements: do not exit (or close the socket) on stdin\'s end/close.',
        );
      }
      const b = await room.client('B');
      await room.login(b, 'bob', 'After the server\'s stdin ended,');
      await b.send('CHAT bob still');
      await room.expect(`After the server's stdin ended, ${b.label} logged in as bob and sent ${show('CHAT bob still')}`, [
        { client: a!, datagrams: [welcome('bob'), chatLine('bob', 'still')] },
      ], { hint: 'When stdin ends the server must keep serving, just without announcements.' });
      room.server.assertAlive();
    },
  },
  {
    id: 'robust.ignored',
    title: 'Empty, unknown, incomplete and binary datagrams are ignored without a reply, and the server keeps serving',
    points: 6,
    async run(ctx) {
      const room = await Room.open(ctx);
      const [a, b] = await users(room, [['A', 'alice'], ['B', 'bob']]);
      const d = await room.client('D');
      const sends: [Client, string | Buffer][] = [...MALFORMED.map((m): [Client, string | Buffer] => [d, m]), [a!, 'CHAT alice'], [a!, 'CHAT alice ']];
      const hint = 'Malformed and unknown datagrams must be ignored, without a reply and without a broadcast (CHAT with empty content too).';
      for (const [from, datagram] of sends) {
        await from.send(datagram);
        await room.expect(`${from.label} sent ${describe(datagram)}`, [a!, b!, d].map((client) => ({ client, datagrams: [] })), { hint });
        room.assertRunning(`after ${from.label} sent ${describe(datagram)}`);
      }
      await room.expect(`After all ${sends.length} malformed datagrams`, [a!, b!, d].map((client) => ({ client, datagrams: [] })), { quiet: true, hint });
      room.assertRunning('after the malformed datagrams');
      await d.send('LOGIN dave');
      const reply = await room.next(d);
      if (!reply || !reply.equals(Buffer.from('OK'))) {
        room.assertRunning('after the malformed datagrams');
        const got = reply ? show(reply) : `nothing within ${room.replyMs} ms`;
        throw new CheckFailure(`After the malformed datagrams, ${d.label} sent ${show('LOGIN dave')} and should get ${show('OK')}, but got ${got}. The server must keep serving.`, {
          expected: 'OK',
          actual: got,
        });
      }
    },
  },
  {
    id: 'chat.crowd',
    title: 'Thirty users chat at once: each message reaches each of the other 29 exactly once',
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
          `With ${i} users logged in (the grader's observer and ${i - 1} of the ${CROWD_SIZE}),`,
          `The room has no size limit: ${CROWD_SIZE} users (and more) must be able to log in.`,
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
        faults.push(
          `${m.client.label}: ${counts.size} of ${CROWD_SIZE - 1}` +
            (missing.length > 0 ? `; missing: ${missing.join(', ')}` : '') +
            (twice.length > 0 ? `; more than once: ${twice.join(', ')}` : ''),
        );
      }
      if (faults.length > 0) {
        throw new CheckFailure(
          `${CROWD_SIZE} users each sent one CHAT at the same moment; each message must reach each of the other ${CROWD_SIZE - 1} users exactly once, but ${faults.length} of ${CROWD_SIZE} clients did not get theirs (UDP on loopback does not lose datagrams: a missing one was not sent). First: ${faults[0]}. Send to every logged-in user, however many there are, and keep serving while you send.`,
          {
            expected: `each of the ${CROWD_SIZE} clients: the ${CROWD_SIZE - 1} messages of the others, once each`,
            actual: faults.join('\n'),
          },
        );
      }
    },
  },
];
