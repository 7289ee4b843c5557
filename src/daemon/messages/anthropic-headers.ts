import type { IncomingMessage } from 'node:http';

/** The client's anthropic-version and anthropic-beta, for Anthropic (every beta goes on as asked). */
export function anthropicHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of ['anthropic-version', 'anthropic-beta']) {
    const value = request.headers[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}
