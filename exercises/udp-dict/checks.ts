/**
 * The checks of udp-dict, one per clause of the contract (../shared/EXERCISES-2.md). Every
 * check starts its own server with its own dictionary and asks from UDP sockets the way the
 * contract says: 500 ms for a reply, then up to 3 resends (protocol.ts).
 *
 * A check of an absence (no reply to an ignored datagram) sends a legitimate query right after
 * the datagram, on the same socket: the server reads datagrams in order and loopback keeps
 * them in order, so a reply to the ignored datagram would come back first. Only once the
 * legitimate query is answered correctly does the absence count; a short window at the end
 * (ABSENCE_MS) catches replies sent late.
 */
import type { CheckContext, CheckDefinition } from '../../grader/exercise/define.ts';
import { CheckFailure, SubmissionError } from '../../grader/model/errors.ts';
import { show } from '../../grader/probes/expect.ts';
import {
  CASE_ASCII,
  CASE_NON_ASCII,
  DUPLICATE_TEXT,
  SKIPPED_TEXT,
  SPACING_LINES,
  TRICKY_ENTRIES,
  TRICKY_QUERIES,
  bigDictionary,
} from './dictionaries.ts';
import { busiestProcess, difference, mainThread, ms, ownThread } from './cpu-wait.ts';
import { whileServerStopped } from './hold.ts';
import {
  ABSENCE_MS,
  BASIC,
  DICT_FILE,
  REPLY_WAIT_MS,
  RESENDS,
  START_MS,
  Session,
  describeAnswer,
  describeExpected,
  dictText,
  isNeverBound,
  meaning,
  meaningOf,
  notFound,
  replyMatches,
  showDatagram,
  type Client,
  type Entry,
  type Expected,
} from './protocol.ts';

const BASIC_FILES = { [DICT_FILE]: dictText(BASIC) };

/** What a datagram that must be ignored is, for messages. */
interface Ignored {
  datagram: string | Buffer;
  why: string;
}

/**
 * For each datagram: sends it (it must be ignored), then a legitimate query on the same
 * socket, whose answer must be the first datagram back. Then watches ABSENCE_MS for late
 * replies. `hint` says how to fix a reply to an ignored datagram.
 */
async function expectIgnored(session: Session, client: Client, items: readonly Ignored[], hint: string): Promise<void> {
  const ctx = session.ctx;
  const probes = ['apple', 'banana', 'cherry', 'echo', 'kernel', 'socket', 'thread', 'word'];
  for (const [i, item] of items.entries()) {
    const word = probes[i % probes.length]!;
    const expected = meaning(meaningOf(BASIC, word));
    const bytes = typeof item.datagram === 'string' ? Buffer.from(item.datagram, 'utf8') : item.datagram;
    await client.sendOnly(bytes);
    const answer = await client.ask(word);
    if (answer.kind === 'reply' && replyMatches(answer.value, expected)) continue;
    if (answer.kind === 'none') {
      session.assertRunning(`after ${client.label} sent ${showDatagram(bytes, 60)} (${item.why})`, 'A datagram that must be ignored may not stop the server: validate before you use it, and catch errors around the handling of each datagram.');
    }
    const got = describeAnswer(answer, ctx);
    throw new CheckFailure(
      answer.kind === 'reply'
        ? `${client.label} sent ${showDatagram(bytes, 60)} (${item.why}: it must be ignored, no reply) and then ${show(word)}; the first datagram back should be ${show(expected.text)}, but it was ${got}: the ignored datagram was answered. ${hint}`
        : `${client.label} sent ${showDatagram(bytes, 60)} (${item.why}: it must be ignored) and then ${show(word)}, which got ${got}. The server must go on answering after a datagram it ignores.`,
      { expected: `no reply to ${showDatagram(bytes, 60)}, then ${show(expected.text)}`, actual: got },
    );
  }
  const late = await client.probe.collectFor(ctx.ms(ABSENCE_MS));
  const extra = late.filter((d) => !client.isLateCopy(d));
  if (extra.length > 0) {
    throw new CheckFailure(
      `After ${items.length} datagrams that must be ignored, each followed by a legitimate query that was answered, ${client.label} received ${extra.length} more datagram(s) within ${ctx.ms(ABSENCE_MS)} ms: ${extra.map((d) => showDatagram(d, 60)).join(', ')}. An ignored datagram was answered late. ${hint}`,
      { expected: `nothing more within ${ctx.ms(ABSENCE_MS)} ms`, actual: extra.map((d) => showDatagram(d, 60)).join('\n') },
    );
  }
  session.assertRunning('after the datagrams that must be ignored');
}

/** Asks every query in turn; each reply must match. */
async function expectAnswers(
  session: Session,
  client: Client,
  pairs: readonly { query: string | Uint8Array; expected: Expected; what?: string; why?: string }[],
  hint: string,
): Promise<void> {
  for (const pair of pairs) {
    await session.expectAnswer(client, pair.query, pair.expected, {
      ...(pair.what ? { what: pair.what } : {}),
      hint: pair.why ? `${pair.why} ${hint}` : hint,
    });
  }
}

/** A word's entry as it appears in the file, for messages: `line 3 "Bank n. 河岸"`. */
function lineOf(text: string, predicate: (line: string) => boolean): string {
  const lines = text.split('\n');
  const at = lines.findIndex(predicate);
  return at < 0 ? '' : `line ${at + 1} ${show(lines[at]!.replace(/\r$/, ''))}`;
}

/** Every client waits until `done()` holds, a datagram arrives that `done` rejects, or `ms` passed. */
function until(clients: readonly Client[], done: () => boolean, ms: number): Promise<boolean> {
  if (done()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const stops: Array<() => void> = [];
    const finish = (value: boolean) => {
      clearTimeout(timer);
      for (const stop of stops) stop();
      resolve(value);
    };
    const timer = setTimeout(() => finish(done()), ms);
    for (const client of clients) stops.push(client.probe.onDatagram(() => done() && finish(true)));
  });
}

export const checks: CheckDefinition[] = [
  {
    id: 'lookup.basic',
    title: 'Words of dict.txt are answered with their meaning (also one of 1,000 bytes)',
    points: 8,
    async run(ctx) {
      const session = await Session.open(ctx, BASIC_FILES);
      const a = await session.client('A');
      const picks = ctx.random.shuffle(BASIC.slice(1, -1)).slice(0, 10);
      const asked = [BASIC[0]!, ...picks, BASIC.find((e) => e.word === 'glossary')!, BASIC.at(-1)!];
      for (const entry of asked) {
        await session.expectAnswer(a, entry.word, meaning(entry.meaning), {
          hint: `Each datagram is one word; answer it with the meaning from ${DICT_FILE} (${lineOf(dictText(BASIC), (l) => l.startsWith(`${entry.word} `))}): everything after the word and its spaces, as UTF-8 bytes, in one datagram to the sender.`,
        });
      }
    },
  },
  {
    id: 'parse.spacing',
    title: 'Runs of spaces and tabs separate word and meaning; the meaning keeps its inner spacing, trailing spaces are trimmed',
    points: 7,
    async run(ctx) {
      const text = [...SPACING_LINES.map((l) => l.line), 'apple n. 苹果', ''].join('\n');
      const session = await Session.open(ctx, { [DICT_FILE]: text });
      const a = await session.client('A');
      for (const line of ctx.random.shuffle([...SPACING_LINES])) {
        await session.expectAnswer(a, line.word, meaning(line.meaning), {
          hint: `The line is ${show(line.line)} (${line.how}). The word ends at the first space or tab, the meaning is everything after the run of spaces and tabs that follows, with spaces and tabs at its end removed and those inside kept: /^(\\S+)[ \\t]+(.*?)[ \\t]*$/, not split(' ').`,
        });
      }
    },
  },
  {
    id: 'parse.crlf',
    title: 'A dict.txt with \\r\\n line ends gives meanings without \\r',
    points: 6,
    async run(ctx) {
      const entries = BASIC.slice(0, 12);
      const text = dictText(entries, '\r\n').slice(0, -2); // the last line without a line end
      const session = await Session.open(ctx, { [DICT_FILE]: text });
      const a = await session.client('A');
      for (const entry of [...ctx.random.shuffle(entries.slice(0, -1)).slice(0, 6), entries.at(-1)!]) {
        const last = entry === entries.at(-1);
        await session.expectAnswer(a, entry.word, meaning(entry.meaning), {
          hint: `${DICT_FILE} has \\r\\n line ends${last ? ' (and this last line none)' : ''}: drop the \\r before the \\n (split on /\\r?\\n/) so it is not part of the meaning.`,
        });
      }
    },
  },
  {
    id: 'parse.skipped',
    title: 'Blank lines and words without a meaning are skipped (a later entry with a meaning counts)',
    points: 6,
    async run(ctx) {
      const session = await Session.open(ctx, { [DICT_FILE]: SKIPPED_TEXT });
      const a = await session.client('A');
      const where = (word: string) => lineOf(SKIPPED_TEXT, (l) => l.split(/[ \t]/)[0] === word);
      await expectAnswers(session, a, [
        { query: 'apple', expected: meaning('n. 苹果') },
        { query: 'banana', expected: meaning('n. 香蕉'), why: 'banana comes after a blank line and a word without meaning: skip such lines and go on reading.' },
        { query: 'cherry', expected: meaning('n. 樱桃'), why: 'cherry comes after lines of spaces and tabs only.' },
        { query: 'date', expected: meaning('n. 枣; 日期'), why: 'date comes after two blank lines: a blank line does not end the file.' },
        { query: 'lonely', expected: notFound, why: `lonely has no meaning (${where('lonely')}): it is not an entry, so the answer is Not Found (not an empty datagram).` },
        { query: 'alone', expected: notFound, why: `alone is followed only by spaces (${where('alone')}): no meaning, not an entry.` },
        { query: 'solo', expected: notFound, why: `solo is followed only by a tab (${where('solo')}): no meaning, not an entry.` },
        { query: 'kiwi', expected: meaning('n. 猕猴桃'), why: `kiwi first appears without a meaning (${where('kiwi')}), which is skipped; the later entry "kiwi n. 猕猴桃" is the first that counts.` },
      ], 'Skip blank lines and lines without a meaning while reading the file.');
    },
  },
  {
    id: 'parse.duplicate-first',
    title: 'Of two entries for one word (ignoring ASCII case) the first counts',
    points: 6,
    async run(ctx) {
      const session = await Session.open(ctx, { [DICT_FILE]: DUPLICATE_TEXT });
      const a = await session.client('A');
      const hint = `The file holds bank, Bank, bank and BANK (lines 1, 3, 5, 7) and river twice (lines 2, 6): the first entry whose word equals the query ignoring ASCII case counts. Add a word only when it is not there yet (if (!dict.has(key)) dict.set(key, meaning)).`;
      await expectAnswers(session, a, [
        { query: 'apple', expected: meaning('n. 苹果') },
        { query: 'river', expected: meaning('n. 河') },
        { query: 'bank', expected: meaning('n. 银行') },
        { query: 'Bank', expected: meaning('n. 银行'), why: 'Bank (line 3) equals bank (line 1) ignoring ASCII case: line 1 comes first.' },
        { query: 'BANK', expected: meaning('n. 银行') },
      ], hint);
    },
  },
  {
    id: 'case.ascii',
    title: 'Lookup ignores ASCII case: Apple finds apple, banana finds Banana',
    points: 6,
    async run(ctx) {
      const session = await Session.open(ctx, { [DICT_FILE]: dictText(CASE_ASCII) });
      const a = await session.client('A');
      const m = (word: string) => meaning(meaningOf(CASE_ASCII, word));
      const hint = 'A query finds the entry whose word equals it ignoring ASCII case (A-Z = a-z, as MySQL compared): lower-case A-Z of both the words you store and the query.';
      await expectAnswers(session, a, [
        { query: 'apple', expected: m('apple') },
        { query: 'Apple', expected: m('apple'), why: 'The file has apple.' },
        { query: 'APPLE', expected: m('apple'), why: 'The file has apple.' },
        { query: 'Banana', expected: m('Banana') },
        { query: 'banana', expected: m('Banana'), why: 'The file has Banana (capital B).' },
        { query: 'BANANA', expected: m('Banana'), why: 'The file has Banana.' },
        { query: 'iphone', expected: m('iPhone'), why: 'The file has iPhone.' },
        { query: 'gps', expected: m('GPS'), why: 'The file has GPS.' },
        { query: 'OK', expected: m('ok'), why: 'The file has ok.' },
      ], hint);
    },
  },
  {
    id: 'case.non-ascii',
    title: 'Only ASCII case is ignored: ÄRGER does not find ärger, STRAßE finds Straße',
    points: 4,
    async run(ctx) {
      const session = await Session.open(ctx, { [DICT_FILE]: dictText(CASE_NON_ASCII) });
      const a = await session.client('A');
      const m = (word: string) => meaning(meaningOf(CASE_NON_ASCII, word));
      const hint = 'Only A-Z and a-z count as the same letter; other letters are compared as they are. toLowerCase() also folds Ä, К and the Kelvin sign K: lower-case with text.replace(/[A-Z]/g, …) instead.';
      await expectAnswers(session, a, [
        { query: 'ärger', expected: m('ärger') },
        { query: 'кот', expected: m('кот') },
        { query: 'STRAßE', expected: m('Straße'), why: 'STRAßE equals Straße ignoring ASCII case (S, T, R, A, E; ß as it is).' },
        { query: 'ÄRGER', expected: notFound, why: 'The file has ärger: Ä and ä are not ASCII, so ÄRGER is another word.' },
        { query: 'КОТ', expected: notFound, why: 'The file has кот: Cyrillic К and к are not ASCII.' },
        { query: '\u212Aiwi', expected: notFound, what: `${show('\u212Aiwi')} (starting with the Kelvin sign U+212A, not the letter K)`, why: 'The Kelvin sign is not ASCII: it is not the letter k.' },
        { query: 'émile', expected: notFound, why: 'The file has Émile: É and é are not ASCII.' },
        { query: 'ÉMILE', expected: m('Émile'), why: 'ÉMILE equals Émile ignoring ASCII case (É as it is).' },
      ], hint);
    },
  },
  {
    id: 'reply.not-found',
    title: 'A word not in the dictionary gets exactly Not Found',
    points: 5,
    async run(ctx) {
      const session = await Session.open(ctx, BASIC_FILES);
      const a = await session.client('A');
      await session.expectAnswer(a, 'apple', meaning(meaningOf(BASIC, 'apple')), { hint: 'Answer a word of the dictionary with its meaning.' });
      const hint = `A word that is not in the dictionary is answered with exactly ${show('Not Found')} (capital N and F, one space, the 9 bytes 4e 6f 74 20 46 6f 75 6e 64).`;
      for (const query of ['apples', 'appl', '苹果', 'n.', ctx.random.pick(['zzz', 'qwerty', 'notaword', 'xyzzy'])]) {
        await session.expectAnswer(a, query, notFound, { strict: { exactNotFound: true }, hint });
      }
    },
  },
  {
    id: 'reply.bare',
    title: 'A reply is the meaning alone: no trailing newline, no status token',
    points: 4,
    async run(ctx) {
      const session = await Session.open(ctx, BASIC_FILES);
      const a = await session.client('A');
      const hint = 'Send the meaning\'s UTF-8 bytes and nothing else: no \\n at the end (a datagram is its own frame), no OK or other token before it.';
      for (const word of ['abandon', 'socket', '单词']) {
        await session.expectAnswer(a, word, meaning(meaningOf(BASIC, word)), { strict: { bare: true }, hint });
      }
      await session.expectAnswer(a, 'missing', notFound, { strict: { bare: true }, hint: 'Not Found, too, goes without a \\n.' });
    },
  },
  {
    id: 'query.trimmed',
    title: 'Queries are trimmed: "apple\\n" from nc, "apple\\r\\n", spaces and tabs around the word',
    points: 6,
    async run(ctx) {
      const session = await Session.open(ctx, BASIC_FILES);
      const a = await session.client('A');
      const hint = 'Trim each query before looking it up (query.trim()): nc sends the word with the \\n of its line, and some clients send \\r\\n or spaces.';
      const m = (word: string) => meaning(meaningOf(BASIC, word));
      await expectAnswers(session, a, [
        { query: 'apple', expected: m('apple') },
        { query: 'apple\n', expected: m('apple'), why: 'This is what `nc -u` sends for a line typed "apple".' },
        { query: 'banana\r\n', expected: m('banana') },
        { query: '  cherry', expected: m('cherry') },
        { query: 'echo \t ', expected: m('echo') },
        { query: '\tkernel\n', expected: m('kernel') },
        { query: ' socket \r\n', expected: m('socket') },
      ], hint);
    },
  },
  {
    id: 'ignored.empty',
    title: 'An empty datagram, or one of only spaces and line ends, gets no reply',
    points: 4,
    async run(ctx) {
      const session = await Session.open(ctx, BASIC_FILES);
      const a = await session.client('A');
      await expectIgnored(session, a, [
        { datagram: Buffer.alloc(0), why: 'an empty datagram' },
        { datagram: '\n', why: 'empty once trimmed: what nc sends for an empty line' },
        { datagram: '\r\n', why: 'empty once trimmed' },
        { datagram: ' ', why: 'empty once trimmed' },
        { datagram: ' \t \n', why: 'empty once trimmed' },
      ], 'Trim the query first, then ignore it when it is empty: no reply at all, not even Not Found.');
    },
  },
  {
    id: 'ignored.too-long',
    title: 'A query over 256 bytes once trimmed gets no reply (bytes, not characters; 256 is answered)',
    points: 5,
    async run(ctx) {
      const w256 = 'a'.repeat(250) + 'zzzzzz';
      const w300 = 'b'.repeat(300);
      const entries: Entry[] = [...BASIC, { word: w256, meaning: 'n. 一个 256 字节的单词' }, { word: w300, meaning: 'n. 一个 300 字节的单词' }];
      const session = await Session.open(ctx, { [DICT_FILE]: dictText(entries) });
      const a = await session.client('A');
      const hint = 'Measure the trimmed query in UTF-8 bytes (Buffer.byteLength(query)) and ignore it when that is over 256: no reply.';
      await expectAnswers(session, a, [
        { query: w256, expected: meaning('n. 一个 256 字节的单词'), what: `a word of exactly 256 bytes (${show(w256, 40)}, in the dictionary)`, why: 'A query of exactly 256 bytes is allowed (only *over* 256 is ignored).' },
        { query: `  ${w256}\r\n`, expected: meaning('n. 一个 256 字节的单词'), what: 'the same 256-byte word with two spaces before and \\r\\n after (260 bytes in the datagram, 256 once trimmed)', why: 'The limit applies to the query once trimmed, not to the datagram.' },
        { query: '中'.repeat(85) + 'a', expected: notFound, what: '85 × 中 and "a" (256 bytes)', why: 'A query of exactly 256 bytes is answered.' },
      ], hint);
      await expectIgnored(session, a, [
        { datagram: `${w256}x`, why: 'a query of 257 bytes' },
        { datagram: '中'.repeat(90), why: '90 characters but 270 bytes: the limit counts bytes' },
        { datagram: w300, why: 'a 300-byte query, even though the word is in the dictionary' },
        { datagram: 'q'.repeat(4000), why: 'a query of 4,000 bytes' },
        { datagram: Buffer.alloc(65_507, 0x61), why: 'a datagram of 65,507 bytes, the largest UDP payload' },
      ], hint);
    },
  },
  {
    id: 'ignored.invalid-utf8',
    title: 'A datagram that is not valid UTF-8 gets no reply (a valid U+FFFD is a query like any other)',
    points: 5,
    async run(ctx) {
      const session = await Session.open(ctx, BASIC_FILES);
      const a = await session.client('A');
      const hint = 'Decode with new TextDecoder(\'utf-8\', { fatal: true }) (or check Buffer.isUtf8) and ignore the datagram when it throws: Buffer.toString() silently turns broken bytes into U+FFFD.';
      await expectIgnored(session, a, [
        { datagram: Buffer.from([0xff]), why: 'the byte ff never occurs in UTF-8' },
        { datagram: Buffer.concat([Buffer.from('apple'), Buffer.from([0xff])]), why: '"apple" followed by the byte ff' },
        { datagram: Buffer.from([0xe4, 0xb8]), why: 'the first 2 of the 3 bytes of 中' },
        { datagram: Buffer.concat([Buffer.from('banana'), Buffer.from([0xc3])]), why: '"banana" and the first byte of a 2-byte character' },
        { datagram: Buffer.from([0x80, 0x61, 0x62]), why: 'a continuation byte with no lead byte' },
        { datagram: Buffer.from([0xc0, 0xaf]), why: 'an overlong encoding of "/"' },
        { datagram: Buffer.from([0xed, 0xa0, 0x80]), why: 'an encoded UTF-16 surrogate (U+D800)' },
        { datagram: Buffer.from([0xf4, 0x90, 0x80, 0x80]), why: 'a code point above U+10FFFF' },
      ], hint);
      await session.expectAnswer(a, '\uFFFD', notFound, {
        what: 'the valid UTF-8 bytes ef bf bd (the character U+FFFD itself)',
        hint: 'U+FFFD is a valid character: a query made of it is looked up like any other (Not Found). Test the bytes for validity, not the decoded text for U+FFFD.',
      });
    },
  },
  {
    id: 'reply.address',
    title: 'Each reply goes to the address and port its query came from (four clients, queries overlapping)',
    points: 8,
    async run(ctx) {
      const session = await Session.open(ctx, BASIC_FILES);
      const clients = [await session.client('A'), await session.client('B'), await session.client('C'), await session.client('D')];
      const words = ctx.random.shuffle(BASIC.filter((e) => e.word !== 'glossary').map((e) => e.word)).slice(0, 12);
      const owner = new Map<string, { client: Client; word: string }>();
      const hint = 'Send each reply to the port and address of the datagram it answers (rinfo.port, rinfo.address of that message), never to a remembered client.';
      // What the other sockets received meanwhile, grouped: `A received "…" (the meaning of "echo") 4 times`.
      const foreign = (except: Client) =>
        clients
          .filter((c) => c !== except)
          .flatMap((c) => {
            const counts = new Map<string, number>();
            for (const d of c.probe.drain()) {
              const key = `${showDatagram(d, 60)}${owner.has(d.toString('hex')) ? ` (the meaning of ${show(owner.get(d.toString('hex'))!.word)})` : ''}`;
              counts.set(key, (counts.get(key) ?? 0) + 1);
            }
            return [...counts].map(([text, n]) => `${c.letter} received ${text}${n > 1 ? ` ${n} times` : ''}`);
          });
      // Part 1: one query from each socket in turn.
      for (const [i, client] of clients.entries()) {
        const word = words[i]!;
        const expected = meaning(meaningOf(BASIC, word));
        owner.set(Buffer.from(expected.text).toString('hex'), { client, word });
        const answer = await client.ask(word);
        if (answer.kind === 'reply' && replyMatches(answer.value, expected)) continue;
        const elsewhere = foreign(client);
        throw new CheckFailure(
          `Four sockets ask one word each, in turn: ${client.label} sent ${show(word)} and expected ${describeExpected(expected)}, but got ${describeAnswer(answer, ctx)}.${elsewhere.length > 0 ? ` Meanwhile ${elsewhere.join('; ')}.` : ''} ${hint}`,
          { expected: `${client.letter}: ${expected.text}`, actual: [`${client.letter}: ${describeAnswer(answer, ctx)}`, ...elsewhere].join('\n') },
        );
      }
      // Part 2: eight queries, two per socket, waiting together in the server's queue.
      const plan = [0, 1, 2, 3, 0, 1, 2, 3].map((k, i) => ({ client: clients[k]!, word: words[4 + i]! }));
      for (const { client, word } of plan) owner.set(Buffer.from(meaningOf(BASIC, word)).toString('hex'), { client, word });
      const want = new Map(clients.map((c) => [c, plan.filter((p) => p.client === c).map((p) => p.word)]));
      const got = new Map<Client, { word: string | undefined; datagram: Buffer }[]>(clients.map((c) => [c, []]));
      const pull = () => {
        for (const client of clients) {
          for (const datagram of client.probe.drain()) {
            if (client.isLateCopy(datagram)) continue;
            const hit = owner.get(withoutEnd(datagram).toString('hex'));
            got.get(client)!.push({ word: hit?.word, datagram });
          }
        }
      };
      const wrong = () =>
        clients.flatMap((c) =>
          got.get(c)!.filter((g) => g.word === undefined || !want.get(c)!.includes(g.word)).map((g) => ({ client: c, ...g })),
        );
      const complete = () => clients.every((c) => want.get(c)!.every((w) => got.get(c)!.some((g) => g.word === w)));
      await whileServerStopped(ctx, session.server, async () => {
        for (const { client, word } of plan) await client.sendOnly(word);
      });
      const sentText = plan.map((p) => `${p.client.letter} ${show(p.word)}`).join(', ');
      for (let round = 0; ; round++) {
        await until(clients, () => (pull(), complete() || wrong().length > 0), ctx.ms(REPLY_WAIT_MS));
        pull();
        const bad = wrong();
        if (bad.length > 0) {
          const first = bad[0]!;
          const whose = first.word === undefined ? '' : ` (the meaning of ${show(first.word)}, which ${plan.find((p) => p.word === first.word)?.client.letter ?? '?'} asked)`;
          throw new CheckFailure(
            `Queries from four sockets overlapped (sent while the server was held still: ${sentText}): ${first.client.label} received ${showDatagram(first.datagram, 60)}${whose}, a reply to another socket's query. ${hint}`,
            {
              expected: clients.map((c) => `${c.letter}: ${want.get(c)!.map((w) => meaningOf(BASIC, w)).join(' | ')}`).join('\n'),
              actual: clients.map((c) => `${c.letter}: ${got.get(c)!.map((g) => showDatagram(g.datagram, 40)).join(' | ') || 'nothing'}`).join('\n'),
            },
          );
        }
        if (complete()) break;
        const missing = plan.filter((p) => !got.get(p.client)!.some((g) => g.word === p.word));
        if (round >= RESENDS) {
          const m = missing[0]!;
          throw new CheckFailure(
            `Queries from four sockets overlapped (${sentText}): ${m.client.label} got no reply to ${show(m.word)} within ${ctx.ms(REPLY_WAIT_MS)} ms, ${RESENDS + 1} times (sent, then resent ${RESENDS} times). ${hint}`,
            { expected: `${m.client.letter}: ${meaningOf(BASIC, m.word)}`, actual: 'nothing' },
          );
        }
        for (const p of missing) {
          ctx.transcript.note(`no reply to ${show(p.word)} within ${ctx.ms(REPLY_WAIT_MS)} ms: resend ${round + 1} of ${RESENDS}`, p.client.probe.label);
          await p.client.sendOnly(p.word);
        }
      }
    },
  },
  {
    id: 'robust.survives',
    title: 'No query stops the server: constructor, toString, __proto__, regex and SQL characters are answered',
    points: 4,
    async run(ctx) {
      const entries = [...BASIC, ...TRICKY_ENTRIES];
      const session = await Session.open(ctx, { [DICT_FILE]: dictText(entries) });
      const a = await session.client('A');
      const hint = 'Every valid query gets its meaning or Not Found, whatever characters it holds. Keep the words in a Map (a plain object also "has" constructor, toString and __proto__), never build a RegExp or SQL from a query, and catch errors around the handling of each datagram.';
      for (const { query, word } of TRICKY_QUERIES) {
        const expected = word ? meaning(meaningOf(entries, word)) : notFound;
        await session.expectAnswer(a, query, expected, { hint });
        session.assertRunning(`after ${a.label} sent ${show(query)}`);
      }
      await session.expectAnswer(a, 'socket', meaning(meaningOf(BASIC, 'socket')), {
        before: 'After the tricky queries',
        hint: 'The server must go on serving.',
      });
      session.assertRunning('after the tricky queries');
    },
  },
  {
    id: 'dict.env-file',
    title: 'With env DICT_FILE the dictionary is read from the file it names',
    points: 4,
    async run(ctx) {
      const name = `words-${ctx.random.int(1000, 9999)}.txt`;
      const entries: Entry[] = [
        { word: 'grader', meaning: 'n. 评分程序' },
        { word: 'sandbox', meaning: 'n. 沙箱; 沙盒' },
        { word: 'variant', meaning: 'n. 变体' },
        { word: 'apple', meaning: 'n. 另一本词典里的苹果' },
      ];
      const hint = `The server was started with DICT_FILE=${name} and only that file in its working directory: read process.env.DICT_FILE when it is set (a path, relative to the working directory), ./dict.txt otherwise.`;
      let session: Session;
      try {
        session = await Session.open(ctx, { [name]: dictText(entries) }, { DICT_FILE: name });
      } catch (error) {
        if (!(error instanceof SubmissionError) || error.inTheCode) throw error;
        throw new CheckFailure(`Started with DICT_FILE=${name} (and no dict.txt), the server did not start: ${error.title}. ${hint}`, {
          expected: `the server reads ${name} and answers`,
          actual: error.excerpt ?? error.message,
        });
      }
      const a = await session.client('A');
      for (const entry of ctx.random.shuffle([...entries])) {
        await session.expectAnswer(a, entry.word, meaning(entry.meaning), { hint });
      }
    },
  },
  {
    id: 'start.large-file',
    /** Needs the machine to itself (timing): answers within 5 s of the start with a 15.5 MiB dictionary (wall clock, corrected for CPU wait). */
    exclusive: true,
    title: 'With a 200,000-line dict.txt (about 15.5 MiB) the server answers within 5 s of its start',
    points: 5,
    timeoutMs: 40_000,
    async run(ctx) {
      await largeFileCheck(ctx);
    },
  },
  {
    id: 'load.twenty-clients',
    /** Needs the machine to itself (timing): twenty clients × 50 queries within 3 s (wall clock, corrected for CPU wait). */
    exclusive: true,
    title: 'Twenty clients × 50 queries, each sending its next on the reply, all answered within 3 s',
    points: 7,
    timeoutMs: 45_000,
    async run(ctx) {
      await loadCheck(ctx);
    },
  },
];

function withoutEnd(datagram: Buffer): Buffer {
  if (datagram.at(-1) !== 0x0a) return datagram;
  return datagram.subarray(0, datagram.length - (datagram.at(-2) === 0x0d ? 2 : 1));
}

const LOAD_CLIENTS = 20;
const LOAD_QUERIES = 50;
const LOAD_MS = 3000;
const LOAD_LINES = 10_000;
/** How long past a timing limit the grader keeps going, so that a correct server slowed by a busy machine can still be judged by the time it did not wait for a CPU. */
const LOAD_HARD_FACTOR = 4;
const START_HARD_FACTOR = 3;

/** "4120 ms (2810 ms of it waiting for a CPU ...)" for messages. */
function describeTiming(wallMs: number, waitedMs: number | undefined, countedMs: number): string {
  return waitedMs === undefined || waitedMs < 1
    ? ms(wallMs)
    : `${ms(wallMs)}, of which ${ms(waitedMs)} waiting for a CPU the machine was busy with: ${ms(countedMs)} counted`;
}

async function largeFileCheck(ctx: CheckContext): Promise<void> {
  const { text, entries } = bigDictionary(ctx.random, 200_000, 70, 16 * 1024 * 1024);
  const size = `${entries.length.toLocaleString('en-US')} lines, ${(Buffer.byteLength(text) / 1024 / 1024).toFixed(1)} MiB`;
  const limit = ctx.ms(START_MS);
  const fix = 'Read the file once (one readFileSync and one split) into a Map: a check per line that scans what is already stored (array.includes, find) takes minutes for 200,000 lines.';
  let session: Session;
  try {
    session = await Session.open(ctx, { [DICT_FILE]: text });
  } catch (error) {
    if (!isNeverBound(error)) throw error;
    throw new CheckFailure(
      `With a dict.txt of ${size} the server did not even bind its port within ${ctx.ms(START_MS * START_HARD_FACTOR)} ms of its start, so it cannot have answered within ${limit} ms. ${fix}`,
      { expected: `a reply within ${limit} ms of the start`, actual: 'the port not bound' },
    );
  }
  const a = await session.client('A');
  const startedAt = session.server.process.startedAt;
  const last = entries.at(-1)!;
  ctx.note(`the server started ${ms(performance.now() - startedAt)} ago; asking ${show(last.word)} (the word of the last line), resending every ${ctx.ms(REPLY_WAIT_MS)} ms`);
  const answer = await a.ask(last.word, { until: startedAt + limit * START_HARD_FACTOR });
  const wall = performance.now() - startedAt;
  const node = busiestProcess(session.server);
  const sched = node === undefined ? undefined : mainThread(node);
  if (answer.kind === 'none' || !replyMatches(answer.value, meaning(last.meaning))) {
    session.assertRunning(`with a dict.txt of ${size}`);
    throw new CheckFailure(
      `With a dict.txt of ${size}, ${a.label} asked ${show(last.word)} (the word of its last line) and expected ${describeExpected(meaning(last.meaning))}, but got ${describeAnswer(answer, ctx)} (${ms(wall)} after the server's start). ${answer.kind === 'none' ? fix : 'Read the whole file (up to 16 MiB), not a first chunk of it.'}`,
      { expected: last.meaning, actual: describeAnswer(answer, ctx) },
    );
  }
  const counted = sched ? Math.max(wall - sched.waitMs, sched.runMs) : wall;
  const timing = describeTiming(wall, sched?.waitMs, counted);
  ctx.note(`first reply ${timing} after the start (the server's main thread ran ${sched ? ms(sched.runMs) : 'an unknown time'})`);
  if (wall > limit && counted > limit) {
    throw new CheckFailure(`With a dict.txt of ${size} the first reply came ${timing} after the server's start; the contract allows ${limit} ms. ${fix}`, {
      expected: `a reply within ${limit} ms of the start`,
      actual: timing,
    });
  }
}

async function loadCheck(ctx: CheckContext): Promise<void> {
  const { text, entries } = bigDictionary(ctx.random, LOAD_LINES, 300, 16 * 1024 * 1024);
  const session = await Session.open(ctx, { [DICT_FILE]: text });
  const byMeaning = new Map<string, string>();
  for (const e of entries) byMeaning.set(e.meaning, e.word);
  const clients: Client[] = [];
  for (let i = 1; i <= LOAD_CLIENTS; i++) clients.push(await session.client(`U${i}`));
  // The queries: mostly words from the second half of the file, every fifth not in it.
  const plans = clients.map(() =>
    Array.from({ length: LOAD_QUERIES }, (_, i) => {
      if (i % 5 === 4) return { word: `nope${ctx.random.int(0, 1e6)}`, expected: notFound };
      const entry = entries[ctx.random.int(Math.floor(entries.length / 2), entries.length - 1)]!;
      return { word: entry.word, expected: meaning(entry.meaning) as Expected };
    }),
  );
  const describe = (answer: Buffer) => {
    const word = byMeaning.get(withoutEnd(answer).toString('utf8'));
    return `${showDatagram(answer, 60)}${word ? ` (the meaning of ${show(word)})` : ''}`;
  };
  // Warm-up: one query per client, in turn (the first resent until the server has loaded its
  // file: the start is judged by start.large-file, not here).
  const startLimit = session.server.process.startedAt + ctx.ms(START_MS * START_HARD_FACTOR);
  for (const [k, client] of clients.entries()) {
    const entry = entries[entries.length - 1 - k]!;
    const answer = await client.ask(entry.word, k === 0 ? { until: startLimit } : {});
    if (answer.kind === 'reply' && replyMatches(answer.value, meaning(entry.meaning))) continue;
    session.assertRunning('during the warm-up of the load check');
    throw new CheckFailure(
      `Before the load, each of the ${LOAD_CLIENTS} clients asks one word in turn: ${client.label} sent ${show(entry.word)} and expected ${describeExpected(meaning(entry.meaning))}, but got ${answer.kind === 'reply' ? describe(answer.value) : describeAnswer(answer, ctx)}. Answer every client at the port its query came from.`,
      { expected: entry.meaning, actual: answer.kind === 'reply' ? showDatagram(answer.value, 200) : describeAnswer(answer, ctx) },
    );
  }
  const total = LOAD_CLIENTS * LOAD_QUERIES;
  const limit = ctx.ms(LOAD_MS);
  ctx.note(`warm-up done: every client got its reply; now ${LOAD_CLIENTS} clients × ${LOAD_QUERIES} queries at once, ${limit} ms allowed`);
  const node = busiestProcess(session.server);
  const serverBefore = node === undefined ? undefined : mainThread(node);
  const ownBefore = ownThread();
  const started = performance.now();
  const hardDeadline = started + limit * LOAD_HARD_FACTOR;
  let answered = 0;
  let resends = 0;
  let failure: CheckFailure | undefined;
  const stalled: string[] = [];
  await Promise.all(
    clients.map(async (client, k) => {
      for (const [i, { word, expected }] of plans[k]!.entries()) {
        if (failure || performance.now() > hardDeadline) return;
        const answer = await client.ask(word);
        resends += answer.sends - 1;
        if (answer.kind === 'reply' && replyMatches(answer.value, expected)) {
          answered++;
          continue;
        }
        if (answer.kind === 'none') {
          // No reply after 4 sends: this client is stuck; the pace of all is judged below.
          stalled.push(`${client.label} got no reply to ${show(word)} (its query ${i + 1}) after ${answer.sends} sends`);
          return;
        }
        failure ??= new CheckFailure(
          `Under load (${LOAD_CLIENTS} clients × ${LOAD_QUERIES} queries), ${client.label} sent ${show(word)} (its query ${i + 1}) and expected ${describeExpected(expected)}, but got ${describe(answer.value)}. Each client must get the replies to its own queries: send each reply to the port and address of the datagram it answers.`,
          { expected: expected.kind === 'meaning' ? expected.text : 'Not Found', actual: showDatagram(answer.value, 200) },
        );
      }
    }),
  );
  const wall = performance.now() - started;
  const server = difference(node === undefined ? undefined : mainThread(node), serverBefore);
  const own = difference(ownThread(), ownBefore);
  // The two waits may overlap (both runnable at once): never more than the wall time.
  const waited = server && own ? Math.min(server.waitMs + own.waitMs, wall) : undefined;
  const counted = server && waited !== undefined ? Math.max(wall - waited, server.runMs) : wall;
  const timing = describeTiming(wall, waited, counted);
  const summary = `${answered} of ${total} queries answered in ${timing}; the server's main thread ran ${server ? ms(server.runMs) : 'an unknown time'}; ${resends} resends`;
  if (process.env.UDP_DICT_DEBUG) console.error(`[udp-dict load] ${summary}`);
  session.assertRunning('during the load check');
  if (failure) throw failure;
  if (answered < total || (wall > limit && counted > limit)) {
    const pace = answered < total ? ` At that pace all ${total} take about ${answered > 0 ? (Math.round((wall * total) / answered / 100) / 10).toFixed(1) : '∞'} s.` : '';
    const stuck = stalled.length > 0 ? ` ${stalled.length} client(s) stopped waiting (first: ${stalled[0]}).` : '';
    throw new CheckFailure(
      `${LOAD_CLIENTS} clients each sent ${LOAD_QUERIES} queries, each the moment the previous one was answered, to a server with a ${LOAD_LINES.toLocaleString('en-US')}-line dict.txt: ${summary}.${stuck}${pace} The contract allows ${limit} ms for all ${total}. Read the file once at start into a Map and answer from the Map: reading or scanning the file for each query is far too slow.`,
      { expected: `${total} replies within ${limit} ms`, actual: `${answered} replies, ${timing}` },
    );
  }
  ctx.note(summary);
}
