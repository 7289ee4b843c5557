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
  lines.push('', ...describeOllama(health.ollama as OllamaView | undefined), ...describeGpu(health.gpu as GpuView | undefined));
  const memory = health.memory as { rssMb?: number } | undefined;
  if (memory?.rssMb !== undefined) lines.push('', `Daemon memory: ${memory.rssMb} MB`);
  return lines;
}

interface OllamaView {
  enabled?: boolean;
  url?: string;
  reachable?: boolean;
  lastError?: string;
  models?: number;
  loaded?: Array<{ name: string; sizeMiB: number; vramMiB: number; offloaded: boolean; gpuPercent: number; expiresAt?: string; contextLength?: number }>;
  queue?: { inFlight: Record<string, number>; queued: Record<string, number> };
  warmup?: { state: string; results: Array<{ model: string; outcome: string; ms?: number; reason?: string }> };
  tunnel?: { target: string; state: string; lastError?: string; restarts: number };
  warnings?: string[];
}

function describeOllama(ollama: OllamaView | undefined): string[] {
  if (!ollama) return [];
  if (ollama.enabled === false) return ['Ollama: disabled in config.'];
  const lines: string[] = [];
  if (ollama.tunnel) lines.push(`SSH tunnel to ${ollama.tunnel.target}: ${ollama.tunnel.state}${ollama.tunnel.restarts ? `, reconnected ${ollama.tunnel.restarts} times` : ''}${ollama.tunnel.lastError && ollama.tunnel.state !== 'up' ? ` (${ollama.tunnel.lastError})` : ''}`);
  if (ollama.reachable === false) {
    lines.push(`Ollama at ${ollama.url ?? '?'}: not answering${ollama.lastError ? ` (${ollama.lastError})` : ''}. Local models are unavailable; start it with \`ollama serve\`.`);
    return lines;
  }
  if (ollama.reachable === undefined) return [...lines, `Ollama at ${ollama.url ?? '?'}: not checked yet.`];
  const loaded = ollama.loaded ?? [];
  lines.push(`Ollama at ${ollama.url ?? '?'}: ${ollama.models ?? 0} models pulled, ${loaded.length ? `${loaded.length} in memory` : 'none in memory'}.`);
  if (loaded.length) {
    lines.push(
      renderTable(
        [{ header: 'loaded model' }, { header: 'size', align: 'right' }, { header: 'where' }, { header: 'context', align: 'right' }, { header: 'until', flexible: true }],
        loaded.map((model) => [
          model.name,
          `${(model.sizeMiB / 1024).toFixed(1)} GiB`,
          model.offloaded ? `${100 - model.gpuPercent}%/${model.gpuPercent}% CPU/GPU` : '100% GPU',
          model.contextLength === undefined ? '?' : String(model.contextLength),
          model.expiresAt ?? 'forever (pinned)',
        ]),
        160,
      ),
    );
  }
  const queued = Object.entries(ollama.queue?.queued ?? {});
  if (queued.length) lines.push(`Waiting for the GPU: ${queued.map(([model, count]) => `${count} for ${model}`).join(', ')}.`);
  const warm = ollama.warmup;
  if (warm && warm.state !== 'off') {
    const parts = warm.results.map((result) => `${result.model} ${result.outcome}${result.ms === undefined ? '' : ` (${(result.ms / 1000).toFixed(1)} s)`}${result.reason ? `: ${result.reason}` : ''}`);
    lines.push(`Warm-up: ${warm.state}${parts.length ? `; ${parts.join('; ')}` : ''}.`);
  }
  for (const warning of ollama.warnings ?? []) lines.push(`Warning: ${warning}.`);
  return lines;
}

interface GpuView {
  available?: boolean | null;
  /** The first nvidia-smi reading is not in yet. */
  pending?: boolean;
  reason?: string;
  gpus?: Array<{ index: number; name: string; utilizationPercent?: number; memoryUsedMiB?: number; memoryTotalMiB?: number; temperatureC?: number; powerDrawW?: number; powerLimitW?: number }>;
  processes?: Array<{ pid?: number; name: string; usedMiB?: number }>;
}

function describeGpu(gpu: GpuView | undefined): string[] {
  if (!gpu) return [];
  if (gpu.pending) return ['GPU: the first nvidia-smi reading is not in yet.'];
  if (!gpu.available) return [`GPU: none (${gpu.reason ?? 'unknown'}). Local models run on the CPU, if at all.`];
  const known = (value: number | undefined, unit: string): string => (value === undefined ? '?' : `${value}${unit}`);
  const lines = (gpu.gpus ?? []).map(
    (card) =>
      `GPU ${card.index}: ${card.name}, ${known(card.utilizationPercent, '%')} busy, VRAM ${known(card.memoryUsedMiB, '')} of ${known(card.memoryTotalMiB, ' MiB')}, ${known(card.temperatureC, ' °C')}, ${known(card.powerDrawW, ' W')} of ${known(card.powerLimitW, ' W')}`,
  );
  const processes = gpu.processes ?? [];
  if (processes.length) lines.push(`  using it: ${processes.map((process) => `${process.name} (pid ${process.pid ?? '?'}, ${known(process.usedMiB, ' MiB')})`).join(', ')}`);
  return lines;
}
