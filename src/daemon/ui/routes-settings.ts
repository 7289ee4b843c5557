import { loadConfig } from '../../config/load.js';
import { patchConfigFile, type ConfigPatch } from '../../config/edit.js';
import { assertEvidenceSettings } from '../../router/quality-evidence.js';
import { PROVIDER_IDS, PROVIDERS, type ProviderId } from '../../shared/provider-ids.js';
import type { DaemonContext } from '../context.js';
import { HttpError, sendJson } from '../../shared/http-error.js';
import type { Route } from '../server.js';
import { applyConfig } from './apply-config.js';
import { configHttpError, readObject } from './body.js';

/** Saved changes that wait for a restart of this daemon, for the settings page to keep saying so. */
const pendingRestart = new WeakMap<DaemonContext, Set<string>>();

/** GET /api/ui/settings: config.json as in effect now; a key only as "set" and its last 4 characters. */
export function uiSettingsRoute(context: DaemonContext): Route {
  return {
    method: 'GET',
    path: '/api/ui/settings',
    auth: true,
    handle(_request, response) {
      sendJson(response, 200, settingsView(context));
    },
  };
}

/**
 * PUT /api/ui/settings: a patch in config.json's own shape. Checked as `lodestar` checks the
 * file, written atomically at 0600 (comments kept), then taken into the running daemon where it
 * can be; the answer says which changes need a restart.
 */
export function uiSettingsUpdateRoute(context: DaemonContext, env: NodeJS.ProcessEnv = process.env): Route {
  return {
    method: 'PUT',
    path: '/api/ui/settings',
    auth: true,
    async handle(request, response) {
      const patch = (await readObject(request, context)) as ConfigPatch;
      const providers = patch.providers;
      if (providers && typeof providers === 'object') {
        for (const [id, entry] of Object.entries(providers)) {
          const variable = PROVIDERS[id as ProviderId]?.apiKeyEnv;
          if (variable && entry && typeof entry === 'object' && 'apiKey' in entry && env[variable]?.trim()) {
            throw new HttpError(400, `${variable} is set in the daemon's environment, and it wins over config.json: unset it and restart the daemon to manage this key here`, {
              param: `providers.${id}.apiKey`,
              code: 'key_from_environment',
            });
          }
        }
      }
      let changed: string[];
      try {
        changed = patchConfigFile(context.paths.config, 'global', patch, (config) => assertEvidenceSettings({ lineage: true, calibration: true, disabledRules: [], ...config.quality }, context.paths.config)).changed;
      } catch (error) {
        configHttpError(error);
      }
      const { config: next } = loadConfig({ env, includeProject: false });
      const result = await applyConfig(context, next, changed);
      const pending = pendingRestart.get(context) ?? new Set<string>();
      pendingRestart.set(context, pending);
      for (const path of result.needsRestart) pending.add(path);
      context.logger.info('settings saved from the web UI', { applied: result.applied, needsRestart: result.needsRestart });
      if (result.applied.length) context.events.publish({ type: 'settings', data: { changed: result.applied } });
      sendJson(response, 200, { ...result, settings: settingsView(context, env) });
    },
  };
}

function settingsView(context: DaemonContext, env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const { config } = context;
  const providers: Record<string, unknown> = {};
  for (const id of PROVIDER_IDS) {
    const settings = config.providers[id];
    const variable = PROVIDERS[id].apiKeyEnv;
    const key = settings.apiKey;
    providers[id] = {
      enabled: settings.enabled,
      baseUrl: settings.baseUrl,
      key: variable
        ? { set: Boolean(key), last4: key && key.length >= 16 ? key.slice(-4) : null, from: variable && env[variable]?.trim() ? 'environment' : key ? 'config' : null, variable }
        : null,
    };
  }
  const prices = Object.fromEntries(
    Object.entries(config.prices).map(([model, price]) => [
      model,
      { input: price.inputPerMTok, output: price.outputPerMTok, ...(price.cacheReadPerMTok === undefined ? {} : { cacheRead: price.cacheReadPerMTok }), ...(price.cacheWritePerMTok === undefined ? {} : { cacheWrite: price.cacheWritePerMTok }) },
    ]),
  );
  return {
    file: context.paths.config,
    providers,
    budgets: { monthly: config.budgets.monthly ?? null, daily: config.budgets.daily ?? null, alerts: config.budgets.alerts },
    cache: { enabled: config.cache.enabled, ttlSeconds: config.cache.ttlSeconds, store: config.cache.store },
    prices,
    baseline: config.baseline,
    routing: { floors: config.routing.floors, preferred: config.routing.preferred, forbidden: config.routing.forbidden, taskModels: config.routing.taskModels },
    needsRestart: [...(pendingRestart.get(context) ?? [])],
  };
}
