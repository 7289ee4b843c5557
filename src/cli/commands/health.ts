import type { Command } from 'commander';
import { LodestarError } from '../../shared/errors.js';
import type { CliContext } from '../context.js';
import { healthOf } from '../daemon-client.js';
import { findDaemon } from '../daemon-control.js';
import { summarizeHealth } from './status.js';

export function registerHealth(program: Command, context: CliContext): void {
  program
    .command('health')
    .description("the daemon's health: providers and their circuits, Ollama, the GPU")
    .option('--json', 'print JSON only')
    .action(async (options: { json?: boolean }) => {
      const { paths } = context.config();
      const daemon = findDaemon(paths);
      if (daemon.kind !== 'alive') throw new LodestarError('Lodestar is not running', { hint: 'Start it with `lodestar start`.' });
      const health = await healthOf(daemon.state, 5000);
      if (!health) throw new LodestarError(`the daemon (pid ${daemon.state.pid}) does not answer on ${daemon.state.url}/health`);
      if (options.json) context.output.json(health);
      else context.output.line(`Health: ${summarizeHealth(health)}`);
      if (health.status === 'down') context.exitCode = 1;
    });
}
