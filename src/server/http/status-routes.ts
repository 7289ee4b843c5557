import type { ServerResponse } from 'node:http';
import type pg from 'pg';
import { HttpError, sendJson } from '../../shared/http-error.js';
import { VERSION } from '../../shared/package-info.js';
import type { KeyCache } from '../identity/key-cache.js';
import { withTimeout, type RedisClient } from '../quota/redis-connection.js';
import { presentedKey } from './credentials.js';
import type { ServerRoute } from './router.js';

export interface StatusRouteDeps {
  pool: pg.Pool;
  redis: RedisClient;
  keys: Pick<KeyCache, 'authenticate'>;
}

/** How long a readiness probe waits for each store. */
const PROBE_TIMEOUT_MS = 1000;

/**
 * GET /health (open: a load balancer's probe): ready when PostgreSQL and Redis both answer, 503
 * otherwise. GET /v1/me: whom a user's key belongs to (a client checks its key with it).
 */
export function statusRoutes(deps: StatusRouteDeps): ServerRoute[] {
  return [
    {
      method: 'GET',
      path: '/health',
      handle: async (_request, response) => {
        const [database, redis] = await Promise.all([databaseReachable(deps.pool), redisReachable(deps.redis)]);
        const ready = database && redis;
        sendJson(response, ready ? 200 : 503, { status: ready ? 'ok' : 'degraded', ready, database: { reachable: database }, redis: { reachable: redis }, version: VERSION }, { 'cache-control': 'no-store' });
      },
    },
    {
      method: 'GET',
      path: '/v1/me',
      handle: async (request, response: ServerResponse) => {
        let check;
        try {
          check = await deps.keys.authenticate(presentedKey(request));
        } catch {
          throw new HttpError(503, 'The server cannot check keys now: its database is unreachable', { code: 'database_unavailable' });
        }
        if (!check.ok) {
          throw new HttpError(401, check.reason === 'malformed' ? 'Send your key: Authorization: Bearer lsk_...' : 'That key is not valid (unknown or revoked)', { code: 'invalid_api_key' });
        }
        const { key, user, team } = check.identity;
        sendJson(response, 200, { user: { id: user.id, email: user.email }, team: { id: team.id, name: team.name }, key: { id: key.id, prefix: key.prefix } }, { 'cache-control': 'no-store' });
      },
    },
  ];
}

async function databaseReachable(pool: pg.Pool): Promise<boolean> {
  try {
    await withTimeout(pool.query('SELECT 1'), PROBE_TIMEOUT_MS);
    return true;
  } catch {
    return false;
  }
}

async function redisReachable(redis: RedisClient): Promise<boolean> {
  if (!redis.isReady) return false;
  try {
    return (await withTimeout(redis.sendCommand<string>(['PING']), PROBE_TIMEOUT_MS)) === 'PONG';
  } catch {
    return false;
  }
}
