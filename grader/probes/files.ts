/**
 * Observing the files a server writes in its working directory. A server may reply before
 * its write lands on disk, so a check waits (with a deadline) for the content it expects
 * rather than reading once.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { RunningServer } from '../sandbox/sandbox.ts';

export interface FileWait {
  /** The file's content when `accept` held, else the last content seen (undefined: no file). */
  content: Buffer | undefined;
  accepted: boolean;
}

const POLL_MS = 5;

/** Re-reads `name` until `accept(content)` holds or `timeoutMs` passes. */
export async function waitForFile(
  server: RunningServer,
  name: string,
  accept: (content: Buffer | undefined) => boolean,
  timeoutMs: number,
): Promise<FileWait> {
  const started = performance.now();
  while (true) {
    const content = await server.readFile(name);
    if (accept(content)) return { content, accepted: true };
    if (performance.now() - started >= timeoutMs) return { content, accepted: false };
    // Polling the file system for the expected content: the interval only bounds latency.
    await delay(POLL_MS);
  }
}
