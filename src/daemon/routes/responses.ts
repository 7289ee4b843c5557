import type { DaemonContext } from '../context.js';
import { lazyRoute } from '../lazy-route.js';
import type { Route } from '../server.js';

/**
 * POST /v1/responses (and /p/{project}/v1/responses): OpenAI's Responses API, for Codex CLI and
 * the Agents SDK. Its code (src/daemon/responses/ and the translation it uses) is loaded by the
 * first request, so that a user of Aider alone never carries it.
 */
export function responsesRoute(context: DaemonContext): Route {
  return lazyRoute({ method: 'POST', path: '/v1/responses', auth: true, projectScoped: true }, async () => (await import('../responses/responses-route.js')).responsesRoute(context));
}
