import type { DaemonContext } from '../context.js';
import { lazyRoute } from '../lazy-route.js';
import type { Route } from '../server.js';

/**
 * POST /v1/completions (and /p/{project}/v1/completions): fill-in-the-middle for editors'
 * inline completions, on a local model. Its code (src/daemon/completions/) is loaded by the
 * first request, so that a user who never completes in an editor never carries it.
 */
export function completionsRoute(context: DaemonContext): Route {
  return lazyRoute({ method: 'POST', path: '/v1/completions', auth: true, projectScoped: true }, async () => (await import('../completions/completions-route.js')).completionsRoute(context));
}
