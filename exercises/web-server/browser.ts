/**
 * A real browser as a client: headless Debian Chromium driven by playwright-core loads the
 * student's page and reports every request it made (the network log) and a screenshot.
 * Evidence for the student; the points come from the raw-socket checks of the clauses.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LoggedRequest {
  url: string;
  resourceType: string;
  status: number | undefined;
  contentType: string | undefined;
  failure: string | undefined;
}

export type BrowserLoad =
  | { kind: 'loaded'; png: Buffer; requests: LoggedRequest[]; statusText: string }
  | { kind: 'unavailable'; reason: string };

export const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Loads `url`, waits for the page's module script to have run, shoots the page. `launchMs`
 * bounds Chromium's start (slow on a loaded machine, nothing to do with the server), `loadMs`
 * the page's load and script (a correct server loads the page in well under a second; a
 * server that stalls a subresource would otherwise keep the check for the browser's own
 * minutes-long timeouts).
 */
export async function loadInBrowser(url: string, deadlines: { launchMs: number; loadMs: number }, signal?: AbortSignal): Promise<BrowserLoad> {
  const { launchMs, loadMs } = deadlines;
  if (!existsSync(CHROMIUM)) return { kind: 'unavailable', reason: `${CHROMIUM} not found` };
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (error) {
    return { kind: 'unavailable', reason: `playwright-core cannot be loaded (${error instanceof Error ? error.message : String(error)})` };
  }
  const profile = await mkdtemp(join(tmpdir(), 'netgrade-chromium-'));
  try {
    let context: Awaited<ReturnType<typeof chromium.launchPersistentContext>>;
    try {
      context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: FLAGS, viewport: { width: 800, height: 500 }, timeout: launchMs });
    } catch (error) {
      return { kind: 'unavailable', reason: `Chromium did not start (${error instanceof Error ? error.message.split('\n')[0] : String(error)})` };
    }
    // The check's deadline closes the browser (playwright's pending calls then reject).
    const close = () => void context.close().catch(() => undefined);
    signal?.addEventListener('abort', close, { once: true });
    try {
      if (signal?.aborted) throw new Error('the check ended before the browser started');
      const page = context.pages()[0] ?? (await context.newPage());
      const requests: LoggedRequest[] = [];
      const log = async (request: import('playwright-core').Request, failure: string | undefined) => {
        const response = failure === undefined ? await request.response().catch(() => null) : null;
        requests.push({
          url: request.url(),
          resourceType: request.resourceType(),
          status: response?.status(),
          contentType: response?.headers()['content-type'],
          failure,
        });
      };
      const pending: Array<Promise<void>> = [];
      page.on('requestfinished', (request) => pending.push(log(request, undefined)));
      page.on('requestfailed', (request) => pending.push(log(request, request.failure()?.errorText ?? 'failed')));
      const loadStarted = performance.now();
      await page.goto(url, { waitUntil: 'load', timeout: loadMs }).catch(() => undefined);
      // The module script (app.js importing lib.mjs) writes into #status once it ran.
      await page.waitForFunction("document.getElementById('status')?.textContent !== 'loading'", undefined, { timeout: Math.max(1, Math.min(5000, loadMs - (performance.now() - loadStarted))) }).catch(() => undefined);
      const statusText = (await page.textContent('#status').catch(() => null)) ?? '';
      const png = await page.screenshot({ timeout: launchMs });
      await Promise.all(pending);
      return { kind: 'loaded', png, requests, statusText };
    } finally {
      signal?.removeEventListener('abort', close);
      await context.close().catch(() => undefined);
    }
  } finally {
    // Chromium's helper processes can still be writing into the profile just after close()
    // (seen on a loaded machine: ENOTEMPTY on Default/Extension Rules): retry, and never let
    // the grader's own clean-up of a temporary folder turn into the check's verdict.
    await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }).catch(() => undefined);
  }
}
