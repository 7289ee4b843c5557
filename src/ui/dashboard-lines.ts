import { formatMoney, formatTokens, savings } from '../shared/format.js';
import type { DashboardState } from './dashboard-state.js';

/** One line of the dashboard: its text (already fitted to the width) and how to draw it. */
export interface Line {
  text: string;
  color?: 'cyan' | 'green' | 'yellow' | 'red' | 'gray';
  bold?: boolean;
}

const SPARKS = '▁▂▃▄▅▆▇█';

/** A sparkline of values between 0 and `max`. */
export function sparkline(values: readonly number[], max: number): string {
  return values.map((value) => SPARKS[Math.max(0, Math.min(SPARKS.length - 1, Math.round((value / (max || 1)) * (SPARKS.length - 1))))]).join('');
}

/** A bar of `width` cells, filled to `share` (0-1, capped). */
export function bar(share: number, width: number): string {
  const filled = Math.max(0, Math.min(width, Math.round(share * width)));
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

function fit(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

function pad(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const fitted = fit(text, width);
  const gap = ' '.repeat(Math.max(0, width - [...fitted].length));
  return align === 'left' ? fitted + gap : gap + fitted;
}

function rule(title: string, width: number): Line {
  return { text: fit(`── ${title} ${'─'.repeat(Math.max(0, width - title.length - 4))}`, width), color: 'cyan' };
}

function clock(iso: string): string {
  return new Date(iso).toTimeString().slice(0, 8);
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function gib(mib: number | undefined): string {
  return mib === undefined ? '?' : (mib / 1024).toFixed(1);
}

function spendLines(state: DashboardState, width: number): Line[] {
  const { today, month } = state;
  const lines: Line[] = [rule('Spend', width)];
  lines.push({ text: fit(`Today ${formatMoney(today.costUsd)} (${today.requests} requests) · month ${formatMoney(month.costUsd)} (${month.requests} requests)`, width) });
  const saved = month.baselineCostUsd - month.costUsd;
  const words = savings(saved, month.baselineCostUsd);
  lines.push({ text: fit(`${words.charAt(0).toUpperCase()}${words.slice(1)} vs ${state.baselineModel ?? 'the baseline'}${month.cacheHits ? `, ${month.cacheHits} from cache` : ''}`, width), color: saved < 0 ? 'yellow' : 'green' });
  if (!state.budgets.length) lines.push({ text: fit('No budget set (lodestar budget set --monthly 20).', width), color: 'gray' });
  for (const budget of state.budgets) {
    const share = budget.limitUsd > 0 ? budget.spentUsd / budget.limitUsd : budget.spentUsd > 0 ? 1 : 0;
    const label = `${budget.scope === 'all' ? 'all' : budget.scope} ${budget.period}`;
    const tail = ` ${Math.round(share * 100)}% ${formatMoney(budget.spentUsd)} of ${formatMoney(budget.limitUsd)} ${budget.mode}`;
    const barWidth = Math.max(5, Math.min(30, width - label.length - tail.length - 4));
    lines.push({ text: fit(`${label} [${bar(share, barWidth)}]${tail}`, width), color: share >= 1 ? 'red' : share >= 0.8 ? 'yellow' : undefined });
  }
  for (const experiment of state.experiments) {
    const arms = experiment.arms.map((arm) => `${arm.arm.toUpperCase()} ${arm.model.slice(arm.model.indexOf('/') + 1)} ${arm.requests} req ${formatMoney(arm.costUsd)}${arm.applyRate === undefined ? '' : ` ${Math.round(arm.applyRate * 100)}% applied`}`);
    lines.push({ text: fit(`A/B ${experiment.task}: ${arms.join(' · ')} · ${experiment.verdict}`, width), color: 'cyan' });
  }
  return lines;
}

function modelLines(state: DashboardState, width: number, rows: number): Line[] {
  const lines: Line[] = [rule('Tokens and cost by model, this month', width)];
  if (!state.byModel.length) return [...lines, { text: 'No requests yet this month.', color: 'gray' }];
  const nameWidth = Math.max(12, width - 34);
  lines.push({ text: `${pad('model', nameWidth)} ${pad('req', 5, 'right')} ${pad('in', 8, 'right')} ${pad('out', 7, 'right')} ${pad('cost', 9, 'right')}`, color: 'gray' });
  const sorted = [...state.byModel].sort((a, b) => b.costUsd - a.costUsd || b.requests - a.requests);
  for (const row of sorted.slice(0, rows)) {
    lines.push({ text: `${pad(row.model, nameWidth)} ${pad(String(row.requests), 5, 'right')} ${pad(formatTokens(row.inputTokens), 8, 'right')} ${pad(formatTokens(row.outputTokens), 7, 'right')} ${pad(formatMoney(row.costUsd), 9, 'right')}` });
  }
  if (sorted.length > rows) lines.push({ text: `and ${sorted.length - rows} more`, color: 'gray' });
  return lines;
}

function gpuLines(state: DashboardState, width: number): Line[] {
  const { gpu, ollama } = state;
  const lines: Line[] = [rule('GPU and local models', width)];
  if (gpu.pending) lines.push({ text: fit('GPU: reading nvidia-smi...', width), color: 'gray' });
  else if (!gpu.available) lines.push({ text: fit(`No GPU: ${gpu.reason ?? 'unknown'}.`, width), color: 'gray' });
  else {
    const history = Math.max(0, Math.min(20, width - 60));
    const utilization = gpu.utilizationPercent === undefined ? '?' : `${gpu.utilizationPercent}%`;
    lines.push({ text: fit(`${gpu.name ?? 'GPU'}: ${utilization} busy ${sparkline(gpu.utilizationHistory.slice(-history), 100)}`, width) });
    const heat = [gpu.temperatureC === undefined ? undefined : `${gpu.temperatureC} °C`, gpu.powerDrawW === undefined ? undefined : `${gpu.powerDrawW} W`].filter(Boolean).join(', ');
    lines.push({ text: fit(`VRAM ${gib(gpu.memoryUsedMiB)} of ${gib(gpu.memoryTotalMiB)} GiB ${sparkline(gpu.memoryHistory.slice(-history), gpu.memoryTotalMiB ?? 1)}${heat ? `  ${heat}` : ''}`, width) });
  }
  if (ollama.reachable === false) lines.push({ text: fit('Ollama is not answering: local models are unavailable.', width), color: 'yellow' });
  else if (!ollama.loaded.length) lines.push({ text: 'Ollama: nothing in memory.', color: 'gray' });
  else {
    const models = ollama.loaded.map((model) => `${model.name} ${gib(model.sizeMiB)} GiB${model.gpuPercent < 100 ? ` (${100 - model.gpuPercent}% on CPU)` : ''}${model.expiresAt ? '' : ' pinned'}`);
    lines.push({ text: fit(`In memory: ${models.join(', ')}`, width), color: ollama.loaded.some((model) => model.gpuPercent < 100) ? 'yellow' : undefined });
  }
  return lines;
}

function providerLines(state: DashboardState, width: number): Line[] {
  const lines: Line[] = [rule('Providers', width)];
  if (!state.providers.length) return [...lines, { text: 'No provider configured.', color: 'gray' }];
  const parts = state.providers.map((provider) => `${provider.state === 'closed' ? '●' : '○'} ${provider.id}${provider.state === 'closed' ? (provider.latencyMs === undefined ? '' : ` ${provider.latencyMs} ms`) : ` ${provider.state}`}`);
  let current = '';
  for (const part of parts) {
    if (current && [...current].length + part.length + 3 > width) {
      lines.push({ text: current });
      current = '';
    }
    current = current ? `${current}   ${part}` : part;
  }
  if (current) lines.push({ text: fit(current, width) });
  const failing = state.providers.filter((provider) => provider.state !== 'closed' && provider.lastError);
  for (const provider of failing) lines.push({ text: fit(`${provider.id}: ${provider.lastError}`, width), color: 'red' });
  return lines;
}

function recentLines(state: DashboardState, width: number, rows: number): Line[] {
  const lines: Line[] = [rule('Latest requests', width)];
  if (!state.recent.length) return [...lines, { text: 'None since the dashboard started.', color: 'gray' }];
  const modelWidth = Math.max(10, width - 52);
  for (const request of state.recent.slice(0, rows)) {
    const cost = request.costUsd === undefined ? 'unknown' : formatMoney(request.costUsd);
    const note = request.cacheHit ? 'cache' : request.status !== 'ok' ? request.status : (request.mark ?? '');
    lines.push({
      text: `${clock(request.time)} ${pad(request.task ?? '-', 12)} ${pad(request.model ?? '-', modelWidth)} ${pad(formatTokens(request.tokens), 6, 'right')} ${pad(cost, 8, 'right')} ${pad(seconds(request.latencyMs), 7, 'right')} ${pad(note, 5)}`.slice(0, width),
      ...(request.status === 'error' ? { color: 'red' as const } : {}),
    });
  }
  return lines;
}

/** Side by side: the left column's lines and the right's, padded to their widths. */
function columns(left: Line[], right: Line[], leftWidth: number, gap: number): Line[] {
  const lines: Line[] = [];
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const a = left[index];
    const b = right[index];
    lines.push({ text: `${pad(a?.text ?? '', leftWidth)}${' '.repeat(gap)}${b?.text ?? ''}`, ...(a?.color ? { color: a.color } : b?.color ? { color: b.color } : {}) });
  }
  return lines;
}

/**
 * The whole dashboard as lines no wider than `width`: one column below 120 columns, two from
 * there; `compact` (for a split pane beside Aider) is four lines.
 */
export function dashboardLines(state: DashboardState, options: { width: number; height?: number; compact?: boolean }): Line[] {
  const width = Math.max(40, options.width);
  const title = fit(`Lodestar  ${state.url ?? ''}  ${state.updatedAt ? clock(state.updatedAt) : ''}`, width - 10);
  const header: Line = { text: `${pad(title, width - 10)}  q quits`, bold: true };
  if (state.connected === false) {
    return [header, { text: fit(`Lodestar is not running: ${state.problem ?? 'the daemon does not answer'}.`, width), color: 'red' }, { text: fit('Start it with `lodestar start`; this screen reconnects by itself.', width) }];
  }
  if (state.connected === undefined) return [header, { text: 'Connecting to the daemon…', color: 'gray' }];
  if (options.compact) {
    const last = state.recent[0];
    const gpu = state.gpu.available ? `GPU ${state.gpu.utilizationPercent ?? '?'}% ${gib(state.gpu.memoryUsedMiB)}/${gib(state.gpu.memoryTotalMiB)} GiB` : state.gpu.pending ? 'GPU ...' : 'no GPU';
    const budget = state.budgets[0];
    return [
      { text: fit(`Lodestar: today ${formatMoney(state.today.costUsd)}, month ${formatMoney(state.month.costUsd)}${budget ? ` of ${formatMoney(budget.limitUsd)} (${budget.scope})` : ''}, saved ${formatMoney(state.month.baselineCostUsd - state.month.costUsd)}`, width), bold: true },
      { text: fit(`${gpu}; in memory: ${state.ollama.loaded.map((model) => model.name).join(', ') || 'nothing'}`, width) },
      { text: fit(last ? `last: ${clock(last.time)} ${last.task ?? '-'} ${last.model ?? '-'} ${formatTokens(last.tokens)} tokens ${last.costUsd === undefined ? 'unknown' : formatMoney(last.costUsd)}${last.cacheHit ? ' (cache)' : ''}` : 'last: none yet', width), color: 'gray' },
    ];
  }
  const recentRows = Math.max(3, Math.min(12, (options.height ?? 40) - 30));
  if (width < 120) {
    return [header, ...spendLines(state, width), ...modelLines(state, width, 6), ...gpuLines(state, width), ...providerLines(state, width), ...recentLines(state, width, recentRows)];
  }
  const leftWidth = Math.floor((width - 2) / 2);
  const rightWidth = width - leftWidth - 2;
  const left = [...spendLines(state, leftWidth), ...modelLines(state, leftWidth, 8)];
  const right = [...gpuLines(state, rightWidth), ...providerLines(state, rightWidth)];
  return [header, ...columns(left, right, leftWidth, 2), ...recentLines(state, width, recentRows + 4)];
}
