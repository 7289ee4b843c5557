import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { LodestarError, UsageError } from '../../shared/errors.js';
import { DAEMON_ENTRY, DAEMON_NODE_FLAGS } from '../../shared/package-info.js';
import type { CliContext } from '../context.js';
import { findDaemon, pendingReadings, portInUse, removeStaleState, spawnDaemon } from '../daemon-control.js';

export function registerStart(program: Command, context: CliContext): void {
  program
    .command('start')
    .description('start the daemon (detached unless --foreground); returns once it answers /health')
    .option('--port <n>', 'port on 127.0.0.1 (default: LODESTAR_PORT, config "port", 4141)')
    .option('--foreground', 'run in this terminal, logging to stderr; Ctrl-C stops it')
    .action(async (options: { port?: string; foreground?: boolean }) => {
      context.exitCode = await start(context, options);
    });
}

export function parsePort(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new UsageError(`--port must be a port number (0-65535), got ${JSON.stringify(value)}`);
  return Number(value);
}

async function start(context: CliContext, options: { port?: string; foreground?: boolean }): Promise<number> {
  const { config, paths } = context.config();
  const port = parsePort(options.port, config.port);
  const { output } = context;

  const existing = findDaemon(paths);
  if (existing.kind === 'alive') {
    output.line(`Lodestar is already running on ${existing.state.url} (pid ${existing.state.pid}, since ${existing.state.startedAt}).`);
    return 0;
  }
  if (existing.kind === 'stale') {
    removeStaleState(paths);
    output.note(`Removed a stale daemon.json (${existing.reason}).`);
  }
  if (await portInUse(port)) {
    throw new LodestarError(`port ${port} on 127.0.0.1 is already in use by another program`, {
      hint: `Stop that program, or start Lodestar on another port: lodestar start --port ${port + 1} (or set LODESTAR_PORT).`,
    });
  }

  if (options.foreground) return runForeground(context, port);

  const running = await spawnDaemon(paths, port, context.env);
  output.line(`Lodestar started on ${running.state.url} (pid ${running.state.pid}).`);
  for (const sentence of pendingReadings(running.health)) output.note(sentence);
  output.note(`Logs: ${paths.daemonLog}`);
  return 0;
}

/**
 * The foreground daemon is the same program as the detached one, attached to this terminal:
 * Ctrl-C reaches both processes, the daemon shuts down gracefully and we return its status.
 */
function runForeground(context: CliContext, port: number): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, DAEMON_ENTRY, '--port', String(port), '--foreground'], {
      stdio: 'inherit',
      env: context.env,
    });
    const forward = (signal: NodeJS.Signals) => () => {
      if (child.exitCode === null) child.kill(signal);
    };
    const onTerm = forward('SIGTERM');
    // Ctrl-C already reaches the child through the terminal's process group.
    const onInt = (): void => {};
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    child.once('exit', (code, signal) => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}
