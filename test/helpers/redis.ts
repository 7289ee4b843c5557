import { spawn, type ChildProcess } from 'node:child_process';
import { findOnPath } from '../../src/shared/which.js';
import { acceptsConnections, freeLoopbackPort } from '../../src/gpu/ssh-tunnel.js';

export interface Redis {
  port: number;
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Why a real redis-server can't run here (Debian's redis-server package), or undefined. */
export function redisUnavailable(): string | undefined {
  return findOnPath('redis-server') ? undefined : 'redis-server is not installed (Debian: apt-get install redis-server)';
}

/** A private redis-server on loopback: no persistence, a password, stopped and started at will. */
export async function startRedis(password: string): Promise<Redis> {
  const port = await freeLoopbackPort();
  let child: ChildProcess | undefined;
  const redis: Redis = {
    port,
    url: `redis://:${password}@127.0.0.1:${port}`,
    async start() {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--requirepass', password, '--daemonize', 'no'], { stdio: 'ignore' });
      const deadline = Date.now() + 10_000;
      while (!(await acceptsConnections(port, 200))) {
        if (Date.now() > deadline) throw new Error('redis-server did not start');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async stop() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        running.once('exit', () => resolve());
        running.kill('SIGKILL');
      });
    },
  };
  await redis.start();
  return redis;
}
