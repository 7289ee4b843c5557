import type { Command } from 'commander';
import type { LodestarPaths } from '../../config/paths.js';
import type { BudgetStatus } from '../../ledger/budgets.js';
import type { CliContext } from '../context.js';
import { budgetReport, budgetSummary } from './budget.js';
import { healthOf } from '../daemon-client.js';
import { findDaemon } from '../daemon-control.js';

export interface StatusReport {
  running: boolean;
  pid?: number;
  url?: string;
  port?: number;
  version?: string;
  startedAt?: string;
  uptimeSeconds?: number;
  responding?: boolean;
  health?: Record<string, unknown> | null;
  stale?: string;
  home: string;
  budgets?: BudgetStatus[];
}

export function registerStatus(program: Command, context: CliContext): void {
  program
    .command('status')
    .description('whether the daemon runs, where, since when, with a one-line health summary')
    .option('--json', 'print JSON only')
    .action(async (options: { json?: boolean }) => {
      const { paths } = context.config();
      const report = await statusReport(paths);
      if (report.running) {
        const budgets = await budgetReport(context.config()).catch(() => undefined);
        if (budgets?.budgets.length) report.budgets = budgets.budgets;
      }
      if (options.json) {
        context.output.json(report);
        return;
      }
      for (const line of describeStatus(report)) context.output.line(line);
    });
}

export async function statusReport(paths: LodestarPaths): Promise<StatusReport> {
  const home = paths.home;
  const status = findDaemon(paths);
  if (status.kind === 'none') return { running: false, home };
  if (status.kind === 'stale') return { running: false, stale: status.reason, home };
  const { state } = status;
  const health = await healthOf(state);
  const startedMs = Date.parse(state.startedAt);
  return {
    running: true,
    pid: state.pid,
    url: state.url,
    port: state.port,
    version: state.version,
    startedAt: state.startedAt,
    uptimeSeconds: Number.isNaN(startedMs) ? undefined : Math.max(0, Math.round((Date.now() - startedMs) / 1000)),
    responding: health !== undefined,
    health: health ?? null,
    home,
  };
}

function describeStatus(report: StatusReport): string[] {
  if (!report.running) {
    const stale = report.stale ? ` (a stale daemon.json was left behind: ${report.stale})` : '';
    return [`Lodestar is not running${stale}. Start it with \`lodestar start\`.`];
  }
  const lines = [
    `Lodestar is running on ${report.url} (pid ${report.pid}, version ${report.version}, up ${formatDuration(report.uptimeSeconds ?? 0)}).`,
  ];
  lines.push(report.health ? `Health: ${summarizeHealth(report.health)}` : 'Health: not answering on /health; see the daemon log.');
  const budget = report.budgets ? budgetSummary(report.budgets) : undefined;
  if (budget) lines.push(budget);
  return lines;
}

export function summarizeHealth(health: Record<string, unknown>): string {
  const parts = [String(health.status ?? 'unknown')];
  const providers = health.providers as Record<string, { state?: string; circuit?: string }> | undefined;
  if (providers && typeof providers === 'object') {
    const names = Object.keys(providers);
    if (names.length) parts.push(`providers ${names.join(', ')}`);
  }
  const ollama = health.ollama as { reachable?: boolean; enabled?: boolean; loaded?: Array<{ name: string }> } | undefined;
  if (ollama && ollama.enabled !== false) {
    const loaded = ollama.loaded ?? [];
    parts.push(ollama.reachable === false ? 'Ollama not answering' : `Ollama ${loaded.length ? `holding ${loaded.map((model) => model.name).join(', ')}` : 'with nothing in memory'}`);
  }
  const gpu = health.gpu as { available?: boolean; gpus?: Array<{ name: string; memoryUsedMiB?: number; memoryTotalMiB?: number }> } | undefined;
  const card = gpu?.available ? gpu.gpus?.[0] : undefined;
  if (card) parts.push(`GPU ${card.name}, ${card.memoryUsedMiB ?? '?'} of ${card.memoryTotalMiB ?? '?'} MiB used`);
  else if (gpu) parts.push('no GPU');
  return parts.join('; ');
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
  return `${Math.floor(seconds / 86400)}d ${Math.floor((seconds % 86400) / 3600)}h`;
}
