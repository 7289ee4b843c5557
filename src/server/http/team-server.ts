import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { answerClientError } from '../../shared/http-error.js';
import { LodestarError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { Redactor } from '../../shared/redact.js';
import { lodestarHome } from '../../config/paths.js';
import { startTeamGateway, type TeamGateway } from '../gateway/team-gateway.js';
import { TeamTenancy } from '../gateway/team-tenancy.js';
import { PostgresLedgerWriter } from '../ledger/postgres-ledger-writer.js';
import { openInSpoolSlot } from '../ledger/spool-claim.js';
import { LedgerSpentSource } from '../quota/ledger-spent-source.js';
import { RedisBudgets } from '../quota/redis-budgets.js';
import { RedisRateLimits } from '../quota/redis-rate-limits.js';
import { createPool } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { ensureAdminKey } from '../identity/admin-key.js';
import { KeyCache } from '../identity/key-cache.js';
import { PostgresIdentityStore } from '../identity/postgres-identity-store.js';
import { connectRedis, disconnectRedis, type RedisClient } from '../quota/redis-connection.js';
import { adminRoutes } from './admin-routes.js';
import { adminUiRoutes } from '../admin-ui/admin-ui-routes.js';
import { createServerHandler } from './router.js';
import { statusRoutes } from './status-routes.js';
import { metricsRoute, teamServerCollector } from './metrics-route.js';
import { routingRoutes } from './routing-routes.js';
import { reportRoutes } from './report-routes.js';
import { PostgresTeamRoutingStore } from '../preferences/postgres-team-routing-store.js';
import { TeamRoutingCache } from '../preferences/team-routing-cache.js';

export interface TeamServerOptions {
  host: string;
  port: number;
  databaseUrl: string;
  redisUrl: string;
  /** LODESTAR_ADMIN_KEY, already checked. */
  adminKey: string | undefined;
  logger: Logger;
  redactor: Redactor;
  /** Provider keys and base URLs, LODESTAR_HOME (the server's config and spool), LODESTAR_TIMEZONE. */
  env: NodeJS.ProcessEnv;
  /** Told the admin key made at first start, once. */
  onFirstAdminKey: (key: string) => void;
}

export interface RunningTeamServer {
  url: string;
  shutdown(reason: string): Promise<void>;
}

/**
 * `lodestar server`: migrate the database (one instance at a time), make sure an admin key
 * exists, connect Redis (in the background: a server starts while Redis is down, and says so in
 * /health), then serve the model endpoints (each request from a user's key, held to their
 * quotas, recorded in the team ledger), the admin API, /health and /v1/me.
 */
export async function startTeamServer(options: TeamServerOptions): Promise<RunningTeamServer> {
  const { logger } = options;
  const report = await migrate(options.databaseUrl).catch((error: unknown) => {
    throw new LodestarError(`cannot migrate the database: ${error instanceof Error ? error.message : String(error)}`, {
      hint: error instanceof LodestarError ? error.hint : 'Check --database (LODESTAR_DATABASE_URL) and that PostgreSQL is running.',
    });
  });
  logger.info(report.applied.length ? `database migrated to version ${report.version} (applied ${report.applied.map((step) => `${step.version} ${step.name}`).join(', ')})` : `database schema is up to date (version ${report.version})`);

  const pool: pg.Pool = createPool(options.databaseUrl, { onIdleError: (error) => logger.warn('database connection lost', { error: error.message }) });
  let redis: RedisClient | undefined;
  let settleRedis: RedisClient | undefined;
  let keys: KeyCache | undefined;
  let routing: TeamRoutingCache | undefined;
  let ledger: PostgresLedgerWriter | undefined;
  let gateway: TeamGateway | undefined;
  let boundPort = options.port;
  let closing = false;
  try {
    const setup = await ensureAdminKey(pool, options.adminKey);
    if (setup.created) options.onFirstAdminKey(setup.created);
    redis = connectRedis({ url: options.redisUrl, onStateChange: (problem) => (problem ? logger.warn(problem) : logger.info('Redis is reachable again')) });
    // Settles after each answer on a connection of their own: the next request's admission never queues behind them.
    settleRedis = connectRedis({ url: options.redisUrl, onStateChange: () => undefined });
    const store = new PostgresIdentityStore(pool);
    keys = new KeyCache({ store, redis, onError: (message) => logger.warn(message) });
    await keys.start();
    const routingStore = new PostgresTeamRoutingStore(pool);
    routing = new TeamRoutingCache({ store: routingStore, redis, onError: (message) => logger.warn(message) });
    await routing.start();
    // Events wait in a spool of this instance's own until PostgreSQL has them; one left by a killed instance is claimed and written.
    ledger = openInSpoolSlot(join(lodestarHome(options.env), 'server', 'spool'), (spoolDirectory) => new PostgresLedgerWriter({ pool, spoolDirectory, logger }));
    const timeZone = options.env.LODESTAR_TIMEZONE || 'UTC';
    const tenancy = new TeamTenancy({
      keys,
      budgets: new RedisBudgets({ client: redis, timeZone, spentSource: new LedgerSpentSource(pool, timeZone) }),
      rates: new RedisRateLimits({ client: redis }),
      ledger,
      logger,
      routing,
      settleOn: { budgets: new RedisBudgets({ client: settleRedis, timeZone }), rates: new RedisRateLimits({ client: settleRedis }) },
    });
    gateway = await startTeamGateway({ env: options.env, logger, redactor: options.redactor, tenancy, port: () => boundPort, closing: () => closing });
    const writer = ledger;
    gateway.context.metrics.addCollector(teamServerCollector(() => writer.metrics(), () => tenancy.pendingSettles()));
    const live = { redis, settleRedis, keys, routing, ledger, gateway, tenancy };
    const admin = createServerHandler([...statusRoutes({ pool, redis, keys }), ...adminRoutes({ pool, store, keys }), ...reportRoutes({ pool, store, logger, timeZone }), ...routingRoutes({ pool, store: routingStore, logger, onChange: (teamId) => live.routing.changed(teamId) }), metricsRoute({ pool, metrics: gateway.context.metrics }), ...adminUiRoutes({ pool, redis, store, listenHost: options.host, port: () => boundPort, env: options.env, logger })], logger);
    const models = gateway;
    const handle = (request: IncomingMessage, response: ServerResponse): void => {
      const url = request.url ?? '/';
      const end = url.indexOf('?');
      (models.serves(end === -1 ? url : url.slice(0, end)) ? models.handle : admin.handle)(request, response);
    };
    const server = createServer({ keepAliveTimeout: 30_000, noDelay: true }, handle);
    server.on('clientError', answerClientError);
    await listen(server, options.host, options.port);
    const address = server.address() as AddressInfo;
    boundPort = address.port;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${host}:${address.port}`;
    let stopping: Promise<void> | undefined;
    return {
      url,
      shutdown(reason) {
        stopping ??= (async () => {
          logger.info(`stopping (${reason})`);
          closing = true;
          const closed = new Promise<void>((resolve) => server.close(() => resolve()));
          server.closeIdleConnections();
          // Requests in flight get a few seconds to finish; then their connections are cut.
          const force = setTimeout(() => server.closeAllConnections(), 5000);
          await Promise.all([admin.whenIdle(), live.gateway.whenIdle()]);
          await closed;
          clearTimeout(force);
          await live.tenancy.close();
          const left = await live.ledger.close();
          if (left.pending) logger.warn(`${left.pending} ledger events are not in PostgreSQL yet: they stay in the spool, and the next start here writes them`);
          await live.gateway.close();
          await live.keys.close();
          live.routing.close();
          disconnectRedis(live.redis);
          disconnectRedis(live.settleRedis);
          await pool.end().catch(() => undefined);
          logger.info('stopped');
        })();
        return stopping;
      },
    };
  } catch (error) {
    await gateway?.close().catch(() => undefined);
    await ledger?.close().catch(() => undefined);
    await keys?.close();
    routing?.close();
    if (redis) disconnectRedis(redis);
    if (settleRedis) disconnectRedis(settleRedis);
    await pool.end().catch(() => undefined);
    throw error;
  }
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(new LodestarError(error.code === 'EADDRINUSE' ? `${host}:${port} is already in use` : `cannot listen on ${host}:${port}: ${error.message}`, {
        hint: 'Choose another address with --listen HOST:PORT (or LODESTAR_LISTEN).',
      }));
    });
    server.listen(port, host, () => resolve());
  });
}
