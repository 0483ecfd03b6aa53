/**
 * The checks of web-server, one per clause of the contract (../shared/EXERCISES-2.md). Each
 * check starts its own server on a fresh copy of the grader's site and first sees a
 * legitimate response before it judges a close, an error or an absence. Only the `conn.*`
 * checks cut requests into pieces or pipeline them: one mistake costs points in one place.
 */
import { createHash } from 'node:crypto';
import { createConnection, type Socket } from 'node:net';
import type { CheckContext, CheckDefinition } from '../../grader/exercise/define.ts';
import { CheckFailure } from '../../grader/model/errors.ts';
import { show } from '../../grader/probes/expect.ts';
import { bytewise, randomSplits } from '../../grader/probes/segmentation.ts';
import { residentBytesOfGroup } from '../../grader/sandbox/proc-net.ts';
import { loadInBrowser } from './browser.ts';
import { text } from './messages.ts';
import {
  INDEX_HTML,
  PNG,
  REPLY_MS,
  exchange,
  expectBody,
  expectCloseHeader,
  expectEnds,
  expectHeader,
  expectNoLeak,
  expectStatus,
  get,
  head,
  readResponse,
  startSite,
  type HttpResponse,
} from './protocol.ts';

const { t } = text;

function expectLength(response: HttpResponse, sent: string, hint: string): void {
  expectHeader(response, 'Content-Length', (v) => v === String(response.body.length), String(response.body.length), sent, hint);
}

/** Sends `request` on a fresh connection and reads the answer. */
async function fresh(ctx: CheckContext, port: { port: number }, request: string): Promise<{ response: HttpResponse; probe: Awaited<ReturnType<CheckContext['connect']>> }> {
  const probe = await ctx.connect(port as never);
  const response = await exchange(ctx, probe, request, { hint: t('hint.answerAll') });
  return { response, probe };
}

/**
 * The real clients (fetch, Chromium) wait tens of seconds on a server that never answers;
 * one raw GET / with the reply deadline first fails such a server in seconds, with the
 * bytes sent and "nothing within N ms" (the raw-socket checks name the clause).
 */
async function answersAtAll(ctx: CheckContext, server: { port: number }): Promise<void> {
  const { probe } = await fresh(ctx, server, get('/'));
  probe.destroy();
}

/** A request the server must refuse with one of `statuses`, never serving the secret. */
async function refused(ctx: CheckContext, server: { port: number }, s: { secret: string; fixtures: Record<string, string | Uint8Array>; insideDotDot: string }, target: string, statuses: number[], hint: string): Promise<void> {
  const request = get(target);
  const { response, probe } = await fresh(ctx, server, request);
  expectNoLeak(response, s, request);
  expectStatus(response, statuses, request, hint);
  probe.destroy();
}

export const checks: CheckDefinition[] = [
  // ——— responses ———
  {
    id: 'response.basic',
    get title() { return t('response.basic.title'); },
    points: 6,
    async run(ctx) {
      const { server } = await startSite(ctx);
      const probe = await ctx.connect(server);
      for (const target of ['/index.html', '/']) {
        const request = get(target);
        const response = await exchange(ctx, probe, request, { hint: t('hint.basic') });
        expectStatus(response, 200, request, t('hint.basic'));
        if (!/^HTTP\/1\.1 200 \S/.test(response.statusLine)) {
          throw new CheckFailure(t('fail.statusLine', { sent: show(request), got: show(response.statusLine), hint: t('hint.basic') }), { expected: 'HTTP/1.1 200 OK', actual: response.statusLine });
        }
        expectBody(response, INDEX_HTML, request, t('hint.root'));
      }
    },
  },
  {
    id: 'response.utf8-length',
    get title() { return t('response.utf8-length.title'); },
    points: 6,
    async run(ctx) {
      const { server, site } = await startSite(ctx);
      const probe = await ctx.connect(server);
      const request = get('/lesson.txt');
      const response = await exchange(ctx, probe, request, { hint: t('hint.utf8') });
      expectStatus(response, 200, request, t('hint.basic'));
      expectBody(response, site.fixtures['static/lesson.txt']!, request, t('hint.utf8'));
      // The response after it starts right after those bytes: a wrong length shows there too.
      const again = get('/data.json');
      const second = await exchange(ctx, probe, again, { hint: t('hint.utf8') });
      expectStatus(second, 200, again, t('hint.utf8'));
    },
  },
  {
    id: 'response.content-type',
    get title() { return t('response.content-type.title'); },
    points: 5,
    async run(ctx) {
      const { server } = await startSite(ctx);
      const probe = await ctx.connect(server);
      const table: Array<[string, string]> = [
        ['/index.html', 'text/html'],
        ['/page.htm', 'text/html'],
        ['/style.css', 'text/css'],
        ['/app.js', 'text/javascript'],
        ['/lib.mjs', 'text/javascript'],
        ['/data.json', 'application/json'],
        ['/notes.txt', 'text/plain'],
        ['/README.TXT', 'text/plain'],
        ['/logo.png', 'image/png'],
        ['/anim.gif', 'image/gif'],
        ['/pic.webp', 'image/webp'],
        ['/photo.JPG', 'image/jpeg'],
        ['/icon.svg', 'image/svg+xml'],
        ['/favicon.ico', 'image/x-icon'],
        ['/blob.bin', 'application/octet-stream'],
      ];
      for (const [target, type] of table) {
        const request = get(target);
        const response = await exchange(ctx, probe, request, { hint: t('hint.basic') });
        expectStatus(response, 200, request, t('hint.basic'));
        expectHeader(response, 'Content-Type', (v) => v !== undefined && v.split(';')[0]!.trim().toLowerCase() === type, type, request, t('hint.type'));
      }
    },
  },
  {
    id: 'response.head',
    get title() { return t('response.head.title'); },
    points: 4,
    async run(ctx) {
      const { server } = await startSite(ctx);
      const probe = await ctx.connect(server);
      const getResponse = await exchange(ctx, probe, get('/notes.txt'), { hint: t('hint.basic') });
      expectStatus(getResponse, 200, get('/notes.txt'), t('hint.basic'));
      for (const [target, status] of [['/notes.txt', 200], ['/missing.html', 404]] as const) {
        const request = head(target);
        const response = await exchange(ctx, probe, request, { head: true, hint: t('hint.head') });
        expectStatus(response, status, request, t('hint.head'));
        if (status === 200) expectHeader(response, 'Content-Length', (v) => v === String(getResponse.body.length), String(getResponse.body.length), request, t('hint.head'));
      }
      // No body followed: the next response starts right here.
      const request = get('/data.json');
      const next = await exchange(ctx, probe, request, { hint: t('hint.head') });
      expectStatus(next, 200, request, t('hint.head'));
    },
  },
  // ——— paths ———
  {
    id: 'path.folder',
    get title() { return t('path.folder.title'); },
    points: 4,
    async run(ctx) {
      const { server, site } = await startSite(ctx);
      const probe = await ctx.connect(server);
      const slash = get('/docs/');
      const withSlash = await exchange(ctx, probe, slash, { hint: t('hint.folder') });
      expectStatus(withSlash, 200, slash, t('hint.folder'));
      expectBody(withSlash, site.fixtures['static/docs/index.html']!, slash, t('hint.folder'));
      const bare = get('/docs');
      const without = await exchange(ctx, probe, bare, { hint: t('hint.folder') });
      expectStatus(without, [200, 301], bare, t('hint.folder'));
      if (without.status === 301) expectHeader(without, 'Location', (v) => v === '/docs/' || (v?.endsWith('/docs/') ?? false), '/docs/', bare, t('hint.folder'));
      else expectBody(without, site.fixtures['static/docs/index.html']!, bare, t('hint.folder'));
      const empty = get('/empty/');
      const none = await exchange(ctx, probe, empty, { hint: t('hint.folder') });
      expectStatus(none, 404, empty, t('hint.folder'));
      const missing = get('/nothing-here.html');
      expectStatus(await exchange(ctx, probe, missing, { hint: t('hint.folder') }), 404, missing, t('hint.folder'));
    },
  },
  {
    id: 'path.query',
    get title() { return t('path.query.title'); },
    points: 3,
    async run(ctx) {
      const { server, site } = await startSite(ctx);
      const probe = await ctx.connect(server);
      for (const target of ['/notes.txt?v=1', '/notes.txt?a=1&b=..%2f..%2fsecret.txt', '/notes.txt?']) {
        const request = get(target);
        const response = await exchange(ctx, probe, request, { hint: t('hint.query') });
        expectStatus(response, 200, request, t('hint.query'));
        expectBody(response, site.fixtures['static/notes.txt']!, request, t('hint.query'));
      }
    },
  },
  {
    id: 'path.percent',
    get title() { return t('path.percent.title'); },
    points: 4,
    async run(ctx) {
      const { server, site } = await startSite(ctx);
      const probe = await ctx.connect(server);
      const cases: Array<[string, string]> = [
        [`/${encodeURIComponent('笔记.txt')}`, 'static/笔记.txt'],
        [`/${encodeURIComponent('图片')}/${encodeURIComponent('图标.png')}`, 'static/图片/图标.png'],
        ['/a+b.txt', 'static/a+b.txt'],
        ['/a%2Bb.txt', 'static/a+b.txt'],
        ['/docs%2Fguide.txt', 'static/docs/guide.txt'],
        ['/%6eotes.txt', 'static/notes.txt'],
      ];
      for (const [target, file] of cases) {
        const request = get(target);
        const response = await exchange(ctx, probe, request, { hint: t('hint.percent') });
        expectStatus(response, 200, request, t('hint.percent'));
        expectBody(response, site.fixtures[file]!, request, t('hint.percent'));
      }
    },
  },
  {
    id: 'path.decode-once',
    get title() { return t('path.decode-once.title'); },
    points: 4,
    async run(ctx) {
      const { server, site } = await startSite(ctx);
      const probe = await ctx.connect(server);
      const request = get('/%252e%252e/secret.txt');
      const response = await exchange(ctx, probe, request, { hint: t('hint.once') });
      expectNoLeak(response, site, request);
      expectStatus(response, 200, request, t('hint.once'));
      expectBody(response, site.insideDotDot, request, t('hint.once'));
    },
  },
  // ——— traversal ———
  {
    id: 'traversal.dotdot',
    get title() { return t('traversal.dotdot.title'); },
    points: 5,
    async run(ctx) {
      const { server, site } = await startSite(ctx);
      const ok = await fresh(ctx, server, get('/notes.txt'));
      expectStatus(ok.response, 200, get('/notes.txt'), t('hint.basic'));
      ok.probe.destroy();
      for (const target of ['/../secret.txt', '/docs/../../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E/%2e%2e/secret.txt', '/..%2fsecret.txt', '/docs/..%2F..%2Fsecret.txt', '/./../secret.txt']) {
        await refused(ctx, server, site, target, [400, 403, 404], t('hint.traversal'));
      }
    },
  },
  {
    id: 'traversal.nul-backslash',
    get title() { return t('traversal.nul-backslash.title'); },
    points: 3,
    async run(ctx) {
      const { server, site } = await startSite(ctx);
      const ok = await fresh(ctx, server, get('/notes.txt'));
      expectStatus(ok.response, 200, get('/notes.txt'), t('hint.basic'));
      ok.probe.destroy();
      for (const target of ['/notes.txt%00.png', '/..%5csecret.txt', '/docs%5c..%5c..%5csecret.txt', '/%ff%fe.txt']) {
        await refused(ctx, server, site, target, [400, 403, 404], t('hint.nul'));
      }
    },
  },
  {
    id: 'traversal.symlink',
    get title() { return t('traversal.symlink.title'); },
    points: 3,
    async run(ctx) {
      const { server, site } = await startSite(ctx, { symlinks: true });
      const ok = await fresh(ctx, server, get('/notes.txt'));
      expectStatus(ok.response, 200, get('/notes.txt'), t('hint.basic'));
      ok.probe.destroy();
      for (const target of ['/link.txt', '/docs/up.txt']) {
        await refused(ctx, server, site, target, [403, 404], t('hint.symlink'));
      }
    },
  },
  // ——— limits and errors ———
  {
    id: 'limits.request-line',
    get title() { return t('limits.request-line.title'); },
    points: 4,
    async run(ctx) {
      const { server } = await startSite(ctx);
      const probe = await ctx.connect(server);
      const first = get('/notes.txt');
      expectStatus(await exchange(ctx, probe, first, { hint: t('hint.basic') }), 200, first, t('hint.basic'));
      // More than the limit, and no line end: the answer must come before the line ends.
      const long = `GET /${'a'.repeat(8200)}`;
      const response = await exchange(ctx, probe, long, { hint: t('hint.414') });
      expectStatus(response, 414, long, t('hint.414'));
      expectCloseHeader(response, long, t('hint.closeAfterError'));
      await expectEnds(ctx, probe, long, response, t('hint.closeAfterError'));
    },
  },
  {
    id: 'limits.headers',
    get title() { return t('limits.headers.title'); },
    points: 4,
    async run(ctx) {
      const { server } = await startSite(ctx);
      const big = `GET /notes.txt HTTP/1.1\r\nHost: x\r\n${'X-Fill: yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\r\n'.repeat(340)}`;
      const many = `GET /notes.txt HTTP/1.1\r\n${Array.from({ length: 101 }, (_, i) => `X-${i}: 1\r\n`).join('')}\r\n`;
      for (const request of [big, many]) {
        const probe = await ctx.connect(server);
        const first = get('/notes.txt');
        expectStatus(await exchange(ctx, probe, first, { hint: t('hint.basic') }), 200, first, t('hint.basic'));
        const response = await exchange(ctx, probe, request, { hint: t('hint.431') });
        expectStatus(response, 431, request, t('hint.431'));
        expectCloseHeader(response, request, t('hint.closeAfterError'));
        await expectEnds(ctx, probe, request, response, t('hint.closeAfterError'));
      }
    },
  },
  {
    id: 'errors.malformed',
    get title() { return t('errors.malformed.title'); },
    points: 4,
    async run(ctx) {
      const { server } = await startSite(ctx);
      const bad = [
        'GET /notes.txt\r\n\r\n',
        'GET  /notes.txt HTTP/1.1\r\n\r\n',
        'get /notes.txt HTTP/1.1\r\n\r\n',
        'GET notes.txt HTTP/1.1\r\n\r\n',
        'GET /notes.txt HTTP/1\r\n\r\n',
        'GET /notes.txt HTTP/1.1\r\nNo colon here\r\n\r\n',
        'GET /notes%zz.txt HTTP/1.1\r\n\r\n',
      ];
      for (const request of bad) {
        const probe = await ctx.connect(server);
        const first = get('/notes.txt');
        expectStatus(await exchange(ctx, probe, first, { hint: t('hint.basic') }), 200, first, t('hint.basic'));
        const response = await exchange(ctx, probe, request, { hint: t('hint.400') });
        expectStatus(response, 400, request, t('hint.400'));
        expectCloseHeader(response, request, t('hint.closeAfterError'));
        await expectEnds(ctx, probe, request, response, t('hint.closeAfterError'));
      }
    },
  },
  {
    id: 'errors.version',
    get title() { return t('errors.version.title'); },
    points: 3,
    async run(ctx) {
      const { server } = await startSite(ctx);
      for (const request of ['GET /notes.txt HTTP/2.0\r\n\r\n', 'GET /notes.txt HTTP/0.9\r\n\r\n']) {
        const probe = await ctx.connect(server);
        const first = get('/notes.txt');
        expectStatus(await exchange(ctx, probe, first, { hint: t('hint.basic') }), 200, first, t('hint.basic'));
        const response = await exchange(ctx, probe, request, { hint: t('hint.505') });
        expectStatus(response, 505, request, t('hint.505'));
        expectCloseHeader(response, request, t('hint.closeAfterError'));
        await expectEnds(ctx, probe, request, response, t('hint.closeAfterError'));
      }
    },
  },
  {
    id: 'errors.method',
    get title() { return t('errors.method.title'); },
    points: 3,
    async run(ctx) {
      const { server } = await startSite(ctx);
      const probe = await ctx.connect(server);
      for (const method of ['DELETE', 'OPTIONS', 'POST']) {
        const request = `${method} /notes.txt HTTP/1.1\r\nHost: x\r\n\r\n`;
        const response = await exchange(ctx, probe, request, { hint: t('hint.405') });
        expectStatus(response, 405, request, t('hint.405'));
        expectHeader(response, 'Allow', (v) => v !== undefined && v.split(',').map((m) => m.trim()).sort().join(',') === 'GET,HEAD', 'GET, HEAD', request, t('hint.405'));
      }
      const after = get('/notes.txt');
      expectStatus(await exchange(ctx, probe, after, { hint: t('hint.405') }), 200, after, t('hint.405'));
    },
  },
  // ——— connections ———
  {
    id: 'conn.keep-alive',
    get title() { return t('conn.keep-alive.title'); },
    points: 4,
    async run(ctx) {
      const { server } = await startSite(ctx);
      const probe = await ctx.connect(server);
      for (const target of ['/notes.txt', '/style.css', '/logo.png', '/missing.txt', '/notes.txt']) {
        const request = get(target);
        const response = await exchange(ctx, probe, request, { hint: t('hint.keepAlive') });
        expectStatus(response, [200, 404], request, t('hint.keepAlive'));
        expectHeader(response, 'Connection', (v) => v === undefined || !/close/i.test(v), 'keep-alive', request, t('hint.keepAlive'));
      }
    },
  },
  {
    id: 'conn.close',
    get title() { return t('conn.close.title'); },
    points: 4,
    async run(ctx) {
      const { server } = await startSite(ctx);
      for (const request of [get('/notes.txt', 'Connection: close'), 'GET /notes.txt HTTP/1.0\r\n\r\n', 'GET /notes.txt HTTP/1.1\r\nconnection: Close\r\n\r\n']) {
        const probe = await ctx.connect(server);
        const response = await exchange(ctx, probe, request, { hint: t('hint.close') });
        expectStatus(response, 200, request, t('hint.close'));
        expectCloseHeader(response, request, t('hint.close'));
        await expectEnds(ctx, probe, request, response, t('hint.close'));
      }
    },
  },
  {
    id: 'conn.body',
    get title() { return t('conn.body.title'); },
    points: 4,
    async run(ctx) {
      const { server, site } = await startSite(ctx);
      const inner = get('/%252e%252e/secret.txt');
      const cases = [
        `GET /notes.txt HTTP/1.1\r\nContent-Length: ${Buffer.byteLength(inner)}\r\n\r\n${inner}`,
        `GET /notes.txt HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n${Buffer.byteLength(inner).toString(16)}\r\n${inner}\r\n0\r\n\r\n`,
      ];
      for (const request of cases) {
        const probe = await ctx.connect(server);
        const response = await exchange(ctx, probe, request, { hint: t('hint.body') });
        expectStatus(response, 200, request, t('hint.body'));
        expectBody(response, site.fixtures['static/notes.txt']!, request, t('hint.body'));
        expectCloseHeader(response, request, t('hint.body'));
        await expectEnds(ctx, probe, request, response, t('hint.body'));
      }
    },
  },
  {
    id: 'conn.pipelining',
    get title() { return t('conn.pipelining.title'); },
    points: 4,
    timeoutMs: 30_000,
    async run(ctx) {
      const { server, site } = await startSite(ctx);
      const probe = await ctx.connect(server);
      // A large file first: a server that answers whichever read finishes first answers out of order.
      const big = Buffer.alloc(3 * 1024 * 1024, 'x');
      const bigName = 'big.txt';
      await import('node:fs/promises').then((fs) => fs.writeFile(`${server.workDir}/static/${bigName}`, big));
      const targets = [`/${bigName}`, '/notes.txt', '/missing.txt', '/data.json', '/docs/', '/logo.png', '/notes.txt'];
      const expected: Array<string | Uint8Array | undefined> = [big, site.fixtures['static/notes.txt'], undefined, site.fixtures['static/data.json'], site.fixtures['static/docs/index.html'], PNG, site.fixtures['static/notes.txt']];
      const all = targets.map((target) => get(target)).join('');
      await probe.send(all);
      for (const [i, target] of targets.entries()) {
        const response = await readResponse(ctx, probe, { sent: all, hint: t('hint.pipelining'), timeoutMs: ctx.ms(REPLY_MS * 3) });
        const want = expected[i];
        if (want === undefined) expectStatus(response, 404, get(target), t('hint.pipelining'));
        else {
          expectStatus(response, 200, get(target), t('hint.pipelining'));
          expectBody(response, want, get(target), t('hint.pipelining'));
        }
      }
    },
  },
  {
    id: 'conn.split',
    get title() { return t('conn.split.title'); },
    points: 4,
    timeoutMs: 30_000,
    async run(ctx) {
      const { server, site } = await startSite(ctx);
      const probe = await ctx.connect(server);
      const plans = [randomSplits(8), bytewise, randomSplits(16)];
      for (const [i, plan] of plans.entries()) {
        const request = i === 1 ? get('/notes.txt') : get('/notes.txt', 'User-Agent: netgrade', 'Accept: */*');
        const response = await exchange(ctx, probe, request, { hint: t('hint.split'), send: { segmentation: plan } });
        expectStatus(response, 200, request, t('hint.split'));
        expectBody(response, site.fixtures['static/notes.txt']!, request, t('hint.split'));
      }
    },
  },
  {
    id: 'conn.idle',
    get title() { return t('conn.idle.title'); },
    points: 2,
    timeoutMs: 40_000,
    // Not exclusive on purpose: it judges no timing margin (10 s of silence, then a request with
    // the usual reply deadline), so its long wait overlaps the other checks instead of adding
    // 10 s to every run.
    async run(ctx) {
      const { server, site } = await startSite(ctx);
      const probe = await ctx.connect(server);
      const request = get('/notes.txt');
      expectStatus(await exchange(ctx, probe, request, { hint: t('hint.basic') }), 200, request, t('hint.basic'));
      // The absence of a close over 10 s is the point of this check (observed over time).
      const waited = await probe.collectFor(10_000);
      if (waited.length > 0 || probe.peerEnded || probe.isClosed) {
        throw new CheckFailure(t('fail.idleClosed', { hint: t('hint.idle') }), { expected: t('expected.open'), actual: waited.length > 0 ? show(waited) : 'FIN' });
      }
      const again = await exchange(ctx, probe, request, { hint: t('hint.idle') });
      expectStatus(again, 200, request, t('hint.idle'));
      expectBody(again, site.fixtures['static/notes.txt']!, request, t('hint.idle'));
    },
  },
  {
    id: 'stream.no-read',
    get title() { return t('stream.no-read.title'); },
    points: 4,
    timeoutMs: 120_000,
    // Not exclusive: the verdict is the memory of this server's own processes, which other
    // checks running beside it do not change; the read deadline once it reads is generous.
    async run(ctx) {
      const { server } = await startSite(ctx);
      // A server that answers nothing would also grow by nothing: see it answer first.
      await answersAtAll(ctx, server);
      const size = 128 * 1024 * 1024;
      const huge = Buffer.alloc(size);
      for (let i = 0; i < size; i += 4096) huge.writeUInt32BE(i, i);
      const fs = await import('node:fs/promises');
      await fs.writeFile(`${server.workDir}/static/huge.bin`, huge);
      const before = await rssKiB(server.process.pid);
      // A raw socket rather than a recorded probe: 128 MiB are counted and hashed as they
      // arrive, not kept in the transcript.
      const request = get('/huge.bin');
      const socket = createConnection({ host: '127.0.0.1', port: server.port });
      socket.pause();
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      ctx.note(t('note.noRead', { request: show(request) }));
      socket.write(request);
      // Wait for the server to fill the socket buffers and settle: poll its RSS until stable for 1 s or 8 s pass.
      let peak = before;
      const started = performance.now();
      let last = -1;
      let stableSince = performance.now();
      while (performance.now() - started < ctx.ms(8000)) {
        const now = await rssKiB(server.process.pid);
        peak = Math.max(peak, now);
        if (Math.abs(now - last) > 1024) stableSince = performance.now();
        last = now;
        if (performance.now() - stableSince > 1000 && performance.now() - started > 2000) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const growthMiB = (peak - before) / 1024;
      ctx.note(t('stream.no-read.rss', { before: String(Math.round(before / 1024)), peak: String(Math.round(peak / 1024)), growth: growthMiB.toFixed(1) }));
      if (growthMiB >= 48) {
        throw new CheckFailure(t('fail.rss', { mib: growthMiB.toFixed(1), hint: t('hint.backpressure') }), { expected: '< 48 MiB', actual: `${growthMiB.toFixed(1)} MiB` });
      }
      try {
        const got = await readHugeResponse(socket, size, ctx.ms(60_000));
        const want = createHash('sha256').update(huge).digest('hex');
        if (got.statusLine.split(' ')[1] !== '200' || got.bodyBytes !== size || got.sha256 !== want) {
          throw new CheckFailure(t('fail.hugeBody', { status: show(got.statusLine), n: got.bodyBytes, hint: t('hint.backpressure') }), {
            expected: `HTTP/1.1 200, ${size} bytes, sha256 ${want.slice(0, 16)}…`,
            actual: `${got.statusLine}, ${got.bodyBytes} bytes, sha256 ${got.sha256.slice(0, 16)}…`,
          });
        }
      } finally {
        socket.destroy();
      }
    },
  },
  // ——— slow and many clients ———
  {
    id: 'hostile.slowloris',
    get title() { return t('hostile.slowloris.title'); },
    points: 4,
    timeoutMs: 40_000,
    // Judges 1 s deadlines for the fresh clients: run alone so that other checks' load does not eat the margin.
    exclusive: true,
    async run(ctx) {
      const { server, site } = await startSite(ctx);
      const slow = await ctx.connect(server);
      const request = get('/notes.txt', 'User-Agent: slow');
      const bytes = Buffer.from(request);
      // The first half at once, then one byte a second (the client's pace, not a synchronisation):
      // the fresh clients are served while the slow one is in the middle of its headers.
      const half = bytes.length - 4;
      await slow.send(bytes.subarray(0, half), { paced: true });
      let sent = half;
      const drip = (async () => {
        while (sent < bytes.length - 1) {
          await new Promise((resolve) => setTimeout(resolve, 1000));
          await slow.send(bytes.subarray(sent, sent + 1), { paced: true });
          sent++;
        }
      })();
      await freshClientsServed(ctx, server, site, t('hostile.during.slowloris'));
      await drip;
      await slow.send(bytes.subarray(sent));
      const response = await readResponse(ctx, slow, { sent: request, hint: t('hint.slowloris') });
      expectStatus(response, 200, request, t('hint.slowloris'));
      expectBody(response, site.fixtures['static/notes.txt']!, request, t('hint.slowloris'));
    },
  },
  {
    id: 'hostile.c10k',
    get title() { return t('hostile.c10k.title'); },
    points: 5,
    timeoutMs: 90_000,
    // Holds 2,000 connections and judges 1 s deadlines: run alone.
    exclusive: true,
    async run(ctx) {
      const { server, site } = await startSite(ctx);
      const held = await holdConnections(ctx, server.port, HELD / 2, HELD / 2);
      try {
        ctx.note(t('note.held', { idle: HELD / 2, partial: HELD / 2 }));
        await freshClientsServed(ctx, server, site, t('hostile.during.c10k', { n: HELD }));
        const failures = await held.finishAll(site.fixtures['static/notes.txt']!);
        if (failures.length > 0) {
          throw new CheckFailure(t('fail.heldNotServed', { n: failures.length, total: HELD, first: failures[0]!, hint: t('hint.c10k') }), {
            expected: t('expected.heldServed', { n: HELD }),
            actual: failures[0]!,
          });
        }
      } finally {
        held.destroy();
      }
    },
  },
  {
    id: 'clients.fetch',
    get title() { return t('clients.fetch.title'); },
    // Evidence from a real client: it scores nothing beyond the clauses (what it reveals is
    // lost under the clause it breaks), but tells the student that fetch works.
    points: 0,
    timeoutMs: 30_000,
    async run(ctx) {
      const { server, site } = await startSite(ctx);
      await answersAtAll(ctx, server);
      const targets = ['/notes.txt', '/data.json', '/style.css', '/logo.png', '/lesson.txt'];
      const files: Record<string, string> = { '/notes.txt': 'static/notes.txt', '/data.json': 'static/data.json', '/style.css': 'static/style.css', '/logo.png': 'static/logo.png', '/lesson.txt': 'static/lesson.txt' };
      const plan = Array.from({ length: 50 }, (_, i) => targets[i % targets.length]!);
      ctx.note(t('note.fetch', { n: plan.length }));
      const results = await Promise.all(
        plan.map(async (target) => {
          try {
            const response = await fetch(`http://127.0.0.1:${server.port}${target}`, { signal: AbortSignal.timeout(ctx.ms(10_000)) });
            const body = Buffer.from(await response.arrayBuffer());
            const want = Buffer.from(site.fixtures[files[target]!]!);
            return response.status === 200 && body.equals(want) ? undefined : t('clients.fetch.wrong', { target, status: String(response.status), got: { bytes: body.length }, want: { bytes: want.length } });
          } catch (error) {
            const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
            return `${target}: ${error instanceof Error ? error.message : String(error)}${cause}`;
          }
        }),
      );
      const failed = results.filter((r): r is string => r !== undefined);
      if (failed.length > 0) {
        throw new CheckFailure(t('fail.fetch', { n: failed.length, total: plan.length, first: failed[0]!, hint: t('hint.fetch') }), { expected: t('expected.fetch'), actual: failed[0]! });
      }
    },
  },
  {
    id: 'clients.browser',
    get title() { return t('clients.browser.title'); },
    // Evidence from a real browser (screenshot and network log attached): no points of its own.
    points: 0,
    timeoutMs: 90_000,
    async run(ctx) {
      const { server } = await startSite(ctx);
      await answersAtAll(ctx, server);
      const url = `http://127.0.0.1:${server.port}/`;
      const load = await loadInBrowser(url, { launchMs: ctx.ms(30_000), loadMs: ctx.ms(10_000) }, ctx.signal);
      if (load.kind === 'unavailable') {
        ctx.note(t('note.noBrowser', { reason: load.reason }));
        return;
      }
      ctx.attach({ name: 'screenshot.png', contentType: 'image/png', body: load.png });
      ctx.attach({ name: 'network.json', contentType: 'application/json', body: JSON.stringify(load.requests, null, 2) });
      const wanted = ['/', '/style.css', '/logo.png', `/${encodeURIComponent('图片')}/${encodeURIComponent('图标.png')}`, '/app.js', '/lib.mjs'];
      const problems: string[] = [];
      for (const path of wanted) {
        const hit = load.requests.find((r) => new URL(r.url).pathname.toLowerCase() === path.toLowerCase());
        if (hit === undefined) problems.push(t('browser.notRequested', { path }));
        else if (hit.failure !== undefined || hit.status !== 200) problems.push(t('browser.failed', { path, got: hit.failure ?? String(hit.status) }));
      }
      if (load.statusText !== 'module loaded') problems.push(t('browser.moduleNotRun', { got: show(load.statusText) }));
      if (problems.length > 0) {
        throw new CheckFailure(t('fail.browser', { problems, hint: t('hint.browser') }), { expected: t('expected.browser'), actual: problems.join('; ') });
      }
    },
  },
];

/** How many connections the C10K check holds (the contract's ceiling). */
const HELD = 2000;
/** How long each held connection waits for its answer once finishAll sent its request (all 2,000 at once). */
const FINISH_HELD_MS = 15_000;
const FRESH_CLIENTS = 20;
const FRESH_MS = 1000;

/** 20 fresh clients, one after another, each answered within 1 s (the contract's deadline). */
async function freshClientsServed(ctx: CheckContext, server: { port: number }, site: { fixtures: Record<string, string | Uint8Array> }, during: string): Promise<void> {
  const want = site.fixtures['static/data.json']!;
  for (let i = 0; i < FRESH_CLIENTS; i++) {
    const probe = await ctx.connect(server as never);
    const request = get('/data.json');
    // From the GET to its response (the contract's "answered within 1 s"); the connect before
    // it is the kernel's and the grader's, not the server's.
    const started = performance.now();
    const response = await exchange(ctx, probe, request, { timeoutMs: ctx.ms(FRESH_MS), hint: t('hint.fresh', { during }) });
    expectStatus(response, 200, request, t('hint.fresh', { during }));
    expectBody(response, want, request, t('hint.fresh', { during }));
    const took = performance.now() - started;
    if (took > ctx.ms(FRESH_MS)) {
      throw new CheckFailure(t('fail.freshSlow', { i: String(i + 1), ms: { ms: Math.round(took) }, limit: { ms: ctx.ms(FRESH_MS) }, during }), { expected: `< ${ctx.ms(FRESH_MS)} ms`, actual: `${Math.round(took)} ms` });
    }
    probe.destroy();
  }
}

/**
 * Opens `idle` connections that each get one response and stay open, and `partial` ones that
 * stop in the middle of their headers. Raw sockets rather than recorded probes: 2,000
 * transcripts would drown the report, so the check notes a summary instead.
 */
async function holdConnections(ctx: CheckContext, port: number, idle: number, partial: number) {
  const sockets: Array<{ socket: Socket; received: Buffer[]; kind: 'idle' | 'partial' }> = [];
  const destroy = () => {
    for (const { socket } of sockets) socket.destroy();
  };
  const open = (kind: 'idle' | 'partial') =>
    new Promise<{ socket: Socket; received: Buffer[]; kind: 'idle' | 'partial' }>((resolve, reject) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      const held = { socket, received: [] as Buffer[], kind };
      socket.on('data', (chunk: Buffer) => held.received.push(chunk));
      socket.once('connect', () => resolve(held));
      socket.once('error', reject);
      socket.setTimeout(ctx.ms(20_000), () => reject(new Error('connect timed out')));
    });
  const waitFor = (held: { socket: Socket; received: Buffer[] }, test: (all: Buffer) => boolean, ms: number) =>
    new Promise<boolean>((resolve) => {
      const check = () => {
        if (test(Buffer.concat(held.received))) finish(true);
      };
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        held.socket.off('data', check);
        held.socket.off('close', onClose);
        resolve(ok);
      };
      const onClose = () => finish(test(Buffer.concat(held.received)));
      const timer = setTimeout(() => finish(false), ms);
      held.socket.on('data', check);
      held.socket.on('close', onClose);
      check();
    });
  const request = get('/notes.txt');
  const complete = (n: number) => (all: Buffer) => {
    let count = 0;
    let at = 0;
    while (true) {
      const end = all.indexOf('\r\n\r\n', at);
      if (end < 0) break;
      const length = Number(/content-length:\s*(\d+)/i.exec(all.subarray(at, end).toString('latin1'))?.[1] ?? NaN);
      if (!Number.isFinite(length) || all.length < end + 4 + length) break;
      count++;
      at = end + 4 + length;
    }
    return count >= n;
  };
  try {
    // In batches, so that the listen backlog is not what is measured.
    for (let done = 0; done < idle + partial; ) {
      const batch = Math.min(100, idle + partial - done);
      const opened = await Promise.all(Array.from({ length: batch }, (_, i) => open(done + i < idle ? 'idle' : 'partial')));
      sockets.push(...opened);
      done += batch;
      for (const held of opened) {
        if (held.kind === 'idle') held.socket.write(request);
        else held.socket.write('GET /notes.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      }
      const answered = await Promise.all(opened.filter((h) => h.kind === 'idle').map((h) => waitFor(h, complete(1), ctx.ms(10_000))));
      if (answered.includes(false)) {
        throw new CheckFailure(t('fail.holdFailed', { n: sockets.length, hint: t('hint.c10k') }), { expected: t('expected.heldServed', { n: idle + partial }), actual: t('got.heldStalled', { n: sockets.length }) });
      }
    }
  } catch (error) {
    destroy();
    if (error instanceof CheckFailure) throw error;
    throw new CheckFailure(t('fail.holdFailed', { n: sockets.length, hint: t('hint.c10k') }), { expected: t('expected.heldServed', { n: idle + partial }), actual: error instanceof Error ? error.message : String(error) });
  }
  return {
    destroy,
    /**
     * Sends every held connection its next request (or the rest of it); returns what went wrong.
     * The requests go out 200 at a time, one event-loop turn apart, and every connection waits
     * for its answer from when its request went out, all at once: a server that never answers
     * costs one deadline, not one per batch (measured: 2 × 52 s with a deadline per batch of 200
     * for data-event-is-request, whose 1,000 partial connections never answer; CI's slow machine
     * then ran the variant past the test's 180 s).
     */
    async finishAll(body: string | Uint8Array): Promise<string[]> {
      const want = Buffer.from(body);
      const pending: Array<Promise<string | undefined>> = [];
      for (let start = 0; start < sockets.length; start += 200) {
        if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
        for (const held of sockets.slice(start, start + 200)) {
          pending.push(
            (async () => {
              if (held.socket.destroyed || held.socket.readableEnded) return t('got.heldClosed', { kind: held.kind });
              held.socket.write(held.kind === 'idle' ? request : '\r\n');
              const ok = await waitFor(held, complete(held.kind === 'idle' ? 2 : 1), ctx.ms(FINISH_HELD_MS));
              const all = Buffer.concat(held.received);
              return ok && all.subarray(all.length - want.length).equals(want) ? undefined : t('got.heldNoAnswer', { kind: held.kind, got: show(all.subarray(-200)) });
            })(),
          );
        }
      }
      return (await Promise.all(pending)).filter((r): r is string => r !== undefined);
    },
  };
}

/** Reads one response of `size` body bytes from a paused raw socket, hashing the body as it comes. */
function readHugeResponse(socket: Socket, size: number, timeoutMs: number): Promise<{ statusLine: string; bodyBytes: number; sha256: string }> {
  return new Promise((resolve) => {
    const hash = createHash('sha256');
    let head = Buffer.alloc(0);
    let statusLine = '';
    let bodyBytes = -1;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.removeAllListeners('data');
      resolve({ statusLine: statusLine || head.subarray(0, 80).toString('latin1'), bodyBytes: Math.max(0, bodyBytes), sha256: hash.digest('hex') });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      if (bodyBytes < 0) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        statusLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
        chunk = head.subarray(end + 4);
        bodyBytes = 0;
      }
      const take = chunk.subarray(0, size - bodyBytes);
      hash.update(take);
      bodyBytes += take.length;
      if (bodyBytes >= size) finish();
    });
    socket.once('close', finish);
    socket.resume();
  });
}

/** Resident memory of the server's process group (the sandbox's wrappers and node), in KiB. */
async function rssKiB(pid: number): Promise<number> {
  return residentBytesOfGroup(pid) / 1024;
}
