/**
 * What `lodestar dashboard` shows, and how each message from the daemon changes it: pure data
 * and functions, so that everything but the drawing is testable without React. Fed by
 * /api/usage (today's and this month's totals), /api/budget, /health, and /api/events.
 */

export interface Totals {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  baselineCostUsd: number;
  cacheHits: number;
}

export interface ModelRow {
  model: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface BudgetView {
  scope: string;
  period: string;
  limitUsd: number;
  spentUsd: number;
  mode: string;
}

export interface GpuView {
  available: boolean;
  /** The first nvidia-smi reading is not in yet: not the same as no GPU. */
  pending?: boolean;
  reason?: string;
  name?: string;
  utilizationPercent?: number;
  memoryUsedMiB?: number;
  memoryTotalMiB?: number;
  temperatureC?: number;
  powerDrawW?: number;
  /** Utilization and VRAM use of the last samples, oldest first (unknown samples left out). */
  utilizationHistory: number[];
  memoryHistory: number[];
}

export interface LoadedModelView {
  name: string;
  sizeMiB: number;
  gpuPercent: number;
  expiresAt?: string;
}

export interface ProviderView {
  id: string;
  state: string;
  latencyMs?: number;
  lastError?: string;
}

export interface RecentRequest {
  time: string;
  task?: string;
  model?: string;
  status: string;
  tokens: number;
  costUsd?: number;
  latencyMs: number;
  cacheHit: boolean;
  /** "vote" for a consensus member, "chose" for the one chosen, "judge"; "A"/"B" for an A/B arm. */
  mark?: string;
}

export interface DashboardState {
  /** undefined until the daemon answered once; false while it does not. */
  connected: boolean | undefined;
  problem: string | undefined;
  url: string | undefined;
  updatedAt: string | undefined;
  baselineModel: string | undefined;
  today: Totals;
  month: Totals;
  byModel: ModelRow[];
  budgets: BudgetView[];
  /** Running A/B experiments (`lodestar ab`): each arm in a few words, and the verdict. */
  experiments: ExperimentLine[];
  gpu: GpuView;
  ollama: { reachable?: boolean; loaded: LoadedModelView[] };
  providers: ProviderView[];
  recent: RecentRequest[];
}

export const HISTORY_SAMPLES = 30;
export const RECENT_REQUESTS = 50;

const emptyTotals = (): Totals => ({ requests: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, baselineCostUsd: 0, cacheHits: 0 });

export function initialState(): DashboardState {
  return {
    connected: undefined,
    problem: undefined,
    url: undefined,
    updatedAt: undefined,
    baselineModel: undefined,
    today: emptyTotals(),
    month: emptyTotals(),
    byModel: [],
    budgets: [],
    experiments: [],
    gpu: { available: false, utilizationHistory: [], memoryHistory: [] },
    ollama: { loaded: [] },
    providers: [],
    recent: [],
  };
}

interface UsageReport {
  totals: Partial<Totals>;
  rows: Array<{ key: string; requests: number; inputTokens: number; outputTokens: number; costUsd: number }>;
}

function totalsOf(report: UsageReport): Totals {
  const totals = report.totals;
  return {
    requests: totals.requests ?? 0,
    inputTokens: totals.inputTokens ?? 0,
    outputTokens: totals.outputTokens ?? 0,
    costUsd: totals.costUsd ?? 0,
    baselineCostUsd: totals.baselineCostUsd ?? 0,
    cacheHits: totals.cacheHits ?? 0,
  };
}

/** Today's and this month's totals from /api/usage (by model), which replace the running counts. */
export function withUsage(state: DashboardState, today: UsageReport, month: UsageReport): DashboardState {
  return {
    ...state,
    today: totalsOf(today),
    month: totalsOf(month),
    byModel: month.rows.map((row) => ({ model: row.key, requests: row.requests, inputTokens: row.inputTokens, outputTokens: row.outputTokens, costUsd: row.costUsd })),
  };
}

export interface ExperimentLine {
  task: string;
  arms: Array<{ arm: string; model: string; requests: number; costUsd: number; applyRate: number | undefined }>;
  verdict: string;
}

/** The running experiments, from GET /api/ui/experiments (stopped ones are the report's business). */
export function withExperiments(state: DashboardState, body: { experiments?: Array<{ task?: string; stoppedAt?: string; verdict?: string; arms?: ExperimentLine['arms'] }> } | undefined): DashboardState {
  const experiments = (body?.experiments ?? []).filter((entry) => !entry.stoppedAt).map((entry) => ({ task: entry.task ?? '?', arms: entry.arms ?? [], verdict: entry.verdict ?? '' }));
  return { ...state, experiments };
}

export function withBudgets(state: DashboardState, body: { budgets?: Array<Partial<BudgetView>> }): DashboardState {
  const budgets = (body.budgets ?? []).map((entry) => ({ scope: entry.scope ?? 'all', period: entry.period ?? 'monthly', limitUsd: entry.limitUsd ?? 0, spentUsd: entry.spentUsd ?? 0, mode: entry.mode ?? 'soft' }));
  return { ...state, budgets };
}

/** /health: providers, Ollama and the GPU as the daemon sees them now. */
export function withHealth(state: DashboardState, health: Record<string, unknown>): DashboardState {
  const providers = Object.entries((health.providers ?? {}) as Record<string, { state?: string; latencyMs?: number; lastError?: string }>).map(([id, entry]) => ({
    id,
    state: entry.state ?? 'unknown',
    ...(entry.latencyMs === undefined ? {} : { latencyMs: entry.latencyMs }),
    ...(entry.lastError === undefined ? {} : { lastError: entry.lastError }),
  }));
  const ollama = (health.ollama ?? {}) as { reachable?: boolean; loaded?: LoadedModelView[]; enabled?: boolean };
  const next = { ...state, connected: true, problem: undefined, providers, ollama: { ...(ollama.reachable === undefined ? {} : { reachable: ollama.reachable }), loaded: ollama.loaded ?? [] } };
  return health.gpu ? withGpu(next, health.gpu as Record<string, unknown>, false) : next;
}

/** A GPU sample (the `gpu` event, or /health's); `sample` adds it to the history. */
export function withGpu(state: DashboardState, gpu: Record<string, unknown>, sample = true): DashboardState {
  const history = state.gpu;
  if (gpu.available !== true) {
    return { ...state, gpu: { available: false, ...(gpu.pending === true ? { pending: true } : {}), reason: typeof gpu.reason === 'string' ? gpu.reason : undefined, utilizationHistory: history.utilizationHistory, memoryHistory: history.memoryHistory } };
  }
  const card = ((gpu.gpus ?? []) as Array<Record<string, unknown>>)[0] ?? {};
  const number = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
  const view: GpuView = {
    available: true,
    name: typeof card.name === 'string' ? card.name : undefined,
    utilizationPercent: number(card.utilizationPercent),
    memoryUsedMiB: number(card.memoryUsedMiB),
    memoryTotalMiB: number(card.memoryTotalMiB),
    temperatureC: number(card.temperatureC),
    powerDrawW: number(card.powerDrawW),
    utilizationHistory: history.utilizationHistory,
    memoryHistory: history.memoryHistory,
  };
  if (sample) {
    if (view.utilizationPercent !== undefined) view.utilizationHistory = [...history.utilizationHistory, view.utilizationPercent].slice(-HISTORY_SAMPLES);
    if (view.memoryUsedMiB !== undefined) view.memoryHistory = [...history.memoryHistory, view.memoryUsedMiB].slice(-HISTORY_SAMPLES);
  }
  return { ...state, gpu: view };
}

interface RequestEventLike {
  time: string;
  project?: string;
  task?: string;
  model?: string;
  status: string;
  usage: { inputTokens?: number; outputTokens?: number };
  costUsd?: number;
  baselineCostUsd?: number;
  baselineModel?: string;
  latencyMs: number;
  cacheHit?: boolean;
  consensus?: { role: string; chosen: boolean };
  ab?: { arm: string };
}

function recentRow(event: RequestEventLike): RecentRequest {
  return {
    time: event.time,
    ...(event.task === undefined ? {} : { task: event.task }),
    ...(event.model === undefined ? {} : { model: event.model }),
    status: event.status,
    tokens: (event.usage.inputTokens ?? 0) + (event.usage.outputTokens ?? 0),
    ...(event.costUsd === undefined ? {} : { costUsd: event.costUsd }),
    latencyMs: event.latencyMs,
    cacheHit: event.cacheHit === true,
    ...(event.consensus ? { mark: event.consensus.role === 'judge' ? 'judge' : event.consensus.chosen ? 'chose' : 'vote' } : event.ab ? { mark: event.ab.arm.toUpperCase() } : {}),
  };
}

/** A request from before the dashboard connected (already in the totals): the latest list only. */
export function withRecent(state: DashboardState, event: RequestEventLike): DashboardState {
  return { ...state, baselineModel: event.baselineModel ?? state.baselineModel, recent: [recentRow(event), ...state.recent].slice(0, RECENT_REQUESTS) };
}

/** One finished request: the latest requests, today's and the month's totals, the model's row. */
export function withRequest(state: DashboardState, event: RequestEventLike, now: Date = new Date()): DashboardState {
  const input = event.usage.inputTokens ?? 0;
  const output = event.usage.outputTokens ?? 0;
  const add = (totals: Totals): Totals => ({
    requests: totals.requests + 1,
    inputTokens: totals.inputTokens + input,
    outputTokens: totals.outputTokens + output,
    costUsd: totals.costUsd + (event.costUsd ?? 0),
    baselineCostUsd: totals.baselineCostUsd + (event.costUsd === undefined ? 0 : (event.baselineCostUsd ?? 0)),
    cacheHits: totals.cacheHits + (event.cacheHit ? 1 : 0),
  });
  const sameDay = event.time.slice(0, 10) === now.toISOString().slice(0, 10);
  const model = event.model ?? 'none';
  const rows = state.byModel.some((row) => row.model === model)
    ? state.byModel.map((row) => (row.model === model ? { ...row, requests: row.requests + 1, inputTokens: row.inputTokens + input, outputTokens: row.outputTokens + output, costUsd: row.costUsd + (event.costUsd ?? 0) } : row))
    : [...state.byModel, { model, requests: 1, inputTokens: input, outputTokens: output, costUsd: event.costUsd ?? 0 }];
  const recent = recentRow(event);
  return {
    ...state,
    baselineModel: event.baselineModel ?? state.baselineModel,
    today: sameDay ? add(state.today) : state.today,
    month: add(state.month),
    byModel: rows,
    // A budget counts what it covers: all requests, or its project's (the periods roll over at the next refresh).
    budgets: state.budgets.map((budget) => (budget.scope === 'all' || budget.scope === event.project ? { ...budget, spentUsd: budget.spentUsd + (event.costUsd ?? 0) } : budget)),
    recent: [recent, ...state.recent].slice(0, RECENT_REQUESTS),
  };
}

/** The /api/events types withEvent reads (the replayed `recent` ones come whatever the filter). */
export const DASHBOARD_EVENT_TYPES: readonly string[] = ['request', 'gpu', 'ollama', 'provider'];

/** Anything from /api/events. */
export function withEvent(state: DashboardState, event: { type: string; data: unknown }, now: Date = new Date()): DashboardState {
  switch (event.type) {
    case 'request':
      return withRequest(state, event.data as RequestEventLike, now);
    case 'recent':
      return withRecent(state, event.data as RequestEventLike);
    case 'gpu':
      return withGpu(state, event.data as Record<string, unknown>);
    case 'ollama': {
      const data = event.data as { reachable?: boolean; inVram?: LoadedModelView[] };
      return { ...state, ollama: { ...(data.reachable === undefined ? {} : { reachable: data.reachable }), loaded: data.inVram ?? state.ollama.loaded } };
    }
    case 'provider': {
      const data = event.data as ProviderView & { provider?: string };
      const id = data.provider ?? data.id;
      const others = state.providers.filter((entry) => entry.id !== id);
      return { ...state, providers: [...others, { id, state: data.state, ...(data.latencyMs === undefined ? {} : { latencyMs: data.latencyMs }), ...(data.lastError === undefined ? {} : { lastError: data.lastError }) }].sort((a, b) => a.id.localeCompare(b.id)) };
    }
    default:
      return state;
  }
}

/** The daemon stopped answering (or never did). */
export function withProblem(state: DashboardState, problem: string): DashboardState {
  return { ...state, connected: false, problem };
}
