// VARIANT readline-lines: frames lines with node:readline, which also ends a line at a lone \r, so "a\rb\n" gets two replies
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
import readline from 'node:readline';

const REPLY = '收到收到\n';

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

/** Serves one client. node:readline frames the byte stream into lines for us. */
function serve(socket: net.Socket): void {
  // Set once we have closed our side (after `Q` or the client's FIN): ignore anything more.
  let done = false;
  // readline decodes UTF-8 across chunks, keeps the unfinished line between chunks, accepts
  // \r\n as well as \n, and hands over a last line without \n when the input ends.
  const lines = readline.createInterface({ input: socket, crlfDelay: Infinity, terminal: false });

  const finish = (): void => {
    done = true;
    lines.close();
    socket.end(); // flushes the replies already written, then sends our FIN
  };

  lines.on('line', (text: string) => {
    if (done) return;
    console.log(text); // each received message on a line of its own
    if (text.trim().toUpperCase() === 'Q') {
      finish(); // Q: close without a reply
      return;
    }
    socket.write(REPLY);
  });

  // The client's FIN: readline has handed over every line by now (the last one too).
  lines.on('close', () => {
    if (!done) finish();
  });

  // A client that resets the connection (ECONNRESET, EPIPE, ...) must not crash the
  // server: without this listener, Node would throw the 'error' event and exit.
  socket.on('error', (err) => {
    done = true;
    console.error(`client error: ${err.message}`);
  });
  lines.on('error', () => {}); // readline passes the socket's errors on: already handled above
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
