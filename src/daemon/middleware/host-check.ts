import type { IncomingMessage } from 'node:http';
import { HttpError } from '../../shared/http-error.js';

/**
 * Refuses requests whose Host header is not this machine's loopback name. A web page that
 * rebinds its own domain to 127.0.0.1 still sends its domain as Host, so it is stopped here
 * before anything else runs (DNS rebinding).
 */
export function createHostCheck(port: () => number): (request: IncomingMessage) => void {
  return function hostCheck(request: IncomingMessage): void {
    const host = request.headers.host;
    if (host === undefined || !isLoopbackHost(host, port())) {
      throw new HttpError(403, `Host ${JSON.stringify(host ?? '')} is not allowed: Lodestar answers only 127.0.0.1, localhost and [::1]`, {
        type: 'permission_error',
        code: 'host_not_allowed',
      });
    }
  };
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function isLoopbackHost(host: string, port: number): boolean {
  const lower = host.toLowerCase();
  const separator = lower.lastIndexOf(':');
  // "[::1]" has colons of its own: a port follows only the closing bracket.
  const hasPort = separator > lower.lastIndexOf(']');
  const name = hasPort ? lower.slice(0, separator) : lower;
  if (!LOOPBACK_NAMES.has(name)) return false;
  if (!hasPort) return port === 80;
  return lower.slice(separator + 1) === String(port);
}
