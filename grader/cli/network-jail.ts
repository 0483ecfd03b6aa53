/**
 * Grading in a network namespace of its own. With bubblewrap available, `netgrade grade`
 * re-executes itself inside `bwrap --unshare-net` (see sandbox/isolation.ts): the server and
 * the grader's probes then share a private loopback, and nothing a submission does can
 * reach the host's network or its loopback services. Batch workers are started the same
 * way (batch.ts).
 */
import { cliMessages } from '../i18n/cli-messages.ts';
import { fileURLToPath } from 'node:url';
import { inPrivateNetwork, isolationModeFromEnv, resolveIsolation, type IsolationMode } from '../sandbox/isolation.ts';
import { spawnInNetworkJail } from '../sandbox/jailed-child.ts';

const JAIL_VARIABLE = 'NETGRADE_NETJAIL';
const CLI = fileURLToPath(new URL('./netgrade.ts', import.meta.url));

/**
 * Sets the isolation mode for this process and its workers, and warns once when the
 * sandbox is not available here.
 */
export function chooseIsolation(mode: IsolationMode | undefined): void {
  if (mode) process.env.NETGRADE_ISOLATION = mode;
  const level = resolveIsolation(isolationModeFromEnv());
  if (level.fallbackReason && !process.env[JAIL_VARIABLE]) {
    process.stderr.write(cliMessages.t('warn.noSandbox', { reason: level.fallbackReason }) + '\n');
  }
}

/**
 * Re-runs this very command inside a network namespace when the sandbox is available and
 * this process is not in one yet. Resolves with the exit code of that run, or undefined
 * when the caller should grade here (no sandbox, or already inside).
 */
export async function rerunInNetworkJail(args: string[]): Promise<number | undefined> {
  const level = resolveIsolation(isolationModeFromEnv());
  if (level.kind !== 'bwrap' || process.env[JAIL_VARIABLE] || inPrivateNetwork()) return undefined;
  // Output is passed through our own streams (not inherited), so that whoever called main()
  // sees it; colour is kept when our stdout is a terminal.
  const colour = process.stdout.isTTY && process.env.NO_COLOR === undefined && process.env.FORCE_COLOR === undefined ? { FORCE_COLOR: '1' } : {};
  const { child, signalInside } = spawnInNetworkJail(level, process.execPath, [CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...colour, [JAIL_VARIABLE]: '1', NETGRADE_ISOLATION: 'bwrap' },
  });
  child.stdout!.on('data', (chunk: Buffer) => process.stdout.write(chunk));
  child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  // The jail runs in a process group of its own: Ctrl-C and a SIGTERM reach only us, and are
  // passed to the grader inside, whose own handlers kill the servers and remove its files.
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal) => [signal, () => signalInside(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      for (const [sig, handler] of handlers) process.off(sig, handler);
      resolve(code ?? (signal === 'SIGINT' ? 130 : 3));
    });
  });
}
