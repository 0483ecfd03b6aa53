/**
 * A program (the grader itself, or a batch worker) started inside the network jail, and a
 * way to signal that program rather than the jail around it.
 *
 * bubblewrap does not pass signals on: a SIGTERM or SIGINT that reaches bwrap kills bwrap,
 * and its --die-with-parent then SIGKILLs the program inside before that program could
 * stop its servers and remove its files. So the jail is started in a process group of its
 * own (Ctrl-C at the terminal reaches only us, and we pass it on), and signals go to
 * bwrap's child, the program itself.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { networkJailCommand, type IsolationLevel } from './isolation.ts';
import { childrenOf } from './proc-net.ts';

export interface JailedChild {
  child: ChildProcess;
  /** Sends `signal` to the program inside the jail (to the jail itself if the program is not up yet). */
  signalInside(signal: NodeJS.Signals): void;
}

export function spawnInNetworkJail(level: IsolationLevel, program: string, args: string[], options: SpawnOptions): JailedChild {
  const command = networkJailCommand(level, program, args);
  const jailed = command.command !== program;
  const child = spawn(command.command, command.args, { ...options, ...(jailed ? { detached: true } : {}) });
  const signalInside = (signal: NodeJS.Signals) => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const targets = jailed ? childrenOf(child.pid) : [];
    for (const pid of targets.length > 0 ? targets : [child.pid]) {
      try {
        process.kill(pid, signal);
      } catch {
        // gone already
      }
    }
  };
  return { child, signalInside };
}
