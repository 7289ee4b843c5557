import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LodestarConfig } from '../config/defaults.js';
import { loadConfig } from '../config/load.js';
import { claimDaemonState, processStartTime, releaseDaemonState, type DaemonState } from '../shared/daemon-state.js';
import { LodestarError, errorCode } from '../shared/errors.js';
import { ensurePrivateDir } from '../shared/files.js';
import { FileLogger } from '../shared/logger.js';
import { VERSION } from '../shared/package-info.js';
import { PROVIDER_IDS } from '../shared/provider-ids.js';
import { Redactor } from '../shared/redact.js';
import { ensureToken } from '../shared/token.js';
import type { DaemonContext } from './context.js';
import { answerClientError } from '../shared/http-error.js';
import { createAuth } from './middleware/auth.js';
import { createHostCheck } from './middleware/host-check.js';
import { buildRoutes } from './routes/index.js';
import { createRequestHandler } from './server.js';
import { EventBus } from './event-bus.js';
import { LocalTier } from './local-tier.js';
import { freeLoopbackPort, SshTunnel } from '../gpu/ssh-tunnel.js';
import { daemonCollector, Metrics } from './metrics.js';
import { ProjectSettingsStore } from './project-settings.js';
import { ResponseCache } from '../cache/response-cache.js';
import { currentProfiles, firstLocalChoice, warmRouter } from './chat/route-request.js';
import { createProvider, createProviders } from '../providers/registry.js';
import { WebUi } from './ui/web-ui.js';
import { keepStatusFile } from './status-file.js';
import { Experiments } from './experiments.js';
import { ProviderModelLimits } from './model-limits.js';
import { BudgetTracker } from '../ledger/budgets.js';
import { Ledger } from '../ledger/ledger.js';
import { defaultTimeZone } from '../ledger/report-query.js';
import { join } from 'node:path';
import { Pricing } from '../ledger/pricing/pricing.js';
import { CATALOG } from '../router/catalog.js';
import { CircuitBreakers } from '../router/circuit-breaker.js';
import { assertEvidenceSettings } from '../router/quality-evidence.js';
import type { ProviderId } from '../shared/provider-ids.js';

export const LOOPBACK = '127.0.0.1';

export interface StartOptions {
  /** Overrides config and LODESTAR_PORT (from `lodestar start --port`). */
  port?: number;
  env?: NodeJS.ProcessEnv;
  /** Mirror log lines to stderr (the foreground daemon). */
  logToStderr?: boolean;
}

export interface RunningDaemon {
  context: DaemonContext;
  server: Server;
  state: DaemonState;
  /** Stops accepting, lets in-flight requests finish (up to timeouts.shutdownMs), then closes. */
  shutdown(reason: string): Promise<void>;
}

export async function startDaemon(options: StartOptions = {}): Promise<RunningDaemon> {
  const env = options.env ?? process.env;
  const { config, paths } = loadConfig({ env, includeProject: false });
  assertEvidenceSettings(config.quality, paths.config);
  if (options.port !== undefined) config.port = options.port;

  ensurePrivateDir(paths.home);
  ensurePrivateDir(paths.logs);
  const token = ensureToken(paths.token);
  // A Redis URL may carry a password: it is a secret like the keys.
  const redactor = new Redactor([token, ...PROVIDER_IDS.map((id) => config.providers[id].apiKey), config.cache.redisUrl, ...proxyPasswords(env)]);
  const logger = new FileLogger({
    path: paths.daemonLog,
    level: config.logLevel,
    maxBytes: config.logs.maxBytes,
    files: config.logs.files,
    redactor,
    mirror: options.logToStderr ? (line) => process.stderr.write(`${line}\n`) : undefined,
  });

  const startedAt = new Date();
  let boundPort = config.port;
  let closing = false;
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
    startedAt,
    port: () => boundPort,
    closing: () => closing,
    providers,
    events,
    metrics: new Metrics({ onError: (error) => logger.warn('metrics: a collector failed', { error }) }),
    local,
    availability: () => ({ providers: providerSet, localModels: local.monitor.models(), loadedModels: local.monitor.loaded(), insert: fillsInTheMiddle, capabilitiesVersion: local.monitor.capabilities.version }),
    pricing: new Pricing(config.prices),
    ledger,
    budgets: new BudgetTracker({
      config: config.budgets,
      timeZone,
      ledger,
      statePath: join(paths.ledger, 'budget-alerts.json'),
      projectBudgets: { of: (project) => projects.get(project)?.budget, all: () => projects.budgets() },
    }),
    timeZone,
    breakers: new CircuitBreakers(config.routing.circuit),
    projects,
    experiments: new Experiments(paths),
    modelLimits: new ProviderModelLimits(() => providers, logger),
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
  const stopStatusFile = keepStatusFile(context, join(paths.home, 'status.json'));
  context.metrics.addCollector(daemonCollector(context));
  context.metrics.addCollector(() => local.metrics());

  const webUi = new WebUi(context);
  const apiRoutes = buildRoutes(context);
  const shared = webUi.sharedRoutes();
  const core = createRequestHandler({
    routes: [...apiRoutes, ...shared, webUi.loginRoute()],
    hostCheck: createHostCheck(() => boundPort),
    auth: createAuth(token),
    logger,
  });
  const server = createServer({ keepAliveTimeout: 30_000, noDelay: true }, core.handle);
  server.on('clientError', answerClientError);

  // The known models' prices, resolved once before the first request can come, so that no
  // request waits for the price table (and apart, so that the daemon never holds it).
  const pricesStarted = performance.now();
  const pricedWhere = await context.pricing.prefetchApart([...CATALOG.filter((entry) => providers.has(entry.provider)), ...[config.baseline, ...projects.baselines()].map(modelRef)]);
  const pricesMs = Math.round(performance.now() - pricesStarted);

  try {
    await listen(server, config.port);
  } catch (error) {
    logger.close();
    if (errorCode(error) === 'EADDRINUSE') {
      throw new LodestarError(`port ${config.port} on ${LOOPBACK} is already in use by another program`, {
        hint: `Stop that program, or start Lodestar on another port: lodestar start --port ${config.port + 1} (or set LODESTAR_PORT).`,
      });
    }
    if (errorCode(error) === 'EACCES') {
      throw new LodestarError(`port ${config.port} on ${LOOPBACK} needs privileges Lodestar doesn't have`, {
        hint: 'Use a port above 1023: lodestar start --port 4141.',
      });
    }
    throw error;
  }
  boundPort = (server.address() as AddressInfo).port;
  // The browser's origin gets the API but not the model endpoints: a page spends nothing.
  await webUi.start([...apiRoutes.filter((route) => !route.path.startsWith('/v1/')), ...shared]);

  const state: DaemonState = {
    pid: process.pid,
    host: LOOPBACK,
    port: boundPort,
    url: `http://${LOOPBACK}:${boundPort}`,
    version: VERSION,
    startedAt: startedAt.toISOString(),
    processStart: processStartTime(process.pid),
  };
  const claim = claimDaemonState(paths.daemonState, state);
  if (!claim.claimed) {
    server.close();
    await webUi.stop();
    logger.close();
    throw new LodestarError(`Lodestar is already running on ${claim.holder.url} (pid ${claim.holder.pid})`, { exitCode: 0 });
  }
  context.breakers.onChange((provider, health) => events.publish({ type: 'provider', data: { provider, ...health } }));
  setImmediate(() => {
    context.ledger.warm();
    warmRouter(context);
    local.start(() => firstLocalChoice(context));
  });
  logger.info('daemon started', { url: state.url, pid: state.pid, version: VERSION, home: paths.home, providers: [...providers.keys()] });
  const lacking = currentProfiles(context).filter((profile) => profile.quality === undefined && !profile.local);
  if (lacking.length) {
    logger.info('models without quality evidence: where a task has a quality floor, they are used only by their tier', { models: lacking.map((profile) => `${profile.id} (${profile.tier ?? 'no tier'})`) });
  }
  if (pricedWhere === 'in-process') logger.info('prices resolved in the daemon itself (the price process failed): it uses about 14 MB more', { ms: pricesMs });
  else logger.debug('prices resolved', { where: pricedWhere, ms: pricesMs });

  let shutdownPromise: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    shutdownPromise ??= (async () => {
      closing = true;
      logger.info('daemon stopping', { reason, inFlight: core.inFlight() });
      context.events.publish({ type: 'shutdown', data: { reason } });
      void local.stop();
      void tunnel?.stop();
      server.close();
      server.closeIdleConnections();
      void webUi.stop();
      stopStatusFile();
      const deadline = new Promise<'timeout'>((resolve) => setTimeout(resolve, config.timeouts.shutdownMs, 'timeout').unref());
      const outcome = await Promise.race([core.whenIdle().then(() => 'idle' as const), deadline]);
      if (outcome === 'timeout') logger.warn('shutdown deadline reached; closing open requests', { inFlight: core.inFlight() });
      server.closeAllConnections();
      await Promise.allSettled([...providers.values()].map((provider) => provider.close()));
      await context.cache?.close();
      context.ledger.close();
      releaseDaemonState(paths.daemonState);
      logger.info('daemon stopped', { reason });
      logger.close();
    })();
    return shutdownPromise;
  };

  return { context, server, state, shutdown };
}

/**
 * Starts the tunnel in the background (a box that is down must not hold up the daemon's start:
 * ssh retries with backoff, and health shows the tunnel's state) and points Ollama's address at
 * its local end. The configured baseUrl is where Ollama listens on the GPU box.
 */
async function openTunnel(ollama: LodestarConfig['providers']['ollama'], env: NodeJS.ProcessEnv, logger: FileLogger, events: EventBus): Promise<SshTunnel> {
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

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen({ port, host: LOOPBACK, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** The passwords in the proxy URLs of the environment (http://user:password@host): secrets too. */
function proxyPasswords(env: NodeJS.ProcessEnv): string[] {
  const passwords: string[] = [];
  for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']) {
    try {
      const password = new URL(env[name] ?? '').password;
      if (password) passwords.push(password, decodeURIComponent(password));
    } catch {
      // not set, or not a URL
    }
  }
  return passwords;
}

function modelRef(id: string): { provider: ProviderId; model: string } {
  const slash = id.indexOf('/');
  return { provider: id.slice(0, slash) as ProviderId, model: id.slice(slash + 1) };
}
