/**
 * Holding a server still while several clients send, so that their queries wait together in
 * the server's receive queue and are read in one go: the way queries from many clients
 * overlap on a busy server, made certain instead of likely.
 *
 * The server's process group gets SIGSTOP; the grader then waits until every thread of every
 * process in the group is stopped (state `T` in /proc/<pid>/task/<tid>/stat: an observed
 * event, not a sleep), lets the clients send (on loopback a datagram is in the receiver's
 * queue when `send` completes), and sends SIGCONT. Where /proc is unavailable, or the group
 * is not seen stopped in time, the sends go ahead anyway (noted in the transcript): a correct
 * server is unaffected either way.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import type { CheckContext } from '../../grader/exercise/define.ts';
import type { RunningServer } from '../../grader/sandbox/sandbox.ts';
import { text } from './messages.ts';

const { t } = text;

/** Polling interval while the kernel stops the group: bounds the latency of noticing, nothing more. */
const POLL_MS = 1;
/** How long the group may take to be seen stopped. */
const STOP_DEADLINE_MS = 1000;

/** The state letters of every thread of every process in group `pgid` (undefined without /proc). */
function threadStates(pgid: number): string[] | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const states: string[] = [];
  for (const pid of pids) {
    const fields = stat(`/proc/${pid}/stat`);
    if (!fields || Number(fields[2]) !== pgid) continue;
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      const task = stat(`/proc/${pid}/task/${tid}/stat`);
      if (task) states.push(task[0]!);
    }
  }
  return states;
}

/** Fields after the command name: [0] state, [1] ppid, [2] pgrp. */
function stat(path: string): string[] | undefined {
  try {
    const text = readFileSync(path, 'latin1');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

const stopped = (state: string) => state === 'T' || state === 't' || state === 'Z' || state === 'X';

/**
 * Runs `work` (the sends) while the server is stopped, then resumes it. Returns whether the
 * server was seen stopped.
 */
export async function whileServerStopped(ctx: CheckContext, server: RunningServer, work: () => Promise<void>): Promise<boolean> {
  const proc = server.process;
  proc.signalGroup('SIGSTOP');
  let held = false;
  try {
    const deadline = performance.now() + ctx.ms(STOP_DEADLINE_MS);
    while (true) {
      const states = threadStates(proc.pid);
      if (states === undefined) break;
      if (states.length > 0 && states.every(stopped)) {
        held = true;
        break;
      }
      if (performance.now() >= deadline) break;
      // Polling the kernel's process table while it stops the group, not waiting for the server.
      await delay(POLL_MS);
    }
    ctx.note(held ? t('hold.stopped') : t('hold.notSeen'));
    await work();
  } finally {
    proc.signalGroup('SIGCONT');
    ctx.note(t('hold.resumed'));
  }
  return held;
}
