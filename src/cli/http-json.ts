import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** GET a JSON document with a timeout (Ollama's /api/version and /api/tags, say); never throws. */
export function getJson(url: string, timeoutMs: number): Promise<{ ok: true; body: unknown } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      resolve({ ok: false, error: 'not a valid URL' });
      return;
    }
    const send = parsed.protocol === 'https:' ? httpsRequest : request;
    const outgoing = send(parsed, { method: 'GET', timeout: timeoutMs }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        if ((incoming.statusCode ?? 0) >= 400) {
          resolve({ ok: false, error: `HTTP ${incoming.statusCode}` });
          return;
        }
        try {
          resolve({ ok: true, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        } catch {
          resolve({ ok: false, error: 'answered, but not with JSON' });
        }
      });
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.on('error', (error: NodeJS.ErrnoException) => resolve({ ok: false, error: error.code ?? error.message }));
    outgoing.end();
  });
}

