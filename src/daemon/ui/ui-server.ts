import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../../shared/logger.js';
import { answerClientError, HttpError, sendError } from '../../shared/http-error.js';
import { createHostCheck, isLoopbackHost } from '../middleware/host-check.js';
import { createRequestHandler, type Route } from '../server.js';
import { SESSION_COOKIE, sessionFromCookie, type UiSessions } from './sessions.js';
import type { StaticFiles } from './static-files.js';

/** What every answer of the UI's origin carries: nothing loads from elsewhere, nothing frames it. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

export interface UiServerOptions {
  /** The API's routes plus the UI's own, served here with the session cookie instead of the token. */
  routes: readonly Route[];
  sessions: UiSessions;
  files: StaticFiles;
  logger: Logger;
  /** The port the UI's listener has bound (for the Host and Origin checks). */
  port: () => number;
}

/**
 * The web UI's listener: static files, the login link, and the daemon's API behind a session
 * cookie. The Host check holds as on the API (DNS rebinding); a state-changing request must
 * come from the UI's own origin (CSRF); every answer carries a strict CSP.
 */
export function createUiServer(options: UiServerOptions): Server {
  const hostCheck = createHostCheck(options.port);
  const api = createRequestHandler({
    routes: options.routes,
    hostCheck,
    auth: (request) => {
      if (!options.sessions.check(sessionFromCookie(request.headers.cookie))) {
        throw new HttpError(401, 'Not logged in to the web UI: run `lodestar ui` and open the link it prints', { code: 'not_logged_in' });
      }
      checkOrigin(request, options.port());
    },
    logger: options.logger,
  });

  const server = createServer({ keepAliveTimeout: 30_000, noDelay: true }, (request, response) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
    try {
      const url = request.url ?? '/';
      const path = url.split('?', 1)[0] ?? '/';
      if (path.startsWith('/api/') || path.startsWith('/p/') || path === '/health') {
        response.setHeader('cache-control', 'no-store');
        api.handle(request, response);
        return;
      }
      hostCheck(request);
      if (path === '/login') return login(request, response, url, options);
      if (path === '/logout') return logout(request, response, options);
      if (request.method !== 'GET' && request.method !== 'HEAD') throw new HttpError(405, `${request.method ?? ''} is not allowed on ${path}`, { headers: { allow: 'GET, HEAD' } });
      if (!options.files.built()) throw new HttpError(503, 'The web UI is not built: run `npm run build` in the Lodestar folder', { code: 'ui_not_built' });
      if (!options.files.serve(request, response, path, {})) throw new HttpError(404, `No such page: ${path}`, { code: 'unknown_url' });
    } catch (error) {
      if (error instanceof HttpError) sendError(response, error);
      else {
        options.logger.error('web UI request failed', { error });
        sendError(response, new HttpError(500, 'Lodestar failed to handle this request; see $LODESTAR_HOME/logs/daemon.log', { code: 'internal_error' }));
      }
    }
  });
  server.on('clientError', answerClientError);
  return server;
}

/** A POST, PUT or DELETE must name the UI's own origin: a page elsewhere can't act with the user's cookie. */
function checkOrigin(request: IncomingMessage, port: number): void {
  if (request.method === 'GET' || request.method === 'HEAD') return;
  const origin = request.headers.origin;
  if (!origin || !isOwnOrigin(origin, port)) {
    throw new HttpError(403, `Origin ${JSON.stringify(origin ?? '')} may not change Lodestar's settings: only the web UI's own pages may`, { code: 'origin_not_allowed' });
  }
}

export function isOwnOrigin(origin: string, port: number): boolean {
  if (!origin.startsWith('http://')) return false;
  return isLoopbackHost(origin.slice('http://'.length), port);
}

/** GET /login?code=...: a one-time code for a session cookie, then on to the overview (the code leaves the address bar). */
function login(request: IncomingMessage, response: ServerResponse, url: string, options: UiServerOptions): void {
  if (request.method !== 'GET') throw new HttpError(405, `${request.method ?? ''} is not allowed on /login`, { headers: { allow: 'GET' } });
  const code = new URLSearchParams(url.slice(url.indexOf('?') + 1)).get('code') ?? '';
  const session = url.includes('?') ? options.sessions.redeem(code) : undefined;
  if (!session) {
    const page = '<!doctype html><meta charset="utf-8"><title>Lodestar: log in</title><h1>This login link is used up or expired</h1><p>A link works once, for a minute. Run <code>lodestar ui</code> again and open the new link.</p>';
    response.writeHead(401, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(page);
    return;
  }
  response.writeHead(303, {
    location: '/#/overview',
    'set-cookie': `${SESSION_COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/`,
    'cache-control': 'no-store',
  });
  response.end();
}

function logout(request: IncomingMessage, response: ServerResponse, options: UiServerOptions): void {
  if (request.method !== 'POST') throw new HttpError(405, `${request.method ?? ''} is not allowed on /logout`, { headers: { allow: 'POST' } });
  checkOrigin(request, options.port());
  options.sessions.end(sessionFromCookie(request.headers.cookie));
  response.writeHead(204, { 'set-cookie': `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0` });
  response.end();
}

