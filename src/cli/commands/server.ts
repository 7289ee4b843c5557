import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { DAEMON_NODE_FLAGS, SERVER_ENTRY } from '../../shared/package-info.js';
import type { CliContext } from '../context.js';

const HELP = `
Team mode: one or more instances of this server in front of one PostgreSQL and one Redis.
Runs in the foreground like a service: logs go to stderr, SIGTERM or Ctrl-C stops it gracefully.

At start it migrates the database (one instance at a time) and makes sure an admin key exists:
  - LODESTAR_ADMIN_KEY set (lsa_ and 24+ letters, digits, _ or -): that key is an admin key;
  - otherwise, at the very first start, one is made and printed ONCE on stderr.

Environment:
  LODESTAR_LISTEN        HOST:PORT to listen on (default 127.0.0.1:4242; 0.0.0.0:4242 behind your TLS proxy)
  LODESTAR_DATABASE_URL  postgresql://USER:PASSWORD@HOST:PORT/DB (required)
  LODESTAR_REDIS_URL     redis://:PASSWORD@HOST:PORT (required)
  LODESTAR_ADMIN_KEY     the admin key to accept (optional)
  LODESTAR_PUBLIC_URL    the https:// address people open (behind a proxy): the admin pages answer its
                         host, and their session cookie is Secure when it is https
  LODESTAR_PUBLIC_HOSTS  more Host values the admin pages answer, comma-separated (name or name:port)

  OPENAI_API_KEY, ANTHROPIC_API_KEY, ...  the providers' keys: the server's, never the users'

Endpoints: the model endpoints as the local daemon has them (/v1/chat/completions, /v1/messages,
/v1/responses, /v1/completions, /v1/models) with a user's key (Bearer lsk_... or x-api-key);
GET /health (no auth); GET /v1/me (a user's key); GET /metrics and the admin API under /admin/
(an admin key; see \`lodestar admin --help\`); the admin pages at /admin-ui/.
`;

export function registerServer(program: Command, context: CliContext): void {
  program
    .command('server')
    .description('run the team server (PostgreSQL + Redis) in the foreground')
    .option('--listen <host:port>', 'address to listen on (default: LODESTAR_LISTEN, 127.0.0.1:4242)')
    .option('--database <url>', 'PostgreSQL URL (default: LODESTAR_DATABASE_URL)')
    .option('--redis <url>', 'Redis URL (default: LODESTAR_REDIS_URL)')
    .addHelpText('after', HELP)
    .action(async (options: { listen?: string; database?: string; redis?: string }) => {
      context.exitCode = await runServer(context, options);
    });
}

/**
 * The server is its own program (src/server/main.js; the CLI never loads the server's modules),
 * attached to this terminal and an IPC channel: if this process is killed, the server hears its
 * channel close and stops. Its exit status is ours (2 for bad usage, which it checks).
 */
function runServer(context: CliContext, options: { listen?: string; database?: string; redis?: string }): Promise<number> {
  const args: string[] = [];
  if (options.listen !== undefined) args.push('--listen', options.listen);
  if (options.database !== undefined) args.push('--database', options.database);
  if (options.redis !== undefined) args.push('--redis', options.redis);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, SERVER_ENTRY, ...args], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], env: context.env });
    const forward = (signal: NodeJS.Signals) => (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    const onTerm = forward('SIGTERM');
    const onInt = forward('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    child.once('error', (error) => {
      context.output.error(`cannot start the server: ${error.message}`);
      resolve(1);
    });
    child.once('exit', (code, signal) => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}
