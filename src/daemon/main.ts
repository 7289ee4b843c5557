/**
 * The daemon process. `lodestar start` runs this file detached (with an IPC channel it drops
 * once the daemon listens), `lodestar start --foreground` runs it attached to the terminal.
 * Arguments: [--port N] [--foreground].
 */
import { errorMessage, LodestarError } from '../shared/errors.js';
import { startDaemon, type RunningDaemon } from './run.js';

export type StartupMessage =
  | { type: 'ready'; pid: number; port: number; url: string }
  | { type: 'error'; message: string; hint?: string; exitCode: number };

function parseArguments(argv: readonly string[]): { port?: number; foreground: boolean } {
  const result: { port?: number; foreground: boolean } = { foreground: false };
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    if (argument === '--foreground') result.foreground = true;
    else if (argument === '--port') result.port = Number(argv[++index]);
  }
  return result;
}

function report(message: StartupMessage): void {
  if (process.send && process.connected) {
    process.send(message, () => process.disconnect());
  } else if (message.type === 'error') {
    process.stderr.write(`lodestar: ${message.message}\n${message.hint ? `${message.hint}\n` : ''}`);
  }
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  let daemon: RunningDaemon;
  try {
    daemon = await startDaemon({ port: args.port, logToStderr: args.foreground });
  } catch (error) {
    const exitCode = error instanceof LodestarError ? error.exitCode : 1;
    const hint = error instanceof LodestarError ? error.hint : undefined;
    report({ type: 'error', message: errorMessage(error), hint, exitCode });
    process.exitCode = exitCode;
    return;
  }
  const { state } = daemon;
  if (args.foreground) process.stderr.write(`Lodestar is listening on ${state.url} (pid ${state.pid}); Ctrl-C stops it.\n`);
  report({ type: 'ready', pid: state.pid, port: state.port, url: state.url });

  const stop = (signal: string): void => {
    void daemon.shutdown(signal).then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => stop('SIGHUP'));
  process.on('uncaughtException', (error) => {
    daemon.context.logger.error('uncaught exception', { error, stack: error.stack });
    void daemon.shutdown('uncaught exception').then(() => process.exit(1));
  });
  process.on('unhandledRejection', (reason) => {
    daemon.context.logger.error('unhandled rejection', { error: reason instanceof Error ? reason : String(reason) });
  });
}

void main();
