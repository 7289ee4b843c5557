import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SshTunnel, sshTunnelArguments, type SshTunnelOptions, type TunnelHealth } from '../../src/gpu/ssh-tunnel.js';
import type { Logger } from '../../src/shared/logger.js';
import { findOnPath } from '../../src/shared/which.js';
import { startOllamaDouble, type OllamaDouble } from '../doubles/index.js';
import { ROOT } from '../helpers/cli.js';
import { acceptsConnections as acceptsPort, isRunning, sshdUnavailable, startSshd, type Sshd } from '../helpers/sshd.js';

// Small waits so that a few reconnects fit in a test; the doubling and the cap are what is checked.
const BACKOFF = { initialMs: 50, maxMs: 400 };
const noSshd = sshdUnavailable();
const noSsh = findOnPath('ssh') ? undefined : 'the ssh client is not on PATH';
if (noSshd) console.warn(`ssh-tunnel: the tests against a real sshd are SKIPPED: ${noSshd}`);

interface Opened {
  tunnel: SshTunnel;
  /** Every state change, in order, with the time it was seen. */
  changes: Array<TunnelHealth & { at: number }>;
  logs: Array<{ level: string; message: string; fields?: Record<string, unknown> }>;
}

const opened: SshTunnel[] = [];

function open(options: Omit<SshTunnelOptions, 'logger'>): Opened {
  const changes: Opened['changes'] = [];
  const logs: Opened['logs'] = [];
  const record = (level: string) => (message: string, fields?: Record<string, unknown>) => void logs.push({ level, message, fields });
  const logger: Logger = { error: record('error'), warn: record('warn'), info: record('info'), debug: record('debug'), enabled: () => true, flush() {} };
  const tunnel = new SshTunnel({ backoff: BACKOFF, ...options, logger, onChange: (health) => changes.push({ ...health, at: Date.now() }) });
  opened.push(tunnel);
  return { tunnel, changes, logs };
}

async function waitFor<T>(what: string, check: () => T | undefined | false, context: () => unknown, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(context(), null, 2)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Whether the tunnel's local end accepts connections. */
function acceptsConnections(url: string): Promise<boolean> {
  return acceptsPort(Number(new URL(url).port), 2000);
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((tunnel) => tunnel.stop()));
});

describe('sshTunnelArguments', () => {
  it('asks for a tunnel that never prompts, binds loopback only, and ends with the target', () => {
    const args = sshTunnelArguments({ target: 'me@gpu-box', localPort: 5000, remoteHost: '127.0.0.1', remotePort: 11434, extraArgs: ['-p', '2222'] });
    const options = args.flatMap((arg, index) => (args[index - 1] === '-o' ? [arg] : []));
    expect(args[0]).toBe('-N');
    expect(options).toEqual(expect.arrayContaining(['ExitOnForwardFailure=yes', 'BatchMode=yes', 'ServerAliveInterval=15', 'ServerAliveCountMax=3', 'ConnectTimeout=10']));
    expect(args[args.indexOf('-L') + 1]).toBe('127.0.0.1:5000:127.0.0.1:11434');
    expect(args.slice(-2)).toEqual(['--', 'me@gpu-box']);
    // ssh keeps the first -o value: ours that make it a tunnel come before the user's, the tunable ones after.
    expect(args.indexOf('BatchMode=yes')).toBeLessThan(args.indexOf('2222'));
    expect(args.indexOf('ConnectTimeout=10')).toBeGreaterThan(args.indexOf('2222'));
  });

  it('brackets an IPv6 remote host', () => {
    const args = sshTunnelArguments({ target: 'me@gpu-box', localPort: 5000, remoteHost: '::1', remotePort: 11434 });
    expect(args[args.indexOf('-L') + 1]).toBe('127.0.0.1:5000:[::1]:11434');
  });
});

describe('SshTunnel without a server', () => {
  it('refuses a target that ssh would read as an option', () => {
    expect(() => open({ target: '-oProxyCommand=touch /tmp/x' })).toThrow(/invalid ssh target/);
    expect(() => open({ target: 'me@host extra' })).toThrow(/invalid ssh target/);
  });

  it('is down, not thrown, when ssh is missing', async () => {
    const { tunnel } = open({ target: 'me@gpu-box', sshBinary: '/nonexistent/ssh' });
    const health = await tunnel.start();
    expect(health).toMatchObject({ state: 'down', connects: 0, lastError: '/nonexistent/ssh was not found on PATH' });
  });

  it.skipIf(noSsh)('is down when another program holds the local port', async () => {
    const holder = createServer();
    const port = await listen(holder);
    try {
      const { tunnel } = open({ target: 'me@gpu-box', localPort: port });
      const health = await tunnel.start();
      expect(health.state).toBe('down');
      expect(health.lastError).toMatch(/already in use/);
      expect(health.localUrl).toBe(`http://127.0.0.1:${port}`);
    } finally {
      holder.close();
    }
  });

  it.skipIf(noSsh)('kills an attempt whose forward never opens, and says why', async () => {
    // A server that accepts and never says a word: ssh waits for a banner that never comes.
    const silent = createServer(() => {});
    const port = await listen(silent);
    try {
      const { tunnel } = open({ target: 'me@127.0.0.1', extraArgs: ['-F', '/dev/null', '-p', String(port)], upTimeoutMs: 1000 });
      const health = await tunnel.start();
      expect(health.state).toBe('down');
      expect(health.lastError).toMatch(/did not open within 1 s; ssh was killed/);
      expect(health.pid).toBeUndefined();
    } finally {
      silent.close();
    }
  });
});

describe.skipIf(noSshd)(`SshTunnel against a real sshd${noSshd ? ` (SKIPPED: ${noSshd})` : ''}`, () => {
  let sshd: Sshd;
  let ollama: OllamaDouble;

  beforeAll(async () => {
    ollama = await startOllamaDouble();
    sshd = await startSshd();
  });

  afterAll(async () => {
    await Promise.all(opened.splice(0).map((tunnel) => tunnel.stop()));
    await sshd?.cleanup();
    await ollama?.close();
  });

  const tunnelTo = (key: 'authorized' | 'unknown' = 'authorized'): Opened =>
    open({ target: sshd.target, remotePort: ollama.port, extraArgs: sshd.clientArgs(key) });

  it('comes up and reaches the remote Ollama through localUrl', async () => {
    const { tunnel, changes, logs } = tunnelTo();
    const health = await tunnel.start();
    expect(health, sshd.log()).toMatchObject({ target: sshd.target, state: 'up', connects: 1, restarts: 0, remote: `127.0.0.1:${ollama.port}` });
    expect(health.localUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(health.localUrl).not.toBe(`http://127.0.0.1:${ollama.port}`);
    expect(health.pid).toBeGreaterThan(0);
    expect(tunnel.localUrl).toBe(health.localUrl);
    expect(changes.map((change) => change.state)).toEqual(['connecting', 'up']);

    const response = await fetch(`${tunnel.localUrl}/api/tags`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { models: Array<{ name: string }> };
    expect(body.models.length).toBeGreaterThan(0);
    expect(ollama.requests.at(-1)?.path).toBe('/api/tags');
    expect(logs.some((line) => line.level === 'info' && line.message === 'ssh tunnel up')).toBe(true);
  });

  it('goes down when sshd dies, and comes back on the same local port when it returns', { timeout: 60_000 }, async () => {
    const { tunnel, changes } = tunnelTo();
    expect((await tunnel.start()).state, sshd.log()).toBe('up');
    const { localUrl } = tunnel;

    await sshd.kill();
    const down = await waitFor('down', () => changes.find((change) => change.state === 'down'), () => changes);
    expect(down.connects).toBe(1);
    expect(down.lastError).toBeTruthy();
    // While the server is away, ssh is refused and tried again.
    await waitFor('a retry', () => tunnel.health().restarts >= 2, () => tunnel.health());
    expect(tunnel.health().lastError).toMatch(/refused|closed|reset/i);

    await sshd.start();
    const back = await waitFor('up again', () => changes.find((change) => change.state === 'up' && change.connects === 2), () => ({ changes, sshd: sshd.log() }));
    expect(back.restarts).toBeGreaterThan(0);
    expect(back.localUrl).toBe(localUrl);
    expect((await fetch(`${localUrl}/api/tags`)).status).toBe(200);
  });

  it('with a key the server does not know: down with "permission denied", retried with growing waits', async () => {
    const { tunnel, changes } = tunnelTo('unknown');
    const first = await tunnel.start();
    expect(first.state).toBe('down');
    expect(first.lastError).toMatch(/permission denied/i);
    expect(first.connects).toBe(0);
    expect(first.pid).toBeUndefined();

    await waitFor('five retries', () => tunnel.health().restarts >= 5, () => tunnel.health());
    expect(tunnel.health().connects).toBe(0);
    // Each retry waits at least its backoff after the failure before it: 50, 100, 200, 400, 400 ms.
    // Timers never fire early, so these are lower bounds that a slow machine can only exceed.
    const waits: number[] = [];
    changes.forEach((change, index) => {
      const previous = changes[index - 1];
      if (change.state === 'connecting' && previous?.state === 'down') waits.push(change.at - previous.at);
    });
    expect(waits.length).toBeGreaterThanOrEqual(5);
    waits.slice(0, 5).forEach((wait, index) => expect(wait).toBeGreaterThanOrEqual(Math.min(BACKOFF.initialMs * 2 ** index, BACKOFF.maxMs) - 5));

    await tunnel.stop();
    const restarts = tunnel.health().restarts;
    await new Promise((resolve) => setTimeout(resolve, BACKOFF.maxMs * 2));
    expect(tunnel.health()).toMatchObject({ state: 'stopped', restarts });
  });

  it('stop() leaves no ssh process behind and no listener on the local port', async () => {
    const { tunnel, changes } = tunnelTo();
    const health = await tunnel.start();
    expect(health.state, sshd.log()).toBe('up');
    const pid = health.pid!;
    expect(isRunning(pid)).toBe(true);

    await tunnel.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    expect(tunnel.health().state).toBe('stopped');
    expect(tunnel.health().pid).toBeUndefined();
    expect(changes.at(-1)?.state).toBe('stopped');
    expect(await acceptsConnections(tunnel.localUrl)).toBe(false);
  });

  it('does not leave ssh running when the process that opened the tunnel exits', async () => {
    // A separate Node process, as the daemon is: it opens a tunnel, prints its health and exits.
    const script = `
      const { SshTunnel } = await import(${JSON.stringify(join(ROOT, 'dist/src/gpu/ssh-tunnel.js'))});
      const { silentLogger } = await import(${JSON.stringify(join(ROOT, 'dist/src/shared/logger.js'))});
      const options = JSON.parse(process.env.TUNNEL_OPTIONS);
      const health = await new SshTunnel({ ...options, logger: silentLogger }).start();
      process.stdout.write(JSON.stringify(health));
      process.exit(0);
    `;
    const options = { target: sshd.target, remotePort: ollama.port, extraArgs: sshd.clientArgs() };
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, TUNNEL_OPTIONS: JSON.stringify(options) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise((resolve) => child.once('close', resolve));
    expect(code, stderr).toBe(0);
    const health = JSON.parse(stdout) as TunnelHealth;
    expect(health.state).toBe('up');
    await waitFor('the orphaned ssh to be gone', () => !isRunning(health.pid!), () => health, 10_000);
  });
});
