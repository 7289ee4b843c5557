import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import OpenAI from 'openai';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { HAVE_CHROMIUM, launchChromium, openPage, screenshotDir } from '../helpers/browser.js';
import { KEYS, startGateway, type Gateway } from '../helpers/gateway.js';
import { loginLink } from '../helpers/web-ui.js';

const EDIT = [
  { role: 'system' as const, content: 'Act as an expert software developer.\nTake requests for changes to the supplied code.' },
  { role: 'user' as const, content: 'Rename the function.' },
];
const PAGES = ['overview', 'models', 'projects', 'providers', 'settings'] as const;

let gateway: Gateway;
let browser: Browser;
let shop: string;
let shots: string;

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  // DeepSeek's double runs, but its key is the user's to add in the browser.
  gateway = await startGateway({ env: { DEEPSEEK_API_KEY: '' } });
  shop = join(gateway.home, 'work', 'shop');
  mkdirSync(shop, { recursive: true });
  execFileSync('git', ['init', '-q', shop]);
  writeFileSync(join(shop, '.lodestarrc'), '{ "project": "shop" }\n');
  expect((await runCli(['status'], { home: gateway.home, cwd: shop })).exitCode).toBe(0);
  // Some traffic of earlier in the day, for the overview to show.
  const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });
  for (const project of ['shop', 'blog', 'shop']) await client.chat.completions.create({ model: 'lodestar/auto', messages: EDIT }, { headers: { 'x-lodestar-project': project } });
  browser = await launchChromium();
  shots = screenshotDir();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
});

/** A new browser (no cookie) logged in through a fresh link from `lodestar ui`. */
async function loggedIn(width: number): Promise<Page> {
  const { page, problems } = await openPage(browser, width);
  (page as Page & { problems: string[] }).problems = problems;
  const answers: Array<{ path: string; text: string }> = [];
  (page as Page & { answers: typeof answers }).answers = answers;
  page.on('response', async (response) => {
    const path = new URL(response.url()).pathname;
    if (path.startsWith('/api/') && path !== '/api/events') answers.push({ path, text: await response.text().catch(() => '') });
  });
  const { url } = await loginLink(gateway.home);
  await page.goto(url);
  await page.getByTestId('spend-month-value').waitFor();
  return page;
}

/** What the page logged as errors, but a 400's own line: a bad value is meant to get one, and the page shows it. */
const problemsOf = (page: Page): string[] => (page as Page & { problems: string[] }).problems.filter((text) => !/status of 400 \(Bad Request\)/.test(text));

describe.skipIf(!HAVE_CHROMIUM)('the web UI in Chromium', () => {
  it('is the whole job in a browser: add a key, set a budget, pick a project\'s edit model, and watch the next Aider request go to it', async () => {
    const page = await loggedIn(1280);
    expect(new URL(page.url()).search).toBe(''); // the one-time code left the address bar
    await expect.poll(() => page.getByTestId('spend-month-value').textContent()).toMatch(/\$/);
    await page.screenshot({ path: join(shots, 'overview-first-1280.png'), fullPage: false });

    // A provider key, added in Settings: shown only as set and its last 4 characters.
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('key-input-deepseek').fill(KEYS.deepseek);
    await page.getByTestId('save-key-deepseek').click();
    await expect.poll(() => page.getByTestId('key-status-deepseek').textContent()).toContain(KEYS.deepseek.slice(-4));
    expect(await page.content()).not.toContain(KEYS.deepseek);

    // A bad budget gets the daemon's message next to the field; a good one is saved.
    await page.getByTestId('budget-monthly-input').fill('-5');
    await page.getByTestId('save-budgets').click();
    const error = page.getByTestId('field-error-budgets.monthly.limitUsd');
    await error.waitFor();
    expect(await error.textContent()).toContain('must be at least 0');
    await page.getByTestId('budget-monthly-input').fill('20');
    await page.getByTestId('budget-monthly-mode').selectOption('hard');
    await page.getByTestId('save-budgets').click();
    const budgets = page.locator('section', { has: page.getByTestId('save-budgets') });
    await expect.poll(() => budgets.getByTestId('save-result').textContent()).toMatch(/saved|applied/i);
    await page.screenshot({ path: join(shots, 'settings-saved-1280.png'), fullPage: false });
    expect(JSON.parse(readFileSync(join(gateway.home, 'config.json'), 'utf8')).budgets).toEqual({ monthly: { limitUsd: 20, mode: 'hard' } });

    // The selector: DeepSeek's models are there now; pick V4 Pro for the shop's edits, previewed first.
    await page.getByTestId('nav-models').click();
    await page.getByTestId('project-select').selectOption('shop');
    await page.getByTestId('task-select').selectOption('edit');
    await page.getByTestId('model-row-deepseek/deepseek-v4-pro').click();
    const preview = page.getByTestId('preview');
    await expect.poll(() => preview.textContent()).toContain('deepseek/deepseek-v4-pro');
    await page.screenshot({ path: join(shots, 'models-preview-1280.png'), fullPage: false });
    await page.getByTestId('save-choice').click();
    await expect.poll(() => page.getByTestId('task-choice-edit').textContent()).toContain('deepseek/deepseek-v4-pro');
    expect(readFileSync(join(shop, '.lodestarrc'), 'utf8')).toContain('"edit": "deepseek/deepseek-v4-pro"');

    // The agent task judges models on SWE-bench Verified: its column says so, with each model's agentic score.
    await page.getByTestId('task-select').selectOption('agent');
    await expect.poll(() => page.locator('table.models thead').textContent()).toContain('Quality (SWE-bench Verified)');
    await expect.poll(() => page.getByTestId('model-row-anthropic/claude-sonnet-4-5').textContent()).toContain('77.2%');
    await page.screenshot({ path: join(shots, 'models-agent-1280.png'), fullPage: false });
    await page.getByTestId('task-select').selectOption('edit');

    // Aider (the fake, through `lodestar aider`) in the shop: its edit goes to the chosen model...
    await page.getByTestId('nav-overview').click();
    await page.getByTestId('live-requests').waitFor();
    const record = join(gateway.home, 'aider-run.json');
    const aider = await runCli(['aider', '--title', 'off', '--', '--no-auto-commits', '--message', 'rename greet to hello'], {
      home: gateway.home,
      cwd: shop,
      env: { PATH: `${join(ROOT, 'test', 'fixtures', 'aider')}:${process.env.PATH}`, FAKE_AIDER_RECORD: record },
    });
    expect(aider.exitCode, aider.stderr).toBe(0);
    const sent = JSON.parse(readFileSync(record, 'utf8')) as { requests: Array<{ servedBy?: string; stream: boolean }> };
    expect(sent.requests[0]).toMatchObject({ stream: true, servedBy: 'deepseek/deepseek-v4-pro' });
    // ...and the overview shows it arrive, with its cost.
    const row = page.getByTestId('live-request').filter({ hasText: 'deepseek/deepseek-v4-pro' }).first();
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toMatch(/shop.*\$0\.\d+/s);
    await expect.poll(() => page.getByTestId('requests-by-model').textContent()).toContain('deepseek/deepseek-v4-pro');
    expect(problemsOf(page)).toEqual([]);
  }, 90_000);

  it('shows no key in any page or answer, and works at 1280 and at 390 pixels wide', async () => {
    for (const width of [1280, 390]) {
      const page = await loggedIn(width);
      const answers = (page as Page & { answers: Array<{ path: string; text: string }> }).answers;
      for (const name of PAGES) {
        await page.goto(`${new URL(page.url()).origin}/#/${name}`);
        await page.getByTestId(`nav-${name}`).waitFor();
        await page.waitForLoadState('networkidle').catch(() => undefined);
        await page.waitForTimeout(300);
        const html = await page.content();
        for (const secret of [...Object.values(KEYS), gateway.token]) expect(html, `${name} at ${width}`).not.toContain(secret);
        // Nothing wider than the window: no sideways scrolling of the page itself.
        expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name} at ${width}`).toBeLessThanOrEqual(width);
        await page.screenshot({ path: join(shots, `${name}-${width}.png`), fullPage: true });
      }
      for (const { path, text } of answers) for (const secret of [...Object.values(KEYS), gateway.token]) expect(text, path).not.toContain(secret);
      for (const path of ['/api/ui/settings', '/api/ui/models', '/api/ui/projects', '/api/budget', '/api/usage']) expect(answers.map((answer) => answer.path), path).toContain(path);
      expect(problemsOf(page)).toEqual([]);
      await page.context().close();
    }
  }, 90_000);

  it("refuses a change from another origin, even one on this machine that the browser sends the cookie to", async () => {
    const page = await loggedIn(1280);
    const uiOrigin = new URL(page.url()).origin;
    // Warming a model nothing has loaded is a change anyone can see: Ollama loads it.
    const warm = (target: string) =>
      fetch(`${target}/api/models/warm`, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ models: ['llama3.2:3b'] }) })
        .then((response) => response.status)
        .catch(() => -1);
    const loadsOfLlama = () => gateway.ollama.loads.filter((load) => load.model === 'llama3.2:3b').length;
    // A page served from another port of 127.0.0.1: the same site for cookies, another origin.
    const other: Server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<!doctype html><title>elsewhere</title>');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      await page.goto(`http://127.0.0.1:${(other.address() as { port: number }).port}`);
      // A "simple" request (no preflight) that carries the cookie: only the Origin check stops it.
      // The browser hides the answer from that page (the UI's Cross-Origin-Resource-Policy), so it
      // is seen failing here, and the daemon's refusal shows in what did not happen.
      const blocked = page.waitForEvent('requestfailed', (request) => request.url() === `${uiOrigin}/api/models/warm`);
      expect(await page.evaluate(warm, uiOrigin)).toBe(-1);
      expect((await blocked).failure()?.errorText).toContain('ERR_BLOCKED_BY_RESPONSE');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(loadsOfLlama()).toBe(0);
      // The same call from the UI's own page does load it: the refusal above was the Origin's.
      await page.goto(`${uiOrigin}/#/providers`);
      expect(await page.evaluate(warm, uiOrigin)).toBe(200);
      expect(loadsOfLlama()).toBe(1);
    } finally {
      other.close();
      await page.context().close();
    }
  }, 60_000);

  it('tells a browser without a session to run lodestar ui, and fetches nothing else', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const calls: string[] = [];
    page.on('request', (request) => calls.push(new URL(request.url()).pathname));
    const { port } = await loginLink(gateway.home);
    await page.goto(`http://127.0.0.1:${port}/#/settings`);
    const note = page.getByTestId('login-needed');
    await note.waitFor();
    expect(await note.textContent()).toContain('lodestar ui');
    expect(calls.filter((path) => path.startsWith('/api/'))).toEqual(['/api/ui/session']);
    await page.screenshot({ path: join(shots, 'login-needed-1280.png') });
    await context.close();
  }, 30_000);

  it("shows an A/B experiment's arms and verdict on the overview", async () => {
    const start = await runCli(['ab', 'start', '--task', 'edit', '--models', 'deepseek/deepseek-flash,openai/gpt-5', '--project', 'shop'], { home: gateway.home });
    expect(start.exitCode, start.stderr).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });
    for (const session of ['s-1', 's-2', 's-3', 's-4']) await client.chat.completions.create({ model: 'lodestar/auto', messages: EDIT }, { headers: { 'x-lodestar-project': 'shop', 'x-lodestar-session': session } });
    const page = await loggedIn(1280);
    const card = page.getByTestId('experiments');
    await card.waitFor();
    expect(await card.textContent()).toContain('deepseek/deepseek-flash');
    expect(await page.getByTestId('experiment-verdict').textContent()).toMatch(/^not enough data yet: \d edits on A and \d on B, and a verdict wants 20 on each$/);
    await card.screenshot({ path: join(shots, 'experiment-1280.png') });
    // The live list says which arm chose each request's model.
    expect(await page.getByTestId('live-request').filter({ hasText: 'A/B arm' }).count()).toBe(4);
    expect(problemsOf(page)).toEqual([]);
    await page.context().close();
  }, 60_000);
});
