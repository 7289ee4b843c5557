import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DaemonContext } from './context.js';
import { loadConfig } from '../config/load.js';
import { claimDaemonState, processStartTime, releaseDaemonState, type DaemonState } from '../shared/daemon-state.js';
import { LodestarError, errorCode } from '../shared/errors.js';
import { ensurePrivateDir } from '../shared/files.js';
import { FileLogger } from '../shared/logger.js';
import { VERSION } from '../shared/package-info.js';
import { PROVIDER_IDS } from '../shared/provider-ids.js';
import { Redactor } from '../shared/redact.js';
import { ensureToken } from '../shared/token.js';
import { answerClientError } from '../shared/http-error.js';
import { createAuth } from './middleware/auth.js';
import { createHostCheck } from './middleware/host-check.js';
import { buildRoutes } from './routes/index.js';
import { createRequestHandler } from './server.js';
import { createGateway } from './gateway.js';
import { currentProfiles, firstLocalChoice, warmRouter } from './chat/route-request.js';
import { WebUi } from './ui/web-ui.js';
import { keepStatusFile } from './status-file.js';
import { join } from 'node:path';
import { assertEvidenceSettings } from '../router/quality-evidence.js';

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

  let boundPort = config.port;
  let closing = false;
  const { context, tunnel, prefetchPrices } = await createGateway({ config, paths, env, logger, redactor, port: () => boundPort, closing: () => closing });
  const { local, providers, events } = context;
  const startedAt = context.startedAt;
  const stopStatusFile = keepStatusFile(context, join(paths.home, 'status.json'));

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

  // The known models' prices, before the first request can come.
  const { where: pricedWhere, ms: pricesMs } = await prefetchPrices();

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
