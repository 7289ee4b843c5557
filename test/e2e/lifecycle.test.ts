import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupHome, daemonState, isAlive, runCli, tempHome } from '../helpers/cli.js';

const homes: string[] = [];
function newHome(): string {
  const home = tempHome();
  homes.push(home);
  return home;
}

afterEach(() => {
  while (homes.length) cleanupHome(homes.pop() as string);
});

function listenOnFreePort(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : 0 });
    });
  });
}

describe('daemon lifecycle', () => {
  it('starts detached, reports status, and stops', async () => {
    const home = newHome();
    const start = await runCli(['start', '--port', '0'], { home });
    expect(start.exitCode, start.stderr).toBe(0);
    const state = daemonState(home);
    expect(state).toBeDefined();
    expect(start.stdout).toContain(`Lodestar started on http://127.0.0.1:${state?.port} (pid ${state?.pid})`);
    expect(isAlive(state!.pid)).toBe(true);

    // State files are the owner's alone.
    expect(statSync(join(home, 'daemon.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'token')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(home, 'token'), 'utf8').trim()).toMatch(/^ls-[A-Za-z0-9_-]{43}$/);

    const status = await runCli(['status', '--json'], { home });
    expect(status.exitCode).toBe(0);
    const report = JSON.parse(status.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ running: true, pid: state!.pid, port: state!.port, responding: true, version: '0.1.0' });
    expect((report.health as Record<string, unknown>).status).toBe('ok');

    const human = await runCli(['status'], { home });
    expect(human.stdout).toMatch(/^Lodestar is running on http:\/\/127\.0\.0\.1:\d+ \(pid \d+, version 0\.1\.0, up \d+s\)\.\nHealth: ok/);

    const stop = await runCli(['stop'], { home });
    expect(stop.exitCode, stop.stderr).toBe(0);
    expect(stop.stdout).toContain(`Lodestar stopped (pid ${state!.pid})`);
    expect(isAlive(state!.pid)).toBe(false);
    expect(daemonState(home)).toBeUndefined();

    const after = await runCli(['status', '--json'], { home });
    expect(JSON.parse(after.stdout)).toMatchObject({ running: false });
    const stopAgain = await runCli(['stop'], { home });
    expect(stopAgain.exitCode).toBe(0);
    expect(stopAgain.stdout).toContain('Lodestar is not running.');
  });

  it('keeps the token across restarts and makes it only once', async () => {
    const home = newHome();
    await runCli(['start', '--port', '0'], { home });
    const first = readFileSync(join(home, 'token'), 'utf8');
    await runCli(['stop'], { home });
    await runCli(['start', '--port', '0'], { home });
    expect(readFileSync(join(home, 'token'), 'utf8')).toBe(first);
    await runCli(['stop'], { home });
  });

  it('says a second start finds the daemon already running, and where', async () => {
    const home = newHome();
    await runCli(['start', '--port', '0'], { home });
    const state = daemonState(home)!;
    const again = await runCli(['start', '--port', '0'], { home });
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain(`Lodestar is already running on http://127.0.0.1:${state.port} (pid ${state.pid}`);
    expect(daemonState(home)?.pid).toBe(state.pid);
    await runCli(['stop'], { home });
  });

  it('recognizes a stale daemon.json left by a dead process and starts anyway', async () => {
    const home = newHome();
    // A pid that is certainly gone: a process we ran and waited for.
    const finished = await runCli(['--version'], { home });
    expect(finished.exitCode).toBe(0);
    writeFileSync(
      join(home, 'daemon.json'),
      JSON.stringify({ pid: 999_999, port: 1, url: 'http://127.0.0.1:1', version: '0.0.1', startedAt: '2026-01-01T00:00:00Z' }),
      { mode: 0o600 },
    );
    const status = await runCli(['status', '--json'], { home });
    expect(JSON.parse(status.stdout)).toMatchObject({ running: false, stale: 'process 999999 is gone' });

    const start = await runCli(['start', '--port', '0'], { home });
    expect(start.exitCode, start.stderr).toBe(0);
    expect(start.stderr).toContain('Removed a stale daemon.json (process 999999 is gone)');
    expect(daemonState(home)?.pid).not.toBe(999_999);
    await runCli(['stop'], { home });
  });

  it('treats a recycled pid (another program now) as stale', async () => {
    const home = newHome();
    // Our own test process is alive but is not the daemon: its recorded start time differs.
    writeFileSync(
      join(home, 'daemon.json'),
      JSON.stringify({ pid: process.pid, port: 1, url: 'http://127.0.0.1:1', version: '0.0.1', startedAt: '2026-01-01T00:00:00Z', processStart: '1' }),
    );
    const stop = await runCli(['stop'], { home });
    expect(stop.exitCode).toBe(0);
    expect(stop.stdout).toContain(`removed a stale daemon.json: process ${process.pid} is another program now`);
    expect(isAlive(process.pid)).toBe(true);
  });

  it('names the port when another program holds it', async () => {
    const home = newHome();
    const { server, port } = await listenOnFreePort();
    try {
      const start = await runCli(['start', '--port', String(port)], { home });
      expect(start.exitCode).toBe(1);
      expect(start.stderr.split('\n')[0]).toBe(`lodestar: port ${port} on 127.0.0.1 is already in use by another program`);
      expect(start.stderr).toContain(`lodestar start --port ${port + 1}`);
      expect(daemonState(home)).toBeUndefined();

      const viaEnv = await runCli(['start'], { home, env: { LODESTAR_PORT: String(port) } });
      expect(viaEnv.exitCode).toBe(1);
      expect(viaEnv.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
    } finally {
      server.close();
    }
  });

  it('runs in the foreground and stops gracefully on SIGTERM', async () => {
    const home = newHome();
    const { execa } = await import('execa');
    const { BIN, cleanEnv } = await import('../helpers/cli.js');
    const child = execa(process.execPath, [BIN, 'start', '--foreground', '--port', '0'], {
      env: cleanEnv(home),
      extendEnv: false,
      reject: false,
    });
    let state: ReturnType<typeof daemonState>;
    for (let attempt = 0; attempt < 100 && !(state = daemonState(home)); attempt++) await new Promise((r) => setTimeout(r, 100));
    expect(state!).toBeDefined();
    const health = await fetch(`${state!.url}/health`);
    expect(health.status).toBe(200);
    child.kill('SIGTERM');
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(String(result.stderr)).toContain('Lodestar is listening on');
    expect(String(result.stderr)).toContain('"message":"daemon stopped"');
    expect(daemonState(home)).toBeUndefined();
  });
});

describe('configuration errors', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['unknown key', '{"projet": "web"}', /"projet" is not a known key \(did you mean "project"\?\)/],
    ['wrong type', '{"project": 42}', /"project" must be a string, got 42/],
    ['broken JSON', '{\n  "project": "web"\n  "x": 1\n}', /not valid JSON at line 3, column 3/],
    ['daemon-wide key', '{"port": 5000}', /"port" can't be set in a project's \.lodestarrc/],
    ['providers section', '{"providers": {}}', /"providers" can't be set in a project's \.lodestarrc/],
  ];

  for (const [name, content, expected] of cases) {
    it(`stops every command with exit 2 on a .lodestarrc with a ${name}`, async () => {
      const home = newHome();
      const project = join(home, 'project', 'src', 'deep');
      mkdirSync(project, { recursive: true });
      const rc = join(home, 'project', '.lodestarrc');
      writeFileSync(rc, content);
      for (const command of [['status'], ['start', '--port', '0'], ['stop'], ['doctor'], ['status', '--json']]) {
        const result = await runCli(command, { home, cwd: project });
        expect(result.exitCode, command.join(' ')).toBe(2);
        expect(result.stdout).toBe('');
        const lines = result.stderr.trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(`lodestar: invalid config in ${rc}: `);
        expect(lines[0]).toMatch(expected);
        expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/);
      }
      expect(daemonState(home)).toBeUndefined();
    });
  }

  it('names the global config file and the key, and the variable for a bad environment value', async () => {
    const home = newHome();
    writeFileSync(join(home, 'config.json'), '{"providers": {"ollama": {"baseUrl": "localhost:11434"}}}');
    const bad = await runCli(['status'], { home });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.trim()).toBe(
      `lodestar: invalid config in ${join(home, 'config.json')}: "providers.ollama.baseUrl" must be an http:// or https:// URL, like http://127.0.0.1:11434, got "localhost:11434"`,
    );

    writeFileSync(join(home, 'config.json'), '{}');
    const env = await runCli(['status'], { home, env: { LODESTAR_PORT: 'forty' } });
    expect(env.exitCode).toBe(2);
    expect(env.stderr.trim()).toBe('lodestar: invalid config in environment variable LODESTAR_PORT: "port" must be a port number (0-65535), got "forty"');
  });

  it('refuses an API key in a project file without repeating it', async () => {
    const home = newHome();
    writeFileSync(join(home, '.lodestarrc'), '{"project": "web", "budget": {"apiKey": "sk-test-abcdefghijklmnopqrstuvwxyz"}}');
    const result = await runCli(['status'], { home });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('"budget.apiKey" doesn\'t belong in .lodestarrc, which gets committed');
    expect(result.stderr).not.toContain('abcdefghijklmnop');
  });

  it('exits 2 on an unknown flag', async () => {
    const home = newHome();
    const result = await runCli(['start', '--bogus'], { home });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("unknown option '--bogus'");
  });
});

describe('doctor', () => {
  it('reports each check with how to fix it, and finds tools on PATH', async () => {
    const home = newHome();
    const tools = join(home, 'tools');
    mkdirSync(tools);
    writeFileSync(join(tools, 'aider'), '#!/bin/sh\necho aider 0.86.2\n');
    chmodSync(join(tools, 'aider'), 0o755);
    const result = await runCli(['doctor', '--json'], {
      home,
      env: {
        PATH: `${tools}:/usr/bin:/bin`,
        DEEPSEEK_API_KEY: 'sk-doctor-secret-value-0123456789',
        OLLAMA_HOST: '127.0.0.1:9',
      },
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { ok: boolean; checks: Array<{ name: string; status: string; detail: string; fix?: string }> };
    const byName = Object.fromEntries(report.checks.map((check) => [check.name, check]));
    expect(Object.keys(byName)).toEqual(['node', 'state folder', 'config', 'port', 'ollama', 'nvidia-smi', 'provider keys', 'model quality', 'aider']);
    // DeepSeek alone: deepseek-flash meets the edit floor by the successor rule, and v4-pro by its alias; nothing lacks evidence.
    expect(byName['model quality']).toMatchObject({ status: 'ok', detail: '2 available model(s) meet the edit floor of 70%; every available paid model has quality evidence' });
    expect(byName.node).toMatchObject({ status: 'ok' });
    expect(byName.node?.detail).toContain(process.version);
    expect(byName.aider).toMatchObject({ status: 'ok', detail: join(tools, 'aider') });
    expect(byName['provider keys']).toMatchObject({ status: 'ok', detail: 'set: DEEPSEEK_API_KEY' });
    expect(byName.ollama).toMatchObject({ status: 'warn' });
    expect(byName.ollama?.detail).toContain('http://127.0.0.1:9');
    expect(byName.ollama?.fix).toContain('ollama serve');
    expect(byName['nvidia-smi']).toMatchObject({ status: 'warn' });
    expect(byName['nvidia-smi']?.fix).toBeTruthy();
    expect(result.stdout).not.toContain('sk-doctor-secret');
  });

  it('fails when the port is taken by another program', async () => {
    const home = newHome();
    const { server, port } = await listenOnFreePort();
    try {
      const result = await runCli(['doctor'], { home, env: { LODESTAR_PORT: String(port), PATH: '/usr/bin:/bin' } });
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toMatch(new RegExp(`FAIL\\s+port\\s+port ${port} on 127\\.0\\.0\\.1 is in use by another program`));
      expect(result.stdout).toContain(`LODESTAR_PORT=${port + 1}`);
      expect(result.stdout).toContain('python -m pip install aider-install && aider-install');
    } finally {
      server.close();
    }
  });
});
