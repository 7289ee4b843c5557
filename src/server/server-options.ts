import { UsageError } from '../shared/errors.js';
import { givenAdminKeyProblem } from './identity/admin-key.js';

export const DEFAULT_LISTEN = '127.0.0.1:4242';

export interface ServerOptions {
  host: string;
  port: number;
  databaseUrl: string;
  redisUrl: string;
  adminKey: string | undefined;
}

/**
 * `lodestar server [--listen HOST:PORT] [--database URL] [--redis URL]`, each flag over its
 * variable (LODESTAR_LISTEN, LODESTAR_DATABASE_URL, LODESTAR_REDIS_URL), and LODESTAR_ADMIN_KEY.
 * A usage error (exit 2) names the flag and the variable.
 */
export function serverOptions(argv: readonly string[], env: NodeJS.ProcessEnv): ServerOptions {
  const flags: Record<string, string> = {};
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] as string;
    const [name, inline] = argument.includes('=') ? [argument.slice(0, argument.indexOf('=')), argument.slice(argument.indexOf('=') + 1)] : [argument, undefined];
    if (!['--listen', '--database', '--redis'].includes(name)) throw new UsageError(`unknown argument ${JSON.stringify(argument)}`, 'Run `lodestar server --help`.');
    const value = inline ?? argv[++index];
    if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
    flags[name] = value;
  }
  const listen = flags['--listen'] ?? (env.LODESTAR_LISTEN || DEFAULT_LISTEN);
  const { host, port } = parseListen(listen);
  const databaseUrl = flags['--database'] ?? env.LODESTAR_DATABASE_URL;
  if (!databaseUrl) throw new UsageError('no database: give --database URL or set LODESTAR_DATABASE_URL', 'For example: LODESTAR_DATABASE_URL=postgresql://lodestar@db:5432/lodestar');
  checkUrl(databaseUrl, ['postgres:', 'postgresql:'], '--database', 'LODESTAR_DATABASE_URL');
  const redisUrl = flags['--redis'] ?? env.LODESTAR_REDIS_URL;
  if (!redisUrl) throw new UsageError('no Redis: give --redis URL or set LODESTAR_REDIS_URL', 'For example: LODESTAR_REDIS_URL=redis://redis:6379');
  checkUrl(redisUrl, ['redis:', 'rediss:'], '--redis', 'LODESTAR_REDIS_URL');
  const adminKey = env.LODESTAR_ADMIN_KEY || undefined;
  const problem = adminKey === undefined ? undefined : givenAdminKeyProblem(adminKey);
  if (problem) throw new UsageError(`LODESTAR_ADMIN_KEY ${problem}`, 'Unset it to have the server make one at its first start.');
  return { host, port, databaseUrl, redisUrl, adminKey };
}

/** HOST:PORT, [IPv6]:PORT; port 0 picks a free one (tests). */
export function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) throw new UsageError(`--listen (LODESTAR_LISTEN) must be HOST:PORT, such as ${DEFAULT_LISTEN} or 0.0.0.0:4242; got ${JSON.stringify(text)}`);
  return { host: (match[1] ?? match[2]) as string, port };
}

function checkUrl(text: string, protocols: string[], flag: string, variable: string): void {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  // The value is never echoed: it may hold a password.
  if (!url || !protocols.includes(url.protocol)) throw new UsageError(`${flag} (${variable}) must be a ${protocols.map((protocol) => `${protocol}//`).join(' or ')} URL`);
}
