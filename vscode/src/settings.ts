import * as vscode from 'vscode';
import { PERIODS, type CostPeriod } from './files/file-costs.js';

/** The extension's settings (package.json `contributes.configuration`), read fresh each time. */
export interface Settings {
  daemonUrl: string;
  home: string;
  command: string;
  completions: { enabled: boolean; model: string; debounceMs: number; maxTokens: number };
  costPeriod: CostPeriod;
}

export function readSettings(): Settings {
  const config = vscode.workspace.getConfiguration('lodestar');
  const period = config.get<string>('costPeriod', 'month');
  return {
    daemonUrl: config.get<string>('daemonUrl', ''),
    home: config.get<string>('home', ''),
    command: config.get<string>('command', 'lodestar') || 'lodestar',
    completions: {
      enabled: config.get<boolean>('completions.enabled', true),
      model: config.get<string>('completions.model', 'lodestar/complete') || 'lodestar/complete',
      debounceMs: clamp(config.get<number>('completions.debounceMs', 150), 0, 2000),
      maxTokens: clamp(config.get<number>('completions.maxTokens', 64), 1, 512),
    },
    costPeriod: (PERIODS as readonly string[]).includes(period) ? (period as CostPeriod) : 'month',
  };
}

function clamp(value: number, low: number, high: number): number {
  return Number.isFinite(value) ? Math.min(high, Math.max(low, Math.round(value))) : low;
}
