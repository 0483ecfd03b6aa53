/**
 * The checks of ftp, one per clause of the contract (../shared/EXERCISES.md). Each check
 * starts a fresh server with FTP_ROOT unset (the default ./files), except root.env. Requests are one write
 * each, and the probe waits for the whole reply before the next, except in the checks
 * about segmentation (framing.*, put.data-with-command).
 */
import type { CheckContext, CheckDefinition } from '../../grader/exercise/define.ts';
import { CheckFailure } from '../../grader/model/errors.ts';
import { describeOutcome, show } from '../../grader/probes/expect.ts';
import { waitForFile } from '../../grader/probes/files.ts';
import { bytewise, splitAt } from '../../grader/probes/segmentation.ts';
import type { TcpProbe } from '../../grader/probes/tcp.ts';
import type { RunningServer } from '../../grader/sandbox/sandbox.ts';
import {
  ABSENCE_MS,
  BIN,
  DATA_MS,
  MAX_UPLOAD,
  OTHER_ROOT,
  REPLY_MS,
  ROOT,
  deliverAtOnce,
  waitUntilAccepted,
  expectGet,
  expectGetRefused,
  expectList,
  expectNothingMore,
  expectReply,
  filesOnDisk,
  fixtureIn,
  put,
  randomBytes,
  readList,
  renderList,
  replyLine,
  withContext,
} from './protocol.ts';
import { text } from './messages.ts';

const { t } = text;

const CHINESE = '中文 文件.txt';

/** Polls the library on disk until `accept` holds (deadline); returns the last listing. */
async function waitForListing(server: RunningServer, accept: (names: string[]) => boolean, timeoutMs: number): Promise<{ names: string[]; accepted: boolean }> {
  const started = performance.now();
  while (true) {
    const names = await filesOnDisk(server);
    if (accept(names)) return { names, accepted: true };
    if (performance.now() - started >= timeoutMs) return { names, accepted: false };
    // Polling the file system for a state the server reaches on its own: bounds latency only.
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function expectStored(server: RunningServer, ctx: CheckContext, name: string, expected: Buffer, why: string): Promise<void> {
  const wait = await waitForFile(server, `${ROOT}/${name}`, (c) => c !== undefined && c.equals(expected), ctx.ms(REPLY_MS));
  if (wait.accepted) return;
  const path = `${ROOT}/${name}`;
  throw new CheckFailure(wait.content === undefined ? t('stored.missing', { why, path, size: expected.length }) : t('stored.differs', { why, path, size: expected.length, got: wait.content.length }), {
    expected: show(expected, 60),
    actual: wait.content === undefined ? t('noFile') : show(wait.content, 60),
  });
}

/** Waits until the server closes the probe's connection; fails otherwise. */
async function expectServerCloses(probe: TcpProbe, ctx: CheckContext, after: string, hint: string): Promise<Buffer> {
  const outcome = await probe.readUntilClosed(ctx.ms(2000));
  if (outcome.kind === 'ok') return outcome.value;
  throw new CheckFailure(t('closes.stillOpen', { after, conn: probe.label, ms: { ms: outcome.kind === 'timeout' ? outcome.waitedMs : 2000 }, hint }), {
    expected: t('connectionClosed'),
    actual: describeOutcome(outcome),
  });
}

export const checks: CheckDefinition[] = [
  {
    id: 'list.basic',
    get title() {
      return t('list.basic.title');
    },
    points: 5,
    async run(ctx) {
      const files = { 'a.txt': 'a', 'with space.txt': 'space', [CHINESE]: '内容', 'empty.txt': '' };
      const server = await ctx.startServer({ fixtures: fixtureIn(files) });
      const probe = await ctx.connect(server);
      await expectList(probe, ctx, Object.keys(files), t('list.basic.why'), t('list.basic.hint'));
      // An empty library (a server of its own): FAIL empty, not OK 0, and the connection goes on.
      const empty = await ctx.startServer();
      const other = await ctx.connect(empty);
      for (const time of ['sent.emptyLibraryFirst', 'sent.emptyLibrarySecond'] as const) {
        await other.send('LIST\n');
        await expectReply(other, ctx, t(time, { line: show('LIST\n') }), 'FAIL empty', t('list.basic.emptyHint'));
      }
    },
  },
  {
    id: 'list.filter',
    get title() {
      return t('list.filter.title');
    },
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer({ fixtures: fixtureIn({ 'a.txt': 'a', '.hidden': 'h', '.upload-x.part': 'partial', 'sub/inner.txt': 'inner' }) });
      const probe = await ctx.connect(server);
      await expectList(probe, ctx, ['a.txt'], t('list.filter.why'), t('list.filter.hint'));
    },
  },
  {
    id: 'root.env',
    get title() {
      return t('root.env.title');
    },
    points: 5,
    async run(ctx) {
      // A decoy in the default folder: a server that ignores FTP_ROOT lists and serves it.
      const server = await ctx.startServer({
        env: { FTP_ROOT: OTHER_ROOT },
        fixtures: { [`${OTHER_ROOT}/in-root.txt`]: 'from FTP_ROOT', [`${ROOT}/decoy.txt`]: 'from ./files' },
      });
      const why = t('root.env.why', { root: OTHER_ROOT });
      const hint = t('root.env.hint');
      const probe = await ctx.connect(server);
      await expectList(probe, ctx, ['in-root.txt'], why, hint);
      await expectGet(probe, ctx, 'in-root.txt', Buffer.from('from FTP_ROOT'), why);
      await put(probe, ctx, 'uploaded.txt', 'stored');
      const stored = await waitForFile(server, `${OTHER_ROOT}/uploaded.txt`, (c) => c !== undefined && c.toString() === 'stored', ctx.ms(REPLY_MS));
      if (!stored.accepted) {
        const inDefault = (await filesOnDisk(server)).includes('uploaded.txt');
        const path = `${OTHER_ROOT}/uploaded.txt`;
        const key = stored.content === undefined ? (inDefault ? 'root.env.putMissingDefault' : 'root.env.putMissing') : inDefault ? 'root.env.putOtherDefault' : 'root.env.putOther';
        throw new CheckFailure(t(key, { why, path, hint }), {
          expected: t('root.env.expected', { path }),
          actual: inDefault ? 'files/uploaded.txt' : stored.content === undefined ? t('noFile') : show(stored.content),
        });
      }
    },
  },
  {
    id: 'get.basic',
    get title() {
      return t('get.basic.title');
    },
    points: 5,
    timeoutMs: 30000,
    async run(ctx) {
      const files: Record<string, Buffer> = {
        'text.txt': Buffer.from('hello\n你好\n'),
        'bin.dat': BIN,
        'empty.txt': Buffer.alloc(0),
        [CHINESE]: Buffer.from('内容 ## 内容'),
        'big.bin': randomBytes(ctx.random, 5 * 1024 * 1024),
      };
      const server = await ctx.startServer({ fixtures: fixtureIn(files) });
      const probe = await ctx.connect(server);
      for (const name of [...Object.keys(files), 'text.txt']) {
        await expectGet(probe, ctx, name, files[name]!);
      }
      await expectNothingMore(probe, ctx, t('get.basic.after'), t('get.basic.hint'));
    },
  },
  {
    id: 'get.not-found',
    get title() {
      return t('get.not-found.title');
    },
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer({ fixtures: fixtureIn({ 'a.txt': 'a', 'sub/inner.txt': 'inner' }) });
      const probe = await ctx.connect(server);
      await expectGetRefused(probe, ctx, 'missing.txt', false, t('get.not-found.missingHint'));
      await expectGetRefused(probe, ctx, 'sub', false, t('get.not-found.folderHint'), { folder: true });
      await expectGet(probe, ctx, 'a.txt', Buffer.from('a'), t('get.not-found.after'));
    },
  },
  {
    id: 'names.traversal',
    get title() {
      return t('names.traversal.title');
    },
    points: 5,
    async run(ctx) {
      const canary = `canary-${ctx.random.int(100000, 999999)}-${ctx.random.int(100000, 999999)}`;
      const server = await ctx.startServer({
        fixtures: { ...fixtureIn({ 'a.txt': 'a', 'sub/inner.txt': 'inner', '.hidden': 'hidden' }), 'secret.txt': canary, 'victim.txt': canary },
      });
      const probe = await ctx.connect(server);
      for (const name of ['../secret.txt', 'sub/inner.txt', 'sub\\inner.txt', '.hidden', '..', '.', '../files/a.txt', '../victim.txt']) {
        await expectGetRefused(probe, ctx, name, true, t('traversal.getHint'));
      }
      for (const name of ['../evil.txt', 'sub/evil.txt', '.evil', '..', 'a\\b', '../victim.txt']) {
        const line = `PUT 4 ${name}\n`;
        await probe.send(line);
        await expectReply(probe, ctx, t('sent.lineNoData', { line: show(line) }), 'FAIL bad name', t('traversal.putHint'));
      }
      const extra = await probe.collectFor(ctx.ms(ABSENCE_MS));
      if (extra.includes(Buffer.from(canary))) {
        throw new CheckFailure(t('traversal.leaked', { root: ROOT }), { expected: t('traversal.neverSent'), actual: show(extra) });
      }
      const outside = await server.listFiles('.');
      const unexpected = outside.filter((f) => !['secret.txt', 'victim.txt'].includes(f) && !f.startsWith(`${ROOT}/`));
      if (unexpected.length > 0) {
        throw new CheckFailure(t('traversal.created', { files: renderList(unexpected), root: ROOT }), {
          expected: t('traversal.createdExpected'),
          actual: unexpected.join('\n'),
        });
      }
      for (const name of ['secret.txt', 'victim.txt']) {
        const content = await server.readFile(name);
        if (content === undefined || content.toString() !== canary) {
          throw new CheckFailure(t('traversal.changed', { name, root: ROOT }), {
            expected: canary,
            actual: content === undefined ? t('deleted') : show(content),
          });
        }
      }
      const inside = await filesOnDisk(server);
      const want = ['.hidden', 'a.txt', 'sub/inner.txt'];
      if (inside.join('\n') !== want.join('\n')) {
        throw new CheckFailure(t('traversal.inside', { root: ROOT, want: renderList(want), got: renderList(inside) }), {
          expected: want.join('\n'),
          actual: inside.join('\n'),
        });
      }
    },
  },
  {
    id: 'names.rules',
    get title() {
      return t('names.rules.title');
    },
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer({ fixtures: fixtureIn({ 'a.txt': 'a' }) });
      const probe = await ctx.connect(server);
      const tooLong = `${'n'.repeat(252)}.txt`; // 256 bytes
      const longest = `${'x'.repeat(251)}.txt`; // 255 bytes: allowed
      const spaced = ' spaced name.txt ';
      // Refused: NUL, over 255 bytes; an empty name may also be taken as a PUT without a name (ERR).
      for (const [name, what] of [
        ['bad\0name.txt', t('what.nul')],
        [tooLong, t('what.long')],
      ] as const) {
        const line = `PUT 3 ${name}\n`;
        await probe.send(line);
        await expectReply(probe, ctx, t('sent.putBad', { what }), 'FAIL bad name', t('rules.hint'));
      }
      await probe.send('PUT 3 \n');
      const empty = await replyLine(probe, ctx, t('sent.putEmptyName', { line: show('PUT 3 \n') }));
      if (empty !== 'FAIL bad name' && !empty.startsWith('ERR ')) {
        throw new CheckFailure(t('rules.empty', { conn: probe.label, got: show(empty) }), {
          expected: t('rules.emptyExpected'),
          actual: empty,
        });
      }
      await expectGetRefused(probe, ctx, 'bad\0name.txt', true, t('rules.nulHint'));
      // Taken exactly as sent: spaces at either end are part of the name.
      const exactHint = t('rules.exactHint');
      await withContext(t('rules.longest'), t('rules.longestHint'), () => put(probe, ctx, longest, 'max'));
      await withContext(t('rules.spaced', { name: show(spaced) }), exactHint, () => put(probe, ctx, spaced, 'sp'));
      await expectList(probe, ctx, ['a.txt', longest, spaced], t('rules.afterPuts', { name: show(spaced) }), exactHint);
      await expectGet(probe, ctx, spaced, Buffer.from('sp'), t('rules.afterPut', { name: show(spaced) }));
      await expectGetRefused(probe, ctx, 'a.txt ', false, t('rules.trailing', { hint: exactHint }));
      const stored = await filesOnDisk(server);
      if (!stored.includes(spaced)) {
        throw new CheckFailure(t('rules.notStored', { name: show(spaced), root: ROOT, got: renderList(stored), hint: exactHint }), {
          expected: spaced,
          actual: stored.join('\n'),
        });
      }
    },
  },
  {
    id: 'put.basic',
    get title() {
      return t('put.basic.title');
    },
    points: 5,
    async run(ctx) {
      const uploads: Record<string, Buffer> = {
        '新 文件.txt': Buffer.from('hello world'),
        'upload.bin': Buffer.concat([BIN, randomBytes(ctx.random, 300000)]),
        'zero.txt': Buffer.alloc(0),
      };
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      for (const [name, data] of Object.entries(uploads)) await put(probe, ctx, name, data);
      const reader = await ctx.connect(server);
      for (const [name, data] of Object.entries(uploads)) await expectGet(reader, ctx, name, data, t('put.basic.afterPut'));
      await expectList(reader, ctx, Object.keys(uploads), t('put.basic.afterThree'));
      await expectStored(server, ctx, 'upload.bin', uploads['upload.bin']!, t('put.basic.afterBin'));
    },
  },
  {
    id: 'put.data-with-command',
    get title() {
      return t('put.data-with-command.title');
    },
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      const sent = t('sent.lineOneSegment', { line: show('PUT 5 quick.txt\nhelloLIST\n') });
      await probe.send('PUT 5 quick.txt\nhelloLIST\n');
      const hint = t('withData.hint');
      await expectReply(probe, ctx, sent, 'OK', hint);
      await expectReply(probe, ctx, sent, 'DONE', hint);
      const names = await readList(probe, ctx, t('sent.then', { sent, then: t('then.listAfterData') }));
      if (names.join('\n') !== 'quick.txt') {
        throw new CheckFailure(t('withData.list', { sent, conn: probe.label, got: renderList(names), hint }), {
          expected: 'OK 1\nquick.txt',
          actual: names.join('\n') || 'FAIL empty',
        });
      }
      await expectStored(server, ctx, 'quick.txt', Buffer.from('hello'), t('withData.after', { sent }));
    },
  },
  {
    id: 'put.exists',
    get title() {
      return t('put.exists.title');
    },
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer({ fixtures: fixtureIn({ 'a.txt': 'original' }) });
      const probe = await ctx.connect(server);
      await probe.send('PUT 3 a.txt\n');
      await expectReply(probe, ctx, t('sent.whileExists', { line: show('PUT 3 a.txt\n') }), 'FAIL exists', t('exists.hint'));
      await expectList(probe, ctx, ['a.txt'], t('exists.afterRefused'));
      const content = await server.readFile(`${ROOT}/a.txt`);
      if (content?.toString() !== 'original') {
        throw new CheckFailure(t('exists.changed', { path: `${ROOT}/a.txt` }), { expected: 'original', actual: content === undefined ? t('deleted') : show(content) });
      }
    },
  },
  {
    id: 'put.exists-uploading',
    get title() {
      return t('put.exists-uploading.title');
    },
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const data = randomBytes(ctx.random, 1000);
      const a = await ctx.connect(server);
      const b = await ctx.connect(server);
      await a.send('PUT 1000 busy.bin\n');
      await expectReply(a, ctx, t('sent.line', { line: show('PUT 1000 busy.bin\n') }), 'OK');
      await a.send(data.subarray(0, 100), { paced: true });
      const hint = t('uploading.hint');
      await b.send('PUT 5 busy.bin\n');
      await expectReply(b, ctx, t('sent.whileUploading', { line: show('PUT 5 busy.bin\n'), conn: a.label }), 'FAIL exists', hint);
      await a.send(data.subarray(100));
      await expectReply(a, ctx, t('sent.otherBytes', { n: 900, name: 'busy.bin' }), 'DONE', '', DATA_MS);
      await b.send('PUT 5 busy.bin\n');
      await expectReply(b, ctx, t('sent.afterUploadDone', { line: show('PUT 5 busy.bin\n') }), 'FAIL exists');
      await expectStored(server, ctx, 'busy.bin', data, t('uploading.stored', { a: a.label, b: b.label }));

      // Two PUTs of one name at the same moment: exactly one gets OK. Both lines reach the
      // server in one turn of its event loop (deliverAtOnce), so a server that reserves
      // the name only after an await (a stat of the file) lets both through.
      const c = await ctx.connect(server);
      const d = await ctx.connect(server);
      for (const p of [c, d]) {
        await p.send('LIST\n');
        await readList(p, ctx, t('sent.beforeRace', { line: show('LIST\n') }));
      }
      const line = 'PUT 5 race.txt\n';
      const both = t('race.both', { c: c.label, d: d.label, line: show(line) });
      const raceHint = t('race.hint');
      await deliverAtOnce(server, ctx, [c, d], line);
      // A server that serves one request at a time may answer the second PUT only once the
      // first upload is done: a missing reply is read again after that.
      const first = await Promise.all([c, d].map((p) => p.readLine(ctx.ms(REPLY_MS))));
      const ok = [c, d].filter((_, i) => first[i]!.kind === 'ok' && (first[i] as { value: string }).value === 'OK');
      const replies = first.map((o) => (o.kind === 'ok' ? show(o.value) : describeOutcome(o)));
      if (ok.length === 2) {
        throw new CheckFailure(t('race.bothOk', { both, hint: raceHint }), {
          expected: t('race.expected'),
          actual: `${c.label}: ${replies[0]}\n${d.label}: ${replies[1]}`,
        });
      }
      if (ok.length === 0) {
        throw new CheckFailure(t('race.noneOk', { both, c: c.label, replyC: replies[0]!, d: d.label, replyD: replies[1]! }), {
          expected: t('race.expected'),
          actual: `${c.label}: ${replies[0]}\n${d.label}: ${replies[1]}`,
        });
      }
      const winner = ok[0]!;
      const loser = winner === c ? d : c;
      const loserFirst = first[winner === c ? 1 : 0]!;
      await winner.send('12345');
      await expectReply(winner, ctx, t('sent.winner', { both }), 'DONE', '', DATA_MS);
      const loserReply = loserFirst.kind === 'ok' ? loserFirst.value : await replyLine(loser, ctx, t('sent.loser', { both }));
      if (loserReply !== 'FAIL exists') {
        throw new CheckFailure(t('race.loser', { both, winner: winner.label, loser: loser.label, got: show(loserReply), hint: raceHint }), {
          expected: 'FAIL exists',
          actual: loserReply,
        });
      }
      await expectStored(server, ctx, 'race.txt', Buffer.from('12345'), t('race.stored'));
    },
  },
  {
    id: 'put.too-large',
    get title() {
      return t('put.too-large.title');
    },
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      const hint = t('tooLarge.hint');
      for (const line of [`PUT ${MAX_UPLOAD + 1} big.bin\n`, 'PUT 99999999999999999999999 huge.bin\n']) {
        await probe.send(line);
        await expectReply(probe, ctx, t('sent.line', { line: show(line) }), 'FAIL too large', hint);
      }
      await probe.send('LIST\n');
      await expectReply(probe, ctx, t('sent.afterTwoRefused', { line: show('LIST\n') }), 'FAIL empty', t('tooLarge.listHint'));
      await probe.send(`PUT ${MAX_UPLOAD} max.bin\n`);
      await expectReply(probe, ctx, t('sent.line', { line: show(`PUT ${MAX_UPLOAD} max.bin\n`) }), 'OK', t('tooLarge.maxHint'));
      probe.reset();
    },
  },
  {
    id: 'put.invisible',
    get title() {
      return t('put.invisible.title');
    },
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer({ fixtures: fixtureIn({ 'a.txt': 'a' }) });
      const data = randomBytes(ctx.random, 2000);
      const a = await ctx.connect(server);
      const b = await ctx.connect(server);
      await a.send('PUT 2000 wip.bin\n');
      await expectReply(a, ctx, t('sent.line', { line: show('PUT 2000 wip.bin\n') }), 'OK');
      await a.send(data.subarray(0, 1000), { paced: true });
      const hint = t('invisible.hint');
      await expectList(b, ctx, ['a.txt'], t('invisible.while', { conn: a.label }), hint);
      await expectGetRefused(b, ctx, 'wip.bin', false, t('invisible.getHint', { conn: a.label, hint }));
      await a.send(data.subarray(1000));
      await expectReply(a, ctx, t('sent.otherBytes', { n: 1000, name: 'wip.bin' }), 'DONE', '', DATA_MS);
      await expectList(b, ctx, ['a.txt', 'wip.bin'], t('invisible.afterDone'));
      await expectGet(b, ctx, 'wip.bin', data, t('invisible.afterGet'));
    },
  },
  {
    id: 'put.abort',
    get title() {
      return t('put.abort.title');
    },
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const a = await ctx.connect(server);
      await a.send('PUT 1000 cut.bin\n');
      await expectReply(a, ctx, t('sent.line', { line: show('PUT 1000 cut.bin\n') }), 'OK');
      await a.send(randomBytes(ctx.random, 500), { paced: true });
      a.end();
      await expectServerCloses(a, ctx, t('abort.fin'), t('abort.finHint'));
      const r = await ctx.connect(server);
      await r.send('PUT 1000 cut2.bin\n');
      await expectReply(r, ctx, t('sent.line', { line: show('PUT 1000 cut2.bin\n') }), 'OK');
      await r.send(randomBytes(ctx.random, 500), { paced: true });
      r.reset();
      const left = await waitForListing(server, (names) => names.length === 0, ctx.ms(2000));
      if (!left.accepted) {
        throw new CheckFailure(t('abort.left', { files: renderList(left.names), root: ROOT }), {
          expected: t('abort.leftExpected'),
          actual: left.names.join('\n'),
        });
      }
      const b = await ctx.connect(server);
      await expectList(b, ctx, [], t('abort.afterTwo'));
      await expectGetRefused(b, ctx, 'cut.bin', false, t('abort.getHint'));
      await expectGetRefused(b, ctx, 'cut2.bin', false, t('abort.getHint'));
      for (const name of ['cut.bin', 'cut2.bin']) {
        await withContext(t('abort.free', { name }), t('abort.freeHint'), () => put(b, ctx, name, 'abc'));
      }
    },
  },
  {
    id: 'connection.reset',
    get title() {
      return t('connection.reset.title');
    },
    points: 5,
    timeoutMs: 30000,
    async run(ctx) {
      const big = randomBytes(ctx.random, 8 * 1024 * 1024);
      const server = await ctx.startServer({ fixtures: fixtureIn({ 'a.txt': 'a', 'big.bin': big }) });
      const crashed = (after: string) => {
        const exit = server.process.exitInfo;
        if (!exit) return;
        throw new CheckFailure(
          exit.signal ? t('reset.killed', { signal: exit.signal, when: after }) : t('reset.exited', { code: String(exit.exitCode), when: after }),
          { actual: server.process.stderr.excerpt(15, 1500) },
        );
      };
      /** A new client is served after the reset (the reset reached the server before it connected). */
      const stillServes = async (after: string) => {
        const fresh = await ctx.connect(server).catch((error: unknown) => {
          crashed(after);
          throw error;
        });
        await fresh.send('LIST\n');
        const names = await readList(fresh, ctx, t('sent.afterReset', { line: show('LIST\n'), when: after })).catch((error: unknown) => {
          crashed(after);
          throw error;
        });
        if (!names.includes('a.txt')) {
          throw new CheckFailure(t('reset.listMissing', { when: after, got: renderList(names) }), { expected: t('reset.listExpected'), actual: names.join('\n') });
        }
        fresh.destroy();
      };

      // 1. Before sending a byte, once the server has accepted the connection (its
      //    'connection' handler has run).
      const mute = await ctx.connect(server);
      await waitUntilAccepted(server, ctx.ms(REPLY_MS));
      mute.reset();
      await stillServes(t('reset.whenMute', { conn: mute.label }));

      // 2. In the middle of a request line.
      const half = await ctx.connect(server);
      await half.send('LI', { paced: true });
      half.reset();
      await stillServes(t('reset.whenHalf'));

      // 3. Right after the OK of a PUT, before any data.
      const putter = await ctx.connect(server);
      await putter.send('PUT 10 held.txt\n');
      await expectReply(putter, ctx, t('sent.line', { line: show('PUT 10 held.txt\n') }), 'OK', t('put.okHint'));
      putter.reset();
      await stillServes(t('reset.whenPut'));

      // 4. During a download the server is still writing.
      const reader = await ctx.connect(server);
      await reader.send('GET big.bin\n');
      await expectReply(reader, ctx, t('sent.line', { line: show('GET big.bin\n') }), `OK ${big.length}`, t('reset.getHint'));
      const some = await reader.readBytes(64 * 1024, ctx.ms(DATA_MS));
      if (some.kind !== 'ok') {
        throw new CheckFailure(t('reset.noData', { size: String(big.length), conn: reader.label, got: describeOutcome(some, (v: Buffer) => t('bytes', { n: v.length })) }), {
          expected: t('reset.noDataExpected'),
          actual: describeOutcome(some, (v: Buffer) => t('bytes', { n: v.length })),
        });
      }
      reader.reset();
      await stillServes(t('reset.whenDownload', { size: big.length }));
      crashed(t('reset.whenLate'));
    },
  },
  {
    id: 'framing.split',
    get title() {
      return t('framing.split.title');
    },
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer({ fixtures: fixtureIn({ [CHINESE]: '内容' }) });
      const probe = await ctx.connect(server);
      const hint = t('split.hint');
      await probe.send('LIST\r\n', { segmentation: bytewise, paced: true });
      const names = await withContext('', hint, () => readList(probe, ctx, t('sent.lineBytewise', { line: show('LIST\r\n') })));
      if (names.join('\n') !== CHINESE) {
        throw new CheckFailure(t('split.list', { got: renderList(names), hint }), { expected: `OK 1\n${CHINESE}`, actual: names.join('\n') });
      }
      await probe.send(`GET ${CHINESE}\n`, { segmentation: bytewise, paced: true });
      await expectReply(probe, ctx, t('sent.lineBytewise', { line: show(`GET ${CHINESE}\n`) }), 'OK 6', hint);
      const content = await probe.readBytes(6, ctx.ms(REPLY_MS));
      if (content.kind !== 'ok' || content.value.toString() !== '内容') {
        throw new CheckFailure(t('split.get', { name: show(CHINESE) }), { expected: '内容', actual: describeOutcome(content, (v) => show(v)) });
      }
      const putLine = 'PUT 6 分 段.txt\r\n';
      await probe.send(putLine, { segmentation: bytewise, paced: true });
      await expectReply(probe, ctx, t('sent.lineBytewise', { line: show(putLine) }), 'OK', hint);
      await probe.send('数据', { segmentation: bytewise, paced: true });
      await expectReply(probe, ctx, t('sent.sixBytes'), 'DONE', t('split.countHint'));
      await probe.send('GET 分 段.txt\r\n', { segmentation: splitAt(3, 6, 10), paced: true });
      await expectReply(probe, ctx, t('sent.inSegments', { line: show('GET 分 段.txt\r\n') }), 'OK 6', hint);
      const uploaded = await probe.readBytes(6, ctx.ms(REPLY_MS));
      if (uploaded.kind !== 'ok' || uploaded.value.toString() !== '数据') {
        throw new CheckFailure(t('split.uploaded'), { expected: '数据', actual: describeOutcome(uploaded, (v) => show(v)) });
      }
    },
  },
  {
    id: 'framing.pipelined',
    get title() {
      return t('framing.pipelined.title');
    },
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer({ fixtures: fixtureIn({ 'a.txt': 'AAA', 'b.bin': BIN }) });
      const probe = await ctx.connect(server);
      const batch = 'LIST\nGET a.txt\nGET missing.txt\nGET b.bin\nGET a.txt\n';
      const sent = t('sent.lineOneSegment', { line: show(batch) });
      const hint = t('pipelined.hint');
      await probe.send(batch);
      const names = await withContext('', hint, () => readList(probe, ctx, sent));
      if (names.join('\n') !== 'a.txt\nb.bin') {
        throw new CheckFailure(t('pipelined.list', { sent, got: renderList(names), hint }), { expected: 'OK 2\na.txt\nb.bin', actual: names.join('\n') });
      }
      const expectData = async (what: string, expected: Buffer) => {
        await expectReply(probe, ctx, t('sent.then', { sent, then: t('then.replyTo', { what }) }), `OK ${expected.length}`, hint);
        const data = await probe.readBytes(expected.length, ctx.ms(REPLY_MS));
        if (data.kind !== 'ok' || !data.value.equals(expected)) {
          throw new CheckFailure(t('pipelined.data', { sent, what, hint }), { expected: show(expected, 60), actual: describeOutcome(data, (v) => show(v, 60)) });
        }
      };
      await expectData('GET a.txt', Buffer.from('AAA'));
      await expectReply(probe, ctx, t('sent.then', { sent, then: t('then.replyTo', { what: 'GET missing.txt' }) }), 'FAIL not found', hint);
      await expectData('GET b.bin', BIN);
      await expectData(t('what.secondGet'), Buffer.from('AAA'));

      const fin = await ctx.connect(server);
      const last = 'GET a.txt\nLIST\n';
      await fin.send(last);
      fin.end();
      const finHint = t('pipelined.finHint');
      const finSent = t('sent.lineAndFin', { line: show(last) });
      await expectReply(fin, ctx, finSent, 'OK 3', finHint);
      const data = await fin.readBytes(3, ctx.ms(REPLY_MS));
      if (data.kind !== 'ok' || data.value.toString() !== 'AAA') {
        throw new CheckFailure(t('pipelined.finGet', { sent: finSent, hint: finHint }), { expected: 'AAA', actual: describeOutcome(data, (v) => show(v)) });
      }
      const listed = await readList(fin, ctx, t('sent.then', { sent: finSent, then: t('then.theList') }));
      if (listed.length !== 2) {
        throw new CheckFailure(t('pipelined.finList', { sent: finSent, got: renderList(listed), hint: finHint }), { expected: 'OK 2\na.txt\nb.bin', actual: listed.join('\n') });
      }
      const rest = await expectServerCloses(fin, ctx, t('pipelined.closes'), finHint);
      if (rest.length > 0) {
        throw new CheckFailure(t('pipelined.more', { sent: finSent, got: show(rest) }), { expected: t('nothingMore'), actual: show(rest) });
      }
    },
  },
  {
    id: 'commands.err-and-exit',
    get title() {
      return t('commands.err-and-exit.title');
    },
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer({ fixtures: fixtureIn({ 'a.txt': 'a' }) });
      const probe = await ctx.connect(server);
      const requests = ['FOO', 'list', '', 'PUT abc x.txt', 'PUT 5', 'PUT -5 x.txt', 'PUT 5.5 x.txt', 'PUT 5x x.txt', 'GET', 'DELETE a.txt'];
      for (const request of requests) {
        const sent = t('sent.line', { line: show(`${request}\n`) });
        await probe.send(`${request}\n`);
        const outcome = await probe.readLine(ctx.ms(REPLY_MS));
        if (outcome.kind === 'ok' && outcome.value.startsWith('ERR ')) continue;
        const closed = outcome.kind === 'closed';
        throw new CheckFailure(
          t(closed ? 'err.closed' : 'err.other', { sent, conn: probe.label, got: outcome.kind === 'ok' ? show(outcome.value) : describeOutcome(outcome) }),
          { expected: 'ERR <reason>\\n', actual: outcome.kind === 'ok' ? outcome.value : describeOutcome(outcome) },
        );
      }
      await expectList(probe, ctx, ['a.txt'], t('err.afterMany', { n: requests.length }), t('err.survivesHint'));
      await probe.send('EXIT\n');
      const rest = await expectServerCloses(probe, ctx, t('exit.after'), t('exit.hint'));
      if (rest.length > 0) {
        throw new CheckFailure(t('exit.replied', { conn: probe.label, got: show(rest) }), { expected: t('connectionClosedNothing'), actual: show(rest) });
      }
    },
  },
  {
    id: 'concurrency.stalled',
    /** Needs the machine to itself (timing): LIST, GET and PUT beside four stalled clients within 3000 ms, wall clock. */
    exclusive: true,
    get title() {
      return t('concurrency.stalled.title');
    },
    points: 5,
    timeoutMs: 30000,
    async run(ctx) {
      const huge = randomBytes(ctx.random, 30 * 1024 * 1024);
      const server = await ctx.startServer({ fixtures: fixtureIn({ 'a.txt': 'a', 'huge.bin': huge }) });
      const a = await ctx.connect(server);
      a.pause();
      await a.send('GET huge.bin\n');
      const b = await ctx.connect(server);
      await b.send('PUT 1000 slow.bin\n');
      await withContext(t('stalled.notReading', { conn: a.label }), t('stalled.notReadingHint'), () =>
        expectReply(b, ctx, t('sent.line', { line: show('PUT 1000 slow.bin\n') }), 'OK'),
      );
      await b.send(randomBytes(ctx.random, 10), { paced: true });
      await ctx.connect(server); // C: connected, sends nothing
      const e = await ctx.connect(server);
      await e.send('GE', { paced: true });
      const d = await ctx.connect(server);
      const started = performance.now();
      const stalled = t('stalled.context', { a: a.label, b: b.label, e: e.label });
      const hint = t('stalled.hint');
      await withContext('', hint, async () => {
        await d.send('LIST\n');
        const names = await readList(d, ctx, t('sent.withStalled', { line: show('LIST\n'), stalled }));
        if (!names.includes('a.txt') || !names.includes('huge.bin')) {
          throw new CheckFailure(t('stalled.list', { stalled, got: renderList(names) }), { expected: t('stalled.listExpected'), actual: names.join('\n') });
        }
        await expectGet(d, ctx, 'a.txt', Buffer.from('a'), t('stalled.prefix', { a: a.label, b: b.label, e: e.label }));
        await put(d, ctx, 'd.txt', 'ddd');
      });
      const took = performance.now() - started;
      if (took > ctx.ms(3000)) {
        throw new CheckFailure(t('stalled.slow', { conn: d.label, took: { ms: Math.round(took) }, stalled, limit: { ms: ctx.ms(3000) }, hint }), {
          expected: t('stalled.under', { limit: { ms: ctx.ms(3000) } }),
          actual: t('stalled.took', { took: { ms: Math.round(took) } }),
        });
      }
    },
  },
  {
    id: 'concurrency.twenty',
    get title() {
      return t('concurrency.twenty.title');
    },
    points: 5,
    timeoutMs: 30000,
    async run(ctx) {
      const shared = randomBytes(ctx.random, 64 * 1024);
      const server = await ctx.startServer({ fixtures: fixtureIn({ 'shared.bin': shared }) });
      const probes = await Promise.all(Array.from({ length: 20 }, () => ctx.connect(server)));
      const uploads = probes.map((_, i) => randomBytes(ctx.random, 16 * 1024 + i));
      await Promise.all(
        probes.map(async (probe, i) => {
          await probe.send('LIST\n');
          const names = await readList(probe, ctx, t('sent.twentyClients', { line: show('LIST\n') }));
          if (!names.includes('shared.bin')) {
            throw new CheckFailure(t('twenty.list', { conn: probe.label, got: renderList(names) }), { expected: t('twenty.listExpected'), actual: names.join('\n') });
          }
          await expectGet(probe, ctx, 'shared.bin', shared, t('twenty.get'));
          await put(probe, ctx, `client ${i + 1}.bin`, uploads[i]!);
          await expectGet(probe, ctx, `client ${i + 1}.bin`, uploads[i]!, t('twenty.getAfterPut'));
        }),
      );
      const reader = await ctx.connect(server);
      await expectList(reader, ctx, ['shared.bin', ...uploads.map((_, i) => `client ${i + 1}.bin`)], t('twenty.after'));
    },
  },
];
