import type { Command } from 'commander';
import { LodestarError, UsageError } from '../../shared/errors.js';
import type { CliContext } from '../context.js';
import { findDaemon, removeStaleState, stopDaemon } from '../daemon-control.js';

export function registerStop(program: Command, context: CliContext): void {
  program
    .command('stop')
    .description('stop the daemon gracefully: in-flight requests finish first')
    .option('--timeout <seconds>', 'how long to wait for in-flight requests (default: timeouts.shutdownMs + 5 s)')
    .option('--force', 'kill the daemon if it has not stopped when the wait is over')
    .action(async (options: { timeout?: string; force?: boolean }) => {
      const { config, paths } = context.config();
      const { output } = context;
      if (options.timeout !== undefined && !/^\d+(\.\d+)?$/.test(options.timeout)) {
        throw new UsageError(`--timeout must be a number of seconds, got ${JSON.stringify(options.timeout)}`);
      }
      const timeoutMs = options.timeout !== undefined ? Number(options.timeout) * 1000 : config.timeouts.shutdownMs + 5000;

      const status = findDaemon(paths);
      if (status.kind === 'none') {
        output.line('Lodestar is not running.');
        return;
      }
      if (status.kind === 'stale') {
        removeStaleState(paths);
        output.line(`Lodestar is not running (removed a stale daemon.json: ${status.reason}).`);
        return;
      }
      const stopped = await stopDaemon(status.state, timeoutMs, Boolean(options.force));
      if (!stopped) {
        throw new LodestarError(`the daemon (pid ${status.state.pid}) is still finishing requests after ${Math.round(timeoutMs / 1000)} s`, {
          hint: 'Wait, or end it now with `lodestar stop --force`.',
        });
      }
      removeStaleState(paths);
      output.line(`Lodestar stopped (pid ${status.state.pid}).`);
    });
}
