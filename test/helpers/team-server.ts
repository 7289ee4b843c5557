import { spawn, type ChildProcess } from 'node:child_process';
import { BIN, cleanEnv } from './cli.js';

/** A `lodestar server` process (bin/lodestar, dist/), as an operator runs it. */
export interface TeamServerProcess {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

export const ADMIN_KEY_LINE = /Lodestar admin key \(shown once[^)]*\): (lsa_[0-9A-Za-z]{43})/g;

/** Starts one on a free loopback port; resolves once it says where it listens. */
export function spawnTeamServer(options: { home: string; databaseUrl: string; redisUrl: string; env?: Record<string, string> }): Promise<TeamServerProcess> {
  const child = spawn(process.execPath, [BIN, 'server', '--listen', '127.0.0.1:0', '--database', options.databaseUrl, '--redis', options.redisUrl], {
    env: cleanEnv(options.home, options.env) as NodeJS.ProcessEnv,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let text = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${text}`)), 20_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const match = /Lodestar server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1] as string, stderr: () => text, exited });
      }
    });
    void exited.then((code) => reject(new Error(`the server exited (${code}):\n${text}`)));
  });
}

/** An admin API call with an admin key. */
export async function adminCall(url: string, adminKey: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, any> }> {
  const headers: Record<string, string> = { authorization: `Bearer ${adminKey}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}
