// VARIANT error-listener-late: adds the socket's 'error' listener only once the header line has been read, so a client that resets before that crashes the server
// 上传文件 — upload a file.
//
// Protocol (one upload per connection):
//   client → server   <name>\n  then the file's raw bytes, then FIN (half-close)
//   server → client   OK <bytes> <sha256-hex>\n   and the server closes
//                     FAIL bad name\n             (sent as soon as the name is known to be bad)
//
// The classic Python version ended the file with the two bytes "##", which breaks on any
// file that contains them, and guessed message boundaries from recv() sizes. Here the
// only end marker is the client's FIN, and nothing is ever decoded except the name.
//
// Files are streamed to a hidden temporary file in UPLOAD_DIR and renamed to their
// final name only once complete, so no one ever sees half a file under the real name,
// and an aborted upload (connection reset) leaves nothing behind.

import net from 'node:net';
import path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { SocketReader } from './socket-reader.ts';

const UPLOAD_DIR = process.env.UPLOAD_DIR || './uploads';
const MAX_NAME_BYTES = 255;
const READ_SIZE = 1024 * 1024; // at most this much is handed to one write() call
const LINGER_MS = 10_000; // after our last reply, how long we wait for the peer to close

// ---------------------------------------------------------------------------------------
// Names

// fatal: reject bytes that are not UTF-8 instead of turning them into U+FFFD;
// ignoreBOM: keep a leading U+FEFF as part of the name instead of silently dropping it.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeName(bytes: Buffer): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/** A name that stays inside UPLOAD_DIR and is not one of our hidden temporary files. */
function isValidName(name: string): boolean {
  if (name === '' || name.startsWith('.')) return false; // also covers "." and ".."
  if (/[/\\\0]/.test(name)) return false;
  return Buffer.byteLength(name, 'utf8') <= MAX_NAME_BYTES;
}

// ---------------------------------------------------------------------------------------
// Receiving one file

type Received = { kind: 'stored'; bytes: number; sha256: string } | { kind: 'aborted' };

async function writeFully(file: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await file.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}

/** Streams the rest of the connection into `name`; the file appears only if it ends with FIN. */
async function receiveFile(reader: SocketReader, name: string): Promise<Received> {
  await mkdir(UPLOAD_DIR, { recursive: true });
  // Names starting with "." are never valid upload names, so this cannot collide
  // with (or be seen as) a real upload; the UUID keeps concurrent uploads apart.
  const tempPath = path.join(UPLOAD_DIR, `.upload-${randomUUID()}.part`);
  const finalPath = path.join(UPLOAD_DIR, name);

  const file = await open(tempPath, 'wx');
  let fileOpen = true;
  let renamed = false;
  try {
    const hash = createHash('sha256');
    let bytes = 0;
    for (;;) {
      // Waiting for the write before reading on is our backpressure: the reader pauses
      // the socket while too much is queued, so memory stays bounded for any file size.
      const chunk = await reader.readSome(READ_SIZE);
      if (chunk === null) break;
      hash.update(chunk);
      bytes += chunk.length;
      await writeFully(file, chunk);
    }
    if (!reader.ended) return { kind: 'aborted' }; // reset before FIN: keep nothing

    await file.close();
    fileOpen = false;
    // rename() replaces an existing file atomically: of two uploads of one name,
    // the one that completes last wins.
    await rename(tempPath, finalPath);
    renamed = true;
    return { kind: 'stored', bytes, sha256: hash.digest('hex') };
  } finally {
    if (fileOpen) await file.close().catch(() => {});
    if (!renamed) await unlink(tempPath).catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------
// One connection

async function serveUpload(socket: net.Socket): Promise<void> {
  const reader = new SocketReader(socket);

  // The header line may arrive in pieces, or together with the first file bytes;
  // readLine() handles both. It allows one extra byte for a "\r" before the "\n".
  const header = await reader.readLine(MAX_NAME_BYTES + 1);
  // The upload has begun: from now on a reset only aborts this upload.
  socket.on('error', (err) => console.error('upload aborted:', err.message));
  if (header.kind === 'eof') {
    if (reader.lost) return; // reset before sending anything useful
    return finish(socket, 'ERR missing header line\n');
  }
  const name = header.kind === 'line' ? decodeName(header.bytes) : null; // 'too-long': bad name
  if (name === null || !isValidName(name)) {
    reader.discardAll(); // answer now, ignore whatever data follows
    return finish(socket, 'FAIL bad name\n');
  }

  let result: Received;
  try {
    result = await receiveFile(reader, name);
  } catch (err) {
    console.error(`cannot store ${JSON.stringify(name)}:`, err);
    reader.discardAll();
    return finish(socket, 'FAIL cannot store file\n');
  }
  if (result.kind === 'aborted') {
    console.log(`upload of ${JSON.stringify(name)} aborted`);
    socket.destroy();
    return;
  }
  console.log(`stored ${JSON.stringify(name)} (${result.bytes} bytes)`);
  finish(socket, `OK ${result.bytes} ${result.sha256}\n`);
}

/** Sends our last reply and half-closes; destroys the socket if the peer never closes. */
function finish(socket: net.Socket, reply: string): void {
  if (socket.destroyed) return;
  socket.end(reply);
  socket.setTimeout(LINGER_MS, () => socket.destroy());
}

// ---------------------------------------------------------------------------------------
// Server

function readPort(): number {
  let raw = process.env.PORT;
  if (!raw) {
    const args = process.argv.slice(2);
    const at = args.indexOf('--port');
    raw = at >= 0 ? args[at + 1] : args.find((a) => a.startsWith('--port='))?.slice('--port='.length);
  }
  const port = Number(raw);
  if (!raw || !Number.isInteger(port) || port < 0 || port > 65535) {
    console.error('usage: PORT=<n> node server.ts   (or: node server.ts --port <n>)');
    process.exit(2);
  }
  return port;
}

// allowHalfOpen: the client's FIN ends the file, and only then do we reply.
const server = net.createServer({ allowHalfOpen: true }, (socket) => {
  serveUpload(socket).catch((err: unknown) => {
    console.error('connection failed:', err);
    socket.destroy();
  });
});

server.on('error', (err) => {
  console.error('server error:', err);
  process.exit(1);
});

const port = readPort();
// Create the upload folder up front (and again before each upload, in case it is removed).
await mkdir(UPLOAD_DIR, { recursive: true }).catch((err: unknown) => {
  console.error(`cannot create ${UPLOAD_DIR}:`, err); // each upload will answer FAIL
});
server.listen(port, '127.0.0.1', () => {
  console.log(`file-upload server listening on 127.0.0.1:${port}, storing into ${UPLOAD_DIR}`);
});
