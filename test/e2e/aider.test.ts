import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestEvent } from '../../src/ledger/request-event.js';
import { BIN, cleanEnv, ROOT, runCli } from '../helpers/cli.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';

const FAKE_AIDER_BIN = join(ROOT, 'test', 'fixtures', 'aider');
let gateway: Gateway;
let work: string;

beforeAll(async () => {
  gateway = await startGateway();
  work = mkdtempSync(join(tmpdir(), 'lodestar-aider-'));
});
afterAll(async () => {
  await gateway?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** A fresh git repository (the project is named after its folder). */
function repo(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  execFileSync('git', ['init', '-q', dir]);
  return dir;
}

interface Record {
  pid: number;
  argv: string[];
  options: { [key: string]: unknown };
  rest: string[];
  env: { OPENAI_API_BASE: string | null; OPENAI_API_KEY_SET: boolean; AIDER_OPENAI_API_BASE: string | null };
  apiKeyLength: number;
  metadata: { [model: string]: { max_input_tokens?: number; input_cost_per_token?: number } };
  settings: Array<{ name: string; edit_format: string; weak_model_name?: string }>;
  warnings: string[];
  requests: Array<{ model: string; stream: boolean; status: number; url: string; servedBy?: string; done?: boolean; text?: string; error?: string }>;
  interrupts?: number;
  exit?: string;
}

function aiderEnv(record: string, extra: { [key: string]: string } = {}): { [key: string]: string } {
  return { PATH: `${FAKE_AIDER_BIN}:${process.env.PATH}`, FAKE_AIDER_RECORD: record, ...extra };
}

function ledger(): RequestEvent[] {
  const dir = join(gateway.home, 'ledger');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .flatMap((name) => readFileSync(join(dir, name), 'utf8').trim().split('\n'))
    .map((line) => JSON.parse(line) as RequestEvent);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat); // a zombie is gone, only not reaped yet
  } catch {
    return false;
  }
}

async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('lodestar aider', () => {
  it('runs Aider through the daemon: its endpoint, key and models, commit messages on the cheap model, a live counter, and a summary equal to the ledger', async () => {
    const dir = repo('webshop');
    const record = join(work, 'run1.json');
    const summaryFile = join(work, 'summary1.json');
    const result = await runCli(['aider', '--title', 'on', '--summary-file', summaryFile, '--', '--no-auto-commits', '--message', 'rename greet to hello'], {
      home: gateway.home,
      cwd: dir,
      env: aiderEnv(record, { FAKE_AIDER_PAUSE: '1' }),
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const got = JSON.parse(readFileSync(record, 'utf8')) as Record;

    // Models as litellm names; the user's own arguments passed through after ours.
    expect(got.options).toMatchObject({ model: 'openai/lodestar/auto', 'weak-model': 'openai/lodestar/cheap', 'editor-model': 'openai/lodestar/auto', 'show-model-warnings': false, message: 'rename greet to hello', 'auto-commits': false });
    expect(got.warnings).toEqual([]);
    const session = /\/p\/webshop\/s\/([A-Za-z0-9._-]+)\/v1$/.exec(got.env.OPENAI_API_BASE ?? '')?.[1];
    expect(session, got.env.OPENAI_API_BASE ?? '').toBeDefined();
    expect(got.env.OPENAI_API_BASE).toBe(`http://127.0.0.1:${gateway.port}/p/webshop/s/${session}/v1`);
    expect(got.env.AIDER_OPENAI_API_BASE).toBe(got.env.OPENAI_API_BASE);
    // The daemon's token as the key, in the environment only, never on the command line.
    expect(got.apiKeyLength).toBe(gateway.token.length);
    expect(got.argv.join(' ')).not.toContain(gateway.token);
    // Metadata: real context windows, zero prices (Aider then shows no cost of its own).
    expect(got.metadata['openai/lodestar/auto']?.max_input_tokens).toBeGreaterThan(100_000);
    expect(got.metadata['openai/lodestar/auto']?.input_cost_per_token).toBe(0);
    expect(got.settings.find((entry) => entry.name === 'openai/lodestar/auto')).toMatchObject({ edit_format: 'diff', weak_model_name: 'openai/lodestar/cheap' });

    // One streamed edit to the main model, one non-streamed commit message to the weak one.
    expect(got.requests).toHaveLength(2);
    expect(got.requests[0]).toMatchObject({ model: 'lodestar/auto', stream: true, status: 200, done: true });
    expect(got.requests[1]).toMatchObject({ model: 'lodestar/cheap', stream: false, status: 200 });
    const events = ledger().filter((event) => event.session === session);
    expect(events.map((event) => [event.task, event.requestedModel, event.project])).toEqual([
      ['edit', 'lodestar/auto', 'webshop'],
      ['commit', 'lodestar/cheap', 'webshop'],
    ]);
    expect(events[1]?.model).toBe(got.requests[1]?.servedBy);
    // Aider sent the header its model settings carry: these are Aider's requests in `report --by tool`.
    expect(events.map((event) => event.tool)).toEqual(['aider', 'aider']);
    // The cheap model for a commit message is a free local one here (Ollama double).
    expect(events[1]?.provider).toBe('ollama');

    // The summary is the ledger's, to the token and the cent.
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { session: string; requests: number; inputTokens: number; outputTokens: number; costUsd: number; baselineCostUsd: number };
    expect(summary.session).toBe(session);
    expect(summary.requests).toBe(2);
    expect(summary.inputTokens).toBe(events.reduce((sum, event) => sum + (event.usage.inputTokens ?? 0), 0));
    expect(summary.outputTokens).toBe(events.reduce((sum, event) => sum + (event.usage.outputTokens ?? 0), 0));
    expect(summary.costUsd).toBeCloseTo(events.reduce((sum, event) => sum + (event.costUsd ?? 0), 0), 12);
    expect(summary.baselineCostUsd).toBeCloseTo(events.reduce((sum, event) => sum + (event.baselineCostUsd ?? 0), 0), 12);
    expect(result.stdout).toContain(`Lodestar session ${session} (project webshop): 2 requests`);

    // The counter: the terminal's title saved, updated per request, given back.
    expect(result.stdout.startsWith('\x1b[22;0t')).toBe(true);
    const titles = [...result.stdout.matchAll(/\x1b\]0;([^\x07]*)\x07/g)].map((match) => match[1]);
    expect(titles[0]).toMatch(/^Lodestar webshop · \$0 · 0 tokens · 0 requests$/);
    // Live: the first request shows while Aider is still at work (a second later it asks again).
    expect(titles.some((title) => / · 1 requests · last: /.test(title ?? '')), titles.join('\n')).toBe(true);
    // The last word is the ledger's, even when the last live event was still on its way.
    expect(titles.at(-1)).toMatch(new RegExp(`^Lodestar webshop · \\$[0-9.e-]+ · [0-9.k]+ tokens · 2 requests · last: ${events[1]?.model?.replace(/[.]/g, '\\.')}$`));
    expect(result.stdout).toContain('\x1b[23;0t');
  });

  it('with only an Anthropic key and Ollama, no rule of the user\'s: the edit goes to Claude Sonnet, the commit message to a free local model', async () => {
    const own = await startGateway({ env: { OPENAI_API_KEY: '', DEEPSEEK_API_KEY: '' } });
    try {
      const dir = repo('claude-only');
      const record = join(work, 'claude-only.json');
      const result = await runCli(['aider', '--title', 'off', '--', '--no-auto-commits', '--message', 'rename greet to hello'], { home: own.home, cwd: dir, env: aiderEnv(record) });
      expect(result.exitCode, result.stderr).toBe(0);
      const got = JSON.parse(readFileSync(record, 'utf8')) as Record;
      expect(got.requests.map((request) => [request.model, request.status])).toEqual([
        ['lodestar/auto', 200],
        ['lodestar/cheap', 200],
      ]);
      const events = await own.waitForEvents(2);
      expect(events.map((event) => [event.task, event.model])).toEqual([
        ['edit', expect.stringMatching(/^anthropic\/claude-sonnet-4-[56]$/)],
        ['commit', expect.stringMatching(/^ollama\//)],
      ]);
      expect(own.anthropic.requests).toHaveLength(1);
      expect(events[1]?.costUsd).toBe(0);
    } finally {
      await own.stop();
    }
  });

  it("returns Aider's exit status, and the user's own Aider arguments win over Lodestar's", async () => {
    const dir = repo('exit-status');
    const record = join(work, 'run2.json');
    const result = await runCli(['aider', '--title', 'off', '--model', 'openai/lodestar/strong'], { home: gateway.home, cwd: dir, env: aiderEnv(record, { FAKE_AIDER_EXIT: '3' }) });
    expect(result.exitCode).toBe(3);
    expect(result.stdout).not.toContain('\x1b]0;');
    const got = JSON.parse(readFileSync(record, 'utf8')) as Record;
    expect(got.options.model).toBe('openai/lodestar/strong');
    expect(got.requests[0]).toMatchObject({ model: 'lodestar/strong', status: 200 });
  });

  it("wins over an .aider.conf.yml or .env naming another endpoint and key", async () => {
    const dir = repo('other-endpoint');
    writeFileSync(join(dir, '.aider.conf.yml'), 'openai-api-base: https://api.openai.com/v1\nopenai-api-key: sk-not-the-daemon-token\nmodel: gpt-4o\n');
    const record = join(work, 'run3.json');
    const result = await runCli(['aider', '--title', 'off'], { home: gateway.home, cwd: dir, env: aiderEnv(record) });
    expect(result.exitCode, result.stderr).toBe(0);
    const got = JSON.parse(readFileSync(record, 'utf8')) as Record;
    expect(got.requests.map((request) => request.status)).toEqual([200, 200]);
    expect(got.requests[0]?.url).toContain(`127.0.0.1:${gateway.port}/p/other-endpoint/`);
    expect(got.options.model).toBe('openai/lodestar/auto');
  });

  it('starts the daemon when it is not running, and leaves it running for the next session', async () => {
    const { startOllamaDouble } = await import('../doubles/index.js');
    const ollama = await startOllamaDouble();
    const home = mkdtempSync(join(tmpdir(), 'lodestar-aider-home-'));
    try {
      const record = join(work, 'run-start.json');
      const env = { ...aiderEnv(record), OLLAMA_HOST: ollama.url, LODESTAR_PORT: '0' };
      const result = await runCli(['aider', '--title', 'off', '--', '--model', 'openai/lodestar/local', '--weak-model', 'openai/lodestar/local'], { home, cwd: repo('cold-start'), env });
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/Started Lodestar on http:\/\/127\.0\.0\.1:\d+ \(pid \d+\); it keeps running after Aider exits/);
      const got = JSON.parse(readFileSync(record, 'utf8')) as Record;
      expect(got.requests.map((request) => [request.model, request.status])).toEqual([
        ['lodestar/local', 200],
        ['lodestar/local', 200],
      ]);
      const status = await runCli(['status', '--json'], { home, env });
      expect(JSON.parse(status.stdout)).toMatchObject({ running: true });
    } finally {
      await runCli(['stop', '--force'], { home, env: {} });
      rmSync(home, { recursive: true, force: true });
      await ollama.close();
    }
  });

  it('--tmux opens a compact dashboard pane under Aider and closes it when Aider exits', async () => {
    const fakeTmux = join(work, 'fake-tmux');
    mkdirSync(fakeTmux, { recursive: true });
    const log = join(work, 'tmux.log');
    // A stand-in for tmux that records what it is asked to do (the real one needs a terminal).
    writeFileSync(join(fakeTmux, 'tmux'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nif [ "$1" = split-window ]; then echo '%7'; fi\n`, { mode: 0o755 });
    const record = join(work, 'run-tmux.json');
    const result = await runCli(['aider', '--title', 'off', '--tmux'], {
      home: gateway.home,
      cwd: repo('tmux'),
      env: { ...aiderEnv(record), PATH: `${fakeTmux}:${FAKE_AIDER_BIN}:${process.env.PATH}`, TMUX: '/tmp/tmux-0/default,1,0' },
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    expect(calls[0]).toMatch(new RegExp(`^split-window -d -v -l 4 -P -F #\\{pane_id\\} -e LODESTAR_HOME=${gateway.home.replace(/[.]/g, '\\.')} .*bin/lodestar dashboard --compact$`));
    expect(calls[1]).toBe('kill-pane -t %7');
    const outside = await runCli(['aider', '--title', 'off', '--tmux'], { home: gateway.home, cwd: repo('no-tmux'), env: aiderEnv(join(work, 'run-no-tmux.json')) });
    expect(outside.exitCode).toBe(0);
    expect(outside.stderr).toContain('--tmux: not inside tmux');
  });

  it('says how to install Aider when there is none, and names a wrong --aider-bin', async () => {
    const missing = await runCli(['aider'], { home: gateway.home, cwd: repo('no-aider'), env: { PATH: '/usr/bin:/bin' } });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('Aider is not installed');
    expect(missing.stderr).toContain('python -m pip install aider-install && aider-install');
    const wrong = await runCli(['aider', '--aider-bin', '/nowhere/aider'], { home: gateway.home, cwd: repo('wrong-bin'), env: {} });
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stderr).toContain('/nowhere/aider is not an executable file');
  });

  it('lets Ctrl-C reach Aider as it expects: the first ^C is Aider\'s to handle, the second ends it, and nothing is left behind', async () => {
    const dir = repo('ctrl-c');
    const record = join(work, 'run4.json');
    const ready = join(work, 'ready4');
    // Its own process group, like a shell's foreground job: a terminal's ^C goes to the whole group.
    const child = spawn(process.execPath, [BIN, 'aider', '--title', 'off'], {
      cwd: dir,
      env: cleanEnv(gateway.home, aiderEnv(record, { FAKE_AIDER_MODE: 'wait', FAKE_AIDER_READY: ready })) as NodeJS.ProcessEnv,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await until(() => existsSync(ready), 'the fake Aider to wait at its prompt');
    const aiderPid = (JSON.parse(readFileSync(record, 'utf8')) as Record).pid;

    process.kill(-(child.pid as number), 'SIGINT');
    await until(() => ((JSON.parse(readFileSync(record, 'utf8')) as Record).interrupts ?? 0) === 1, 'Aider to take the first ^C');
    expect(isAlive(child.pid as number)).toBe(true);
    expect(isAlive(aiderPid)).toBe(true);
    process.kill(-(child.pid as number), 'SIGINT');
    expect(await exited).toBe(0);
    expect((JSON.parse(readFileSync(record, 'utf8')) as Record).exit).toBe('second ^C');
    expect(stdout).toContain('^C again to exit');
    expect(stdout).toMatch(/Lodestar session \S+ \(project ctrl-c\): 2 requests/);
    await until(() => !isAlive(aiderPid), 'Aider to be gone', 5000);
  });

  it('passes SIGTERM on to Aider, so that it never outlives lodestar', async () => {
    const dir = repo('sigterm');
    const record = join(work, 'run5.json');
    const ready = join(work, 'ready5');
    const child = spawn(process.execPath, [BIN, 'aider', '--title', 'off'], {
      cwd: dir,
      env: cleanEnv(gateway.home, aiderEnv(record, { FAKE_AIDER_MODE: 'wait', FAKE_AIDER_READY: ready })) as NodeJS.ProcessEnv,
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await until(() => existsSync(ready), 'the fake Aider to wait at its prompt');
    const aiderPid = (JSON.parse(readFileSync(record, 'utf8')) as Record).pid;
    child.kill('SIGTERM');
    expect(await exited).toBe(128 + 15);
    await until(() => !isAlive(aiderPid), 'Aider to be gone', 5000);
  });
});

describe('lodestar init', () => {
  it('writes a working set-up into an empty git repository, that the next `lodestar aider` picks up', async () => {
    const dir = repo('shop-front');
    const init = await runCli(['init', '--template', 'web'], { home: gateway.home, cwd: dir });
    expect(init.exitCode, init.stderr).toBe(0);
    expect(init.stdout).toContain('Set up project shop-front with the web template');
    for (const file of ['.lodestarrc', '.aider.conf.yml', 'CONVENTIONS.md']) {
      expect(init.stdout).toContain(`  ${file}`);
      expect(existsSync(join(dir, file))).toBe(true);
    }
    const conf = readFileSync(join(dir, '.aider.conf.yml'), 'utf8');
    expect(conf).toContain('openai-api-base: http://127.0.0.1:');
    expect(conf).toContain('/p/shop-front/v1');
    // Files meant to be committed: no token, no key.
    for (const file of ['.lodestarrc', '.aider.conf.yml', 'CONVENTIONS.md']) expect(readFileSync(join(dir, file), 'utf8')).not.toContain(gateway.token);

    // The project's budget is known to the daemon (it looks at registered projects every 2 s).
    let budgets: Array<{ scope: string; period: string; limitUsd: number; mode: string }> = [];
    for (let attempt = 0; attempt < 20 && !budgets.some((entry) => entry.scope === 'shop-front'); attempt++) {
      const budget = await runCli(['budget', '--json'], { home: gateway.home, cwd: dir });
      expect(budget.exitCode, budget.stderr).toBe(0);
      budgets = (JSON.parse(budget.stdout) as { budgets: typeof budgets }).budgets;
      if (!budgets.length) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(budgets).toEqual(expect.arrayContaining([expect.objectContaining({ scope: 'shop-front', period: 'monthly', limitUsd: 20, mode: 'soft' })]));

    const record = join(work, 'run6.json');
    const subfolder = join(dir, 'src');
    mkdirSync(subfolder);
    const aider = await runCli(['aider', '--title', 'off'], { home: gateway.home, cwd: subfolder, env: aiderEnv(record) });
    expect(aider.exitCode, aider.stderr).toBe(0);
    const got = JSON.parse(readFileSync(record, 'utf8')) as Record;
    // Aider read the template's .aider.conf.yml at the git root; Lodestar's endpoint and models won.
    expect(got.options).toMatchObject({ 'map-tokens': '4096', read: ['CONVENTIONS.md'] });
    expect(got.env.OPENAI_API_BASE).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${gateway.port}/p/shop-front/s/`));
    expect(got.requests.map((request) => request.status)).toEqual([200, 200]);

    const again = await runCli(['init', '--template', 'cli'], { home: gateway.home, cwd: dir });
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain('.lodestarrc, .aider.conf.yml, CONVENTIONS.md already exist');
    expect(again.stderr).toContain('--force');
    const forced = await runCli(['init', '--template', 'cli', '--force'], { home: gateway.home, cwd: dir });
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(readFileSync(join(dir, '.aider.conf.yml'), 'utf8')).toContain('map-tokens: 1024');
  });

  it('names the templates there are', async () => {
    const result = await runCli(['init', '--template', 'mobile'], { home: gateway.home, cwd: repo('mobile') });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--template must be one of cli, ml, web');
  });
});
