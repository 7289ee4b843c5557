import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { SECURITY_HEADERS } from '../../daemon/ui/ui-server.js';
import { StaticFiles } from '../../daemon/ui/static-files.js';
import { sessionFromCookie } from '../../daemon/ui/sessions.js';
import { isValidTimeZone } from '../../ledger/report.js';
import { ReportQueryError } from '../../ledger/report-query.js';
import { UsageError } from '../../shared/errors.js';
import { HttpError, sendJson } from '../../shared/http-error.js';
import type { Logger } from '../../shared/logger.js';
import { VERSION } from '../../shared/package-info.js';
import { hashApiKey } from '../identity/api-key.js';
import type { IdentityStore } from '../identity/identity-store.js';
import { RedisBudgets } from '../quota/redis-budgets.js';
import type { RedisCommander } from '../quota/redis-connection.js';
import { teamReport } from '../report/team-report.js';
import { teamReportQuery } from '../report/team-report-query.js';
import { presentedKey, requireAdmin } from '../http/credentials.js';
import type { ServerRoute } from '../http/router.js';
import { requireAdminOrSession, withSessionStore, type AdminCaller } from './admin-session-guard.js';
import { ADMIN_SESSION_COOKIE, AdminSessions, SESSION_IDLE_MS, SESSION_LIFETIME_MS } from './admin-sessions.js';
import { latestRequests, LIVE_LIMIT_DEFAULT, LIVE_LIMIT_MAX, quotaView } from './admin-ui-data.js';
import { HostRule } from './host-rule.js';

/** Where the pages are served, and where their session cookie goes (nowhere else: not /admin/, not /v1/). */
export const ADMIN_UI_PATH = '/admin-ui';
/** Where `npm run build` puts the admin pages (scripts/build-web-admin.mjs): dist/web-admin, beside dist/src. */
export const ADMIN_WEB_ROOT = fileURLToPath(new URL('../../../web-admin/', import.meta.url));

export interface AdminUiDeps {
  pool: pg.Pool;
  redis: RedisCommander;
  store: Pick<IdentityStore, 'listTeams' | 'listUsers'>;
  /** The --listen host, and the port once bound: the Host rule's own names. */
  listenHost: string;
  port: () => number;
  /** LODESTAR_PUBLIC_URL, LODESTAR_PUBLIC_HOSTS, LODESTAR_TIMEZONE. */
  env: NodeJS.ProcessEnv;
  logger: Logger;
  files?: StaticFiles;
}

type Handler = (request: IncomingMessage, response: ServerResponse, params: Record<string, string>) => Promise<void> | void;

/**
 * The admin pages on the team server: their files under /admin-ui/, a login that exchanges an
 * admin key for a session cookie, and the read-only JSON they show (teams, users and keys,
 * quotas and where each stands, spend by user and team, the latest requests). Every answer
 * carries the local UI's CSP and headers; every request passes the Host rule first
 * (host-rule.ts); login and logout must come from the pages' own origin.
 */
export function adminUiRoutes(deps: AdminUiDeps): ServerRoute[] {
  const hosts = new HostRule({ listenHost: deps.listenHost, port: deps.port, env: deps.env });
  const sessions = new AdminSessions({ client: deps.redis });
  const timeZone = deps.env.LODESTAR_TIMEZONE || 'UTC';
  if (!isValidTimeZone(timeZone)) throw new UsageError(`LODESTAR_TIMEZONE ${JSON.stringify(timeZone)} is not a time zone: use an IANA name such as Europe/Paris or UTC`);
  const budgets = new RedisBudgets({ client: deps.redis, timeZone });
  const files = deps.files ?? new StaticFiles(ADMIN_WEB_ROOT);
  const guard = { pool: deps.pool, sessions, hosts };
  const cookie = (value: string, extra = ''): string => `${ADMIN_SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=${ADMIN_UI_PATH}${hosts.secure ? '; Secure' : ''}${extra}`;

  /** Every route here: the headers first (an error answer carries them too), then the Host rule. */
  const page =
    (handler: Handler): Handler =>
    (request, response, params) => {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
      hosts.checkHost(request);
      return handler(request, response, params);
    };
  /** A JSON endpoint of the pages: never cached, and only for an admin. */
  const json = (answer: (request: IncomingMessage, caller: AdminCaller) => Promise<unknown>): Handler =>
    page(async (request, response) => {
      response.setHeader('cache-control', 'no-store');
      const caller = await requireAdminOrSession(guard, request);
      sendJson(response, 200, await answer(request, caller));
    });

  const serveFile: Handler = (request, response, params) => {
    const path = (request.url ?? '/').split('?', 1)[0] as string;
    // The pages link their files relatively: /admin-ui must be /admin-ui/ for them to resolve.
    if (path === ADMIN_UI_PATH) {
      response.writeHead(308, { location: `${ADMIN_UI_PATH}/` });
      response.end();
      return;
    }
    if (!files.built()) throw new HttpError(503, 'The admin pages are not built: run `npm run build` in the Lodestar folder', { code: 'ui_not_built' });
    if (!files.serve(request, response, `/${params.file ?? ''}`, {})) throw new HttpError(404, `No such page: ${path}`, { code: 'unknown_url' });
  };

  return [
    { method: 'GET', path: '/', handle: page((_request, response) => redirect(response, `${ADMIN_UI_PATH}/`)) },
    {
      method: 'POST',
      path: `${ADMIN_UI_PATH}/login`,
      handle: page(async (request, response) => {
        request.resume();
        hosts.checkOrigin(request);
        await requireAdmin(deps.pool, request);
        const key = presentedKey(request) as string;
        const id = await withSessionStore(async () => {
          // A login over a live session replaces it: one browser, one session.
          await sessions.end(sessionFromCookie(request.headers.cookie, ADMIN_SESSION_COOKIE));
          return sessions.open({ keyHash: hashApiKey(key).toString('base64url'), keyPrefix: key.slice(0, 8) });
        });
        deps.logger.info('admin pages: logged in', { key: key.slice(0, 8) });
        sendJson(response, 200, { loggedIn: true, key: key.slice(0, 8), idleMinutes: SESSION_IDLE_MS / 60_000, lifetimeHours: SESSION_LIFETIME_MS / 3_600_000 }, { 'cache-control': 'no-store', 'set-cookie': cookie(id) });
      }),
    },
    {
      method: 'POST',
      path: `${ADMIN_UI_PATH}/logout`,
      handle: page(async (request, response) => {
        request.resume();
        hosts.checkOrigin(request);
        await withSessionStore(() => sessions.end(sessionFromCookie(request.headers.cookie, ADMIN_SESSION_COOKIE)));
        response.writeHead(204, { 'cache-control': 'no-store', 'set-cookie': cookie('', '; Max-Age=0') });
        response.end();
      }),
    },
    {
      method: 'GET',
      path: `${ADMIN_UI_PATH}/api/session`,
      handle: json(async (_request, caller) => ({ version: VERSION, timeZone, via: caller.via, key: caller.via === 'session' ? caller.session.keyPrefix : null })),
    },
    {
      method: 'GET',
      path: `${ADMIN_UI_PATH}/api/teams`,
      handle: json(async () => {
        const [teams, users] = await Promise.all([deps.store.listTeams(), deps.store.listUsers()]);
        return {
          teams: teams.map((team) => {
            const members = users.filter((listing) => listing.team.id === team.id);
            return { ...team, members: members.length, activeKeys: members.reduce((sum, listing) => sum + listing.keys.filter((key) => key.revokedAt === undefined).length, 0) };
          }),
        };
      }),
    },
    { method: 'GET', path: `${ADMIN_UI_PATH}/api/users`, handle: json(async () => ({ users: await deps.store.listUsers() })) },
    {
      method: 'GET',
      path: `${ADMIN_UI_PATH}/api/quotas`,
      handle: json(async () => {
        const [teams, users] = await Promise.all([deps.store.listTeams(), deps.store.listUsers()]);
        return quotaView(teams, users, budgets, timeZone);
      }),
    },
    {
      method: 'GET',
      path: `${ADMIN_UI_PATH}/api/report`,
      handle: json(async (request) => {
        try {
          return await teamReport(deps.pool, teamReportQuery(searchOf(request), timeZone));
        } catch (error) {
          if (error instanceof ReportQueryError) throw new HttpError(400, error.message.replace(/--(\w+)/g, '$1'), { param: error.word, code: 'invalid_report_query' });
          throw error;
        }
      }),
    },
    { method: 'GET', path: `${ADMIN_UI_PATH}/api/requests`, handle: json(async (request) => ({ requests: await latestRequests(deps.pool, liveLimit(searchOf(request))) })) },
    { method: 'GET', path: ADMIN_UI_PATH, handle: page(serveFile) },
    { method: 'GET', path: `${ADMIN_UI_PATH}/:file`, handle: page(serveFile) },
  ];
}

function redirect(response: ServerResponse, location: string): void {
  response.writeHead(303, { location, 'cache-control': 'no-store' });
  response.end();
}

function searchOf(request: IncomingMessage): URLSearchParams {
  return new URL(request.url ?? '/', 'http://server').searchParams;
}

/** `?limit=N`, 1 to LIVE_LIMIT_MAX; nothing else is taken. */
function liveLimit(search: URLSearchParams): number {
  for (const name of search.keys()) if (name !== 'limit') throw new HttpError(400, `Unknown parameter ${JSON.stringify(name)}; this endpoint takes limit`, { param: name, code: 'unknown_parameter' });
  const text = search.get('limit');
  if (text === null) return LIVE_LIMIT_DEFAULT;
  const limit = Number(text);
  if (!/^\d+$/.test(text) || limit < 1 || limit > LIVE_LIMIT_MAX) throw new HttpError(400, `limit must be a whole number from 1 to ${LIVE_LIMIT_MAX}, got ${JSON.stringify(text)}`, { param: 'limit', code: 'invalid_parameter' });
  return limit;
}
