import { existsSync, mkdirSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (`.ci/run` installs it); the browser tests skip and say so without it. */
export const CHROMIUM = process.env.LODESTAR_CHROMIUM ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

/** Headless Chromium as this machine allows it: no sandbox as root, no calls home (the network is closed). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** Where the screenshots of a test run go: docs/screenshots when LODESTAR_SCREENSHOTS=docs, else a temporary folder. */
export function screenshotDir(): string {
  if (process.env.LODESTAR_SCREENSHOTS === 'docs') {
    const dir = join(import.meta.dirname, '..', '..', 'docs', 'screenshots');
    mkdirSync(dir, { recursive: true });
    return dir;
  }
  return mkdtempSync(join(tmpdir(), 'lodestar-screens-'));
}

/** A new browser context (no cookie) at a width (a phone's height under 500 px), and the errors its page logs. */
export async function openPage(browser: Browser, width: number): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width, height: width < 500 ? 844 : 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return { context, page, problems };
}
