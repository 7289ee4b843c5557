import type { IncomingMessage } from 'node:http';
import type pg from 'pg';
import { sessionFromCookie } from '../../daemon/ui/sessions.js';
import { HttpError } from '../../shared/http-error.js';
import { QuotaStoreUnavailable } from '../quota/redis-connection.js';
import { requireAdmin } from '../http/credentials.js';
import { ADMIN_SESSION_COOKIE, type AdminSession, type AdminSessions } from './admin-sessions.js';
import type { HostRule } from './host-rule.js';

export type AdminCaller = { via: 'key' } | { via: 'session'; session: AdminSession; id: string };

export interface GuardDeps {
  pool: pg.Pool;
  sessions: AdminSessions;
  hosts: HostRule;
}

/**
 * The admin pages' JSON endpoints: an admin key as the admin API takes it (Authorization: Bearer
 * lsa_..., for scripts and tests), or the pages' session cookie. A session holds while the admin
 * key that opened it does: a revoked key ends its sessions at their next request. With the
 * cookie, a request that changes something must come from the pages' own origin.
 */
export async function requireAdminOrSession(deps: GuardDeps, request: IncomingMessage): Promise<AdminCaller> {
  if (request.headers.authorization !== undefined || request.headers['x-api-key'] !== undefined) {
    await requireAdmin(deps.pool, request);
    return { via: 'key' };
  }
  const id = sessionFromCookie(request.headers.cookie, ADMIN_SESSION_COOKIE);
  const session = await withSessionStore(() => deps.sessions.check(id));
  if (!session || id === undefined) throw new HttpError(401, 'Not logged in to the admin pages: log in with an admin key (lsa_...)', { code: 'not_logged_in' });
  if (!(await adminKeyLive(deps.pool, session.keyHash))) {
    await withSessionStore(() => deps.sessions.end(id));
    throw new HttpError(401, 'The admin key of this session was revoked: log in again with a valid one', { code: 'not_logged_in' });
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') deps.hosts.checkOrigin(request);
  return { via: 'session', session, id };
}

/** A session-store call, whose Redis outage is a 503 that says an admin key still works. */
export async function withSessionStore<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof QuotaStoreUnavailable) {
      throw new HttpError(503, `The admin pages' sessions live in Redis, which can't be reached now (${error.message}); the admin API still takes an admin key`, { code: 'sessions_unavailable' });
    }
    throw error;
  }
}

async function adminKeyLive(pool: pg.Pool, keyHash: string): Promise<boolean> {
  const { rows } = await pool.query('SELECT 1 FROM admin_keys WHERE hash = $1 AND revoked_at IS NULL', [Buffer.from(keyHash, 'base64url')]);
  return rows.length > 0;
}
