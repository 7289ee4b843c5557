// Typed calls to the daemon's HTTP API (src/web/API.md). Every call is same-origin with the
// session cookie; an answer that is not 2xx becomes an ApiError carrying the daemon's message
// and, for a 400, the config path of the field at fault.

import type { ChoicePreview, ModelRow, TaskChoice as SharedTaskChoice, WarmResult } from '../shared/model-facts.js';
import type { ProjectView } from '../shared/project-facts.js';
import type { AbReport, Experiment } from '../shared/experiment-facts.js';
import type { BudgetAlert, BudgetMode, BudgetStatus, GroupBy, Report, ReportRow, ReportTotals } from '../shared/report-facts.js';

/** An A/B experiment with each arm's figures and the verdict (GET /api/ui/experiments). */
export type ExperimentView = Experiment & AbReport;

export const TASKS = ['edit', 'architect', 'long-context', 'chat', 'commit', 'summary', 'agent'] as const;
export type Task = (typeof TASKS)[number];

export interface Session {
  version: string;
  apiPort: number;
  uiPort: number | null;
  timeZone: string;
}

export type { BudgetAlert, BudgetMode, BudgetStatus, Report, ReportRow, ReportTotals };
export type ReportGroup = GroupBy;

export interface BudgetLimit {
  limitUsd: number;
  mode: BudgetMode;
}

/** The fields of a request event (src/ledger/request-event.ts) the UI shows. */
export interface RequestEvent {
  id: string;
  time: string;
  project?: string;
  task?: string;
  requestedModel: string;
  model?: string;
  status: 'ok' | 'error' | 'aborted';
  httpStatus: number;
  error?: string;
  costUsd?: number;
  latencyMs: number;
  cacheHit?: boolean;
  budgetLimited?: boolean;
  /** One model's part of a lodestar/consensus request. */
  consensus?: { id: string; role: 'member' | 'judge'; chosen: boolean };
  /** The A/B arm that chose its model. */
  ab?: { experiment: string; arm: 'a' | 'b' };
}

export interface ProviderHealth {
  state: 'closed' | 'open' | 'half-open';
  consecutiveFailures: number;
  lastError?: string;
  lastErrorAt?: string;
  retryAt?: string;
  successes: number;
  failures: number;
  latencyMs?: number;
}

export interface LoadedModel {
  name: string;
  sizeMiB: number;
  vramMiB: number;
  offloaded: boolean;
  gpuPercent: number;
  expiresAt?: string;
  contextLength?: number;
}

export type { WarmResult };

/** Ollama in /health: `{enabled: false}` when it is off, else what the daemon last saw of it. */
export interface OllamaHealth {
  enabled?: false;
  url?: string;
  reachable?: boolean;
  pending?: boolean;
  reason?: string;
  lastError?: string;
  latencyMs?: number;
  checkedAt?: string;
  models?: number;
  loaded?: LoadedModel[];
  queue?: { inFlight: Record<string, number>; queued: Record<string, number> };
  warmup?: { state: 'off' | 'waiting' | 'running' | 'done'; results: WarmResult[]; finishedAt?: string };
  warnings?: string[];
}

export interface GpuSample {
  index?: number;
  name: string;
  memoryUsedMiB?: number;
  memoryTotalMiB?: number;
  utilizationPercent?: number;
  temperatureC?: number;
}

/** The GPU in /health and in `gpu` events: available null while the first reading is out. */
export interface GpuView {
  available: boolean | null;
  reason?: string;
  at?: string;
  gpus?: GpuSample[];
}

export interface Health {
  status: 'ok' | 'degraded' | 'down';
  ready: boolean;
  pending: string[];
  providers: Record<string, ProviderHealth>;
  ollama: OllamaHealth;
  gpu: GpuView;
  version: string;
  uptimeSeconds: number;
}

export interface GpuHistory {
  history: Array<{ at: string; gpus: GpuSample[] }>;
}

export interface TaskChoice extends SharedTaskChoice {
  task: Task;
}

export type { ModelRow };

export interface ModelsView {
  tasks: TaskChoice[];
  models: ModelRow[];
  projects: string[];
}

export interface Preview extends ChoicePreview {
  task: Task;
}

export interface ChoiceSaved {
  saved: true;
  file: string;
  task: Task;
  model: string | null;
}

export type { ProjectView };

export interface ProjectPatch {
  /** floors: null removes a task's own floor (the global one applies again). */
  routing?: { floors?: Partial<Record<Task, number | null>>; preferred?: string[]; forbidden?: string[] };
  budget?: { monthly?: BudgetLimit | null; daily?: BudgetLimit | null };
}

export interface KeyStatus {
  set: boolean;
  last4: string | null;
  from: 'config' | 'environment' | null;
  /** The environment variable that holds the key when `from` is "environment" (OPENAI_API_KEY). */
  variable: string;
}

export interface Settings {
  file: string;
  /** key: null for a provider that takes none (Ollama). */
  providers: Record<string, { enabled: boolean; baseUrl: string; key: KeyStatus | null }>;
  budgets: { monthly?: BudgetLimit | null; daily?: BudgetLimit | null };
  cache: { enabled: boolean; ttlSeconds: number; store: string };
  /** The user's own prices by model, USD per million tokens, in config.json's shape. */
  prices: Record<string, { input: number; output: number; cacheRead?: number; cacheWrite?: number }>;
  baseline: string;
  routing: { floors: Record<Task, number>; preferred: string[]; forbidden: string[]; taskModels: Partial<Record<Task, string>> };
  needsRestart: string[];
}

/** A patch in config.json's own shape: null removes a key. */
export type SettingsPatch = Record<string, unknown>;

export interface SettingsSaved {
  applied: string[];
  needsRestart: string[];
  settings: Settings;
}

export class ApiError extends Error {
  readonly status: number;
  /** The config path of the field at fault (a 400), e.g. budgets.monthly.limitUsd. */
  readonly param: string | null;

  constructor(status: number, message: string, param: string | null = null) {
    super(message);
    this.status = status;
    this.param = param;
  }
}

/** Whatever a call threw, as an ApiError to show. */
export function asApiError(reason: unknown): ApiError {
  return reason instanceof ApiError ? reason : new ApiError(0, String(reason));
}

let onUnauthorized: () => void = () => {};

/** Called when a call answers 401 after the page started: the session ended. */
export function whenUnauthorized(listener: () => void): void {
  onUnauthorized = listener;
}

export interface CallOptions {
  /** Sent as they are (the admin pages' login sends the admin key as Authorization). */
  headers?: Record<string, string>;
  /** What to say when nothing answers. */
  unreachable?: string;
}

/** A same-origin JSON call; the team server's admin pages (src/web/admin/) make theirs with it too. */
export async function call<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown, options: CallOptions = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, options.unreachable ?? 'The Lodestar daemon does not answer. Is it running? (lodestar start)');
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (response.ok) return json as T;
  const error = (json as { error?: { message?: unknown; param?: unknown } } | undefined)?.error;
  const message = typeof error?.message === 'string' ? error.message : `${method} ${path} failed: HTTP ${response.status}`;
  const param = typeof error?.param === 'string' ? error.param : null;
  if (response.status === 401 && path !== '/api/ui/session') onUnauthorized();
  throw new ApiError(response.status, message, param);
}

const query = (params: Record<string, string | undefined>): string => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) search.set(name, value);
  return search.toString();
};

export const api = {
  session: () => call<Session>('GET', '/api/ui/session'),
  /** `month` YYYY-MM; empty means this month. */
  usageMonth: (month: string, by: ReportGroup) => call<Report>('GET', `/api/usage?${query({ month, by })}`),
  budget: () => call<{ timeZone: string; budgets: BudgetStatus[] }>('GET', '/api/budget'),
  health: () => call<Health>('GET', '/health'),
  gpuHistory: () => call<GpuHistory>('GET', '/api/ui/gpu'),
  warm: () => call<{ results: WarmResult[] }>('POST', '/api/models/warm', {}),
  models: (project: string | undefined) => call<ModelsView>('GET', `/api/ui/models${project === undefined ? '' : `?${query({ project })}`}`),
  preview: (task: Task, model: string | null, project: string | undefined) => call<Preview>('POST', '/api/ui/models/preview', { task, model, ...(project === undefined ? {} : { project }) }),
  saveChoice: (task: Task, model: string | null, project: string | undefined) => call<ChoiceSaved>('PUT', '/api/ui/models/choice', { task, model, ...(project === undefined ? {} : { project }) }),
  projects: () => call<{ projects: ProjectView[] }>('GET', '/api/ui/projects'),
  saveProject: (name: string, patch: ProjectPatch) => call<{ project: ProjectView }>('PUT', `/p/${encodeURIComponent(name)}/api/ui/project`, patch),
  settings: () => call<Settings>('GET', '/api/ui/settings'),
  saveSettings: (patch: SettingsPatch) => call<SettingsSaved>('PUT', '/api/ui/settings', patch),
  experiments: () => call<{ experiments: ExperimentView[] }>('GET', '/api/ui/experiments'),
};
