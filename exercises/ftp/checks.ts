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
  throw new CheckFailure(`${why} ${ROOT}/${name} on disk should hold the ${expected.length} uploaded bytes, but it ${wait.content === undefined ? 'does not exist' : `holds ${wait.content.length} bytes that differ`}.`, {
    expected: show(expected, 60),
    actual: wait.content === undefined ? '(no file)' : show(wait.content, 60),
  });
}

/** Waits until the server closes the probe's connection; fails otherwise. */
async function expectServerCloses(probe: TcpProbe, ctx: CheckContext, after: string, hint: string): Promise<Buffer> {
  const outcome = await probe.readUntilClosed(ctx.ms(2000));
  if (outcome.kind === 'ok') return outcome.value;
  throw new CheckFailure(`${after} on ${probe.label}, the server should close the connection, but it was still open after ${outcome.kind === 'timeout' ? outcome.waitedMs : 2000} ms. ${hint}`, {
    expected: '(connection closed)',
    actual: describeOutcome(outcome),
  });
}

export const checks: CheckDefinition[] = [
  {
    id: 'list.basic',
    title: 'LIST names the files, with spaces and Chinese names; an empty library is FAIL empty',
    points: 5,
    async run(ctx) {
      const files = { 'a.txt': 'a', 'with space.txt': 'space', [CHINESE]: '内容', 'empty.txt': '' };
      const server = await ctx.startServer({ fixtures: fixtureIn(files) });
      const probe = await ctx.connect(server);
      await expectList(probe, ctx, Object.keys(files), 'With four files in the library,', 'Send OK <n>, then each name on its own line, in UTF-8 and whole (names may hold spaces).');
      // An empty library (a server of its own): FAIL empty, not OK 0, and the connection goes on.
      const empty = await ctx.startServer();
      const other = await ctx.connect(empty);
      for (const time of ['first', 'second']) {
        await other.send('LIST\n');
        await expectReply(other, ctx, `sending "LIST\\n" to an empty library (${time} time)`, 'FAIL empty', 'With no files, LIST answers FAIL empty (not OK 0), and the connection goes on.');
      }
    },
  },
  {
    id: 'list.filter',
    title: 'LIST hides dot-files and folders',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer({ fixtures: fixtureIn({ 'a.txt': 'a', '.hidden': 'h', '.upload-x.part': 'partial', 'sub/inner.txt': 'inner' }) });
      const probe = await ctx.connect(server);
      await expectList(probe, ctx, ['a.txt'], 'With a.txt, .hidden, .upload-x.part and a folder sub/ in the library,', 'LIST shows regular files with valid names only: skip names starting with "." and anything that is not a file.');
    },
  },
  {
    id: 'root.env',
    title: 'The library is the folder in env FTP_ROOT when it is set',
    points: 5,
    async run(ctx) {
      // A decoy in the default folder: a server that ignores FTP_ROOT lists and serves it.
      const server = await ctx.startServer({
        env: { FTP_ROOT: OTHER_ROOT },
        fixtures: { [`${OTHER_ROOT}/in-root.txt`]: 'from FTP_ROOT', [`${ROOT}/decoy.txt`]: 'from ./files' },
      });
      const why = `With FTP_ROOT=${OTHER_ROOT} (holding in-root.txt) and a decoy.txt in ./files,`;
      const hint = 'The library is the folder in env FTP_ROOT; ./files is only the default when FTP_ROOT is unset.';
      const probe = await ctx.connect(server);
      await expectList(probe, ctx, ['in-root.txt'], why, hint);
      await expectGet(probe, ctx, 'in-root.txt', Buffer.from('from FTP_ROOT'), `${why} `);
      await put(probe, ctx, 'uploaded.txt', 'stored');
      const stored = await waitForFile(server, `${OTHER_ROOT}/uploaded.txt`, (c) => c !== undefined && c.toString() === 'stored', ctx.ms(REPLY_MS));
      if (!stored.accepted) {
        const inDefault = (await filesOnDisk(server)).includes('uploaded.txt');
        throw new CheckFailure(`${why} PUT uploaded.txt was answered DONE but ${OTHER_ROOT}/uploaded.txt ${stored.content === undefined ? 'does not exist' : 'holds other bytes'}${inDefault ? ' (it went to ./files)' : ''}. ${hint}`, {
          expected: `${OTHER_ROOT}/uploaded.txt holding "stored"`,
          actual: inDefault ? 'files/uploaded.txt' : stored.content === undefined ? '(no file)' : show(stored.content),
        });
      }
    },
  },
  {
    id: 'get.basic',
    title: 'GET sends OK <size> and exactly the bytes of the file (text, binary, empty, 5 MiB)',
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
      await expectNothingMore(probe, ctx, 'After the last GET', 'Send exactly the file\'s bytes after OK <size>: no end marker like "##".');
    },
  },
  {
    id: 'get.not-found',
    title: 'GET of a missing name or a folder is FAIL not found, and the connection goes on',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer({ fixtures: fixtureIn({ 'a.txt': 'a', 'sub/inner.txt': 'inner' }) });
      const probe = await ctx.connect(server);
      await expectGetRefused(probe, ctx, 'missing.txt', false, 'A name that is not in the library is FAIL not found.');
      await expectGetRefused(probe, ctx, 'sub', false, 'A folder is not a file: FAIL not found.', { folder: true });
      await expectGet(probe, ctx, 'a.txt', Buffer.from('a'), 'After two FAIL replies the connection must go on: ');
    },
  },
  {
    id: 'names.traversal',
    title: 'Nothing outside the library can be read or written',
    points: 5,
    async run(ctx) {
      const canary = `canary-${ctx.random.int(100000, 999999)}-${ctx.random.int(100000, 999999)}`;
      const server = await ctx.startServer({
        fixtures: { ...fixtureIn({ 'a.txt': 'a', 'sub/inner.txt': 'inner', '.hidden': 'hidden' }), 'secret.txt': canary, 'victim.txt': canary },
      });
      const probe = await ctx.connect(server);
      for (const name of ['../secret.txt', 'sub/inner.txt', 'sub\\inner.txt', '.hidden', '..', '.', '../files/a.txt', '../victim.txt']) {
        await expectGetRefused(probe, ctx, name, true, 'Check the name before touching the disk: no "/", "\\", leading "." or "..".');
      }
      for (const name of ['../evil.txt', 'sub/evil.txt', '.evil', '..', 'a\\b', '../victim.txt']) {
        const line = `PUT 4 ${name}\n`;
        await probe.send(line);
        await expectReply(probe, ctx, `sending ${show(line)} (no data)`, 'FAIL bad name', 'Refuse names with "/", "\\", a leading "." or ".." before creating anything.');
      }
      const extra = await probe.collectFor(ctx.ms(ABSENCE_MS));
      if (extra.includes(Buffer.from(canary))) {
        throw new CheckFailure(`The content of the grader's secret.txt, outside ${ROOT}/, was sent to the client: nothing outside FTP_ROOT may be read.`, { expected: '(never sent)', actual: show(extra) });
      }
      const outside = await server.listFiles('.');
      const unexpected = outside.filter((f) => !['secret.txt', 'victim.txt'].includes(f) && !f.startsWith(`${ROOT}/`));
      if (unexpected.length > 0) {
        throw new CheckFailure(`A PUT with a bad name created ${renderList(unexpected)} outside ${ROOT}/: nothing outside FTP_ROOT may ever be written.`, {
          expected: '(nothing new outside files/)',
          actual: unexpected.join('\n'),
        });
      }
      for (const name of ['secret.txt', 'victim.txt']) {
        const content = await server.readFile(name);
        if (content === undefined || content.toString() !== canary) {
          throw new CheckFailure(`The grader's file ${name}, outside ${ROOT}/, was changed or removed by the requests with "../" names: nothing outside FTP_ROOT may be written.`, {
            expected: canary,
            actual: content === undefined ? '(deleted)' : show(content),
          });
        }
      }
      const inside = await filesOnDisk(server);
      const want = ['.hidden', 'a.txt', 'sub/inner.txt'];
      if (inside.join('\n') !== want.join('\n')) {
        throw new CheckFailure(`After GETs and PUTs with bad names, ${ROOT}/ should still hold exactly ${renderList(want)} but holds ${renderList(inside)}: a refused PUT must create nothing.`, {
          expected: want.join('\n'),
          actual: inside.join('\n'),
        });
      }
    },
  },
  {
    id: 'names.rules',
    title: 'Names are taken exactly as sent (spaces at either end, up to 255 bytes); NUL, empty and longer names are FAIL bad name',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer({ fixtures: fixtureIn({ 'a.txt': 'a' }) });
      const probe = await ctx.connect(server);
      const tooLong = `${'n'.repeat(252)}.txt`; // 256 bytes
      const longest = `${'x'.repeat(251)}.txt`; // 255 bytes: allowed
      const spaced = ' spaced name.txt ';
      // Refused: NUL, over 255 bytes; an empty name may also be taken as a PUT without a name (ERR).
      for (const [name, what] of [
        ['bad\0name.txt', 'a name with a NUL byte'],
        [tooLong, 'a name of 256 bytes'],
      ] as const) {
        const line = `PUT 3 ${name}\n`;
        await probe.send(line);
        await expectReply(probe, ctx, `sending PUT 3 with ${what} (no data)`, 'FAIL bad name', 'Names follow file-upload\'s rules: no "/", "\\", NUL, "." or "..", no leading ".", not empty, at most 255 bytes (UTF-8). Check them before touching the disk.');
      }
      await probe.send('PUT 3 \n');
      const empty = await replyLine(probe, ctx, 'sending "PUT 3 \\n" (an empty name, no data)');
      if (empty !== 'FAIL bad name' && !empty.startsWith('ERR ')) {
        throw new CheckFailure(`After sending "PUT 3 \\n" (an empty name) on ${probe.label}, expected "FAIL bad name" (or ERR: a PUT without a name) but got ${show(empty)}.`, {
          expected: 'FAIL bad name (or ERR <reason>)',
          actual: empty,
        });
      }
      await expectGetRefused(probe, ctx, 'bad\0name.txt', true, 'A name with a NUL byte is never a file of the library (and a NUL in a path makes Node\'s fs functions throw).');
      // Taken exactly as sent: spaces at either end are part of the name.
      const exactHint = 'The name is the rest of the line after "PUT <size> " (or "GET "), exactly as sent: do not trim it.';
      await withContext(`The longest allowed name (255 bytes):`, 'Exactly 255 bytes is allowed.', () => put(probe, ctx, longest, 'max'));
      await withContext(`The name ${show(spaced)} (spaces at both ends) is valid:`, exactHint, () => put(probe, ctx, spaced, 'sp'));
      await expectList(probe, ctx, ['a.txt', longest, spaced], `After PUTs of ${show(spaced)} and of a 255-byte name,`, exactHint);
      await expectGet(probe, ctx, spaced, Buffer.from('sp'), `After the PUT of ${show(spaced)}, `);
      await expectGetRefused(probe, ctx, 'a.txt ', false, `The library has "a.txt", not "a.txt " (with a trailing space). ${exactHint}`);
      const stored = await filesOnDisk(server);
      if (!stored.includes(spaced)) {
        throw new CheckFailure(`After the PUT of ${show(spaced)}, ${ROOT}/ holds ${renderList(stored)}: the file must be stored under the name exactly as sent. ${exactHint}`, {
          expected: spaced,
          actual: stored.join('\n'),
        });
      }
    },
  },
  {
    id: 'put.basic',
    title: 'PUT stores files (Chinese name, binary, 0 bytes) that GET and LIST then see',
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
      for (const [name, data] of Object.entries(uploads)) await expectGet(reader, ctx, name, data, 'After the PUT, ');
      await expectList(reader, ctx, Object.keys(uploads), 'After three PUTs into an empty library,');
      await expectStored(server, ctx, 'upload.bin', uploads['upload.bin']!, 'After the PUT of upload.bin,');
    },
  },
  {
    id: 'put.data-with-command',
    title: 'PUT data in the same segment as the PUT line, and the request after it',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      const sent = 'sending "PUT 5 quick.txt\\nhelloLIST\\n" in one segment';
      await probe.send('PUT 5 quick.txt\nhelloLIST\n');
      const hint = 'The bytes after the PUT line that are already in your buffer are the file data: take size bytes from the buffer first, then from the socket; what follows is the next request.';
      await expectReply(probe, ctx, sent, 'OK', hint);
      await expectReply(probe, ctx, sent, 'DONE', hint);
      const names = await readList(probe, ctx, `${sent} (the LIST after the data)`);
      if (names.join('\n') !== 'quick.txt') {
        throw new CheckFailure(`After ${sent} on ${probe.label}, the LIST behind the data returned ${renderList(names)} instead of "quick.txt". ${hint}`, {
          expected: 'OK 1\nquick.txt',
          actual: names.join('\n') || 'FAIL empty',
        });
      }
      await expectStored(server, ctx, 'quick.txt', Buffer.from('hello'), `After ${sent},`);
    },
  },
  {
    id: 'put.exists',
    title: 'PUT of an existing name is FAIL exists and changes nothing',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer({ fixtures: fixtureIn({ 'a.txt': 'original' }) });
      const probe = await ctx.connect(server);
      await probe.send('PUT 3 a.txt\n');
      await expectReply(probe, ctx, 'sending "PUT 3 a.txt\\n" while a.txt exists', 'FAIL exists', 'A name already in the library must be refused (no overwrite).');
      await expectList(probe, ctx, ['a.txt'], 'After the refused PUT,');
      const content = await server.readFile(`${ROOT}/a.txt`);
      if (content?.toString() !== 'original') {
        throw new CheckFailure(`After the refused PUT of a.txt, ${ROOT}/a.txt must still hold "original".`, { expected: 'original', actual: content === undefined ? '(deleted)' : show(content) });
      }
    },
  },
  {
    id: 'put.exists-uploading',
    title: 'PUT of a name another client is uploading is FAIL exists; of two PUTs of one name at the same moment exactly one gets OK',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const data = randomBytes(ctx.random, 1000);
      const a = await ctx.connect(server);
      const b = await ctx.connect(server);
      await a.send('PUT 1000 busy.bin\n');
      await expectReply(a, ctx, 'sending "PUT 1000 busy.bin\\n"', 'OK');
      await a.send(data.subarray(0, 100), { paced: true });
      const hint = 'Reserve the name (e.g. in a Set) before your first await, and release it when the upload ends.';
      await b.send('PUT 5 busy.bin\n');
      await expectReply(b, ctx, `sending "PUT 5 busy.bin\\n" while ${a.label} was uploading busy.bin (100 of 1000 bytes sent)`, 'FAIL exists', hint);
      await a.send(data.subarray(100));
      await expectReply(a, ctx, 'sending the other 900 bytes of busy.bin', 'DONE', '', DATA_MS);
      await b.send('PUT 5 busy.bin\n');
      await expectReply(b, ctx, 'sending "PUT 5 busy.bin\\n" after the upload of busy.bin completed', 'FAIL exists');
      await expectStored(server, ctx, 'busy.bin', data, `After ${a.label}'s upload and ${b.label}'s refused PUTs,`);

      // Two PUTs of one name at the same moment: exactly one gets OK. Both lines reach the
      // server in one turn of its event loop (deliverAtOnce), so a server that reserves
      // the name only after an await (a stat of the file) lets both through.
      const c = await ctx.connect(server);
      const d = await ctx.connect(server);
      for (const p of [c, d]) {
        await p.send('LIST\n');
        await readList(p, ctx, 'sending "LIST\\n" (before the PUTs at the same moment)');
      }
      const line = 'PUT 5 race.txt\n';
      const both = `${c.label} and ${d.label} sent ${show(line)} at the same moment (both lines read by the server in one turn of its event loop)`;
      const raceHint = 'Check and reserve the name in the same synchronous step, before the first await (e.g. a Set of names being uploaded, checked and filled before stat/open), so that a second PUT arriving meanwhile sees it taken.';
      await deliverAtOnce(server, ctx, [c, d], line);
      // A server that serves one request at a time may answer the second PUT only once the
      // first upload is done: a missing reply is read again after that.
      const first = await Promise.all([c, d].map((p) => p.readLine(ctx.ms(REPLY_MS))));
      const ok = [c, d].filter((_, i) => first[i]!.kind === 'ok' && (first[i] as { value: string }).value === 'OK');
      const replies = first.map((o) => (o.kind === 'ok' ? show(o.value) : describeOutcome(o)));
      if (ok.length === 2) {
        throw new CheckFailure(`${both}: both got "OK", so both would upload race.txt. Of two PUTs of one name at the same moment exactly one gets OK and the other FAIL exists. ${raceHint}`, {
          expected: 'OK on one connection, FAIL exists on the other',
          actual: `${c.label}: ${replies[0]}\n${d.label}: ${replies[1]}`,
        });
      }
      if (ok.length === 0) {
        throw new CheckFailure(`${both}: neither got "OK" (${c.label}: ${replies[0]}, ${d.label}: ${replies[1]}). The name is new: one of the two PUTs must be accepted.`, {
          expected: 'OK on one connection, FAIL exists on the other',
          actual: `${c.label}: ${replies[0]}\n${d.label}: ${replies[1]}`,
        });
      }
      const winner = ok[0]!;
      const loser = winner === c ? d : c;
      const loserFirst = first[winner === c ? 1 : 0]!;
      await winner.send('12345');
      await expectReply(winner, ctx, `${both}, this one got OK, and sending its 5 bytes`, 'DONE', '', DATA_MS);
      const loserReply = loserFirst.kind === 'ok' ? loserFirst.value : await replyLine(loser, ctx, `${both} (the other one got OK)`);
      if (loserReply !== 'FAIL exists') {
        throw new CheckFailure(`${both}: ${winner.label} got "OK" and ${loser.label} got ${show(loserReply)}; expected "FAIL exists" for the second. ${raceHint}`, {
          expected: 'FAIL exists',
          actual: loserReply,
        });
      }
      await expectStored(server, ctx, 'race.txt', Buffer.from('12345'), `After the PUTs at the same moment,`);
    },
  },
  {
    id: 'put.too-large',
    title: 'PUT over 100 MiB is FAIL too large; exactly 100 MiB is accepted',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const probe = await ctx.connect(server);
      const hint = 'Compare the size with 104,857,600 before anything else (a 23-digit number is not exact as a Number, but it is certainly too large).';
      for (const line of [`PUT ${MAX_UPLOAD + 1} big.bin\n`, 'PUT 99999999999999999999999 huge.bin\n']) {
        await probe.send(line);
        await expectReply(probe, ctx, `sending ${show(line)}`, 'FAIL too large', hint);
      }
      await probe.send('LIST\n');
      await expectReply(probe, ctx, 'sending "LIST\\n" after two refused PUTs', 'FAIL empty', 'The connection must go on after FAIL, and a refused PUT creates nothing.');
      await probe.send(`PUT ${MAX_UPLOAD} max.bin\n`);
      await expectReply(probe, ctx, `sending "PUT ${MAX_UPLOAD} max.bin\\n"`, 'OK', 'Exactly 100 MiB is allowed: refuse only sizes over 104,857,600.');
      probe.reset();
    },
  },
  {
    id: 'put.invisible',
    title: 'An upload is invisible to LIST and GET until complete',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer({ fixtures: fixtureIn({ 'a.txt': 'a' }) });
      const data = randomBytes(ctx.random, 2000);
      const a = await ctx.connect(server);
      const b = await ctx.connect(server);
      await a.send('PUT 2000 wip.bin\n');
      await expectReply(a, ctx, 'sending "PUT 2000 wip.bin\\n"', 'OK');
      await a.send(data.subarray(0, 1000), { paced: true });
      const hint = 'LIST and GET must answer at once during another client\'s upload (no global lock) and must not see it: receive into a hidden temporary file (a name starting with ".") and rename it when all bytes are in.';
      await expectList(b, ctx, ['a.txt'], `While ${a.label} was uploading wip.bin (1000 of 2000 bytes sent),`, hint);
      await expectGetRefused(b, ctx, 'wip.bin', false, `While ${a.label} was uploading it (1000 of 2000 bytes sent), wip.bin must not be served. ${hint}`);
      await a.send(data.subarray(1000));
      await expectReply(a, ctx, 'sending the other 1000 bytes of wip.bin', 'DONE', '', DATA_MS);
      await expectList(b, ctx, ['a.txt', 'wip.bin'], 'After the upload of wip.bin completed,');
      await expectGet(b, ctx, 'wip.bin', data, 'After the upload completed, ');
    },
  },
  {
    id: 'put.abort',
    title: 'An upload cut off by FIN or reset leaves nothing and frees the name',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer();
      const a = await ctx.connect(server);
      await a.send('PUT 1000 cut.bin\n');
      await expectReply(a, ctx, 'sending "PUT 1000 cut.bin\\n"', 'OK');
      await a.send(randomBytes(ctx.random, 500), { paced: true });
      a.end();
      await expectServerCloses(a, ctx, 'After 500 of 1000 bytes of cut.bin and then FIN', 'When the client ends in the middle of an upload, delete the temporary file and close.');
      const r = await ctx.connect(server);
      await r.send('PUT 1000 cut2.bin\n');
      await expectReply(r, ctx, 'sending "PUT 1000 cut2.bin\\n"', 'OK');
      await r.send(randomBytes(ctx.random, 500), { paced: true });
      r.reset();
      const left = await waitForListing(server, (names) => names.length === 0, ctx.ms(2000));
      if (!left.accepted) {
        throw new CheckFailure(`Uploads cut off after 500 of 1000 bytes (cut.bin by FIN, cut2.bin by reset) left ${renderList(left.names)} in ${ROOT}/. On 'end', 'close' or 'error' during a PUT, delete the temporary file: nothing may be left.`, {
          expected: '(nothing in files/)',
          actual: left.names.join('\n'),
        });
      }
      const b = await ctx.connect(server);
      await expectList(b, ctx, [], 'After two cut-off uploads,');
      await expectGetRefused(b, ctx, 'cut.bin', false, 'A cut-off upload must leave nothing.');
      await expectGetRefused(b, ctx, 'cut2.bin', false, 'A cut-off upload must leave nothing.');
      for (const name of ['cut.bin', 'cut2.bin']) {
        await withContext(`The name ${name} should be free again after its upload was cut off:`, 'Release the name when the upload ends, however it ends.', () => put(b, ctx, name, 'abc'));
      }
    },
  },
  {
    id: 'connection.reset',
    title: 'Clients that reset at any stage (before a byte, mid-request, after OK of a PUT, during a download) do not crash the server',
    points: 5,
    timeoutMs: 30000,
    async run(ctx) {
      const big = randomBytes(ctx.random, 8 * 1024 * 1024);
      const server = await ctx.startServer({ fixtures: fixtureIn({ 'a.txt': 'a', 'big.bin': big }) });
      const crashed = (after: string) => {
        const exit = server.process.exitInfo;
        if (!exit) return;
        const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.exitCode}`;
        throw new CheckFailure(
          `The server ${how} when a client reset its connection ${after}. A reset makes the socket emit 'error' (ECONNRESET, EPIPE), also on a connection that never sent a byte and while a download is being written; with no listener Node throws it and the whole server dies: add socket.on('error', ...) to every connection as soon as it is accepted.`,
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
        const names = await readList(fresh, ctx, `sending "LIST\\n" after a client reset its connection ${after}`).catch((error: unknown) => {
          crashed(after);
          throw error;
        });
        if (!names.includes('a.txt')) {
          throw new CheckFailure(`After a client reset its connection ${after}, LIST on a new connection returned ${renderList(names)} (a.txt missing).`, { expected: 'a.txt among the names', actual: names.join('\n') });
        }
        fresh.destroy();
      };

      // 1. Before sending a byte, once the server has accepted the connection (its
      //    'connection' handler has run).
      const mute = await ctx.connect(server);
      await waitUntilAccepted(server, ctx.ms(REPLY_MS));
      mute.reset();
      await stillServes(`right after connecting, before sending a byte (${mute.label}, once the server had accepted it)`);

      // 2. In the middle of a request line.
      const half = await ctx.connect(server);
      await half.send('LI', { paced: true });
      half.reset();
      await stillServes('in the middle of a request line ("LI", read by the server)');

      // 3. Right after the OK of a PUT, before any data.
      const putter = await ctx.connect(server);
      await putter.send('PUT 10 held.txt\n');
      await expectReply(putter, ctx, 'sending "PUT 10 held.txt\\n"', 'OK', 'A PUT of a new, valid name must be accepted with OK.');
      putter.reset();
      await stillServes('right after the OK of its PUT, before sending data');

      // 4. During a download the server is still writing.
      const reader = await ctx.connect(server);
      await reader.send('GET big.bin\n');
      await expectReply(reader, ctx, 'sending "GET big.bin\\n"', `OK ${big.length}`, 'GET answers OK <size> and then the bytes.');
      const some = await reader.readBytes(64 * 1024, ctx.ms(DATA_MS));
      if (some.kind !== 'ok') {
        throw new CheckFailure(`After "OK ${big.length}" on ${reader.label}, the first 64 KiB of big.bin did not arrive: ${describeOutcome(some, (v: Buffer) => `${v.length} bytes`)}.`, {
          expected: '64 KiB of data',
          actual: describeOutcome(some, (v: Buffer) => `${v.length} bytes`),
        });
      }
      reader.reset();
      await stillServes(`during a download of ${big.length} bytes (after the first 64 KiB)`);
      crashed('(late: after the four resets)');
    },
  },
  {
    id: 'framing.split',
    title: 'Requests split across segments (one byte each, inside characters, CRLF) are reassembled',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer({ fixtures: fixtureIn({ [CHINESE]: '内容' }) });
      const probe = await ctx.connect(server);
      const hint = 'Collect bytes until "\\n" before parsing a line (and decode whole lines, not chunks).';
      await probe.send('LIST\r\n', { segmentation: bytewise, paced: true });
      const names = await withContext('', hint, () => readList(probe, ctx, 'sending "LIST\\r\\n" one byte per segment'));
      if (names.join('\n') !== CHINESE) {
        throw new CheckFailure(`After "LIST\\r\\n" sent one byte per segment, LIST returned ${renderList(names)}. ${hint}`, { expected: `OK 1\n${CHINESE}`, actual: names.join('\n') });
      }
      await probe.send(`GET ${CHINESE}\n`, { segmentation: bytewise, paced: true });
      await expectReply(probe, ctx, `sending ${show(`GET ${CHINESE}\n`)} one byte per segment`, 'OK 6', hint);
      const content = await probe.readBytes(6, ctx.ms(REPLY_MS));
      if (content.kind !== 'ok' || content.value.toString() !== '内容') {
        throw new CheckFailure(`GET ${show(CHINESE)} sent one byte per segment did not return the file's 6 bytes.`, { expected: '内容', actual: describeOutcome(content, (v) => show(v)) });
      }
      const putLine = 'PUT 6 分 段.txt\r\n';
      await probe.send(putLine, { segmentation: bytewise, paced: true });
      await expectReply(probe, ctx, `sending ${show(putLine)} one byte per segment`, 'OK', hint);
      await probe.send('数据', { segmentation: bytewise, paced: true });
      await expectReply(probe, ctx, 'sending the 6 bytes of "数据" one byte per segment', 'DONE', 'Count the data bytes across segments until size bytes are in.');
      await probe.send('GET 分 段.txt\r\n', { segmentation: splitAt(3, 6, 10), paced: true });
      await expectReply(probe, ctx, 'sending "GET 分 段.txt\\r\\n" in segments of 3+3+4+rest bytes', 'OK 6', hint);
      const uploaded = await probe.readBytes(6, ctx.ms(REPLY_MS));
      if (uploaded.kind !== 'ok' || uploaded.value.toString() !== '数据') {
        throw new CheckFailure('GET of the file uploaded byte by byte did not return "数据".', { expected: '数据', actual: describeOutcome(uploaded, (v) => show(v)) });
      }
    },
  },
  {
    id: 'framing.pipelined',
    title: 'Pipelined requests are answered in order, also when FIN follows them',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer({ fixtures: fixtureIn({ 'a.txt': 'AAA', 'b.bin': BIN }) });
      const probe = await ctx.connect(server);
      const batch = 'LIST\nGET a.txt\nGET missing.txt\nGET b.bin\nGET a.txt\n';
      const sent = `sending ${show(batch)} in one segment`;
      const hint = 'One data event can hold several requests: keep a buffer, answer every complete line in it, in order.';
      await probe.send(batch);
      const names = await withContext('', hint, () => readList(probe, ctx, sent));
      if (names.join('\n') !== 'a.txt\nb.bin') {
        throw new CheckFailure(`After ${sent}, the LIST reply listed ${renderList(names)}. ${hint}`, { expected: 'OK 2\na.txt\nb.bin', actual: names.join('\n') });
      }
      const expectData = async (what: string, expected: Buffer) => {
        await expectReply(probe, ctx, `${sent} (reply to ${what})`, `OK ${expected.length}`, hint);
        const data = await probe.readBytes(expected.length, ctx.ms(REPLY_MS));
        if (data.kind !== 'ok' || !data.value.equals(expected)) {
          throw new CheckFailure(`After ${sent}, the data for ${what} differs. ${hint}`, { expected: show(expected, 60), actual: describeOutcome(data, (v) => show(v, 60)) });
        }
      };
      await expectData('GET a.txt', Buffer.from('AAA'));
      await expectReply(probe, ctx, `${sent} (reply to GET missing.txt)`, 'FAIL not found', hint);
      await expectData('GET b.bin', BIN);
      await expectData('the second GET a.txt', Buffer.from('AAA'));

      const fin = await ctx.connect(server);
      const last = 'GET a.txt\nLIST\n';
      await fin.send(last);
      fin.end();
      const finHint = 'After the client\'s FIN, answer every request already received, then close.';
      const finSent = `sending ${show(last)} and FIN at once`;
      await expectReply(fin, ctx, finSent, 'OK 3', finHint);
      const data = await fin.readBytes(3, ctx.ms(REPLY_MS));
      if (data.kind !== 'ok' || data.value.toString() !== 'AAA') {
        throw new CheckFailure(`After ${finSent}, GET a.txt did not return "AAA". ${finHint}`, { expected: 'AAA', actual: describeOutcome(data, (v) => show(v)) });
      }
      const listed = await readList(fin, ctx, `${finSent} (the LIST)`);
      if (listed.length !== 2) {
        throw new CheckFailure(`After ${finSent}, LIST returned ${renderList(listed)}. ${finHint}`, { expected: 'OK 2\na.txt\nb.bin', actual: listed.join('\n') });
      }
      const rest = await expectServerCloses(fin, ctx, `After answering both requests sent before FIN`, finHint);
      if (rest.length > 0) {
        throw new CheckFailure(`After ${finSent}, the server sent ${show(rest)} beyond the two replies.`, { expected: '(nothing more)', actual: show(rest) });
      }
    },
  },
  {
    id: 'commands.err-and-exit',
    title: 'Unknown or malformed requests get ERR and the connection goes on; EXIT closes it',
    points: 5,
    async run(ctx) {
      const server = await ctx.startServer({ fixtures: fixtureIn({ 'a.txt': 'a' }) });
      const probe = await ctx.connect(server);
      const requests = ['FOO', 'list', '', 'PUT abc x.txt', 'PUT 5', 'PUT -5 x.txt', 'PUT 5.5 x.txt', 'PUT 5x x.txt', 'GET', 'DELETE a.txt'];
      for (const request of requests) {
        const sent = `sending ${show(`${request}\n`)}`;
        await probe.send(`${request}\n`);
        const outcome = await probe.readLine(ctx.ms(REPLY_MS));
        if (outcome.kind === 'ok' && outcome.value.startsWith('ERR ')) continue;
        const closed = outcome.kind === 'closed';
        throw new CheckFailure(
          `After ${sent} on ${probe.label}, expected a line starting with "ERR " but got ${outcome.kind === 'ok' ? show(outcome.value) : describeOutcome(outcome)}.${closed ? ' An unknown or malformed request gets ERR <reason> and the connection goes on: do not close it.' : ' Answer ERR <reason> for unknown verbs, lower-case verbs, empty lines, GET without a name, and a PUT without a name or whose size is not a whole number of bytes in decimal digits (-5, 5.5 and 5x are not sizes).'}`,
          { expected: 'ERR <reason>\\n', actual: outcome.kind === 'ok' ? outcome.value : describeOutcome(outcome) },
        );
      }
      await expectList(probe, ctx, ['a.txt'], `After ${requests.length} ERR replies on the same connection,`, 'The connection must survive ERR, and a malformed PUT creates nothing.');
      await probe.send('EXIT\n');
      const rest = await expectServerCloses(probe, ctx, 'After sending "EXIT\\n"', 'EXIT closes the connection (socket.end()).');
      if (rest.length > 0) {
        throw new CheckFailure(`After "EXIT\\n" on ${probe.label}, the server replied ${show(rest)}; EXIT gets no reply, only the close.`, { expected: '(connection closed, nothing sent)', actual: show(rest) });
      }
    },
  },
  {
    id: 'concurrency.stalled',
    /** Needs the machine to itself (timing): LIST, GET and PUT beside four stalled clients within 3000 ms, wall clock. */
    exclusive: true,
    title: 'Stalled clients (unread download, unfinished upload, idle, half a request) do not block others',
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
      await withContext(`While ${a.label} was not reading its 30 MiB download,`, 'A client that does not read must stall only its own GET (wait for drain on that socket), never the server.', () =>
        expectReply(b, ctx, 'sending "PUT 1000 slow.bin\\n"', 'OK'),
      );
      await b.send(randomBytes(ctx.random, 10), { paced: true });
      await ctx.connect(server); // C: connected, sends nothing
      const e = await ctx.connect(server);
      await e.send('GE', { paced: true });
      const d = await ctx.connect(server);
      const started = performance.now();
      const stalled = `while ${a.label} does not read its 30 MiB download, ${b.label} stalls after 10 of 1000 PUT bytes, one client is idle and ${e.label} sent half a request`;
      const hint = 'A slow client must block only its own connection: no global lock, and GET waits for drain on its own socket only.';
      await withContext('', hint, async () => {
        await d.send('LIST\n');
        const names = await readList(d, ctx, `sending "LIST\\n" ${stalled}`);
        if (!names.includes('a.txt') || !names.includes('huge.bin')) {
          throw new CheckFailure(`LIST ${stalled} returned ${renderList(names)} (missing a.txt or huge.bin).`, { expected: 'a.txt, huge.bin among the names', actual: names.join('\n') });
        }
        await expectGet(d, ctx, 'a.txt', Buffer.from('a'), `${stalled[0]!.toUpperCase()}${stalled.slice(1)}: `);
        await put(d, ctx, 'd.txt', 'ddd');
      });
      const took = performance.now() - started;
      if (took > ctx.ms(3000)) {
        throw new CheckFailure(`LIST, GET and PUT on ${d.label} took ${Math.round(took)} ms ${stalled}; they need a few ms alone (limit ${ctx.ms(3000)} ms, generous for a loaded machine). ${hint}`, {
          expected: `under ${ctx.ms(3000)} ms`,
          actual: `${Math.round(took)} ms`,
        });
      }
    },
  },
  {
    id: 'concurrency.twenty',
    title: 'Twenty clients at once each LIST, GET and PUT correctly',
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
          const names = await readList(probe, ctx, 'sending "LIST\\n" with 20 clients at once');
          if (!names.includes('shared.bin')) {
            throw new CheckFailure(`With 20 clients at once, LIST on ${probe.label} returned ${renderList(names)} without shared.bin.`, { expected: 'shared.bin among the names', actual: names.join('\n') });
          }
          await expectGet(probe, ctx, 'shared.bin', shared, 'With 20 clients at once, ');
          await put(probe, ctx, `client ${i + 1}.bin`, uploads[i]!);
          await expectGet(probe, ctx, `client ${i + 1}.bin`, uploads[i]!, 'With 20 clients at once, after the PUT, ');
        }),
      );
      const reader = await ctx.connect(server);
      await expectList(reader, ctx, ['shared.bin', ...uploads.map((_, i) => `client ${i + 1}.bin`)], 'After 20 clients each uploaded one file at the same time,');
    },
  },
];
