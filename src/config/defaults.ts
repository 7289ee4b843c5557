import type { LogLevel } from '../shared/logger.js';
import { PROVIDER_IDS, PROVIDERS, type ProviderId } from '../shared/provider-ids.js';

export type { LogLevel } from '../shared/logger.js';

export interface Timeouts {
  /** Opening the TCP/TLS connection to an upstream. */
  connectMs: number;
  /** From sending the request to the first byte of the answer (headers, then the first chunk). */
  firstByteMs: number;
  /** Between two chunks of a streamed answer. */
  idleMs: number;
  /** A whole non-streamed answer; Aider itself waits 600 s. */
  requestMs: number;
}

export interface OllamaModelConfig {
  numCtx?: number;
  keepAlive?: string | number;
  /** Loaded at start with keep_alive forever, and loaded again if Ollama unloads it. */
  pin?: boolean;
  /** Loaded at start with its keepAlive. */
  warm?: boolean;
}

export interface ProviderConfig {
  id: ProviderId;
  enabled: boolean;
  baseUrl: string;
  /** Never logged, stored in the ledger or echoed; read from the environment or the global config. */
  apiKey: string | undefined;
  timeouts: Timeouts;
}

export interface OllamaProviderConfig extends ProviderConfig {
  id: 'ollama';
  /** One fixed context size per model: changing num_ctx between requests makes Ollama reload. */
  numCtx: number;
  keepAlive: string | number;
  models: Record<string, OllamaModelConfig>;
  /** Load the models to warm (pinned, marked warm, or else the router's first local pick) at start. */
  warmup: boolean;
  /** Requests one model serves at once (OLLAMA_NUM_PARALLEL; 1 since Ollama 0.9.7). */
  parallel: number;
  /** How long a request for a model not in VRAM may wait while the loaded model still has work. */
  switchWaitMs: number;
  /** VRAM Ollama may fill, when nvidia-smi can't tell (a remote GPU); undefined: from nvidia-smi. */
  vramMiB: number | undefined;
  ssh: string | undefined;
  /** Extra ssh arguments for the tunnel, e.g. ["-p", "2222", "-i", "~/.ssh/gpu_box"]. */
  sshArgs: string[];
}

export interface LodestarConfig {
  port: number;
  logLevel: LogLevel;
  project: string | undefined;
  /** maxBodyBytes: the largest request body; bodyIdleMs: the longest a body may go without a byte. */
  limits: { maxBodyBytes: number; bodyIdleMs: number };
  timeouts: Timeouts & { shutdownMs: number };
  logs: { maxBytes: number; files: number };
  providers: { ollama: OllamaProviderConfig } & Record<Exclude<ProviderId, 'ollama'>, ProviderConfig>;
  /** What savings are measured against: the same tokens on this model. */
  baseline: string;
  /** The user's own prices, USD per million tokens, by "<provider>/<model>". */
  prices: Record<string, { inputPerMTok: number; outputPerMTok: number; cacheReadPerMTok?: number; cacheWritePerMTok?: number }>;
  routing: RoutingConfig;
  /** What config says of models: a score, a rule ("sameAs"), a context window. */
  models: Record<string, { quality?: number; agentQuality?: number; sameAs?: string; contextWindow?: number; maxOutputTokens?: number }>;
  /** Which kinds of shipped quality evidence the router believes (src/router/data/quality-evidence.json). */
  quality: QualityConfig;
  /** store "redis" shares the cache through the Redis at redisUrl (a team's); its password is a secret. */
  cache: { enabled: boolean; ttlSeconds: number; maxEntries: number; maxBytes: number; store: 'memory' | 'disk' | 'redis'; redisUrl: string | undefined; deterministicOnly: boolean };
  /** The models `lodestar aider` gives Aider: main, weak (commit messages, summaries), editor (architect mode's edits). */
  aider: { model: string; weakModel: string; editorModel: string | undefined };
  /** The web UI: a second listener on 127.0.0.1 (0 = any free port). */
  ui: { enabled: boolean; port: number };
  /** Where Claude Code's kinds of request go (`lodestar claude`): a served model per class; unset, the router decides. */
  claude: Partial<Record<ClaudeClass, string>>;
  /** lodestar/consensus: models asked, how disagreement is settled, the judge; per task over the defaults. */
  consensus: ConsensusSettings & { tasks: Partial<Record<TaskName, ConsensusSettings>> };
  /** The GPU monitor: nvidia-smi every pollSeconds. */
  gpu: { enabled: boolean; pollSeconds: number };
  /** The time zone of budget periods and report days; undefined means the system's. */
  timezone: string | undefined;
  budgets: BudgetsConfig;
}

export interface QualityConfig {
  /** Lineage rules: a GA model takes its measured preview's score, an alias its snapshot's, ... */
  lineage: boolean;
  /** Scores calibrated from SWE-bench Verified onto Aider's scale. */
  calibration: boolean;
  /** Lineage rules turned off one by one, by id. */
  disabledRules: string[];
}

export interface ConsensusSettings {
  members?: number;
  pick?: 'judge' | 'first';
  judge?: string;
}

/** Claude Code's kinds of request: its main loop, Haiku-class background work, thinking, long context, subagents. */
export type ClaudeClass = 'main' | 'background' | 'thinking' | 'longContext' | 'subagent';

export type TaskName = 'edit' | 'architect' | 'long-context' | 'chat' | 'commit' | 'summary' | 'agent' | 'complete';

export interface RoutingConfig {
  /** Minimum score on Aider's polyglot benchmark, per task, for lodestar/auto (none for complete: no benchmark measures FIM). */
  floors: Record<TaskName, number>;
  preferred: string[];
  /**
   * The model each task goes to first, chosen by the user; the router's ranking follows it as
   * fallbacks. `complete` (a local model, "ollama/<model>") is also loaded at start beside the
   * chat model, where both fit in VRAM.
   */
  taskModels: Partial<Record<TaskName, string>>;
  forbidden: string[];
  /** Extra attempts on the last candidate after a failure worth retrying. */
  retries: number;
  /** Providers one request may try before the client gets the last failure (their rate-limited models' siblings don't count). */
  maxProviders: number;
  backoffMs: number;
  /** An upstream's retry-after longer than this goes back to the client rather than being waited for. */
  maxRetryAfterMs: number;
  circuit: { failureThreshold: number; cooldownMs: number };
}

export interface BudgetLimit {
  limitUsd: number;
  /** hard: paid models are blocked once reached; soft: alerts only. */
  mode: 'hard' | 'soft';
}

export interface BudgetsConfig {
  monthly: BudgetLimit | undefined;
  daily: BudgetLimit | undefined;
  projects: Record<string, { monthly?: BudgetLimit; daily?: BudgetLimit }>;
  alerts: { webhook: string | undefined; desktop: boolean };
}

/**
 * The latest Claude Sonnet whose price is known exactly ($2/$10 per million tokens in the
 * bundled table); claude-sonnet-5-5 is newer but priced nowhere Lodestar can check.
 */
export const DEFAULT_BASELINE = 'anthropic/claude-sonnet-5';

/**
 * The agent task's floor, on SWE-bench Verified's scale (percent resolved), chosen from the data
 * (src/router/data/README.md, "agentic-evidence.json"): the edit floor of 70 on Aider's scale
 * maps to 65.7 on this one, and 65 falls in the data's gap, so that every catalog model it admits
 * (Claude 4.5-4.7, Devstral 2, DeepSeek V3.2 and its successors, Kimi K2, GPT-5) counts 65.8 or
 * more and every one it leaves out (o3, GPT-5 mini, Gemini 2.5, GPT-4.1 and below) 64.1 or less.
 */
export const AGENT_FLOOR = 65;

export const DEFAULT_PORT = 4141;

export const DEFAULT_UI_PORT = 8080;

export const DEFAULT_TIMEOUTS: Timeouts = {
  connectMs: 10_000,
  firstByteMs: 120_000,
  idleMs: 60_000,
  requestMs: 600_000,
};

export function defaultConfig(): LodestarConfig {
  const providers = Object.fromEntries(
    PROVIDER_IDS.map((id) => [
      id,
      {
        id,
        enabled: true,
        baseUrl: PROVIDERS[id].defaultBaseUrl,
        apiKey: undefined,
        timeouts: { ...DEFAULT_TIMEOUTS },
      },
    ]),
  ) as unknown as LodestarConfig['providers'];
  providers.ollama = {
    ...providers.ollama,
    numCtx: 8192,
    keepAlive: '30m',
    models: {},
    warmup: true,
    parallel: 1,
    switchWaitMs: 15_000,
    vramMiB: undefined,
    ssh: undefined,
    sshArgs: [],
  };
  return {
    port: DEFAULT_PORT,
    logLevel: 'info',
    project: undefined,
    limits: { maxBodyBytes: 25 * 1024 * 1024, bodyIdleMs: 30_000 },
    timeouts: { ...DEFAULT_TIMEOUTS, shutdownMs: 30_000 },
    logs: { maxBytes: 5 * 1024 * 1024, files: 3 },
    providers,
    baseline: DEFAULT_BASELINE,
    prices: {},
    models: {},
    quality: { lineage: true, calibration: true, disabledRules: [] },
    routing: {
      floors: { edit: 70, architect: 70, 'long-context': 70, chat: 0, commit: 0, summary: 0, agent: AGENT_FLOOR, complete: 0 },
      preferred: [],
      taskModels: {},
      forbidden: [],
      retries: 1, maxProviders: 3, backoffMs: 250, maxRetryAfterMs: 5000, circuit: { failureThreshold: 5, cooldownMs: 30_000 },
    },
    cache: { enabled: true, ttlSeconds: 1800, maxEntries: 2000, maxBytes: 64 * 1024 * 1024, store: 'memory', redisUrl: undefined, deterministicOnly: true },
    aider: { model: 'lodestar/auto', weakModel: 'lodestar/cheap', editorModel: undefined },
    ui: { enabled: true, port: DEFAULT_UI_PORT },
    claude: {},
    consensus: { tasks: {} },
    gpu: { enabled: true, pollSeconds: 5 },
    timezone: undefined,
    budgets: { monthly: undefined, daily: undefined, projects: {}, alerts: { webhook: undefined, desktop: false } },
  };
}
