// VARIANT error-listener-on-data: adds the socket's 'error' listener only when the first data arrives, so a client that connects and resets before sending anything crashes the server
// stage-exam, part 2: the concurrent echo server of the stage summary's case 1/2 (收到收到).
//
// Every line a client sends is printed on stdout and answered with `收到收到\n`; the line `Q`
// (any case, surrounding whitespace ignored) closes that connection without a reply.
//
// The Python originals start one thread or process per connection and treat every
// `recv(1024)` as one message. Node serves every connection from one event loop instead
// (nothing here ever blocks, so an idle client cannot hold up the others), and we frame the
// byte stream into lines ourselves, because TCP keeps no message boundaries (粘包).
import net from 'node:net';

const REPLY = '收到收到\n';
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

/** Serves one client. Everything is event-driven: no call here waits for the client. */
function serve(socket: net.Socket): void {
  // Bytes of the line that has started but not yet ended. Kept as raw bytes, not strings:
  // a multi-byte UTF-8 character may be split between two chunks, so a line is decoded
  // only once it is complete.
  let partial: Buffer[] = [];
  // Set once we have closed our side (after `Q` or the client's FIN): ignore anything more.
  let done = false;

  const finish = (): void => {
    done = true;
    partial = [];
    socket.end(); // flushes the replies already written, then sends our FIN
  };

  const handleLine = (bytes: Buffer): void => {
    let text = bytes.toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1); // accept \r\n as well as \n
    console.log(text); // each received message on a line of its own
    if (text.trim().toUpperCase() === 'Q') {
      finish(); // Q: close without a reply
      return;
    }
    // Replies go out in the order the lines arrived. If the client does not read its
    // replies, stop reading its requests until the kernel buffer has room again.
    if (!socket.write(REPLY)) {
      socket.pause();
      socket.once('drain', () => socket.resume());
    }
  };

  let listening = false;
  socket.on('data', (chunk: Buffer) => {
    // Once a client has spoken, a reset (ECONNRESET, EPIPE, ...) must not crash the
    // server: without this listener, Node would throw the 'error' event and exit.
    if (!listening) {
      listening = true;
      socket.on('error', (err) => {
        done = true;
        console.error(`client error: ${err.message}`);
      });
    }
    if (done) return;
    let start = 0;
    // One chunk may hold several lines, a piece of one, or both.
    for (let nl = chunk.indexOf(NEWLINE, start); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      partial.push(chunk.subarray(start, nl));
      const line = Buffer.concat(partial);
      partial = [];
      handleLine(line);
      if (done) return; // Q: whatever follows it is not answered
      start = nl + 1;
    }
    if (start < chunk.length) partial.push(chunk.subarray(start));
  });

  // The client's FIN. Its last line may lack the final \n: it is still a line. Every line
  // has been answered by now (replies are written synchronously), so we close our side.
  socket.on('end', () => {
    if (done) return;
    if (partial.length > 0) handleLine(Buffer.concat(partial));
    if (!done) finish();
  });
}

// allowHalfOpen: after the client's FIN we still write the replies we owe, then end ourselves.
const server = net.createServer({ allowHalfOpen: true }, serve);
server.on('error', (err) => {
  console.error(`server error: ${err.message}`);
  process.exit(1);
});
const port = readPort();
server.listen(port, '127.0.0.1', () => {
  console.error(`echo server listening on 127.0.0.1:${port}`);
});
