import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { HAVE_CHROMIUM, launchChromium, screenshotDir } from '../helpers/browser.js';
import { NO_AI_SETTINGS, openFile, openWorkbench, processTree, requireCodeServerOrSkip, runCommand, startCodeServer, statusBarItem, type CodeServer } from '../helpers/code-server.js';

// The harness itself, proven on a probe extension: built here, packed with vsce, installed into a
// private code-server, driven in Chromium. About 1.5 GB of memory while it runs.
const HAVE = requireCodeServerOrSkip() && HAVE_CHROMIUM;

const PROBE = {
  name: 'probe',
  publisher: 'lodestar-tests',
  displayName: 'Lodestar probe',
  description: 'A probe extension for the code-server test harness.',
  version: '0.0.1',
  license: 'MIT',
  repository: { type: 'git', url: 'https://example.invalid/lodestar-probe.git' },
  engines: { vscode: '^1.90.0' },
  main: './extension.js',
  activationEvents: ['onStartupFinished'],
  contributes: { commands: [{ command: 'lodestarProbe.hello', title: 'Hello', category: 'Lodestar Probe' }] },
};

// Says what the extension host sees (its environment, the workspace) in the status bar and in a file.
const EXTENSION_JS = `
const vscode = require('vscode');
const fs = require('fs');
const path = require('path');
exports.activate = (context) => {
  const item = vscode.window.createStatusBarItem('probe.status', vscode.StatusBarAlignment.Left, 1000);
  item.name = 'Lodestar probe';
  item.text = '$(pulse) probe: ready';
  item.tooltip = 'LODESTAR_HOME=' + process.env.LODESTAR_HOME;
  item.command = 'lodestarProbe.hello';
  item.show();
  let runs = 0;
  context.subscriptions.push(item, vscode.commands.registerCommand('lodestarProbe.hello', () => {
    runs += 1;
    item.text = '$(check) probe: ran ' + runs;
    const folder = vscode.workspace.workspaceFolders[0].uri.fsPath;
    fs.writeFileSync(path.join(folder, 'probe-ran.json'), JSON.stringify({ runs, lodestarHome: process.env.LODESTAR_HOME, home: process.env.HOME, node: process.version }));
  }));
};
exports.deactivate = () => {};
`;

let work: string;
let vsix: string;
let folder: string;
let server: CodeServer | undefined;
let browser: Browser | undefined;
let page: Page;
const timings: Record<string, number> = {};

beforeAll(async () => {
  if (!HAVE) return;
  work = mkdtempSync(join(tmpdir(), 'lodestar-code-server-smoke-'));
  const probe = join(work, 'probe');
  mkdirSync(probe);
  writeFileSync(join(probe, 'package.json'), JSON.stringify(PROBE, null, 2));
  writeFileSync(join(probe, 'extension.js'), EXTENSION_JS);
  writeFileSync(join(probe, 'README.md'), '# Lodestar probe\n\nUsed by test/e2e/code-server-smoke.test.ts.\n');
  writeFileSync(join(probe, 'LICENSE'), 'MIT\n');
  vsix = join(work, 'probe.vsix');
  let t = Date.now();
  // vsce needs Node >= 22: the repo's Node 24 (node_modules/.bin/node, which npm scripts and npx put first on PATH).
  const node = existsSync(join(ROOT, 'node_modules', '.bin', 'node')) ? join(ROOT, 'node_modules', '.bin', 'node') : process.execPath;
  execFileSync(node, [join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '-o', vsix], { cwd: probe, stdio: 'pipe' });
  timings.pack = Date.now() - t;

  folder = join(work, 'shop');
  mkdirSync(folder);
  writeFileSync(join(folder, 'main.ts'), 'export const answer = 42;\n');
  t = Date.now();
  // No built-in AI nor git: two processes fewer and a quicker start, neither being under test here.
  const settings = { ...NO_AI_SETTINGS, 'git.enabled': false };
  // Both at once; both settled before going on, so that afterAll stops whichever started.
  const started = await Promise.allSettled([
    startCodeServer({ extensions: [vsix], folder, env: { LODESTAR_HOME: join(work, 'lodestar-home') }, settings }).then((one) => {
      server = one;
      timings.serverReady = Date.now() - t;
    }),
    launchChromium().then((one) => {
      browser = one;
    }),
  ]);
  for (const result of started) if (result.status === 'rejected') throw result.reason;
  if (!server || !browser) throw new Error('unreachable');
  t = Date.now();
  page = await openWorkbench(browser, server.url, folder);
  timings.workbenchVisible = Date.now() - t;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  const pid = server?.pid;
  await server?.stop();
  const left = pid === undefined ? [] : processTree(pid);
  if (work) rmSync(work, { recursive: true, force: true });
  if (HAVE) process.stderr.write(`code-server smoke timings (ms): ${JSON.stringify(timings)}\n`);
  expect(left, 'code-server left processes behind').toEqual([]);
  if (server) expect(existsSync(server.dirs.root), 'its temporary folders are removed').toBe(false);
}, 30_000);

describe.skipIf(!HAVE)('code-server with a probe extension', () => {
  it('installs the vsix, shows its status bar item, runs its command from F1, in the folder and environment given', async () => {
    const item = statusBarItem(page, 'lodestar-tests.probe.probe.status');
    let t = Date.now();
    // The extension host starts after the workbench shows: 2-15 s here, depending on the machine's load.
    await expect.poll(() => item.innerText().catch(() => ''), { timeout: 40_000 }).toContain('probe: ready');
    timings.extensionActive = Date.now() - t;
    expect(await item.getAttribute('aria-label')).toBeTruthy();

    t = Date.now();
    await runCommand(page, 'Lodestar Probe: Hello');
    await expect.poll(() => item.innerText(), { timeout: 10_000 }).toContain('probe: ran 1');
    timings.command = Date.now() - t;
    const ran = JSON.parse(readFileSync(join(folder, 'probe-ran.json'), 'utf8'));
    expect(ran).toMatchObject({ runs: 1, lodestarHome: join(work, 'lodestar-home'), home: server?.dirs.home });
    expect(ran.node).toMatch(/^v24\./);

    t = Date.now();
    await openFile(page, 'main.ts');
    // Monaco renders spaces as no-break spaces.
    await expect.poll(async () => (await page.locator('.monaco-editor .view-lines').first().innerText()).replace(/\u00a0/g, ' ')).toContain('export const answer = 42;');
    timings.openFile = Date.now() - t;

    timings.rssMB = server?.rssMB() ?? 0;
    const shot = join(screenshotDir(), 'code-server-smoke.png');
    await page.screenshot({ path: shot });
    expect(existsSync(shot)).toBe(true);
    process.stderr.write(`code-server smoke screenshot: ${shot}\n`);
  }, 90_000);
});
