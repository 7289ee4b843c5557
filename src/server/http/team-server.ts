import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { answerClientError } from '../../shared/http-error.js';
import { LodestarError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { createPool } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { ensureAdminKey } from '../identity/admin-key.js';
import { KeyCache } from '../identity/key-cache.js';
import { PostgresIdentityStore } from '../identity/postgres-identity-store.js';
import { connectRedis, disconnectRedis, type RedisClient } from '../quota/redis-connection.js';
import { adminRoutes } from './admin-routes.js';
import { createServerHandler } from './router.js';
import { statusRoutes } from './status-routes.js';

export interface TeamServerOptions {
  host: string;
  port: number;
  databaseUrl: string;
  redisUrl: string;
  /** LODESTAR_ADMIN_KEY, already checked. */
  adminKey: string | undefined;
  logger: Logger;
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
 * /health), then serve the admin API, /health and /v1/me.
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
  let keys: KeyCache | undefined;
  try {
    const setup = await ensureAdminKey(pool, options.adminKey);
    if (setup.created) options.onFirstAdminKey(setup.created);
    redis = connectRedis({ url: options.redisUrl, onStateChange: (problem) => (problem ? logger.warn(problem) : logger.info('Redis is reachable again')) });
    const store = new PostgresIdentityStore(pool);
    keys = new KeyCache({ store, redis, onError: (message) => logger.warn(message) });
    await keys.start();
    const handler = createServerHandler([...statusRoutes({ pool, redis, keys }), ...adminRoutes({ pool, store, keys })], logger);
    const server = createServer(handler.handle);
    server.on('clientError', answerClientError);
    await listen(server, options.host, options.port);
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${host}:${address.port}`;
    let stopping: Promise<void> | undefined;
    const liveRedis = redis;
    const liveKeys = keys;
    return {
      url,
      shutdown(reason) {
        stopping ??= (async () => {
          logger.info(`stopping (${reason})`);
          const closed = new Promise<void>((resolve) => server.close(() => resolve()));
          server.closeIdleConnections();
          // Requests in flight get a few seconds to finish; then their connections are cut.
          const force = setTimeout(() => server.closeAllConnections(), 5000);
          await handler.whenIdle();
          await closed;
          clearTimeout(force);
          await liveKeys.close();
          disconnectRedis(liveRedis);
          await pool.end().catch(() => undefined);
          logger.info('stopped');
        })();
        return stopping;
      },
    };
  } catch (error) {
    await keys?.close();
    if (redis) disconnectRedis(redis);
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
