import { catalogEntry } from '../../router/catalog.js';
import { COMPLETE_MODEL } from '../../router/fim-models.js';
import { listModelIds } from '../../router/resolve-model.js';
import { isProviderId } from '../../shared/provider-ids.js';
import { currentProfiles } from '../chat/route-request.js';
import type { DaemonContext } from '../context.js';
import { sendJson } from '../../shared/http-error.js';
import { VIRTUAL_ALIASES } from '../messages/claude-class.js';
import type { Route } from '../server.js';

/**
 * GET /v1/models: the virtual and concrete models a client may ask for, in OpenAI's list format,
 * with each one's context window where it is known (a local model's is the num_ctx it is sent
 * with; a virtual model's the largest of the models it may route to), so that a client such as
 * Aider can size its repo map and history (`lodestar aider` writes them into Aider's metadata).
 * Asked with an anthropic-version header (Claude Code's /model), the same list in Anthropic's shape.
 */
export function modelsRoute(context: DaemonContext): Route {
  const created = Math.floor(context.startedAt.getTime() / 1000);
  return {
    method: 'GET',
    path: '/v1/models',
    auth: true,
    projectScoped: true,
    handle(request, response, params) {
      const windows = new Map<string, number>();
      let widest = 0;
      let widestLocal = 0;
      for (const profile of currentProfiles(context, params.project)) {
        if (profile.contextWindow === undefined) continue;
        windows.set(profile.id, profile.contextWindow);
        widest = Math.max(widest, profile.contextWindow);
        if (profile.local) widestLocal = Math.max(widestLocal, profile.contextWindow);
      }
      const data = listModelIds(context.availability()).map((id) => {
        const [provider = '', ...rest] = id.split('/');
        const entry = isProviderId(provider) ? catalogEntry(provider, rest.join('/')) : undefined;
        const window = provider === 'lodestar' ? (id === 'lodestar/local' || id === COMPLETE_MODEL ? widestLocal : widest) || undefined : windows.get(id);
        return {
          id,
          object: 'model',
          created,
          owned_by: provider === 'lodestar' ? 'lodestar' : provider,
          ...(window === undefined ? {} : { context_window: window }),
          ...(entry?.maxOutputTokens === undefined ? {} : { max_output_tokens: entry.maxOutputTokens }),
        };
      });
      // Asked as Anthropic's API (anthropic-version, as Claude Code's /model does): its shape.
      if (request.headers['anthropic-version'] !== undefined) {
        const createdAt = context.startedAt.toISOString();
        // Claude Code's /model shows only ids that start with claude or anthropic: the virtual models under their aliases.
        const aliases = Object.entries(VIRTUAL_ALIASES).map(([alias, model]) => ({ type: 'model', id: alias, display_name: `${model} (Lodestar picks)`, created_at: createdAt }));
        const models = [...aliases, ...data.filter((model) => !model.id.startsWith('lodestar/')).map((model) => ({ type: 'model', id: model.id, display_name: model.id, created_at: createdAt }))];
        sendJson(response, 200, { data: models, has_more: false, first_id: models[0]?.id ?? null, last_id: models.at(-1)?.id ?? null });
        return;
      }
      sendJson(response, 200, { object: 'list', data });
    },
  };
}
