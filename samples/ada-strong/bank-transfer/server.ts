// bank-transfer — 转账与死锁 (transfers without deadlock)
//
// A line-based TCP bank. The classic Python version moved money between two accounts with
// one lock per account, taken in the order of the request (first `from`, then `to`) and held
// across a sleep standing in for network delay: Tom→Abby and Abby→Tom at the same moment each
// held one lock and waited for the other forever. This server keeps one lock per account but
// always takes the locks in one global order (sorted by name), so no cycle of waiters can form.
//
// Node runs our code on one thread, but every `await` lets other connections' requests run in
// between, so the race of the classic program is real here too: a transfer holds the locks of
// both its accounts across the delay, and BALANCE / AUDIT take the locks of what they read.

import * as fs from 'node:fs';
import * as net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

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
    console.error('bank-transfer: no valid port; set env PORT or pass --port N');
    process.exit(1);
  }
  return port;
}

/** The "network delay" between debiting `from` and crediting `to` (env, default 100 ms). */
function readDelayMs(): number {
  const raw = process.env.TRANSFER_DELAY_MS;
  if (raw !== undefined && /^[0-9]+$/.test(raw.trim())) return Number(raw.trim());
  return 100;
}

const PORT = readPort();
const TRANSFER_DELAY_MS = readDelayMs();
/** A line longer than this (without its `\n`) gets `ERR line too long`; its bytes are dropped. */
const MAX_LINE_BYTES = 64 * 1024;
/** Stop reading from a client that has this many requests waiting for their turn. */
const MAX_QUEUED = 256;

// ---------------------------------------------------------------------------------------------
// An async mutex: FIFO, ownership handed directly to the next waiter on release.

class Mutex {
  #locked = false;
  #waiters: Array<() => void> = [];

  acquire(): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next) next(); // still locked: the waiter now owns it
    else this.#locked = false;
  }
}

// ---------------------------------------------------------------------------------------------
// Accounts

interface Account {
  readonly name: string;
  balance: bigint; // bigint: amounts of any size compare and add exactly
  readonly lock: Mutex;
}

function loadAccounts(): Map<string, Account> {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync('accounts.json', 'utf8'));
  } catch (err) {
    console.error(`bank-transfer: cannot read ./accounts.json: ${(err as Error).message}`);
    process.exit(1);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    console.error('bank-transfer: ./accounts.json must be an object {"name": balance, ...}');
    process.exit(1);
  }
  const accounts = new Map<string, Account>(); // a Map: names like "__proto__" are just names
  for (const [name, balance] of Object.entries(data)) {
    if (typeof balance !== 'number' || !Number.isSafeInteger(balance) || balance < 0) {
      console.error(`bank-transfer: balance of ${JSON.stringify(name)} is not a non-negative integer`);
      process.exit(1);
    }
    accounts.set(name, { name, balance: BigInt(balance), lock: new Mutex() });
  }
  return accounts;
}

const accounts = loadAccounts();

/** The global lock order: by name (UTF-16 code units; any fixed total order would do). */
function byName(a: Account, b: Account): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Runs `work` holding the locks of `list` (duplicates allowed), taken one by one in the global
 * order and released afterwards, also when `work` throws. Every request that holds more than
 * one lock takes them through here, so two requests can never wait for each other in a cycle.
 */
async function withLocks<T>(list: Account[], work: () => Promise<T> | T): Promise<T> {
  const ordered = [...new Set(list)].sort(byName);
  for (const account of ordered) await account.lock.acquire();
  try {
    return await work();
  } finally {
    for (const account of ordered.reverse()) account.lock.release();
  }
}

// ---------------------------------------------------------------------------------------------
// Requests

const AMOUNT = /^[0-9]+$/;

/** Answers one request line (without its line ending). Never throws. */
async function handle(line: string): Promise<string> {
  // Words are separated by exactly one space and taken as sent: a doubled, leading or trailing
  // space, a tab or a stray \r makes an empty or odd word (ERR, or an unknown name).
  const words = line.split(' ');
  const verb = words[0];
  if (verb === undefined || line === '') return 'ERR empty line';

  switch (verb) {
    case 'BALANCE': {
      if (words.length !== 2) return 'ERR wrong number of words (BALANCE <name>)';
      const account = accounts.get(words[1] ?? '');
      if (!account) return 'FAIL unknown account';
      // Take the account's lock: a transfer in flight finishes first, so nobody sees half of it.
      const balance = await withLocks([account], () => account.balance);
      return `OK ${balance}`;
    }

    case 'TRANSFER': {
      if (words.length !== 4) return 'ERR wrong number of words (TRANSFER <from> <to> <amount>)';
      const [, fromName = '', toName = '', amountText = ''] = words;
      // Checks in the order of the contract: bad amount, unknown account, insufficient funds.
      if (!AMOUNT.test(amountText) || fromName === toName) return 'FAIL bad amount';
      const amount = BigInt(amountText); // safe: only digits
      if (amount <= 0n) return 'FAIL bad amount';
      const from = accounts.get(fromName);
      const to = accounts.get(toName);
      if (!from || !to) return 'FAIL unknown account';

      return withLocks([from, to], async () => {
        // Checked under the lock, so no concurrent transfer can spend the same money.
        if (from.balance < amount) return 'FAIL insufficient funds';
        from.balance -= amount;
        await sleep(TRANSFER_DELAY_MS); // the classic's "network delay"; we keep both locks
        to.balance += amount;
        return 'OK';
      });
    }

    case 'AUDIT': {
      if (words.length !== 1) return 'ERR wrong number of words (AUDIT)';
      // All locks, in the global order: waits for transfers in flight, then sums a quiet bank.
      const total = await withLocks([...accounts.values()], () => {
        let sum = 0n;
        for (const account of accounts.values()) sum += account.balance;
        return sum;
      });
      return `OK ${total}`;
    }

    default:
      return 'ERR unknown verb';
  }
}

// ---------------------------------------------------------------------------------------------
// Connections: bytes → lines → requests answered one at a time, in order

type Item = { line: string } | { tooLong: true };

const decoder = new TextDecoder('utf-8'); // lenient: invalid bytes become U+FFFD, never throws

function serve(socket: net.Socket): void {
  const queue: Item[] = [];
  let pending: Buffer[] = []; // bytes of the line not finished yet
  let pendingBytes = 0;
  let discarding = false; // inside a line that was too long: drop bytes up to its `\n`
  let busy = false;
  let clientEnded = false;

  const lineOf = (bytes: Buffer): string => {
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === 0x0d) end--; // accept \r\n
    return decoder.decode(bytes.subarray(0, end));
  };

  // Split at `\n` bytes (never inside a UTF-8 character), keeping the unfinished rest.
  const onData = (chunk: Buffer): void => {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      const piece = chunk.subarray(start, nl === -1 ? chunk.length : nl);
      if (!discarding) {
        pending.push(piece);
        pendingBytes += piece.length;
        if (pendingBytes > MAX_LINE_BYTES + 1) {
          pending = [];
          pendingBytes = 0;
          discarding = true;
          queue.push({ tooLong: true });
        }
      }
      if (nl === -1) break;
      if (!discarding) queue.push({ line: lineOf(Buffer.concat(pending, pendingBytes)) });
      pending = [];
      pendingBytes = 0;
      discarding = false;
      start = nl + 1;
    }
    if (queue.length >= MAX_QUEUED) socket.pause(); // let TCP push back on a flooding client
    void pump();
  };

  const pump = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    while (queue.length > 0) {
      const item = queue.shift()!;
      let reply: string;
      try {
        reply = 'line' in item ? await handle(item.line) : 'ERR line too long';
      } catch (err) {
        console.error('bank-transfer: internal error:', err);
        reply = 'ERR internal error';
      }
      if (!socket.destroyed) socket.write(`${reply}\n`);
      if (queue.length < MAX_QUEUED / 2 && socket.isPaused() && !clientEnded) socket.resume();
    }
    busy = false;
    // After the client's FIN: everything received has been answered, so close our side.
    if (clientEnded && !socket.destroyed) socket.end();
  };

  socket.on('data', onData);
  socket.on('end', () => {
    clientEnded = true;
    // A last line without `\n` before the FIN is still a request.
    if (!discarding && pendingBytes > 0) queue.push({ line: lineOf(Buffer.concat(pending, pendingBytes)) });
    pending = [];
    pendingBytes = 0;
    void pump();
  });
  socket.on('error', (err) => {
    // A reset client must not take the server down; its transfers in flight still complete.
    console.error(`bank-transfer: connection error: ${err.message}`);
  });
}

// allowHalfOpen: after the client's FIN we may still owe it replies (a transfer takes a while).
const server = net.createServer({ allowHalfOpen: true }, serve);
server.on('error', (err) => {
  console.error(`bank-transfer: cannot listen on 127.0.0.1:${PORT}: ${err.message}`);
  process.exit(1);
});
server.listen(PORT, '127.0.0.1', () => {
  console.log(
    `bank-transfer listening on 127.0.0.1:${PORT} (${accounts.size} accounts, delay ${TRANSFER_DELAY_MS} ms)`,
  );
});
