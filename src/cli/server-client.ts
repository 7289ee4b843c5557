import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { LodestarError, UsageError } from '../shared/errors.js';

export interface ServerTarget {
  url: URL;
  adminKey: string;
}

/**
 * Where `lodestar admin` sends its requests: --server / LODESTAR_SERVER and --admin-key /
 * LODESTAR_ADMIN_KEY. Missing either is a usage error naming the flag and the variable; the key
 * is never printed.
 */
export function serverTarget(options: { server?: string; adminKey?: string }, env: NodeJS.ProcessEnv): ServerTarget {
  const server = options.server ?? env.LODESTAR_SERVER;
  if (!server) throw new UsageError('no server: give --server URL or set LODESTAR_SERVER', 'For example: LODESTAR_SERVER=https://lodestar.example.com');
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new UsageError('--server (LODESTAR_SERVER) must be an http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError('--server (LODESTAR_SERVER) must be an http:// or https:// URL');
  const adminKey = options.adminKey ?? env.LODESTAR_ADMIN_KEY;
  if (!adminKey) throw new UsageError('no admin key: give --admin-key KEY or set LODESTAR_ADMIN_KEY', 'The server printed one at its first start (or uses LODESTAR_ADMIN_KEY as its own).');
  return { url, adminKey };
}

/**
 * One admin API call: the JSON answer of a 2xx, or a LodestarError (exit 1) carrying the server's
 * own message and the field it named.
 */
export function callServer(target: ServerTarget, method: 'GET' | 'POST' | 'PUT' | 'PATCH', path: string, body?: unknown, timeoutMs = 10_000): Promise<Record<string, unknown>> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const url = new URL(path.replace(/^\//, ''), target.url.href.endsWith('/') ? target.url.href : `${target.url.href}/`);
  const send = url.protocol === 'https:' ? httpsRequest : request;
  return new Promise((resolve, reject) => {
    const outgoing = send(
      url,
      {
        method,
        timeout: timeoutMs,
        headers: {
          accept: 'application/json',
          authorization: `Bearer ${target.adminKey}`,
          ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
        },
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => {
          const status = incoming.statusCode ?? 0;
          let parsed: unknown;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            parsed = undefined;
          }
          if (status >= 200 && status < 300 && typeof parsed === 'object' && parsed !== null) {
            resolve(parsed as Record<string, unknown>);
            return;
          }
          reject(refusal(status, parsed));
        });
        incoming.on('error', (error) => reject(new LodestarError(`the server's answer was cut off: ${error.message}`)));
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    outgoing.on('error', (error: NodeJS.ErrnoException) => reject(new LodestarError(`cannot reach the server at ${target.url.origin}: ${error.code ?? error.message}`, { hint: 'Check --server (LODESTAR_SERVER) and that `lodestar server` runs there.' })));
    outgoing.end(payload);
  });
}

function refusal(status: number, body: unknown): LodestarError {
  const error = (body as { error?: { message?: unknown; param?: unknown } } | undefined)?.error;
  const message = typeof error?.message === 'string' ? error.message : `the server answered HTTP ${status}`;
  const param = typeof error?.param === 'string' ? ` (field: ${error.param})` : '';
  const hint = status === 401 ? 'Check --admin-key (LODESTAR_ADMIN_KEY).' : status === 403 ? 'Use an admin key (lsa_...), not a user key.' : undefined;
  return new LodestarError(`the server refused: ${message}${param}`, { hint });
}
