import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestEvent } from '../../src/ledger/request-event.js';
import { formatMoney } from '../../src/shared/format.js';
import { HAVE_CHROMIUM, launchChromium, screenshotDir } from '../helpers/browser.js';
import { BIN, ROOT, runCli } from '../helpers/cli.js';
import { openFile, openWorkbench, processTree, requireCodeServerOrSkip, runCommand, startCodeServer, statusBarItem, type CodeServer } from '../helpers/code-server.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';

// Lodestar's own extension, packed by `npm run build` (scripts/build-vscode.mjs), in a real VS Code
// (code-server) driven in Chromium, against the daemon and the upstream doubles. About 1.5 GB of
// memory while it runs.
const VSIX = join(ROOT, 'dist', 'lodestar-vscode.vsix');
const HAVE = requireCodeServerOrSkip() && HAVE_CHROMIUM;
const STATUS = 'lodestar.lodestar-vscode.lodestar.status';
const FAKE_AIDER_BIN = join(ROOT, 'test', 'fixtures', 'aider');
/** The model chosen from the status bar: not the router's pick for edits here. */
const CHOSEN = 'openai/gpt-4o-mini';
/** What Aider's edit request is answered with: a SEARCH/REPLACE block on app.py. */
const EDIT_REPLY = [
  'To make it say hello:',
  '',
  'app.py',
  '```python',
  '<<<<<<< SEARCH',
  "print('hi')",
  '=======',
  "print('hello')",
  '>>>>>>> REPLACE',
  '```',
  '',
].join('\n');

let gateway: Gateway;
let work: string;
let shop: string;
let server: CodeServer | undefined;
let browser: Browser | undefined;
let page: Page;
let shots: string;

beforeAll(async () => {
  if (!HAVE) return;
  if (!existsSync(VSIX)) throw new Error(`${VSIX} is missing: npm run build packs it`);
  // A monthly budget, for the status bar to say what is left of it.
  gateway = await startGateway({ config: { budgets: { monthly: { limitUsd: 20, mode: 'hard' } } } });
  work = mkdtempSync(join(tmpdir(), 'lodestar-vscode-'));
  shop = join(work, 'shop');
  mkdirSync(shop);
  execFileSync('git', ['init', '-q', shop]);
  writeFileSync(join(shop, '.lodestarrc'), '{ "project": "shop" }\n');
  writeFileSync(join(shop, 'app.py'), "print('hi')\n");
  writeFileSync(join(shop, 'calc.py'), '');
  // The lodestar command as a user has it installed: on a Node it runs on. (VS Code's extension host
  // takes PATH from a login shell, whose first node here is Debian's Node 20.)
  const lodestarCommand = join(work, 'lodestar');
  writeFileSync(lodestarCommand, `#!/bin/sh\nexec '${join(ROOT, 'node_modules', '.bin', 'node')}' '${BIN}' "$@"\n`, { mode: 0o755 });
  // Any command run in the folder registers its project with the daemon's registry.
  expect((await runCli(['status'], { home: gateway.home, cwd: shop })).exitCode).toBe(0);
  server = await startCodeServer({
    extensions: [VSIX],
    folder: shop,
    // The daemon the extension starts (lodestar start) takes free ports, as the tests' own do.
    env: { LODESTAR_HOME: gateway.home, LODESTAR_PORT: '0', LODESTAR_UI_PORT: '0' },
    settings: {
      'lodestar.command': lodestarCommand,
      'lodestar.completions.debounceMs': 50,
      // The suggest widget would hide ghost text and take Tab (vscode-extension.md 1.3).
      'editor.quickSuggestions': { other: false, comments: false, strings: false },
      'editor.suggestOnTriggerCharacters': false,
      'editor.wordBasedSuggestions': 'off',
      'editor.codeLens': true,
    },
  });
  browser = await launchChromium();
  page = await openWorkbench(browser, server.url, shop, { viewport: { width: 1280, height: 800 } });
  shots = screenshotDir();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  const pid = server?.pid;
  await server?.stop();
  if (pid !== undefined) expect(processTree(pid), 'code-server left processes behind').toEqual([]);
  await gateway?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
}, 60_000);

function ledger(): RequestEvent[] {
  const dir = join(gateway.home, 'ledger');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .flatMap((name) => readFileSync(join(dir, name), 'utf8').trim().split('\n'))
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RequestEvent);
}

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${gateway.port}${path}`, { ...init, headers: { authorization: `Bearer ${gateway.token}`, 'content-type': 'application/json', ...init.headers } });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as T;
}

/** The extension's "Lodestar" output channel, as VS Code keeps it in its logs folder. */
function extensionLog(): string {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/Lodestar\.log$/.test(entry.name)) found.push(`${path}:\n${readFileSync(path, 'utf8')}`);
    }
  };
  if (server) walk(join(server.dirs.userData, 'logs'));
  return found.join('\n') || 'no Lodestar log';
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(shots, `vscode-${name}.png`) });
}

describe.skipIf(!HAVE)('the VS Code extension in code-server', () => {
  it("shows the workspace's model and today's spend in the status bar", async () => {
    const { tasks } = await api<{ tasks: Array<{ task: string; routerChoice: string | null; chosen: string | null }> }>('/api/ui/models?project=shop');
    const edit = tasks.find((task) => task.task === 'edit');
    expect(edit?.routerChoice).toBeTruthy();
    expect(edit?.routerChoice).not.toBe(CHOSEN);
    const item = statusBarItem(page, STATUS);
    const shortName = (edit?.routerChoice as string).split('/').slice(1).join('/');
    await expect.poll(() => item.innerText().catch(() => ''), { timeout: 30_000 }).toContain(shortName);
    expect(await item.innerText()).toContain('$0 today · $20.00 left');
    expect(await item.getAttribute('aria-label')).toContain("the router's pick");
    await shot('status');
  });

  it("switches the model from the status bar, and the fake Aider's next edit goes to it", async () => {
    await statusBarItem(page, STATUS).click();
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible' });
    await expect.poll(() => page.locator('.quick-input-widget .monaco-list-row').count(), { timeout: 15_000 }).toBeGreaterThan(2);
    await input.fill('gpt-4o-mini');
    const row = page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: CHOSEN }).first();
    await row.waitFor({ state: 'visible' });
    expect(await row.innerText()).toMatch(/quality [\d.?]/);
    await shot('pick');
    await row.click();
    // Saved in the project's own .lodestarrc, through the daemon.
    await expect.poll(() => readFileSync(join(shop, '.lodestarrc'), 'utf8'), { timeout: 10_000 }).toContain(CHOSEN);
    await expect.poll(() => statusBarItem(page, STATUS).innerText(), { timeout: 10_000 }).toContain('gpt-4o-mini');
    await expect.poll(() => page.locator('.notifications-toasts').innerText().catch(() => ''), { timeout: 10_000 }).toContain("shop's edit requests go to openai/gpt-4o-mini");
    await shot('chosen');

    gateway.openai.enqueue({ kind: 'reply', text: EDIT_REPLY });
    const record = join(work, 'aider-run.json');
    const run = await runCli(['aider', '--title', 'off'], { home: gateway.home, cwd: shop, env: { PATH: `${FAKE_AIDER_BIN}:${process.env.PATH}`, FAKE_AIDER_RECORD: record } });
    expect(run.exitCode, run.stderr).toBe(0);
    const edits = ledger().filter((event) => event.project === 'shop' && event.task === 'edit');
    expect(edits.at(-1)?.model).toBe(CHOSEN);
  });

  it("shows what AI edits of a file cost, equal to the ledger's", async () => {
    const events = ledger().filter((event) => event.project === 'shop' && event.files?.some((file) => file.path === 'app.py'));
    expect(events.length).toBe(1);
    const cost = events.reduce((sum, event) => sum + (event.costUsd ?? 0) * (event.files?.find((file) => file.path === 'app.py')?.share ?? 0), 0);
    expect(cost).toBeGreaterThan(0);
    const expected = `AI edits of this file: ${formatMoney(cost)} this month (1 request)`;
    await openFile(page, 'app.py');
    const lens = page.locator('.contentWidgets .codelens-decoration, .monaco-editor .codelens-decoration').filter({ hasText: 'AI edits of this file' }).first();
    await expect.poll(() => lens.innerText().catch(() => ''), { timeout: 20_000 }).toContain(expected);
    // The explorer's badge: VS Code draws it with CSS (::after), its tooltip holds the amount.
    const badge = page.locator('.explorer-folders-view .monaco-list-row[aria-label^="app.py"] .monaco-decoration-text-badge, .explorer-folders-view .monaco-icon-label[aria-label*="app.py"] .monaco-decoration-text-badge').first();
    // Git's own badge (U: untracked) is drawn in the same place, joined to ours: "U, $".
    await expect.poll(() => badge.evaluate((element) => getComputedStyle(element, '::after').content).catch(() => ''), { timeout: 10_000 }).toMatch(/^"(.+, )?\$"$/);
    // The cost-by-file view lists it with the same amount.
    await runCommand(page, 'Explorer: Focus on Lodestar: cost by file View');
    const entry = page.locator('.monaco-list-row').filter({ hasText: 'app.py' }).filter({ hasText: formatMoney(cost) }).first();
    await entry.waitFor({ state: 'visible', timeout: 10_000 });
    await shot('file-cost');
  });

  it('shows ghost text from the local model as you type, and Tab accepts it', async () => {
    // Every completion the editor asks for while typing answers the same (the ones it cancels too).
    gateway.ollama.setDefault({ kind: 'reply', text: 'a + b' });
    const before = ledger().length;
    await openFile(page, 'calc.py');
    await page.locator('.monaco-editor .view-lines').first().click();
    // Enter indents the next line, as Python wants.
    await page.keyboard.type('def add(a, b):\nreturn ', { delay: 20 });
    // Ghost text is drawn in pieces, one a syntax token.
    const ghost = page.locator('.ghost-text-decoration, .ghost-text-decoration-preview');
    await expect.poll(async () => (await ghost.allInnerTexts()).join('').replace(/\u00a0/g, ' '), { timeout: 20_000 }).toContain('a + b');
    await shot('ghost-text');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Control+S');
    await expect.poll(() => readFileSync(join(shop, 'calc.py'), 'utf8'), { timeout: 10_000 }).toContain('return a + b');
    const completes = ledger().slice(before).filter((event) => event.task === 'complete');
    const answered = completes.filter((event) => event.status === 'ok');
    expect(answered.length).toBeGreaterThanOrEqual(1);
    expect(answered.every((event) => event.provider === 'ollama' && event.tool === 'vscode' && event.project === 'shop' && event.costUsd === 0)).toBe(true);
  });

  it("shows the project's report from the command palette", async () => {
    await runCommand(page, 'Lodestar: Show the report');
    const editor = page.locator('.monaco-editor .view-lines').first();
    await expect.poll(async () => (await editor.innerText()).replace(/\u00a0/g, ' '), { timeout: 15_000 }).toContain('# Lodestar: shop this month, by model');
    expect((await editor.innerText()).replace(/\u00a0/g, ' ')).toContain(`| ${CHOSEN} |`);
  });

  it('shows the error state when the daemon stops, and a click starts it again', async () => {
    expect((await runCli(['stop'], { home: gateway.home })).exitCode).toBe(0);
    const item = statusBarItem(page, STATUS);
    await expect.poll(() => item.innerText(), { timeout: 15_000 }).toContain('daemon down');
    expect(await item.getAttribute('class')).toContain('error-kind');
    expect(await item.getAttribute('aria-label')).toContain('Click to start the daemon');
    await shot('down');
    await item.click();
    await expect.poll(() => item.innerText(), { timeout: 45_000 }).toContain('today').catch(async (error: unknown) => {
      await shot('start-failed');
      throw new Error(`${String(error)}\n${extensionLog()}`);
    });
    expect(await item.getAttribute('class')).not.toContain('error-kind');
  }, 90_000);
});
