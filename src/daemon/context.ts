import type { LodestarConfig } from '../config/defaults.js';
import type { LodestarPaths } from '../config/paths.js';
import type { ResponseCache } from '../cache/response-cache.js';
import type { BudgetTracker } from '../ledger/budgets.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Pricing } from '../ledger/pricing/pricing.js';
import type { ChatProvider } from '../providers/spec/provider.js';
import type { CircuitBreakers } from '../router/circuit-breaker.js';
import type { Availability } from '../router/resolve-model.js';
import type { Logger } from '../shared/logger.js';
import type { ProviderId } from '../shared/provider-ids.js';
import type { Redactor } from '../shared/redact.js';
import type { EventBus } from './event-bus.js';
import type { LocalTier } from './local-tier.js';
import type { Metrics } from './metrics.js';
import type { ProjectSettingsStore } from './project-settings.js';
import type { Experiments } from './experiments.js';
import type { ProviderModelLimits } from './model-limits.js';
import type { Tenancy } from './tenancy.js';

/** What the routes of one running daemon share. Built once at start-up. */
export interface DaemonContext {
  config: LodestarConfig;
  paths: LodestarPaths;
  logger: Logger;
  redactor: Redactor;
  version: string;
  startedAt: Date;
  /** The port actually bound (differs from config.port when that was 0). */
  port: () => number;
  /** True once shutdown began: new work is refused, in-flight work finishes. */
  closing: () => boolean;
  providers: ReadonlyMap<ProviderId, ChatProvider>;
  events: EventBus;
  /** Request counters and histograms, and gauges collectors compute at scrape time: GET /metrics. */
  metrics: Metrics;
  /** Ollama, the GPU, the local request queue and warm-up. */
  local: LocalTier;
  /** What can serve right now: configured providers and the local models Ollama has. */
  availability: () => Availability;
  pricing: Pricing;
  ledger: Ledger;
  budgets: BudgetTracker;
  breakers: CircuitBreakers;
  /** Answers to deterministic requests, for `config.cache.ttlSeconds`; undefined when disabled. */
  cache: ResponseCache | undefined;
  /** Each project's own preferences, from its registered .lodestarrc. */
  projects: ProjectSettingsStore;
  /** Of budget periods and report days. */
  timeZone: string;
  /** The running A/B experiments (`lodestar ab`). */
  experiments: Experiments;
  /** What the providers' own model lists say of the limits of models the catalog lacks. */
  modelLimits: ProviderModelLimits;
  /**
   * Team mode (`lodestar server`): who each request is from, their budgets and rate limits, and the
   * team ledger. Undefined in the local daemon, whose token, budgets and JSONL ledger serve one user.
   */
  tenancy?: Tenancy | undefined;
  /** A cloud provider's settings changed in config (a key set or removed): build it again from context.config. */
  reconfigureProvider(id: ProviderId): Promise<void>;
}
