import { request } from 'node:http';
import type { DaemonState } from '../shared/daemon-state.js';

export interface DaemonReply {
  status: number;
  body: unknown;
}

/**
 * A small HTTP client for the daemon's API. The CLI talks to the daemon only through this,
 * never through its modules. node:http rather than fetch: a CLI command should start fast.
 */
export function callDaemon(
  target: Pick<DaemonState, 'port'>,
  path: string,
  options: { token?: string; timeoutMs?: number; method?: string; body?: unknown } = {},
): Promise<DaemonReply> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: '127.0.0.1',
        port: target.port,
        path,
        method: options.method ?? 'GET',
        headers: {
          host: `127.0.0.1:${target.port}`,
          accept: 'application/json',
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
        },
        timeout: options.timeoutMs ?? 3000,
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: incoming.statusCode ?? 0, body });
        });
        incoming.on('error', reject);
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer from the daemon within ${options.timeoutMs ?? 3000} ms`)));
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

export async function healthOf(target: Pick<DaemonState, 'port'>, timeoutMs = 2000): Promise<Record<string, unknown> | undefined> {
  try {
    const reply = await callDaemon(target, '/health', { timeoutMs });
    return typeof reply.body === 'object' && reply.body !== null ? (reply.body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
