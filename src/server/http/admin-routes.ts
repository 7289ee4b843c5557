import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';
import { HttpError, sendJson } from '../../shared/http-error.js';
import { readJsonBody } from '../../shared/request-body.js';
import { identityRefusal, toStoreFields } from './admin-request.js';
import type { IdentityStore, NewTeam, NewUser } from '../identity/identity-store.js';
import type { KeyCache } from '../identity/key-cache.js';
import { requireAdmin } from './credentials.js';
import type { ServerRoute } from './router.js';

/** Admin bodies are a few fields; anything bigger is a mistake or an attack. */
export const ADMIN_BODY_LIMITS = { maxBytes: 16 * 1024, idleMs: 10_000 };

/** The admin API's field names and the identity store's. */
const TEAM_FIELDS: Record<string, keyof NewTeam> = { name: 'name', monthlyUsd: 'monthlyBudgetUsd', dailyUsd: 'dailyBudgetUsd', mode: 'budgetMode', models: 'allowedModels' };
const USER_FIELDS: Record<string, keyof NewUser> = { email: 'email', team: 'team', monthlyUsd: 'monthlyBudgetUsd', dailyUsd: 'dailyBudgetUsd', mode: 'budgetMode', rpm: 'rpm', tpm: 'tpm' };

export interface AdminRouteDeps {
  pool: pg.Pool;
  store: IdentityStore;
  keys: Pick<KeyCache, 'revokeKey'>;
}

/**
 * POST/GET /admin/teams, POST/GET /admin/users, POST /admin/keys/{id}/revoke. Every one needs an
 * admin key. Bad input is a 400 naming the field (`param`, in the API's own names) and writes
 * nothing: the store checks every value before its first query.
 */
export function adminRoutes(deps: AdminRouteDeps): ServerRoute[] {
  const guarded = (handler: (request: IncomingMessage, response: ServerResponse, params: Record<string, string>) => Promise<void>) =>
    async (request: IncomingMessage, response: ServerResponse, params: Record<string, string>): Promise<void> => {
      await requireAdmin(deps.pool, request);
      try {
        await handler(request, response, params);
      } catch (error) {
        throw identityRefusal(error);
      }
    };
  return [
    {
      method: 'POST',
      path: '/admin/teams',
      handle: guarded(async (request, response) => {
        const input = toStoreFields(await jsonObject(request), TEAM_FIELDS) as unknown as NewTeam;
        sendJson(response, 201, { team: await deps.store.createTeam(input) });
      }),
    },
    {
      method: 'GET',
      path: '/admin/teams',
      handle: guarded(async (_request, response) => sendJson(response, 200, { teams: await deps.store.listTeams() })),
    },
    {
      method: 'POST',
      path: '/admin/users',
      handle: guarded(async (request, response) => {
        const input = toStoreFields(await jsonObject(request), USER_FIELDS) as unknown as NewUser;
        const created = await deps.store.createUser(input);
        // The key once, here; the server keeps only its hash.
        sendJson(response, 201, { id: created.record.id, key: created.key, user: created.user, team: created.team }, { 'cache-control': 'no-store' });
      }),
    },
    {
      method: 'GET',
      path: '/admin/users',
      handle: guarded(async (_request, response) => sendJson(response, 200, { users: await deps.store.listUsers() })),
    },
    {
      method: 'POST',
      path: '/admin/keys/:id/revoke',
      handle: guarded(async (request, response, params) => {
        request.resume();
        // Through the cache: evicted here, and every other instance told through Redis.
        sendJson(response, 200, { key: await deps.keys.revokeKey(params.id as string) });
      }),
    },
  ];
}

export async function jsonObject(request: IncomingMessage): Promise<Record<string, unknown>> {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) {
    request.resume();
    throw new HttpError(415, 'Send the body as JSON (content-type: application/json)', { code: 'unsupported_media_type' });
  }
  const value = await readJsonBody(request, ADMIN_BODY_LIMITS);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, 'The body must be a JSON object', { code: 'invalid_body' });
  return value as Record<string, unknown>;
}

