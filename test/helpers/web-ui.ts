import { request } from 'node:http';
import { runCli } from './cli.js';

export interface UiReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => any;
}

/** One exchange with the web UI's listener, as a browser on its own origin makes it (unless told otherwise). */
export function uiRequest(
  port: number,
  path: string,
  options: { method?: string; cookie?: string; body?: unknown; origin?: string | null; host?: string; headers?: Record<string, string> } = {},
): Promise<UiReply> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { host: options.host ?? `127.0.0.1:${port}`, ...options.headers };
  if (options.cookie) headers.cookie = options.cookie;
  if (payload !== undefined) headers['content-type'] = 'application/json';
  const origin = options.origin === undefined ? (options.method && options.method !== 'GET' ? `http://127.0.0.1:${port}` : undefined) : options.origin;
  if (origin) headers.origin = origin;
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, text, json: () => JSON.parse(text) });
      });
      incoming.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

/** `lodestar ui --print`'s one-time link: its URL and the UI's port. */
export async function loginLink(home: string, env: Record<string, string> = {}): Promise<{ url: string; port: number; stdout: string }> {
  const result = await runCli(['ui', '--print'], { home, env });
  if (result.exitCode !== 0) throw new Error(`lodestar ui failed: ${result.stderr}`);
  const url = /http:\/\/127\.0\.0\.1:\d+\/login\?code=[\w-]+/.exec(result.stdout)?.[0];
  if (!url) throw new Error(`no login link in: ${result.stdout}`);
  return { url, port: Number(new URL(url).port), stdout: result.stdout };
}

/** Follows a login link as a browser would: the session cookie it sets ("name=value"). */
export async function logIn(home: string): Promise<{ port: number; cookie: string }> {
  const { url, port } = await loginLink(home);
  const reply = await uiRequest(port, new URL(url).pathname + new URL(url).search);
  const setCookie = reply.headers['set-cookie']?.[0];
  if (reply.status !== 303 || !setCookie) throw new Error(`login answered ${reply.status}`);
  return { port, cookie: setCookie.split(';')[0] as string };
}
