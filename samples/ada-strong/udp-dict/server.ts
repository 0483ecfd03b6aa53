// udp-dict — 查单词 (word lookup over UDP)
//
// At start the server reads the dictionary (./dict.txt, or the file named by env DICT_FILE)
// into a Map once: one entry a line, `word<spaces or tabs>meaning`. Then every datagram is one
// query: the word, trimmed. The reply, to the address and port the query came from, is the
// meaning of the first entry whose word equals the query ignoring ASCII case, else exactly
// `Not Found`. Empty queries, queries over 256 bytes and bytes that are not UTF-8 get no reply.

import * as dgram from 'node:dgram';
import { readFileSync } from 'node:fs';

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
    console.error('udp-dict: no valid port; set env PORT or pass --port N');
    process.exit(1);
  }
  return port;
}

const PORT = readPort();
const DICT_FILE = process.env.DICT_FILE || './dict.txt';
const MAX_QUERY_BYTES = 256;
const NOT_FOUND = 'Not Found';

// ---------------------------------------------------------------------------------------------
// The dictionary

/** Lower-cases A-Z only: `Apple` finds `apple`, but `Ä` stays `Ä` (as MySQL compared ASCII case). */
function asciiLower(text: string): string {
  if (!/[A-Z]/.test(text)) return text; // most words are lower-case already
  return text.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

/**
 * Parses the dictionary: `word`, one or more spaces or tabs, the meaning (the rest, with the
 * spaces and tabs at its ends removed, inner spacing kept). Lines end in `\n` or `\r\n`.
 * Blank lines and words without a meaning are skipped; of two entries for one word (ignoring
 * ASCII case) the first counts.
 */
function parseDictionary(text: string): Map<string, string> {
  const meanings = new Map<string, string>();
  for (const rawLine of text.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    // The word, a run of spaces or tabs, then the meaning up to its last character that is
    // not a space or tab. No match: a blank line, or a word without a meaning.
    const match = /^([^ \t]+)[ \t]+(.*[^ \t])/s.exec(line);
    if (!match) continue;
    const word = match[1]!;
    const meaning = match[2]!;
    const key = asciiLower(word);
    if (!meanings.has(key)) meanings.set(key, meaning);
  }
  return meanings;
}

let dictionary: Map<string, string>;
try {
  dictionary = parseDictionary(readFileSync(DICT_FILE, 'utf8'));
} catch (error) {
  console.error(`udp-dict: cannot read the dictionary ${DICT_FILE}: ${(error as Error).message}`);
  process.exit(1);
}
console.log(`udp-dict: ${dictionary.size} words loaded from ${DICT_FILE}`);

// ---------------------------------------------------------------------------------------------
// Queries

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The query in a datagram, trimmed; undefined when the datagram must be ignored. */
function queryOf(datagram: Buffer): string | undefined {
  let text: string;
  try {
    text = strictUtf8.decode(datagram);
  } catch {
    return undefined; // not valid UTF-8
  }
  const query = text.trim();
  if (query === '' || Buffer.byteLength(query, 'utf8') > MAX_QUERY_BYTES) return undefined;
  return query;
}

const socket = dgram.createSocket('udp4');

socket.on('message', (datagram, from) => {
  try {
    const query = queryOf(datagram);
    if (query === undefined) return;
    const reply = dictionary.get(asciiLower(query)) ?? NOT_FOUND;
    // Always answer the address and port this query came from.
    socket.send(Buffer.from(reply, 'utf8'), from.port, from.address, (error) => {
      if (error) console.error(`udp-dict: cannot answer ${from.address}:${from.port}: ${error.message}`);
    });
  } catch (error) {
    console.error(`udp-dict: query from ${from.address}:${from.port} failed: ${(error as Error).message}`);
  }
});

socket.on('error', (error) => {
  console.error(`udp-dict: socket error: ${error.message}`);
});

socket.bind(PORT, '127.0.0.1', () => {
  console.log(`udp-dict: listening on 127.0.0.1:${PORT}`);
});
