import { catalogEntry } from '../../router/catalog.js';
import { listModelIds } from '../../router/resolve-model.js';
import { isProviderId } from '../../shared/provider-ids.js';
import type { DaemonContext } from '../context.js';
import { sendJson } from '../http-error.js';
import type { Route } from '../server.js';

/** GET /v1/models: the virtual and concrete models a client may ask for, in OpenAI's list format. */
export function modelsRoute(context: DaemonContext): Route {
  const created = Math.floor(context.startedAt.getTime() / 1000);
  return {
    method: 'GET',
    path: '/v1/models',
    auth: true,
    projectScoped: true,
    handle(_request, response) {
      const data = listModelIds(context.availability()).map((id) => {
        const [provider = '', ...rest] = id.split('/');
        const entry = isProviderId(provider) ? catalogEntry(provider, rest.join('/')) : undefined;
        return {
          id,
          object: 'model',
          created,
          owned_by: provider === 'lodestar' ? 'lodestar' : provider,
          ...(entry ? { context_window: entry.contextWindow, max_output_tokens: entry.maxOutputTokens } : {}),
        };
      });
      sendJson(response, 200, { object: 'list', data });
    },
  };
}
