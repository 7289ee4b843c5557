import type { LodestarConfig } from '../../config/defaults.js';
import { isProviderId, type ProviderId } from '../../shared/provider-ids.js';
import { invalidateProfiles } from '../chat/route-request.js';
import type { DaemonContext } from '../context.js';

/** What a save did: the settings in effect now, and those that wait for a restart. */
export interface Applied {
  applied: string[];
  needsRestart: string[];
}

type Apply = (context: DaemonContext, next: LodestarConfig) => void;

/** Settings the running daemon takes over as they are saved, by their top-level key. */
const LIVE: Readonly<Record<string, Apply>> = {
  budgets: (context, next) => {
    context.config.budgets = next.budgets;
    context.budgets.reload(next.budgets);
  },
  baseline: (context, next) => {
    context.config.baseline = next.baseline;
    const slash = next.baseline.indexOf('/');
    if (isProviderId(next.baseline.slice(0, slash))) {
      void context.pricing.prefetchApart([{ provider: next.baseline.slice(0, slash) as ProviderId, model: next.baseline.slice(slash + 1) }]);
    }
  },
  prices: (context, next) => {
    context.config.prices = next.prices;
    context.pricing.setUserPrices(next.prices);
  },
  models: (context, next) => {
    context.config.models = next.models;
  },
  quality: (context, next) => {
    context.config.quality = next.quality;
  },
  aider: (context, next) => {
    context.config.aider = next.aider;
  },
};

/** Of routing, the circuit breakers are built once at start; the rest is read per request. */
const ROUTING_LIVE = new Set(['floors', 'preferred', 'forbidden', 'taskModels', 'retries', 'maxProviders', 'backoffMs', 'maxRetryAfterMs']);

/**
 * Takes a saved config.json into the running daemon where it can (budgets, routing, prices,
 * baseline, model scores, a cloud provider's key, address and switch), and says which changes
 * wait for a restart (the ports, Ollama, the cache, limits, logs, the GPU monitor, ...).
 * `changed` are the dotted paths the save touched.
 */
export async function applyConfig(context: DaemonContext, next: LodestarConfig, changed: readonly string[]): Promise<Applied> {
  const applied = new Set<string>();
  const needsRestart = new Set<string>();
  const providers = new Set<ProviderId>();
  for (const path of changed) {
    const [top = '', second = ''] = path.split('.');
    if (top === 'providers' && isProviderId(second) && second !== 'ollama') {
      providers.add(second);
      applied.add(path);
    } else if (top === 'routing' && ROUTING_LIVE.has(second)) {
      (context.config.routing as unknown as Record<string, unknown>)[second] = (next.routing as unknown as Record<string, unknown>)[second];
      applied.add(path);
    } else if (LIVE[top]) {
      LIVE[top](context, next);
      applied.add(path);
    } else {
      needsRestart.add(path);
    }
  }
  for (const id of providers) {
    (context.config.providers as Record<ProviderId, unknown>)[id] = next.providers[id];
    context.redactor.add(next.providers[id].apiKey);
    await context.reconfigureProvider(id);
  }
  invalidateProfiles(context);
  return { applied: [...applied], needsRestart: [...needsRestart] };
}
