// FTP 文件服务器 — a small file server: LIST, GET, PUT, EXIT.
//
// Requests are lines ("\n", "\r\n" accepted); a PUT line is followed by exactly <size>
// raw bytes. Replies (server → client):
//   LIST              → OK <n>\n<name>\n… (n names)   | FAIL empty\n
//   GET <name>        → OK <size>\n<size raw bytes>   | FAIL not found\n | FAIL bad name\n
//   PUT <size> <name> → OK\n … (client sends the bytes) … DONE\n
//                     | FAIL bad name\n | FAIL too large\n | FAIL exists\n
//   EXIT              → the server closes the connection, no reply
//   anything else     → ERR <reason>\n
//
// The classic Python version used sleep(0.1) to keep "OK" apart from the data and "##"
// to end a file, so a file containing "##" broke it and a slow network mixed replies up.
// Here every piece of data is announced by its size and nothing relies on timing.
//
// Each connection is one async loop: read a line, handle it completely (including the
// upload or download that belongs to it), then read the next. That answers pipelined
// requests in order, while other connections go on independently: nothing here blocks
// the event loop, so a slow or stalled client only ever holds up itself.

import net from 'node:net';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { SocketReader, writeAll } from './socket-reader.ts';

const FTP_ROOT = process.env.FTP_ROOT || './files';
const MAX_UPLOAD_BYTES = 100 * 1024 * 1024; // 100 MiB; exactly this is accepted
const MAX_NAME_BYTES = 255;
const MAX_LINE_BYTES = 4096; // far more than any valid request needs
const CHUNK_BYTES = 64 * 1024;

// ---------------------------------------------------------------------------------------
// Names

/**
 * Names that are visible in and allowed into the library. They can never leave FTP_ROOT
 * (no "/", "\", no "." or ".."), never reach our hidden temporary files (no leading "."),
 * and fit in one request line (no "\n"; a "\r" inside a name is an ordinary character).
 * Names are taken exactly as sent: spaces at either end are part of the name.
 */
function isValidName(name: string): boolean {
  if (name === '' || name.startsWith('.')) return false;
  if (/[/\\\0\n]/.test(name)) return false;
  return Buffer.byteLength(name, 'utf8') <= MAX_NAME_BYTES;
}

/** Names being uploaded right now: they count as taken until the upload ends. */
const uploading = new Set<string>();

async function entryExists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------
// Requests

type Outcome = 'next' | 'close'; // go on with the next request, or end the connection

async function handleList(socket: net.Socket): Promise<Outcome> {
  let names: string[];
  try {
    const entries = await readdir(FTP_ROOT, { withFileTypes: true });
    // Regular files only (no folders, no symlinks), and only names a client could ask
    // for: this also hides dot-files, among them uploads in progress.
    names = entries.filter((e) => e.isFile() && isValidName(e.name)).map((e) => e.name);
  } catch {
    names = []; // no library folder: nothing to list
  }
  const reply = names.length === 0 ? 'FAIL empty\n' : `OK ${names.length}\n${names.map((n) => n + '\n').join('')}`;
  return (await writeAll(socket, reply)) ? 'next' : 'close';
}

async function handleGet(socket: net.Socket, name: string | null): Promise<Outcome> {
  if (name === null || !isValidName(name)) return reply(socket, 'FAIL bad name\n');

  let file: FileHandle;
  try {
    const info = await lstat(path.join(FTP_ROOT, name));
    if (!info.isFile()) return reply(socket, 'FAIL not found\n'); // folder, symlink, fifo, …
    // O_NOFOLLOW: should the entry have been swapped for a symlink meanwhile, refuse it.
    file = await open(path.join(FTP_ROOT, name), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return reply(socket, 'FAIL not found\n');
  }

  try {
    // The size announced is the size of the file we opened; we send exactly that many bytes.
    const { size } = await file.stat();
    if (!(await writeAll(socket, `OK ${size}\n`))) return 'close';
    let sent = 0;
    while (sent < size) {
      // A fresh buffer each time: socket.write() keeps a reference until it is sent.
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, size - sent));
      const { bytesRead } = await file.read(buffer, 0, buffer.length, sent);
      if (bytesRead === 0) {
        // The file shrank under us: the client can no longer find the next reply.
        socket.destroy();
        return 'close';
      }
      sent += bytesRead;
      // Waiting for 'drain' is the backpressure: a client that does not read only
      // stalls its own download, and we never read a whole file into memory.
      if (!(await writeAll(socket, buffer.subarray(0, bytesRead)))) return 'close';
    }
    return 'next';
  } finally {
    await file.close().catch(() => {});
  }
}

async function handlePut(socket: net.Socket, reader: SocketReader, sizeText: string, name: string | null): Promise<Outcome> {
  if (name === null || !isValidName(name)) return reply(socket, 'FAIL bad name\n');
  // sizeText is [0-9]+; very long numbers are certainly too large (and not exact as Number).
  const size = sizeText.length > 15 ? Infinity : Number(sizeText);
  if (size > MAX_UPLOAD_BYTES) return reply(socket, 'FAIL too large\n');

  // Reserve the name before any await, so two clients cannot both pass the check.
  if (uploading.has(name)) return reply(socket, 'FAIL exists\n');
  uploading.add(name);
  try {
    const finalPath = path.join(FTP_ROOT, name);
    if (await entryExists(finalPath)) return reply(socket, 'FAIL exists\n');
    return await receiveUpload(socket, reader, size, finalPath);
  } finally {
    uploading.delete(name);
  }
}

/** Receives exactly `size` bytes into a hidden temporary file, then renames it into place. */
async function receiveUpload(socket: net.Socket, reader: SocketReader, size: number, finalPath: string): Promise<Outcome> {
  // The temporary name starts with ".", so LIST and GET never see it.
  const tempPath = path.join(FTP_ROOT, `.upload-${randomUUID()}.part`);
  let file: FileHandle;
  try {
    await mkdir(FTP_ROOT, { recursive: true });
    file = await open(tempPath, 'wx');
  } catch (err) {
    console.error('cannot create upload file:', err);
    // The client may already be sending the data; we cannot tell it from requests.
    await writeAll(socket, 'FAIL cannot store file\n');
    return 'close';
  }

  let fileOpen = true;
  let stored = false;
  try {
    if (!(await writeAll(socket, 'OK\n'))) return 'close';
    // The data may already be waiting in the reader (sent right behind the PUT line).
    let received = 0;
    while (received < size) {
      const chunk = await reader.readSome(Math.min(size - received, 1024 * 1024));
      if (chunk === null) return 'close'; // cut off mid-way: the finally block cleans up
      await writeFully(file, chunk);
      received += chunk.length;
    }
    await file.close();
    fileOpen = false;
    await rename(tempPath, finalPath);
    stored = true;
  } catch (err) {
    console.error('upload failed:', err);
    await writeAll(socket, 'FAIL cannot store file\n');
    return 'close';
  } finally {
    if (fileOpen) await file.close().catch(() => {});
    if (!stored) await unlink(tempPath).catch(() => {});
  }
  console.log(`stored ${JSON.stringify(path.basename(finalPath))} (${size} bytes)`);
  return reply(socket, 'DONE\n');
}

async function writeFully(file: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await file.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}

async function reply(socket: net.Socket, text: string): Promise<Outcome> {
  return (await writeAll(socket, text)) ? 'next' : 'close';
}

// ---------------------------------------------------------------------------------------
// One connection

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes a request line; `valid` is false when it is not UTF-8 (its name is then unusable). */
function decodeLine(bytes: Buffer): { text: string; valid: boolean } {
  try {
    return { text: utf8.decode(bytes), valid: true };
  } catch {
    return { text: bytes.toString('utf8'), valid: false };
  }
}

async function handleRequest(socket: net.Socket, reader: SocketReader, bytes: Buffer): Promise<Outcome> {
  const { text: line, valid } = decodeLine(bytes);
  // The name is the rest of the line after "<VERB> " (it may contain spaces).
  if (line === 'LIST') return handleList(socket);
  if (line === 'EXIT') return 'close';
  if (line.startsWith('GET ')) return handleGet(socket, valid ? line.slice(4) : null);
  if (line.startsWith('PUT ')) {
    const match = /^PUT ([0-9]+) (.*)$/s.exec(line);
    if (!match) return reply(socket, 'ERR usage: PUT <size> <name>\n');
    return handlePut(socket, reader, match[1]!, valid ? match[2]! : null);
  }
  if (line === 'GET' || line === 'PUT') return reply(socket, `ERR usage: ${line === 'GET' ? 'GET <name>' : 'PUT <size> <name>'}\n`);
  if (line === '') return reply(socket, 'ERR empty request\n');
  return reply(socket, 'ERR unknown command\n');
}

async function serveClient(socket: net.Socket): Promise<void> {
  const reader = new SocketReader(socket);
  for (;;) {
    const next = await reader.readLine(MAX_LINE_BYTES);
    let bytes: Buffer;
    if (next.kind === 'line') {
      bytes = next.bytes;
    } else if (next.kind === 'too-long') {
      if (!(await writeAll(socket, 'ERR line too long\n'))) break;
      if (!(await reader.skipLine())) break;
      continue;
    } else {
      // End of stream. An unterminated last line before the FIN still counts as a request.
      if (next.rest.length === 0 || reader.lost) break;
      bytes = next.rest.at(-1) === 0x0d ? next.rest.subarray(0, -1) : next.rest;
    }
    const outcome = await handleRequest(socket, reader, bytes);
    if (outcome === 'close' || next.kind === 'eof') break;
  }
  // EXIT, the client's FIN (every request answered), or a dead connection.
  reader.discardAll();
  if (!socket.destroyed) socket.end();
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

// allowHalfOpen: after the client's FIN we still answer the requests it sent.
const server = net.createServer({ allowHalfOpen: true }, (socket) => {
  socket.on('error', () => {}); // resets are normal; 'close' follows and ends the loop
  serveClient(socket).catch((err: unknown) => {
    console.error('connection failed:', err);
    socket.destroy();
  });
});

server.on('error', (err) => {
  console.error('server error:', err);
  process.exit(1);
});

const port = readPort();
await mkdir(FTP_ROOT, { recursive: true }).catch((err: unknown) => {
  console.error(`cannot create ${FTP_ROOT}:`, err);
});
server.listen(port, '127.0.0.1', () => {
  console.log(`ftp server listening on 127.0.0.1:${port}, library ${FTP_ROOT}`);
});
