/**
 * The team server's process, run by `lodestar server` (attached to its terminal, with an IPC
 * channel: when the CLI process goes, so does this one). Logs to stderr; stops gracefully on
 * SIGTERM and SIGINT. Exit status: 0 stopped, 1 failed, 2 bad usage.
 */
import { errorMessage, LodestarError } from '../shared/errors.js';
import { Redactor } from '../shared/redact.js';
import { startTeamServer, type RunningTeamServer } from './http/team-server.js';
import { StderrLogger } from './http/stderr-logger.js';
import { serverOptions } from './server-options.js';

async function main(): Promise<void> {
  const redactor = new Redactor([process.env.LODESTAR_ADMIN_KEY]);
  const logger = new StderrLogger(redactor);
  let running: RunningTeamServer;
  try {
    const options = serverOptions(process.argv.slice(2), process.env);
    redactor.add(options.databaseUrl.match(/\/\/[^:/@]*:([^@/]+)@/)?.[1]);
    redactor.add(options.redisUrl.match(/\/\/[^:/@]*:([^@/]+)@/)?.[1]);
    running = await startTeamServer({
      ...options,
      logger,
      redactor,
      env: process.env,
      onFirstAdminKey: (key) => {
        // The one place the key is written, unredacted, once.
        process.stderr.write(`\nLodestar admin key (shown once, never again; store it now): ${key}\nUse it as LODESTAR_ADMIN_KEY for \`lodestar admin\`.\n\n`);
      },
    });
  } catch (error) {
    const hint = error instanceof LodestarError ? error.hint : undefined;
    process.stderr.write(redactor.redact(`lodestar: ${errorMessage(error)}\n${hint ? `${hint}\n` : ''}`));
    process.exitCode = error instanceof LodestarError ? error.exitCode : 1;
    process.disconnect?.();
    return;
  }
  process.stderr.write(`Lodestar server listening on ${running.url} (pid ${process.pid})\n`);

  const stop = (reason: string): void => {
    void running.shutdown(reason).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('shutdown failed', { error: errorMessage(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // Started by `lodestar server` with an IPC channel: that process gone (killed), this one stops.
  if (process.connected) process.on('disconnect', () => stop('the lodestar process that started it exited'));
  process.on('unhandledRejection', (reason) => logger.error('unhandled rejection', { error: errorMessage(reason) }));
}

void main();
