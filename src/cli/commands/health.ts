import type { Command } from 'commander';
import { LodestarError } from '../../shared/errors.js';
import type { CliContext } from '../context.js';
import { healthOf } from '../daemon-client.js';
import { findDaemon } from '../daemon-control.js';
import { renderTable } from '../output/table.js';

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
      else for (const line of describeHealth(health)) context.output.line(line);
      if (health.status === 'down') context.exitCode = 1;
    });
}

interface ProviderHealthView {
  state?: string;
  consecutiveFailures?: number;
  lastError?: string;
  retryAt?: string;
  latencyMs?: number;
  successes?: number;
  failures?: number;
}

function describeHealth(health: Record<string, unknown>): string[] {
  const lines = [`Lodestar ${String(health.version ?? '')} on port ${String(health.port ?? '?')}: ${String(health.status ?? 'unknown')}`];
  const providers = (health.providers ?? {}) as Record<string, ProviderHealthView>;
  const rows = Object.entries(providers).map(([id, provider]) => [
    id,
    provider.state ?? '?',
    `${provider.successes ?? 0} ok / ${provider.failures ?? 0} failed`,
    provider.latencyMs === undefined ? '' : `${provider.latencyMs} ms`,
    provider.state === 'open' ? `skipped until ${provider.retryAt ?? '?'}: ${provider.lastError ?? ''}` : (provider.lastError ?? ''),
  ]);
  if (rows.length) {
    lines.push('');
    lines.push(renderTable([{ header: 'provider' }, { header: 'circuit' }, { header: 'requests' }, { header: 'latency', align: 'right' }, { header: 'last error', flexible: true }], rows, 160));
  }
  const memory = health.memory as { rssMb?: number } | undefined;
  if (memory?.rssMb !== undefined) lines.push('', `Daemon memory: ${memory.rssMb} MB`);
  return lines;
}
