import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, sendError } from '../../shared/http-error.js';
import type { Logger } from '../../shared/logger.js';

/**
 * The team server's core: match a route (a path of fixed segments and `:name` parameters), run its
 * handler, and turn whatever it throws into one response in OpenAI's error envelope. A route
 * checks its own credentials (an admin key or a user's key): wiring only here.
 */
export interface ServerRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  /** `/admin/keys/:id/revoke`: `:id` is handed to the handler, decoded. */
  path: string;
  handle(request: IncomingMessage, response: ServerResponse, params: Record<string, string>): Promise<void> | void;
}

interface Compiled {
  route: ServerRoute;
  segments: string[];
}

export function createServerHandler(routes: readonly ServerRoute[], logger: Logger): {
  handle: (request: IncomingMessage, response: ServerResponse) => void;
  whenIdle: () => Promise<void>;
} {
  const compiled: Compiled[] = routes.map((route) => ({ route, segments: route.path.split('/').slice(1) }));
  let active = 0;
  let waiters: Array<() => void> = [];

  function match(path: string): Array<{ route: ServerRoute; params: Record<string, string> }> {
    const parts = path.split('/').slice(1);
    const found: Array<{ route: ServerRoute; params: Record<string, string> }> = [];
    for (const { route, segments } of compiled) {
      if (segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let index = 0; index < segments.length && ok; index++) {
        const segment = segments[index] as string;
        const part = parts[index] as string;
        if (segment.startsWith(':')) {
          const value = safeDecode(part);
          if (value === undefined || value === '') ok = false;
          else params[segment.slice(1)] = value;
        } else if (segment !== part) ok = false;
      }
      if (ok) found.push({ route, params });
    }
    return found;
  }

  function handle(request: IncomingMessage, response: ServerResponse): void {
    active++;
    response.once('close', () => {
      active--;
      if (active === 0) for (const wake of waiters.splice(0)) wake();
    });
    try {
      const url = request.url ?? '/';
      const queryStart = url.indexOf('?');
      let path = queryStart === -1 ? url : url.slice(0, queryStart);
      if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
      const candidates = match(path);
      const chosen = candidates.find((candidate) => candidate.route.method === request.method);
      if (!chosen) {
        if (candidates.length) {
          const allowed = [...new Set(candidates.map((candidate) => candidate.route.method))].join(', ');
          throw new HttpError(405, `${request.method ?? ''} is not allowed on ${path}; use ${allowed}`, { headers: { allow: allowed } });
        }
        throw new HttpError(404, `Unknown endpoint ${request.method ?? ''} ${path}`, { code: 'unknown_url' });
      }
      const result = chosen.route.handle(request, response, chosen.params);
      if (result) result.catch((error: unknown) => fail(response, error, logger));
    } catch (error) {
      fail(response, error, logger);
    }
  }

  return {
    handle,
    whenIdle: () => (active === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve))),
  };
}

function fail(response: ServerResponse, error: unknown, logger: Logger): void {
  if (error instanceof HttpError) {
    sendError(response, error);
    return;
  }
  logger.error('request failed', { error: error instanceof Error ? error.message : String(error) });
  sendError(response, new HttpError(500, 'The Lodestar server failed to handle this request; its log (stderr) says why', { code: 'internal_error' }));
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
