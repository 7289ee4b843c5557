import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../shared/logger.js';
import { withdrawRequestId } from './request-id.js';
import { HttpError, sendAnthropicError, sendError } from '../shared/http-error.js';

export interface RouteParams {
  /** From /p/{project}/...; undefined on the plain paths. */
  project: string | undefined;
  /** From .../s/{session}/... (after the project, if any): one run of a client, e.g. of `lodestar aider`. */
  session: string | undefined;
  /** The query string, without the '?'. */
  query: string;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  /** Whether the daemon token is required; only /health is open. */
  auth: boolean;
  /** Whether /p/{project}/ may prefix the path. */
  projectScoped?: boolean;
  /** The envelope of its errors: OpenAI's (the default) or Anthropic's (the Messages endpoints). */
  errors?: 'anthropic';
  handle(request: IncomingMessage, response: ServerResponse, params: RouteParams): void | Promise<void>;
}

export interface RequestHandlerOptions {
  routes: readonly Route[];
  hostCheck: (request: IncomingMessage) => void;
  /** Throws (or rejects) an HttpError 401; a promise (team mode's key lookup) holds the route until it settles. */
  auth: (request: IncomingMessage) => void | Promise<void>;
  logger: Logger;
}

const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The daemon's core: match a route, check Host and token, run the handler, and turn whatever
 * it throws into one error response. Wiring only; the work is in the routes.
 */
export function createRequestHandler(options: RequestHandlerOptions): {
  handle: (request: IncomingMessage, response: ServerResponse) => void;
  inFlight: () => number;
  whenIdle: () => Promise<void>;
} {
  const table = new Map<string, Route>();
  const methodsByPath = new Map<string, string[]>();
  for (const route of options.routes) {
    table.set(`${route.method} ${route.path}`, route);
    methodsByPath.set(route.path, [...(methodsByPath.get(route.path) ?? []), route.method]);
  }

  let active = 0;
  let idleWaiters: Array<() => void> = [];
  const finished = (): void => {
    active--;
    if (active === 0 && idleWaiters.length) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const wake of waiters) wake();
    }
  };

  function handle(request: IncomingMessage, response: ServerResponse): void {
    active++;
    response.once('close', finished);
    let anthropic = false;
    try {
      options.hostCheck(request);
      const url = request.url ?? '/';
      const queryStart = url.indexOf('?');
      let path = queryStart === -1 ? url : url.slice(0, queryStart);
      const query = queryStart === -1 ? '' : url.slice(queryStart + 1);
      let project: string | undefined;
      let session: string | undefined;
      if (path.startsWith('/p/')) [project, path] = prefix(path, 'project', 'Project name');
      if (path.startsWith('/s/')) [session, path] = prefix(path, 'session', 'Session id');
      if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
      const route = table.get(`${request.method ?? 'GET'} ${path}`);
      // A client of the Messages API reads Anthropic's envelope, for a wrong token or path too.
      anthropic = route ? route.errors === 'anthropic' : path.startsWith('/v1/messages');
      const scoped = project !== undefined || session !== undefined;
      if (!route || (scoped && !route.projectScoped)) {
        const allowed = methodsByPath.get(path);
        if (allowed && !scoped) {
          throw new HttpError(405, `${request.method ?? ''} is not allowed on ${path}; use ${allowed.join(' or ')}`, {
            headers: { allow: allowed.join(', ') },
          });
        }
        throw new HttpError(404, `Unknown endpoint ${request.method ?? ''} ${request.url ?? ''}`, { code: 'unknown_url' });
      }
      const params = { project, session, query };
      const authed = route.auth ? options.auth(request) : undefined;
      const result = authed ? authed.then(() => route.handle(request, response, params)) : route.handle(request, response, params);
      if (result) result.catch((error: unknown) => fail(response, error, options.logger, anthropic));
    } catch (error) {
      fail(response, error, options.logger, anthropic);
    }
  }

  return {
    handle,
    inFlight: () => active,
    whenIdle: () => (active === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve))),
  };
}

function fail(response: ServerResponse, error: unknown, logger: Logger, anthropic: boolean): void {
  const send = anthropic ? sendAnthropicError : sendError;
  if (error instanceof HttpError) {
    send(response, error);
    return;
  }
  logger.error('request failed', { error });
  // A route records the HttpErrors it throws (a refusal is a request the user made), never a
  // failure of its own: the 500 names no event.
  withdrawRequestId(response);
  send(response, new HttpError(500, 'Lodestar failed to handle this request; see $LODESTAR_HOME/logs/daemon.log', { code: 'internal_error' }));
}

/** Splits "/p/{name}/rest" (or "/s/..."): the checked name and the rest of the path. */
function prefix(path: string, param: string, what: string): [string, string] {
  const end = path.indexOf('/', 3);
  const segment = end === -1 ? path.slice(3) : path.slice(3, end);
  const name = safeDecode(segment);
  if (!name || !PROJECT_NAME.test(name)) {
    throw new HttpError(400, `${what} ${JSON.stringify(name ?? segment)} in the path is not valid: use 1-64 letters, digits, ".", "_" or "-"`, { param });
  }
  return [name, end === -1 ? '/' : path.slice(end)];
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
