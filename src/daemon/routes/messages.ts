import type { DaemonContext } from '../context.js';
import { lazyRoute } from '../lazy-route.js';
import type { Route } from '../server.js';

/**
 * POST /v1/messages (and /p/{project}/v1/messages): Anthropic's Messages API. Its code
 * (src/daemon/messages/messages-route.ts and the translation it uses) is loaded by the first
 * request, so that a user of Aider alone never carries it.
 */
export function messagesRoute(context: DaemonContext): Route {
  return lazyRoute({ method: 'POST', path: '/v1/messages', auth: true, projectScoped: true, errors: 'anthropic' }, async () => (await import('../messages/messages-route.js')).messagesRoute(context));
}
