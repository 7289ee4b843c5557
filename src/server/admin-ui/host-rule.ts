import type { IncomingMessage } from 'node:http';
import { isLoopbackHost } from '../../daemon/middleware/host-check.js';
import { UsageError } from '../../shared/errors.js';
import { HttpError } from '../../shared/http-error.js';

export interface HostRuleOptions {
  /** The --listen host: a name or address it is reached by, unless it is a wildcard (0.0.0.0, ::). */
  listenHost: string;
  /** The port the server bound (known once it listens). */
  port: () => number;
  /** LODESTAR_PUBLIC_URL and LODESTAR_PUBLIC_HOSTS. */
  env: NodeJS.ProcessEnv;
}

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]', '']);
/** A Host header's shape: a DNS name or an IPv4 address, or an IPv6 address in brackets, with an optional port. */
const HOST_SHAPE = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

/**
 * Which Host and Origin the admin pages answer, for a server that may listen on 0.0.0.0 behind
 * the operator's TLS proxy. A Host is allowed when it is:
 * - a loopback name (127.0.0.1, localhost, [::1]) with the server's own port, as the local UI;
 * - the --listen host with that port, when it names one (not a wildcard);
 * - the host of LODESTAR_PUBLIC_URL (what a browser sends through the proxy: no port for 443);
 * - an entry of LODESTAR_PUBLIC_HOSTS (comma-separated `name` or `name:port`, matched exactly).
 * Anything else is a 403 before a route runs: a page that rebinds its own domain to this server
 * still sends its own name (DNS rebinding). An Origin passes when it is http(s) on an allowed
 * host, and https for the public URL's host when that URL is https.
 */
export class HostRule {
  private readonly listenHost: string | undefined;
  private readonly port: () => number;
  private readonly publicUrl: URL | undefined;
  private readonly publicHosts: ReadonlySet<string>;

  constructor(options: HostRuleOptions) {
    this.port = options.port;
    const listen = options.listenHost.toLowerCase();
    this.listenHost = WILDCARDS.has(listen) ? undefined : listen.includes(':') && !listen.startsWith('[') ? `[${listen}]` : listen;
    this.publicUrl = parsePublicUrl(options.env.LODESTAR_PUBLIC_URL);
    this.publicHosts = new Set([...parsePublicHosts(options.env.LODESTAR_PUBLIC_HOSTS), ...(this.publicUrl ? [this.publicUrl.host] : [])]);
  }

  /** The session cookie is Secure when the pages are served over https. */
  get secure(): boolean {
    return this.publicUrl?.protocol === 'https:';
  }

  allows(host: string): boolean {
    const lower = host.toLowerCase();
    const port = this.port();
    if (isLoopbackHost(lower, port)) return true;
    if (this.listenHost !== undefined && (lower === `${this.listenHost}:${port}` || (port === 80 && lower === this.listenHost))) return true;
    return this.publicHosts.has(lower);
  }

  checkHost(request: IncomingMessage): void {
    const host = request.headers.host;
    if (host === undefined || !this.allows(host)) {
      throw new HttpError(403, `Host ${JSON.stringify(host ?? '')} is not allowed: the admin pages answer the server's loopback names and the hosts in LODESTAR_PUBLIC_URL or LODESTAR_PUBLIC_HOSTS`, {
        code: 'host_not_allowed',
      });
    }
  }

  /** A request that changes something must come from the admin pages' own origin (CSRF). */
  checkOrigin(request: IncomingMessage): void {
    const origin = request.headers.origin;
    if (origin === undefined || !this.allowsOrigin(origin)) {
      throw new HttpError(403, `Origin ${JSON.stringify(origin ?? '')} may not act on the admin pages: only their own pages may`, { code: 'origin_not_allowed' });
    }
  }

  private allowsOrigin(origin: string): boolean {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    if (url.origin !== origin.toLowerCase().replace(/\/$/, '')) return false;
    if (this.publicUrl && url.host === this.publicUrl.host && url.protocol !== this.publicUrl.protocol) return false;
    return this.allows(url.host);
  }
}

function parsePublicUrl(text: string | undefined): URL | undefined {
  if (!text) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) {
    throw new UsageError(`LODESTAR_PUBLIC_URL must be the http:// or https:// address people open the server at, got ${JSON.stringify(text)}`, 'For example: LODESTAR_PUBLIC_URL=https://lodestar.example.com');
  }
  return url;
}

function parsePublicHosts(text: string | undefined): string[] {
  if (!text) return [];
  const hosts = text
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean);
  for (const host of hosts) {
    if (!HOST_SHAPE.test(host)) throw new UsageError(`LODESTAR_PUBLIC_HOSTS: ${JSON.stringify(host)} is not a host name or host:port`, 'For example: LODESTAR_PUBLIC_HOSTS=lodestar.example.com,10.0.0.5:4242');
  }
  return hosts;
}
