/**
 * Takes a screenshot of an HTML report as a person sees it (headless Debian Chromium via
 * playwright-core): `node scripts/screenshot.ts report.html out.png [width] [--full]`.
 * A development aid for looking at what the reporters render.
 */
import { chromium } from 'playwright-core';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [input, output, width = '1200'] = process.argv.slice(2);
if (!input || !output) {
  process.stderr.write('usage: node scripts/screenshot.ts <report.html> <out.png> [width] [--full]\n');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: Number(width), height: 900 } });
  await page.goto(pathToFileURL(resolve(input)).href);
  const option = (name: string) => {
    const at = process.argv.indexOf(name);
    return at > 0 ? process.argv[at + 1] : undefined;
  };
  const open = option('--open');
  if (open) await page.locator(open).evaluateAll((elements) => elements.forEach((e) => e.setAttribute('open', '')));
  const element = option('--element');
  if (element) await page.locator(element).first().screenshot({ path: output });
  else await page.screenshot({ path: output, fullPage: process.argv.includes('--full') });
} finally {
  await browser.close();
}
