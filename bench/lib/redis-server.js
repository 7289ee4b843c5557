// A private redis-server for the tests (test/helpers/redis.ts re-exports this) and the benchmarks:
// Debian's redis-server package, on a free port of 127.0.0.1, no persistence, a password; stopped
// (SIGKILL, as a crash) and started again on the same port at will. Plain JavaScript so that the
// benchmarks (bench/, no build step) and the tests share it.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, statSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { freePort } from './processes.js';

/** Why a real redis-server can't run here (Debian's redis-server package), or undefined. */
export function redisUnavailable() {
  return onPath('redis-server') ? undefined : 'redis-server is not installed (Debian: apt-get install redis-server)';
}

/** Every redis-server started here and still running, killed if this process exits without stopping it. */
const running = new Set();
let exitHookInstalled = false;

/**
 * Starts one and resolves once it accepts connections: { port, url, pid, start(), stop() }.
 * `password` defaults to a random one (it is in `url`). stop() kills it with SIGKILL; start()
 * runs it again on the same port, empty.
 */
export async function startRedis(password = randomBytes(12).toString('base64url')) {
  const port = await freePort();
  let child;
  installExitHook();
  const redis = {
    port,
    url: `redis://:${password}@127.0.0.1:${port}`,
    get pid() {
      return child?.pid;
    },
    async start() {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--requirepass', password, '--daemonize', 'no'], { stdio: 'ignore' });
      const started = child;
      running.add(started);
      started.once('exit', () => running.delete(started));
      const deadline = Date.now() + 10_000;
      while (!(await acceptsConnections(port, 200))) {
        if (Date.now() > deadline) throw new Error('redis-server did not start');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async stop() {
      const stopping = child;
      child = undefined;
      if (!stopping || stopping.exitCode !== null) return;
      await new Promise((resolve) => {
        stopping.once('exit', () => resolve());
        stopping.kill('SIGKILL');
      });
    },
  };
  await redis.start();
  return redis;
}

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

function acceptsConnections(port, timeoutMs) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (result) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function onPath(name) {
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    if (!folder) continue;
    try {
      const candidate = join(folder, name);
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}
