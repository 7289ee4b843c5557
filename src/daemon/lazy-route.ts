import type { Route } from './server.js';

/**
 * A route whose code is loaded by its first request: the daemon's idle memory doesn't carry the
 * modules of endpoints a user may never call (the Messages API, the web UI's API). The first
 * request waits for the import once (tens of milliseconds); the body waits in its socket.
 */
export function lazyRoute(shape: Omit<Route, 'handle'>, load: () => Promise<Route>): Route {
  let loaded: Promise<Route> | undefined;
  return {
    ...shape,
    async handle(request, response, params) {
      loaded ??= load();
      await (await loaded).handle(request, response, params);
    },
  };
}
