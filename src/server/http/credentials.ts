import type { IncomingMessage } from 'node:http';
import type pg from 'pg';
import { HttpError } from '../../shared/http-error.js';
import { isApiKey } from '../identity/api-key.js';
import { checkAdminKey } from '../identity/admin-key.js';

/** The key a request presents: `Authorization: Bearer K`, or `x-api-key: K`. */
export function presentedKey(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match ? match[1] : undefined;
  }
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey.trim() ? apiKey.trim() : undefined;
}

/** The admin API's gate: a valid admin key passes; a user's key is 403; anything else 401. */
export async function requireAdmin(pool: pg.Pool, request: IncomingMessage): Promise<void> {
  const presented = presentedKey(request);
  if (presented === undefined) {
    throw new HttpError(401, 'The admin API needs an admin key: Authorization: Bearer lsa_...', { code: 'missing_admin_key' });
  }
  if (isApiKey(presented)) {
    throw new HttpError(403, "A user's key (lsk_...) can't use the admin API: send an admin key (lsa_...)", { code: 'not_an_admin_key' });
  }
  if (!(await checkAdminKey(pool, presented))) {
    throw new HttpError(401, 'That admin key is not valid', { code: 'invalid_admin_key' });
  }
}
