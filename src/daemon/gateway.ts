import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { LodestarConfig } from '../config/defaults.js';
import type { LodestarPaths } from '../config/paths.js';
import { ResponseCache } from '../cache/response-cache.js';
import { freeLoopbackPort, SshTunnel } from '../gpu/ssh-tunnel.js';
import { BudgetTracker } from '../ledger/budgets.js';
import { Ledger } from '../ledger/ledger.js';
import { Pricing } from '../ledger/pricing/pricing.js';
import { defaultTimeZone } from '../ledger/report-query.js';
import { createProvider, createProviders } from '../providers/registry.js';
import { CATALOG } from '../router/catalog.js';
import { CircuitBreakers } from '../router/circuit-breaker.js';
import type { Logger } from '../shared/logger.js';
import { VERSION } from '../shared/package-info.js';
import type { ProviderId } from '../shared/provider-ids.js';
import type { Redactor } from '../shared/redact.js';
import type { DaemonContext } from './context.js';
import { EventBus } from './event-bus.js';
import { Experiments } from './experiments.js';
import { LocalTier } from './local-tier.js';
import { daemonCollector, Metrics } from './metrics.js';
import { ProviderModelLimits } from './model-limits.js';
import { ProjectSettingsStore } from './project-settings.js';
import type { Tenancy } from './tenancy.js';

export interface GatewayOptions {
  config: LodestarConfig;
  paths: LodestarPaths;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  redactor: Redactor;
  /** The port the HTTP server bound (differs from config.port when that was 0). */
  port: () => number;
  closing: () => boolean;
  /** Team mode: who sends each request, their quotas and the team ledger. */
  tenancy?: Tenancy;
}

export interface Gateway {
  context: DaemonContext;
  /** The SSH tunnel to a remote Ollama, when config names one. */
  tunnel: SshTunnel | undefined;
  /** Resolves the known models' prices apart (before the first request); says where and how long. */
  prefetchPrices(): Promise<{ where: string; ms: number }>;
}

/**
 * What serves model requests, whoever runs it: providers, the local tier (Ollama, the GPU,
 * warm-up), prices, circuit breakers, the cache, the ledger and budgets, metrics. The local
 * daemon (run.ts) and the team server (src/server) build it alike; the team server adds its
 * tenancy and leaves the local budgets empty (its own are per user and team, in Redis).
 */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, paths, env, logger, redactor } = options;
  const events = new EventBus();
  // Ollama on another machine: reached through an SSH tunnel to a fixed local port, so that
  // every client of it (providers, monitors) has its address before the tunnel is even up.
  const tunnel = config.providers.ollama.enabled && config.providers.ollama.ssh ? await openTunnel(config.providers.ollama, env, logger, events) : undefined;
  const local = new LocalTier({ config, env, logger, events, tunnel });
  const fillsInTheMiddle = (model: string): boolean | undefined => local.monitor.capabilities.insert(model);
  const providers = createProviders(config);
  const ollama = providers.get('ollama');
  if (ollama) providers.set('ollama', local.gate(ollama));
  let providerSet = new Set(providers.keys());
  const ledger = Ledger.forWriting(paths.ledger);
  const timeZone = config.timezone ?? defaultTimeZone();
  const projects = new ProjectSettingsStore(paths, logger);
  const context: DaemonContext = {
    config,
    paths,
    logger,
    redactor,
    version: VERSION,
    startedAt: new Date(),
    port: options.port,
    closing: options.closing,
    providers,
    events,
    metrics: new Metrics({ onError: (error) => logger.warn('metrics: a collector failed', { error }) }),
    local,
    availability: () => ({ providers: providerSet, localModels: local.monitor.models(), loadedModels: local.monitor.loaded(), insert: fillsInTheMiddle, capabilitiesVersion: local.monitor.capabilities.version }),
    pricing: new Pricing(config.prices),
    ledger,
    budgets: new BudgetTracker({
      config: options.tenancy ? { monthly: undefined, daily: undefined, alerts: config.budgets.alerts, projects: {} } : config.budgets,
      timeZone,
      ledger,
      statePath: join(paths.ledger, 'budget-alerts.json'),
      projectBudgets: options.tenancy ? undefined : { of: (project) => projects.get(project)?.budget, all: () => projects.budgets() },
    }),
    timeZone,
    breakers: new CircuitBreakers(config.routing.circuit),
    projects,
    experiments: new Experiments(paths),
    modelLimits: new ProviderModelLimits(() => providers, logger),
    tenancy: options.tenancy,
    reconfigureProvider: async (id) => {
      const previous = providers.get(id);
      const next = createProvider(config, id);
      if (next) providers.set(id, next);
      else providers.delete(id);
      providerSet = new Set(providers.keys());
      // Requests under way finish on the old client; it is closed once none can still be running.
      if (previous) setTimeout(() => void previous.close(), config.timeouts.requestMs).unref();
      logger.info('provider reconfigured', { provider: id, available: Boolean(next) });
      // Its models' prices before its first request, as at start.
      if (next) await context.pricing.prefetchApart(CATALOG.filter((entry) => entry.provider === id));
    },
    cache: config.cache.enabled
      ? new ResponseCache({
          ttlMs: config.cache.ttlSeconds * 1000,
          maxEntries: config.cache.maxEntries,
          maxBytes: config.cache.maxBytes,
          store: config.cache.store,
          directory: paths.cache,
          redisUrl: config.cache.redisUrl,
          onStoreError: (message) => (message ? logger.warn(message) : logger.info("the cache's Redis store works again")),
        })
      : undefined,
  };
  context.metrics.listen(context.events);
  context.metrics.addCollector(daemonCollector(context));
  context.metrics.addCollector(() => local.metrics());

  return {
    context,
    tunnel,
    // The known models' prices, resolved once before the first request can come, so that no
    // request waits for the price table (and apart, so that the daemon never holds it).
    async prefetchPrices() {
      const started = performance.now();
      const where = await context.pricing.prefetchApart([...CATALOG.filter((entry) => providers.has(entry.provider)), ...[config.baseline, ...projects.baselines()].map(modelRef)]);
      return { where, ms: Math.round(performance.now() - started) };
    },
  };
}

/**
 * Starts the tunnel in the background (a box that is down must not hold up the daemon's start:
 * ssh retries with backoff, and health shows the tunnel's state) and points Ollama's address at
 * its local end. The configured baseUrl is where Ollama listens on the GPU box.
 */
async function openTunnel(ollama: LodestarConfig['providers']['ollama'], env: NodeJS.ProcessEnv, logger: Logger, events: EventBus): Promise<SshTunnel> {
  const remote = new URL(ollama.baseUrl);
  const tunnel = new SshTunnel({
    target: ollama.ssh as string,
    remoteHost: remote.hostname.replace(/^\[|\]$/g, ''),
    remotePort: Number(remote.port || (remote.protocol === 'https:' ? 443 : 80)),
    localPort: await freeLoopbackPort(),
    extraArgs: ollama.sshArgs,
    env,
    logger,
    onChange: (health) => events.publish({ type: 'tunnel', data: health }),
  });
  logger.info('ollama through an ssh tunnel', { target: ollama.ssh, remote: `${remote.hostname}:${remote.port}`, local: tunnel.localUrl });
  void tunnel.start();
  ollama.baseUrl = tunnel.localUrl;
  return tunnel;
}

function modelRef(id: string): { provider: ProviderId; model: string } {
  const slash = id.indexOf('/');
  return { provider: id.slice(0, slash) as ProviderId, model: id.slice(slash + 1) };
}
