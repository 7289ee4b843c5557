import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';
import { HttpError, sendJson } from '../../shared/http-error.js';
import type { Logger } from '../../shared/logger.js';
import { IdentityError } from '../identity/identity-error.js';
import type { PostgresTeamRoutingStore, TeamRoutingChange, TeamRoutingRecord } from '../preferences/postgres-team-routing-store.js';
import { jsonObject } from './admin-routes.js';
import { presentedKey, requireAdmin } from './credentials.js';
import type { ServerRoute } from './router.js';

export interface RoutingRouteDeps {
  pool: pg.Pool;
  store: Pick<PostgresTeamRoutingStore, 'getTeamRouting' | 'setTeamRouting' | 'patchTeamRouting'>;
  logger: Logger;
  /** Told a team's id once its change is committed: `(teamId) => routingCache.changed(teamId)`, so every instance reads it at once. */
  onChange?: (teamId: string) => Promise<void> | void;
}

/**
 * A team's shared routing (`:team` is its name, any case, or its id), admin key required:
 * GET /admin/teams/{team}/routing gives it; PUT replaces it whole (what GET gives under
 * `routing`, edited, is a valid PUT: a field left out goes back to its default); PATCH changes
 * the fields it names (JSON Merge Patch: null removes one). Bad input is a 400 naming the field
 * (`param`: "floors.edit", "flors") and writes nothing. Every change is logged: who, which team,
 * each field from what to what.
 */
export function routingRoutes(deps: RoutingRouteDeps): ServerRoute[] {
  const path = '/admin/teams/:team/routing';
  const change = (kind: 'replaced' | 'changed', write: (team: string, body: Record<string, unknown>, admin: string) => Promise<TeamRoutingChange>) =>
    guarded(deps.pool, async (request, response, params) => {
      const body = await jsonObject(request);
      const admin = adminLabel(request);
      const made = await write(params.team as string, body, admin);
      const fields = Object.keys(made.changes);
      deps.logger.info(`team routing ${kind}`, { team: made.after.team.name, teamId: made.after.team.id, by: admin, changes: made.changes });
      try {
        await deps.onChange?.(made.after.team.id);
      } catch (error) {
        // Committed all the same: the other instances read it within their refresh (≤ 1 s).
        deps.logger.warn('telling the instances of a routing change failed', { teamId: made.after.team.id, error: error instanceof Error ? error.message : String(error) });
      }
      sendJson(response, 200, { ...answer(made.after), changed: fields }, { 'cache-control': 'no-store' });
    });
  return [
    {
      method: 'GET',
      path,
      handle: guarded(deps.pool, async (request, response, params) => {
        request.resume();
        sendJson(response, 200, answer(await deps.store.getTeamRouting(params.team as string)), { 'cache-control': 'no-store' });
      }),
    },
    { method: 'PUT', path, handle: change('replaced', (team, body, admin) => deps.store.setTeamRouting(team, body, admin)) },
    { method: 'PATCH', path, handle: change('changed', (team, body, admin) => deps.store.patchTeamRouting(team, body, admin)) },
  ];
}

type Handler = (request: IncomingMessage, response: ServerResponse, params: Record<string, string>) => Promise<void>;

function guarded(pool: pg.Pool, handler: Handler): Handler {
  return async (request, response, params) => {
    await requireAdmin(pool, request);
    try {
      await handler(request, response, params);
    } catch (error) {
      // The routing's field names are the API's own: no translation, as the identity routes need.
      if (!(error instanceof IdentityError)) throw error;
      throw new HttpError(error.code === 'not_found' ? 404 : error.code === 'conflict' ? 409 : 400, error.message, { param: error.field, code: error.code });
    }
  };
}

/** Who changed it: the admin key's prefix (lsa_ and four more, as admin_keys.prefix), never the key. */
function adminLabel(request: IncomingMessage): string {
  return (presentedKey(request) ?? 'lsa_').slice(0, 8);
}

function answer(record: TeamRoutingRecord): Record<string, unknown> {
  return { team: record.team, routing: record.routing, updatedAt: record.updatedAt ?? null, updatedBy: record.updatedBy ?? null };
}
