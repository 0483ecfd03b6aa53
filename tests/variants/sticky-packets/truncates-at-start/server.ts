// VARIANT truncates-at-start: opens student.txt once at start with fs.createWriteStream, whose default flag "w" empties a student.txt that already exists
// 粘包处理 — message framing with a length prefix.
//
// Wire format (client → server), repeated:
//   [4-byte big-endian unsigned length][length bytes of UTF-8 text]
// A frame of length 0 ends the batch; the server appends the batch's records to
// ./student.txt, one per line, replies "OK <n>\n" and closes.
//
// The classic Python version relied on sleep() between sends (or a "##" message) to
// keep messages apart. TCP does not keep message boundaries, so here every record
// carries its own length and the reader below never assumes anything about segments.

import net from 'node:net';
import { createWriteStream } from 'node:fs';
import { SocketReader } from './socket-reader.ts';

const OUTPUT_FILE = './student.txt';
const MAX_RECORD_BYTES = 1024 * 1024; // 1 MiB; a record of exactly this size is accepted
const NEWLINE = Buffer.from('\n');
const LINGER_MS = 10_000; // after our last reply, how long we wait for the peer to close

// ---------------------------------------------------------------------------------------
// Appending to student.txt
//
// A batch is written only once it is complete (after its zero-length frame), as ONE
// buffer. All appends go through this promise chain, so a batch is fully on disk before
// the next one starts: fs.appendFile may need several write() calls for a large buffer,
// and two of those running at once could interleave two batches' lines.
// One stream, opened once: its writes are queued and done one after another, in order.
const output = createWriteStream(OUTPUT_FILE);
output.on('error', (err) => console.error('cannot write student.txt:', err));

function appendBatch(records: Buffer[]): Promise<void> {
  const parts: Buffer[] = [];
  for (const record of records) parts.push(record, NEWLINE);
  const data = Buffer.concat(parts);
  return new Promise((resolve, reject) => output.write(data, (err) => (err ? reject(err) : resolve())));
}

// ---------------------------------------------------------------------------------------
// One connection = one batch.

async function serveBatch(socket: net.Socket): Promise<void> {
  const reader = new SocketReader(socket);
  const records: Buffer[] = [];

  for (;;) {
    const header = await reader.readExactly(4);
    if (header === null) return closeQuietly(socket); // gone before the terminator: write nothing
    const length = header.readUInt32BE(0);
    if (length === 0) break; // end of batch

    if (length > MAX_RECORD_BYTES) {
      // Decide from the header alone: never try to buffer the announced length.
      // Nothing of this batch has been written yet, so there is nothing to undo.
      reader.discardAll();
      return finish(socket, 'ERR too large\n');
    }

    // The body may arrive in any number of pieces (even splitting a multi-byte
    // character); we keep raw bytes and never decode them, so nothing can be damaged.
    const body = await reader.readExactly(length);
    if (body === null) return closeQuietly(socket);
    records.push(body);
  }

  reader.discardAll(); // bytes after the terminator are ignored

  if (records.length > 0) {
    try {
      await appendBatch(records);
    } catch (err) {
      console.error('cannot append to student.txt:', err);
      return finish(socket, 'FAIL cannot write student.txt\n');
    }
  }
  // Reply only once the lines are in the file, so a client that reads the file after
  // our OK sees its records.
  finish(socket, `OK ${records.length}\n`);
}

/** Sends our last reply and half-closes; destroys the socket if the peer never closes. */
function finish(socket: net.Socket, reply: string): void {
  if (socket.destroyed) return;
  socket.end(reply);
  socket.setTimeout(LINGER_MS, () => socket.destroy());
}

function closeQuietly(socket: net.Socket): void {
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

// allowHalfOpen: after the client's FIN we still have to write our reply.
const server = net.createServer({ allowHalfOpen: true }, (socket) => {
  socket.on('error', () => {}); // resets are normal; 'close' follows and ends the read loop
  serveBatch(socket).catch((err: unknown) => {
    console.error('connection failed:', err);
    socket.destroy();
  });
});

server.on('error', (err) => {
  console.error('server error:', err);
  process.exit(1);
});

const port = readPort();
server.listen(port, '127.0.0.1', () => {
  console.log(`sticky-packets server listening on 127.0.0.1:${port}`);
});
