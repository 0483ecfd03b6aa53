/**
 * HTTP/1.1 as the web-server probes speak it: the document root the grader places, a reader
 * of one response from a raw TCP probe (status line, headers, exactly Content-Length bytes of
 * body), and the expectations the checks share. Parsed here by hand on purpose: the probes
 * must see the bytes the student's server sent, which an HTTP client library would hide.
 */
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckContext } from '../../grader/exercise/define.ts';
import { CheckFailure } from '../../grader/model/errors.ts';
import { describeOutcome, show } from '../../grader/probes/expect.ts';
import type { SendOptions, TcpProbe } from '../../grader/probes/tcp.ts';
import type { RunningServer } from '../../grader/sandbox/sandbox.ts';
import { text } from './messages.ts';

const { t } = text;

/** A response (or a close) on loopback: a correct server answers in milliseconds. */
export const REPLY_MS = 3000;

/** A 1×1 PNG (red pixel). */
export const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8cfc000000301010018dd8db00000000049454e44ae426082',
  'hex',
);

export interface Site {
  /** Files of the working directory, paths relative to it (the root is `static/` unless moved). */
  fixtures: Record<string, string | Uint8Array>;
  /** Content of `secret.txt` (outside the root, in the cwd): must never be served. */
  secret: string;
  /** Content of `static/%2e%2e/secret.txt`: a folder literally named `%2e%2e` inside the root. */
  insideDotDot: string;
}

export const INDEX_HTML = `<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>netgrade web-server</title><link rel="stylesheet" href="style.css"></head>
<body>
<h1>Hello, web server</h1>
<p><img src="logo.png" alt="logo"> <img src="%E5%9B%BE%E7%89%87/%E5%9B%BE%E6%A0%87.png" alt="icon"></p>
<p id="status">loading</p>
<script type="module" src="app.js"></script>
</body>
</html>
`;

/** The grader's document root and the files around it. `root` is the folder's name in the cwd. */
export function site(ctx: CheckContext, root = 'static'): Site {
  const tag = ctx.random.int(100000, 999999);
  const secret = `SECRET-${tag} outside the document root\n`;
  const insideDotDot = `inside-${tag}: a folder named %2e%2e inside the root\n`;
  const r = (name: string) => `${root}/${name}`;
  return {
    secret,
    insideDotDot,
    fixtures: {
      'secret.txt': secret,
      'server-notes.txt': `also outside ${tag}\n`,
      [r('index.html')]: INDEX_HTML,
      [r('style.css')]: 'body { font-family: sans-serif; background: #fffbe6; }\nh1 { color: #0b5394; }\n',
      [r('app.js')]: "import { label } from './lib.mjs';\ndocument.getElementById('status').textContent = label;\n",
      [r('lib.mjs')]: "export const label = 'module loaded';\n",
      [r('logo.png')]: PNG,
      [r('图片/图标.png')]: PNG,
      [r('notes.txt')]: `notes #${tag}: sticky packets and half-close\n`,
      [r('lesson.txt')]: `中文内容：粘包与拆包，半关闭 #${tag}\n`,
      [r('笔记.txt')]: `note with a Chinese file name #${tag}\n`,
      [r('a+b.txt')]: `plus ${tag}\n`,
      [r('data.json')]: `{"tag":${tag}}\n`,
      [r('README.TXT')]: `upper case ${tag}\n`,
      [r('photo.JPG')]: Buffer.from([0xff, 0xd8, 0xff, 0xe0, tag & 0xff, 0xff, 0xd9]),
      [r('pic.webp')]: Buffer.from(`RIFF${tag}WEBP`),
      [r('icon.svg')]: '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n',
      [r('favicon.ico')]: Buffer.from([0, 0, 1, 0, tag & 0xff]),
      [r('anim.gif')]: Buffer.from(`GIF89a${tag}`),
      [r('page.htm')]: `<p>htm ${tag}</p>\n`,
      [r('blob.bin')]: Buffer.from([0, 1, 2, 3, 255, tag & 0xff]),
      [r('docs/index.html')]: `<p>docs ${tag}</p>\n`,
      [r('docs/guide.txt')]: `guide ${tag}\n`,
      [r('empty/readme.txt')]: `a folder without index.html ${tag}\n`,
      [r('%2e%2e/secret.txt')]: insideDotDot,
    },
  };
}

/** The grader's preload that refuses node:http, node:https and node:http2 (see no-http.mjs). */
export const IMPORT_GUARD = fileURLToPath(new URL('./no-http.mjs', import.meta.url));

/** Starts the server on a fresh copy of the site; with `symlinks`, adds `static/link.txt` → `../secret.txt`. */
export async function startSite(ctx: CheckContext, options: { root?: string; env?: Record<string, string>; symlinks?: boolean } = {}): Promise<{ server: RunningServer; site: Site }> {
  const s = site(ctx, options.root);
  const server = await ctx.startServer({ fixtures: s.fixtures, nodeArgs: ['--import', IMPORT_GUARD], ...(options.env ? { env: options.env } : {}) });
  if (options.symlinks) {
    await symlink('../secret.txt', join(server.workDir, options.root ?? 'static', 'link.txt'));
    await symlink('../../secret.txt', join(server.workDir, options.root ?? 'static', 'docs', 'up.txt'));
  }
  return { server, site: s };
}

export interface HttpResponse {
  statusLine: string;
  status: number;
  headers: Map<string, string>;
  body: Buffer;
}

export interface ReadOptions {
  /** What was sent, for messages. */
  sent: string;
  /** The response to a HEAD carries no body. */
  head?: boolean;
  hint?: string;
  timeoutMs?: number;
}

/** `GET /x HTTP/1.1` → "GET /x HTTP/1.1" (the request line, for messages). */
export function requestLineOf(request: string): string {
  const end = request.indexOf('\r\n');
  return end < 0 ? request.slice(0, 80) : request.slice(0, end);
}

function failRead(options: ReadOptions, got: string): never {
  throw new CheckFailure(t('fail.noResponse', { sent: show(options.sent, 200), got, hint: options.hint ?? '' }).trim(), {
    expected: t('expected.response'),
    actual: got,
  });
}

/** Reads one response: status line, header lines up to the empty line, then Content-Length bytes. */
export async function readResponse(ctx: CheckContext, probe: TcpProbe, options: ReadOptions): Promise<HttpResponse> {
  const timeoutMs = options.timeoutMs ?? ctx.ms(REPLY_MS);
  const first = await probe.readLine(timeoutMs);
  if (first.kind !== 'ok') failRead(options, describeOutcome(first));
  const statusLine = first.value;
  const match = /^HTTP\/1\.1 (\d{3})(?: .*)?$/.exec(statusLine);
  if (!match) {
    throw new CheckFailure(t('fail.statusLine', { sent: show(options.sent, 200), got: show(statusLine), hint: options.hint ?? '' }).trim(), {
      expected: 'HTTP/1.1 <code> <reason>',
      actual: statusLine,
    });
  }
  const headers = new Map<string, string>();
  for (let count = 0; ; count++) {
    const line = await probe.readLine(timeoutMs);
    if (line.kind !== 'ok') failRead(options, t('got.headersCut', { status: statusLine, got: describeOutcome(line) }));
    if (line.value === '') break;
    const colon = line.value.indexOf(':');
    if (colon <= 0 || count > 200) {
      throw new CheckFailure(t('fail.headerLine', { sent: show(options.sent, 200), got: show(line.value) }), { expected: 'Name: value', actual: line.value });
    }
    const name = line.value.slice(0, colon).trim().toLowerCase();
    const value = line.value.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  const status = Number(match[1]);
  if (headers.has('transfer-encoding')) {
    throw new CheckFailure(t('fail.chunked', { sent: show(options.sent, 200), got: headers.get('transfer-encoding')! }), {
      expected: 'Content-Length: <bytes>',
      actual: `Transfer-Encoding: ${headers.get('transfer-encoding')}`,
    });
  }
  const rawLength = headers.get('content-length');
  if (rawLength === undefined || !/^\d+$/.test(rawLength)) {
    throw new CheckFailure(t('fail.noLength', { sent: show(options.sent, 200), status: statusLine, got: rawLength ?? '—' }), {
      expected: 'Content-Length: <bytes>',
      actual: rawLength === undefined ? t('got.absent') : `Content-Length: ${rawLength}`,
    });
  }
  let body: Buffer = Buffer.alloc(0);
  if (!options.head) {
    const length = Number(rawLength);
    const read = await probe.readBytes(length, Math.max(timeoutMs, ctx.ms(10_000)));
    if (read.kind !== 'ok') {
      failRead(options, t('got.bodyCut', { status: statusLine, length: rawLength, got: describeOutcome(read, (b: Buffer) => show(b)) }));
    }
    body = read.value;
  }
  return { statusLine, status, headers, body };
}

/** Sends `request` (as one segment unless told) and reads the response. */
export async function exchange(ctx: CheckContext, probe: TcpProbe, request: string | Buffer, options: Omit<ReadOptions, 'sent'> & { send?: SendOptions } = {}): Promise<HttpResponse> {
  const sent = typeof request === 'string' ? request : request.toString('latin1');
  await probe.send(request, options.send);
  return readResponse(ctx, probe, { ...options, sent, head: options.head ?? sent.startsWith('HEAD ') });
}

/** `GET <target> HTTP/1.1` with a Host header and the extra header lines. */
export function get(target: string, ...headers: string[]): string {
  return `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`;
}

export function head(target: string, ...headers: string[]): string {
  return `HEAD ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`;
}

/** Requires one of `statuses`. */
export function expectStatus(response: HttpResponse, statuses: number | number[], sent: string, hint: string): void {
  const wanted = Array.isArray(statuses) ? statuses : [statuses];
  if (wanted.includes(response.status)) return;
  throw new CheckFailure(t('fail.status', { sent: show(sent, 200), expected: wanted.map(String), got: response.statusLine, hint }), {
    expected: wanted.join(' / '),
    actual: response.statusLine,
  });
}

/** Requires the body to be exactly `expected` (and Content-Length its byte count). */
export function expectBody(response: HttpResponse, expected: string | Uint8Array, sent: string, hint: string): void {
  const want = Buffer.from(expected);
  if (response.body.equals(want)) return;
  throw new CheckFailure(t('fail.body', { sent: show(sent, 200), length: String(response.headers.get('content-length')), n: want.length, got: show(response.body), hint }), {
    expected: show(want),
    actual: show(response.body),
  });
}

/** Requires a header to match. */
export function expectHeader(response: HttpResponse, name: string, test: (value: string | undefined) => boolean, expected: string, sent: string, hint: string): void {
  const value = response.headers.get(name.toLowerCase());
  if (test(value)) return;
  throw new CheckFailure(t('fail.header', { sent: show(sent, 200), name, expected, got: value === undefined ? t('got.absent') : show(value), hint }), {
    expected: `${name}: ${expected}`,
    actual: value === undefined ? t('got.absent') : `${name}: ${value}`,
  });
}

/** The body must not carry the bytes of a file outside the root. */
export function expectNoLeak(response: HttpResponse, s: Site, sent: string): void {
  if (!response.body.toString('latin1').includes(Buffer.from(s.secret.trim()).toString('latin1'))) return;
  throw new CheckFailure(t('fail.leak', { sent: show(sent, 200), status: response.statusLine }), {
    expected: '400 / 403 / 404',
    actual: `${response.statusLine} + secret.txt`,
  });
}

/** The server ends its side (FIN, no reset) right after the response, sending nothing more. */
export async function expectEnds(ctx: CheckContext, probe: TcpProbe, sent: string, response: HttpResponse, hint: string): Promise<void> {
  const outcome = await probe.readUntilClosed(ctx.ms(REPLY_MS));
  if (outcome.kind === 'ok' && outcome.value.length === 0 && !probe.wasReset) return;
  if (outcome.kind === 'ok' && outcome.value.length > 0) {
    throw new CheckFailure(t('fail.moreAfter', { sent: show(sent, 200), status: response.statusLine, got: show(outcome.value), hint }), {
      expected: t('expected.fin'),
      actual: show(outcome.value),
    });
  }
  if (probe.wasReset) {
    throw new CheckFailure(t('fail.reset', { sent: show(sent, 200), status: response.statusLine, hint }), { expected: t('expected.fin'), actual: 'RST' });
  }
  throw new CheckFailure(t('fail.stillOpen', { sent: show(sent, 200), status: response.statusLine, ms: { ms: ctx.ms(REPLY_MS) }, hint }), {
    expected: t('expected.fin'),
    actual: describeOutcome(outcome, (b) => show(b)),
  });
}

/** The response says `Connection: close`. */
export function expectCloseHeader(response: HttpResponse, sent: string, hint: string): void {
  expectHeader(response, 'Connection', (v) => v !== undefined && v.toLowerCase().split(',').some((x) => x.trim() === 'close'), 'close', sent, hint);
}
