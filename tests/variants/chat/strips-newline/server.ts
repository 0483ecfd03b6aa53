// VARIANT strips-newline: drops a trailing newline from every datagram (as typed into `nc -u`), so `LOGIN bob\n` logs in bob and content ending in a newline loses it
// chat — 群聊聊天室 (UDP group chat)
//
// One UDP socket; every datagram is one request:
//   LOGIN <name>            → "OK" or "FAIL" to the sender; on OK the others get "欢迎 <name> 进入聊天室"
//   CHAT <name> <content>   → every other user gets "<name> : <content>"
//   EXIT <name>             → the user leaves; the remaining users get "<name> 退出聊天室"
// and every line read on stdin is an announcement: every user gets "管理员消息 : <line>".
//
// A "user" is a name. One address (ip:port) may log in under several names; each name is a
// user of its own, so a broadcast that goes to "every other user" also reaches the sender's
// address when another of its names is logged in. CHAT and EXIT are accepted only from the
// address that logged in with that name. Anything malformed is ignored, without a reply.

import * as dgram from 'node:dgram';
import * as readline from 'node:readline';

// ---------------------------------------------------------------------------------------------
// Configuration

/** The port: env PORT first, then `--port N` (or `--port=N`). */
function readPort(): number {
  let raw = process.env.PORT;
  if (raw === undefined || raw === '') {
    const args = process.argv.slice(2);
    for (let i = 0; i < args.length; i++) {
      const arg = args[i] ?? '';
      if (arg === '--port') raw = args[i + 1];
      else if (arg.startsWith('--port=')) raw = arg.slice('--port='.length);
    }
  }
  const port = Number(raw);
  if (raw === undefined || !/^[0-9]+$/.test(raw) || port < 1 || port > 65535) {
    console.error('chat: no valid port; set env PORT or pass --port N');
    process.exit(1);
  }
  return port;
}

const PORT = readPort();

// ---------------------------------------------------------------------------------------------
// Users

interface Peer {
  readonly address: string;
  readonly port: number;
}

/** Logged-in users by name, in login order. */
const users = new Map<string, Peer>();

function samePeer(a: Peer, b: Peer): boolean {
  return a.address === b.address && a.port === b.port;
}

/** Why a name cannot log in, or undefined when it can. */
function loginRefusal(name: string): string | undefined {
  if (name === '') return 'empty name';
  if (/\s/u.test(name)) return 'name contains whitespace'; // also U+3000, NBSP, …
  if (name.includes('管理')) return 'name contains 管理 (reserved for the administrator)';
  if (users.has(name)) return 'name taken';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Sending

const socket = dgram.createSocket('udp4');

function send(text: string, to: Peer): void {
  socket.send(Buffer.from(text, 'utf8'), to.port, to.address, (err) => {
    if (err) console.error(`chat: cannot send to ${to.address}:${to.port}: ${err.message}`);
  });
}

/** Sends `text` to every logged-in user except the one called `except`. */
function broadcast(text: string, except?: string): void {
  for (const [name, peer] of users) {
    if (name !== except) send(text, peer);
  }
}

// ---------------------------------------------------------------------------------------------
// Requests

/** Strict UTF-8: a datagram that is not valid UTF-8 text is malformed and ignored. */
const decoder = new TextDecoder('utf-8', { fatal: true });

function handle(datagram: Buffer, from: Peer): void {
  let text: string;
  try {
    text = decoder.decode(datagram);
  } catch {
    return; // not UTF-8: ignored
  }
  text = text.replace(/\r?\n$/, ''); // clients like nc send a newline at the end

  // The verb is everything up to the first space; `rest` everything after it.
  const space = text.indexOf(' ');
  const verb = space === -1 ? text : text.slice(0, space);
  const rest = space === -1 ? undefined : text.slice(space + 1);

  switch (verb) {
    case 'LOGIN': {
      const name = rest ?? ''; // "LOGIN" alone: an empty name, refused
      const refusal = loginRefusal(name);
      if (refusal !== undefined) {
        console.log(`LOGIN refused (${refusal}) from ${from.address}:${from.port}`);
        send('FAIL', from);
        return;
      }
      send('OK', from);
      broadcast(`欢迎 ${name} 进入聊天室`); // to the users already here: the newcomer is not in yet
      users.set(name, from);
      console.log(`LOGIN ${name} from ${from.address}:${from.port} (${users.size} users)`);
      return;
    }

    case 'CHAT': {
      if (rest === undefined) return;
      // The name is the next word; the content is everything after the second space, as is
      // (it may contain more spaces, or start with one).
      const space2 = rest.indexOf(' ');
      if (space2 === -1) return;
      const name = rest.slice(0, space2);
      const content = rest.slice(space2 + 1);
      if (content === '') return; // empty content: ignored
      const user = users.get(name);
      if (!user || !samePeer(user, from)) return; // nobody may speak as someone else
      broadcast(`${name} : ${content}`, name);
      return;
    }

    case 'EXIT': {
      if (rest === undefined) return;
      const name = rest;
      const user = users.get(name);
      if (!user || !samePeer(user, from)) return; // nobody may leave as someone else
      users.delete(name);
      broadcast(`${name} 退出聊天室`); // to the remaining users; no reply to the leaver
      console.log(`EXIT ${name} (${users.size} users)`);
      return;
    }

    default:
      return; // unknown verb, empty datagram, lower-case verb, …: ignored
  }
}

socket.on('message', (datagram, rinfo) => {
  try {
    handle(datagram, { address: rinfo.address, port: rinfo.port });
  } catch (err) {
    // A bug in one request must not stop the chat room.
    console.error('chat: internal error:', err);
  }
});

let listening = false;
socket.on('error', (err) => {
  console.error(`chat: socket error: ${err.message}`);
  if (!listening) process.exit(1); // could not bind: nothing to serve
});
socket.bind(PORT, '127.0.0.1', () => {
  listening = true;
  console.log(`chat listening on 127.0.0.1:${PORT} (udp)`);
});

// ---------------------------------------------------------------------------------------------
// Announcements: every line on stdin goes to every user

const input = readline.createInterface({ input: process.stdin, terminal: false, crlfDelay: Infinity });
input.on('line', (line) => {
  broadcast(`管理员消息 : ${line}`);
});
input.on('close', () => {
  // The UDP socket keeps the process alive: the chat room goes on without announcements.
  console.log('chat: stdin closed; no more announcements, still serving');
});
process.stdin.on('error', (err) => {
  console.error(`chat: stdin error: ${err.message}`);
});
