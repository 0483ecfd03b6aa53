// qa-bot: the question-answer bot (问答机器人) of the course's TCP chapter.
//
// A client sends questions, one per line; each gets the answer of the first keyword of the
// table that occurs in it, or 人家还小不知道啦. The course's server reads one recv(1024) per
// client, takes it for the question and closes. Here a connection carries many questions,
// so we frame the byte stream into lines ourselves: TCP keeps no message boundaries (粘包).
//
// Rules for each line, trimmed, in this order: over 4,096 bytes → "ERR too long" and close;
// "##" → close without a reply; empty → "ERR empty"; else the answer.
import net from 'node:net';
import { answerFor, loadTable } from './qa-table.ts';

const MAX_LINE_BYTES = 4096;
const NEWLINE = 0x0a;

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

const table = loadTable();

/** Serves one client. Nothing here waits for the client: every connection is served at once. */
function serve(socket: net.Socket): void {
  // The bytes of the line that has started but not ended, kept as bytes: a multi-byte
  // character may be split between two chunks, so a line is decoded only once complete.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  // Set once we closed our side (## or a line too long): anything more is ignored.
  let done = false;

  // A client that resets the connection (ECONNRESET, EPIPE) must not crash the server:
  // without a listener Node throws the 'error' event. Added first, before any data.
  socket.on('error', (err) => {
    done = true;
    console.error(`client error: ${err.message}`);
  });

  const close = (): void => {
    done = true;
    pending = [];
    pendingBytes = 0;
    socket.end(); // flushes the replies already written, then sends our FIN
  };

  const send = (line: string): void => {
    // Replies go out in order. If the client does not read them, stop reading its
    // questions until the kernel buffer has room again.
    if (!socket.write(`${line}\n`)) {
      socket.pause();
      socket.once('drain', () => socket.resume());
    }
  };

  const tooLong = (): void => {
    send('ERR too long');
    close();
  };

  const handleLine = (bytes: Buffer): void => {
    // Invalid UTF-8 decodes to U+FFFD. trim() also drops the \r of a \r\n line end.
    const question = bytes.toString('utf8').trim();
    if (question === '##') return close();
    if (question === '') return send('ERR empty');
    send(answerFor(table, question));
  };

  socket.on('data', (chunk: Buffer) => {
    if (done) return;
    let start = 0;
    // One chunk may hold several lines, a piece of one, or both.
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      // The limit counts bytes, not characters: 1,400 × 中 is 4,200 bytes.
      if (pendingBytes + piece.length > MAX_LINE_BYTES) return tooLong();
      const line = Buffer.concat([...pending, piece]);
      pending = [];
      pendingBytes = 0;
      handleLine(line);
      if (done) return; // after ##, the lines behind it are not answered
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      // No need to wait for the \n: more than 4,096 bytes without one is too long already.
      if (pendingBytes > MAX_LINE_BYTES) tooLong();
    }
  });

  // The client's FIN. A last line without \n is still a question; then we close our side.
  socket.on('end', () => {
    if (done) return;
    if (pendingBytes > 0) handleLine(Buffer.concat(pending));
    if (!done) close();
  });
}

// allowHalfOpen: after the client's FIN we still write the answers we owe, then end ourselves.
const server = net.createServer({ allowHalfOpen: true }, serve);
server.on('error', (err) => {
  console.error(`server error: ${err.message}`);
  process.exit(1);
});
const port = readPort();
server.listen(port, '127.0.0.1', () => {
  console.error(`qa-bot listening on 127.0.0.1:${port}`);
});
