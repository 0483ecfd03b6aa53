/**
 * Reads the kernel's socket tables (Linux `/proc/net/{tcp,tcp6,udp,udp6}`) and which
 * sockets a process group holds. This is how the grader observes a server without
 * touching it: when it listens, on which port and address, and when it has read the bytes
 * a probe sent (the receive queue of its socket is empty).
 *
 * Hand-written: no maintained package reads these tables, and the format is small and stable.
 * Elsewhere (macOS) `isProcNetAvailable()` is false and callers fall back to connecting.
 */
import { closeSync, existsSync, openSync, readFileSync, readdirSync, readlinkSync, readSync } from 'node:fs';

export type SocketProtocol = 'tcp' | 'tcp6' | 'udp' | 'udp6';

export interface SocketEntry {
  protocol: SocketProtocol;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** Kernel state code: 0x0A is LISTEN for TCP; 0x07 is an unconnected UDP socket. */
  state: number;
  txQueue: number;
  rxQueue: number;
  inode: number;
}

export const TCP_LISTEN = 0x0a;
export const TCP_ESTABLISHED = 0x01;

let available: boolean | undefined;
export function isProcNetAvailable(): boolean {
  available ??= process.platform === 'linux' && existsSync('/proc/net/tcp');
  return available;
}

function decodeAddress(hex: string): string {
  if (hex.length === 8) {
    // IPv4, little-endian bytes.
    const bytes = [0, 1, 2, 3].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).reverse();
    return bytes.join('.');
  }
  // IPv6: four little-endian 32-bit words.
  const words: string[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    const bytes = [0, 1, 2, 3].map((i) => word.slice(i * 2, i * 2 + 2)).reverse().join('');
    words.push(bytes.slice(0, 4), bytes.slice(4, 8));
  }
  const full = words.map((g) => g.replace(/^0+(?=.)/, '').toLowerCase()).join(':');
  if (full === '0:0:0:0:0:0:0:0') return '::';
  if (full === '0:0:0:0:0:0:0:1') return '::1';
  const mapped = /^0:0:0:0:0:ffff:([0-9a-f]+):([0-9a-f]+)$/.exec(full);
  if (mapped) {
    const hi = parseInt(mapped[1]!, 16);
    const lo = parseInt(mapped[2]!, 16);
    return `::ffff:${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return full;
}

const CHUNK_BYTES = 16 * 1024;
const chunk = Buffer.allocUnsafe(CHUNK_BYTES);

function hexPort(port: number): string {
  return port.toString(16).toUpperCase().padStart(4, '0');
}

/**
 * The receive queue of the server's end of one connection (local port `serverPort`,
 * remote port `peerPort`) in one table; `found` false: not in this table. A hot path (every
 * paced segment): reads the table in chunks, stops at the entry, and parses only the lines
 * that name the server's port.
 */
export function receiveQueueOf(table: 'tcp' | 'tcp6', serverPort: number, peerPort: number): { found: boolean; serverUnread: number } {
  const serverTag = `:${hexPort(serverPort)} `;
  const probeTag = `:${hexPort(peerPort)}`;
  let fd: number;
  try {
    fd = openSync(`/proc/net/${table}`, 'r');
  } catch {
    return { found: false, serverUnread: 0 };
  }
  try {
    let rest = '';
    for (;;) {
      const n = readSync(fd, chunk, 0, CHUNK_BYTES, null);
      if (n === 0) return { found: false, serverUnread: 0 };
      const text = rest + chunk.toString('latin1', 0, n);
      const lastNewline = text.lastIndexOf('\n');
      rest = text.slice(lastNewline + 1);
      // Only lines holding the server's port as "<address>:<port> " can be the entry.
      let at = text.indexOf(serverTag);
      while (at >= 0 && at < lastNewline) {
        const start = text.lastIndexOf('\n', at) + 1;
        const end = text.indexOf('\n', at);
        const fields = text.slice(start, end).trim().split(/\s+/);
        // sl, local_address, rem_address, st, tx_queue:rx_queue, ...
        if (fields.length >= 5 && fields[1]!.endsWith(serverTag.trimEnd()) && fields[2]!.endsWith(probeTag)) {
          const rx = parseInt(fields[4]!.split(':')[1] ?? '0', 16);
          return { found: true, serverUnread: Number.isNaN(rx) ? 0 : rx };
        }
        at = text.indexOf(serverTag, end);
      }
    }
  } finally {
    closeSync(fd);
  }
}

export function readSocketTable(protocol: SocketProtocol): SocketEntry[] {
  let text: string;
  try {
    text = readFileSync(`/proc/net/${protocol}`, 'latin1');
  } catch {
    return [];
  }
  const entries: SocketEntry[] = [];
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const fields = lines[i]!.trim().split(/\s+/);
    if (fields.length < 10) continue;
    const [localHex, localPortHex] = fields[1]!.split(':') as [string, string];
    const [remoteHex, remotePortHex] = fields[2]!.split(':') as [string, string];
    const [txHex, rxHex] = fields[4]!.split(':') as [string, string];
    entries.push({
      protocol,
      localAddress: decodeAddress(localHex),
      localPort: parseInt(localPortHex, 16),
      remoteAddress: decodeAddress(remoteHex),
      remotePort: parseInt(remotePortHex, 16),
      state: parseInt(fields[3]!, 16),
      txQueue: parseInt(txHex, 16),
      rxQueue: parseInt(rxHex, 16),
      inode: Number(fields[9]),
    });
  }
  return entries;
}

/**
 * Who belongs to one submission process: its process group, every process that carries
 * its run cookie in the environment it was started with (descendants inherit it, even
 * when they start a new session or group: a daemonised grandchild), and every
 * descendant by parent id (in case a child was started with a cleared environment).
 */
export interface RunIdentity {
  /** The process group the grader created (the leader's pid). */
  pgid: number;
  /** Value of `NETGRADE_RUN` in the environment of every process of the run. */
  cookie: string;
}

export const RUN_COOKIE_VARIABLE = 'NETGRADE_RUN';

interface ProcEntry {
  pid: number;
  ppid: number;
  pgrp: number;
  /** Resident set size in pages. */
  rssPages: number;
  /** False for zombies (ended, not yet reaped by their parent). */
  alive: boolean;
}

/**
 * The fields of /proc/<pid>/stat after the command name (which is in parentheses and may
 * contain spaces): [0] state, [1] ppid, [2] pgrp, ... [21] rss in pages. Undefined when
 * the process is gone.
 */
function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** False for a zombie (Z) or a dead (X) process. */
const isRunningState = (state: string | undefined) => state !== 'Z' && state !== 'X';

function readProcEntries(): ProcEntry[] {
  const entries: ProcEntry[] = [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return entries;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const rest = statFields(name);
    if (!rest) continue; // the process ended while we looked
    entries.push({ pid: Number(name), ppid: Number(rest[1]), pgrp: Number(rest[2]), rssPages: Number(rest[21]), alive: isRunningState(rest[0]) });
  }
  return entries;
}

/** Adds every descendant of `members` (by parent id, to a fixed point). */
function addDescendants(entries: ProcEntry[], members: Set<number>): void {
  for (let grew = true; grew; ) {
    grew = false;
    for (const e of entries) {
      if (!members.has(e.pid) && members.has(e.ppid)) {
        members.add(e.pid);
        grew = true;
      }
    }
  }
}

function carriesCookie(pid: number, marker: string): boolean {
  try {
    return `\0${readFileSync(`/proc/${pid}/environ`, 'latin1')}`.includes(marker);
  } catch {
    return false;
  }
}

/**
 * Bytes per page, which /proc/<pid>/stat counts RSS in: 4 KiB on x86-64, 16 or 64 KiB on
 * some arm64 kernels. Node does not expose it; our own VmRSS (in kB, from status) divided
 * by our own RSS in pages (from stat) gives it, rounded to a power of two. Read once.
 */
let pageBytes: number | undefined;
function pageSize(): number {
  if (pageBytes !== undefined) return pageBytes;
  pageBytes = 4096;
  try {
    const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'latin1'))?.[1]);
    const pages = Number(statFields('self')?.[21]);
    if (kb > 0 && pages > 0) pageBytes = 2 ** Math.round(Math.log2((kb * 1024) / pages));
  } catch {
    // keep the x86-64 default
  }
  return pageBytes;
}

/**
 * Resident memory of a process group and all descendants of its members, in bytes. One
 * pass over /proc/<pid>/stat, no environment reads: cheap enough to watch a run every
 * 100 ms. (A process that left the group and lost its parent is not counted: it is killed
 * at the end of the run by the cookie, see pidsOfRun.)
 */
export function residentBytesOfGroup(pgid: number): number {
  const entries = readProcEntries();
  const members = new Set<number>();
  for (const e of entries) if (e.pgrp === pgid || e.pid === pgid) members.add(e.pid);
  addDescendants(entries, members);
  let pages = 0;
  for (const e of entries) if (members.has(e.pid)) pages += e.rssPages || 0;
  return pages * pageSize();
}

/** Process ids whose parent is `pid`. */
export function childrenOf(pid: number): number[] {
  return readProcEntries()
    .filter((e) => e.ppid === pid)
    .map((e) => e.pid);
}

/** Process ids of a run (see RunIdentity), zombies included. */
export function pidsOfRun(run: RunIdentity): number[] {
  return membersOfRun(readProcEntries(), run).map((e) => e.pid);
}

/** Process ids of a run that are still running (zombies left out). */
export function livePidsOfRun(run: RunIdentity): number[] {
  return membersOfRun(readProcEntries(), run)
    .filter((e) => e.alive)
    .map((e) => e.pid);
}

function membersOfRun(entries: ProcEntry[], run: RunIdentity): ProcEntry[] {
  const marker = `\0${RUN_COOKIE_VARIABLE}=${run.cookie}\0`;
  const members = new Set<number>();
  for (const e of entries) {
    if (e.pid === process.pid) continue;
    if (e.pgrp === run.pgid || e.pid === run.pgid || carriesCookie(e.pid, marker)) {
      members.add(e.pid);
    }
  }
  // A child started with a cleared environment is still a descendant.
  addDescendants(entries, members);
  return entries.filter((e) => members.has(e.pid));
}

/** Socket inodes held open by the given processes. */
export function socketInodesOf(pids: number[]): Set<number> {
  const inodes = new Set<number>();
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        const match = /^socket:\[(\d+)\]$/.exec(target);
        if (match) inodes.add(Number(match[1]));
      } catch {
        // closed while we looked
      }
    }
  }
  return inodes;
}

export interface BoundSocket {
  protocol: 'tcp' | 'udp';
  address: string;
  port: number;
}

/** TCP listening sockets and bound UDP sockets held by the processes of a run. */
export function boundSocketsOfRun(run: RunIdentity): BoundSocket[] {
  const inodes = socketInodesOf(pidsOfRun(run));
  if (inodes.size === 0) return [];
  const found: BoundSocket[] = [];
  for (const protocol of ['tcp', 'tcp6', 'udp', 'udp6'] as const) {
    for (const entry of readSocketTable(protocol)) {
      if (!inodes.has(entry.inode)) continue;
      const isTcp = protocol.startsWith('tcp');
      if (isTcp && entry.state !== TCP_LISTEN) continue;
      if (!isTcp && entry.localPort === 0) continue;
      found.push({ protocol: isTcp ? 'tcp' : 'udp', address: entry.localAddress, port: entry.localPort });
    }
  }
  return found;
}

/** Whether some socket listens (TCP) or is bound (UDP) on `port`, and at which address. */
export function findBound(protocol: 'tcp' | 'udp', port: number): BoundSocket | undefined {
  for (const table of protocol === 'tcp' ? (['tcp', 'tcp6'] as const) : (['udp', 'udp6'] as const)) {
    for (const entry of readSocketTable(table)) {
      if (entry.localPort !== port) continue;
      if (protocol === 'tcp' && entry.state !== TCP_LISTEN) continue;
      return { protocol, address: entry.localAddress, port };
    }
  }
  return undefined;
}

/** Addresses from which a server bound there is reachable at 127.0.0.1. */
export function reachableFromLoopback(address: string): boolean {
  return ['127.0.0.1', '0.0.0.0', '::', '::ffff:127.0.0.1'].includes(address);
}

/** Whether a process exists and is not a zombie (a killed process whose parent has not reaped it). */
export function isProcessAlive(pid: number): boolean {
  if (isProcNetAvailable()) {
    const fields = statFields(pid);
    return fields !== undefined && isRunningState(fields[0]);
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
