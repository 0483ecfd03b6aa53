// Variant no-percent-decoding: the raw path is looked up as it is.
// web-server: the static web server (web 服务) of the course's last chapter, on node:net.
//
// The course's server reads one recv(1024), takes it for the whole request and answers with
// the file read whole. Here HTTP/1.1 is parsed by hand from the byte stream (TCP keeps no
// message boundaries: 粘包), requests on one connection are answered one at a time in order
// (pipelining), and files are streamed with backpressure (fs stream piped into the socket),
// so a client that reads nothing costs a few buffers, not the file.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const MAX_REQUEST_LINE = 8192;
const MAX_HEADER_BYTES = 16384;
const MAX_HEADER_LINES = 100;
/** Hygiene only: the contract forbids closing a connection that sent a byte in the last 30 s. */
const IDLE_MS = 120_000;

const REASONS: Record<number, string> = {
  200: 'OK',
  301: 'Moved Permanently',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
  505: 'HTTP Version Not Supported',
};

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  htm: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  json: 'application/json',
  txt: 'text/plain; charset=utf-8',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  svg: 'image/svg+xml',
  ico: 'image/x-icon',
};

/** The port: env PORT first, then `--port N` (or `--port=N`). */
function readPort(): number {
  let raw = process.env['PORT'];
  if (raw === undefined || raw === '') {
    const args = process.argv.slice(2);
    const i = args.indexOf('--port');
    raw = i >= 0 ? args[i + 1] : args.find((a) => a.startsWith('--port='))?.slice('--port='.length);
  }
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`no valid port: set PORT or pass --port N (got ${JSON.stringify(raw)})`);
    process.exit(2);
  }
  return port;
}

const ROOT = path.resolve(process.env['WEB_ROOT'] || './static');

interface Request {
  method: string;
  target: string;
  version: string;
  headers: Map<string, string>;
  /** Set when the request cannot be parsed: the status to answer, then close. */
  error?: number;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body?: Buffer;
  /** A file to stream as the body (GET only). */
  file?: string;
}

function typeOf(file: string): string {
  return TYPES[path.extname(file).slice(1).toLowerCase()] ?? 'application/octet-stream';
}

function errorAnswer(status: number, extra: Record<string, string> = {}): Answer {
  const body = Buffer.from(`<!doctype html><title>${status}</title><h1>${status} ${REASONS[status]}</h1>\n`);
  return { status, headers: { 'Content-Type': 'text/html; charset=utf-8', ...extra }, body };
}

/** Percent-decodes once as UTF-8; undefined for a bad escape or invalid UTF-8. */
function decodePath(raw: string): string | undefined {
  if (/%(?![0-9A-Fa-f]{2})/.test(raw)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === '%') {
      bytes.push(parseInt(raw.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(raw[i]!, 'utf8'));
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
}

function inside(root: string, file: string): boolean {
  return file === root || file.startsWith(root + path.sep);
}

/** What a well-formed GET or HEAD gets: a file to send, a redirect, or an error. */
async function resolveTarget(target: string): Promise<Answer> {
  const rawPath = target.split('?')[0]!;
  const decoded = decodePath(rawPath) === undefined ? undefined : rawPath; // MISTAKE: no decoding
  if (decoded === undefined) return errorAnswer(400);
  if (decoded.includes('\0') || decoded.includes('\\')) return errorAnswer(400);
  const segments = decoded.split('/');
  if (segments.includes('..')) return errorAnswer(403);
  let root: string;
  try {
    root = await fs.promises.realpath(ROOT);
  } catch {
    return errorAnswer(404);
  }
  let file = path.join(root, ...segments);
  if (decoded.endsWith('/')) file = path.join(file, 'index.html');
  try {
    // realpath follows every symbolic link: what it names must still lie inside the root.
    const real = await fs.promises.realpath(file);
    if (!inside(root, real)) return errorAnswer(404);
    const stat = await fs.promises.stat(real);
    if (stat.isDirectory()) {
      return { status: 301, headers: { Location: `${rawPath}/`, 'Content-Type': 'text/html; charset=utf-8' }, body: Buffer.from('<!doctype html><title>301</title>\n') };
    }
    if (!stat.isFile()) return errorAnswer(404);
    return { status: 200, headers: { 'Content-Type': typeOf(real), 'Content-Length': String(stat.size) }, file: real };
  } catch {
    return errorAnswer(404);
  }
}

/** Parses the header section (the bytes before the empty line, request line excluded). */
function parseRequest(requestLine: string, headerLines: string[]): Request {
  const request: Request = { method: '', target: '', version: '', headers: new Map() };
  const parts = requestLine.split(' ');
  if (parts.length !== 3) return { ...request, error: 400 };
  const [method, target, version] = parts as [string, string, string];
  Object.assign(request, { method, target, version });
  if (!/^[A-Z]+$/.test(method) || !target.startsWith('/') || !/^HTTP\/\d\.\d$/.test(version)) return { ...request, error: 400 };
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon <= 0) return { ...request, error: 400 };
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const before = request.headers.get(name);
    request.headers.set(name, before === undefined ? value : `${before}, ${value}`);
  }
  if (/%(?![0-9A-Fa-f]{2})/.test(target.split('?')[0]!)) return { ...request, error: 400 };
  const length = request.headers.get('content-length');
  if (length !== undefined && !/^\d+$/.test(length)) return { ...request, error: 400 };
  if (version !== 'HTTP/1.0' && version !== 'HTTP/1.1') return { ...request, error: 505 };
  return request;
}

/** Whether the server closes after answering this request (the contract's list). */
function closesAfter(request: Request): boolean {
  if (request.error !== undefined) return true;
  if (request.version === 'HTTP/1.0') return true;
  const connection = request.headers.get('connection') ?? '';
  if (connection.split(',').some((token) => token.trim().toLowerCase() === 'close')) return true;
  if (Number(request.headers.get('content-length') ?? '0') > 0) return true;
  return request.headers.has('transfer-encoding');
}

async function answerFor(request: Request): Promise<Answer> {
  if (request.error !== undefined) return errorAnswer(request.error);
  if (request.method !== 'GET' && request.method !== 'HEAD') return errorAnswer(405, { Allow: 'GET, HEAD' });
  return resolveTarget(request.target);
}

function serve(socket: net.Socket): void {
  let buffer: Buffer = Buffer.alloc(0);
  const queue: Request[] = [];
  let busy = false;
  // Set once a request that closes the connection is parsed: nothing after it is a request.
  let stopped = false;
  let peerEnded = false;
  let sending: fs.ReadStream | undefined;
  socket.on('close', () => sending?.destroy());
  socket.setTimeout(IDLE_MS, () => socket.destroy());
  socket.on('error', () => socket.destroy());

  const stop = (request: Request) => {
    stopped = true;
    buffer = Buffer.alloc(0);
    queue.push(request);
  };

  /** Takes every complete request out of the buffer; answers a limit as soon as it is passed. */
  const parse = () => {
    while (!stopped) {
      const lineEnd = buffer.indexOf(0x0a);
      const lineLength = lineEnd < 0 ? buffer.length : lineEnd - (buffer[lineEnd - 1] === 0x0d ? 1 : 0);
      if (lineLength > MAX_REQUEST_LINE) {
        stop({ method: '', target: '', version: '', headers: new Map(), error: 414 });
        break;
      }
      if (lineEnd < 0) break;
      // The header section: lines up to the first empty one.
      const headerLines: string[] = [];
      let at = lineEnd + 1;
      let complete = false;
      let tooLarge = false;
      while (true) {
        const end = buffer.indexOf(0x0a, at);
        if (end < 0) {
          if (buffer.length - (lineEnd + 1) > MAX_HEADER_BYTES) tooLarge = true;
          break;
        }
        const line = buffer.subarray(at, buffer[end - 1] === 0x0d ? end - 1 : end);
        at = end + 1;
        if (line.length === 0) {
          complete = true;
          break;
        }
        headerLines.push(line.toString('latin1'));
        if (headerLines.length > MAX_HEADER_LINES || at - (lineEnd + 1) > MAX_HEADER_BYTES) {
          tooLarge = true;
          break;
        }
      }
      if (tooLarge) {
        stop({ method: '', target: '', version: '', headers: new Map(), error: 431 });
        break;
      }
      if (!complete) break;
      const requestLine = buffer.subarray(0, buffer[lineEnd - 1] === 0x0d ? lineEnd - 1 : lineEnd).toString('latin1');
      buffer = buffer.subarray(at);
      const request = parseRequest(requestLine, headerLines);
      if (closesAfter(request)) stop(request);
      else queue.push(request);
    }
    void next();
  };

  /** Answers the queued requests one at a time, each only after the previous one is sent. */
  const next = async () => {
    if (busy) return;
    const request = queue.shift();
    if (request === undefined) {
      if ((stopped || peerEnded) && !socket.destroyed) socket.end();
      return;
    }
    busy = true;
    const answer = await answerFor(request);
    const close = closesAfter(request);
    const length = answer.body ? answer.body.length : Number(answer.headers['Content-Length'] ?? 0);
    const head = [`HTTP/1.1 ${answer.status} ${REASONS[answer.status]}`];
    for (const [name, value] of Object.entries(answer.headers)) if (name !== 'Content-Length') head.push(`${name}: ${value}`);
    head.push(`Content-Length: ${length}`);
    head.push(`Connection: ${close ? 'close' : 'keep-alive'}`);
    if (socket.destroyed) return;
    socket.write(`${head.join('\r\n')}\r\n\r\n`);
    const done = () => {
      busy = false;
      if (close) {
        queue.length = 0;
        stopped = true;
      }
      void next();
    };
    if (request.method === 'HEAD') return done();
    if (answer.body) {
      socket.write(answer.body);
      return done();
    }
    if (answer.file) {
      const stream = fs.createReadStream(answer.file);
      sending = stream;
      // pipe() pauses the file while the socket's buffer is full (backpressure).
      stream.pipe(socket, { end: false });
      stream.on('end', () => {
        sending = undefined;
        done();
      });
      stream.on('error', () => socket.destroy());
      return;
    }
    done();
  };

  socket.on('data', (chunk: Buffer) => {
    if (stopped) return; // after a closing request nothing more is read as a request
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    parse();
  });
  socket.on('end', () => {
    peerEnded = true;
    void next();
  });
}

const server = net.createServer({ allowHalfOpen: true }, serve);
server.maxConnections = 20_000;
server.listen(readPort(), '127.0.0.1', () => {
  console.log(`serving ${ROOT} on http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`);
});
