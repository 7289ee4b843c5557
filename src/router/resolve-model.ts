import { isProviderId, type ProviderId } from '../shared/provider-ids.js';
import { CATALOG, findByBareName, modelId, type CatalogModel } from './catalog.js';

export const VIRTUAL_MODELS = ['lodestar/auto', 'lodestar/local', 'lodestar/cheap', 'lodestar/strong'] as const;
export type VirtualModel = (typeof VIRTUAL_MODELS)[number];

/** One model the gateway may send a request to, in the order it tries them. */
export interface Candidate {
  id: string;
  provider: ProviderId;
  model: string;
}

/** What the daemon can reach right now: configured providers and the local models Ollama has. */
export interface Availability {
  providers: ReadonlySet<ProviderId>;
  localModels: readonly string[];
}

export type Resolution =
  | { kind: 'ok'; candidates: Candidate[]; virtual: boolean }
  | { kind: 'unknown'; message: string }
  | { kind: 'unavailable'; provider: ProviderId; message: string };

/**
 * Virtual models in preference order. Interim: the router issue replaces these lists with
 * task-aware, quality-floored, price-ranked choices; until then a virtual model is the first
 * available model of its list, the rest being fallbacks.
 */
const VIRTUAL_PREFERENCES: Readonly<Record<VirtualModel, readonly string[]>> = {
  'lodestar/local': [],
  'lodestar/cheap': ['deepseek/deepseek-flash', 'openai/gpt-5-mini', 'gemini/gemini-2.5-flash', 'anthropic/claude-haiku-4-5', 'openai/gpt-4o-mini', 'mistral/codestral-latest', 'groq/openai/gpt-oss-120b'],
  'lodestar/strong': ['anthropic/claude-sonnet-5', 'openai/gpt-5', 'gemini/gemini-2.5-pro', 'deepseek/deepseek-flash', 'openrouter/anthropic/claude-sonnet-4.5'],
  'lodestar/auto': ['deepseek/deepseek-flash', 'anthropic/claude-sonnet-4-6', 'openai/gpt-5', 'gemini/gemini-2.5-pro'],
};

export function isVirtual(model: string): model is VirtualModel {
  return (VIRTUAL_MODELS as readonly string[]).includes(model);
}

/**
 * The candidates for a requested model name: a virtual model, "<provider>/<model>", or a bare
 * name the catalog knows ("gpt-4o-mini").
 */
export function resolveModel(requested: string, availability: Availability, unavailableReason: (provider: ProviderId) => string | undefined): Resolution {
  if (isVirtual(requested)) {
    const candidates = virtualCandidates(requested, availability);
    if (!candidates.length) {
      return { kind: 'unknown', message: `No model is available for ${requested}: ${requested === 'lodestar/local' ? 'Ollama has no models' : 'set a provider key or start Ollama'}` };
    }
    return { kind: 'ok', candidates, virtual: true };
  }
  const slash = requested.indexOf('/');
  const prefix = slash > 0 ? requested.slice(0, slash) : '';
  if (isProviderId(prefix)) {
    const model = requested.slice(slash + 1);
    if (!model) return { kind: 'unknown', message: `The model ${JSON.stringify(requested)} names a provider but no model` };
    if (!availability.providers.has(prefix)) {
      return { kind: 'unavailable', provider: prefix, message: `The model ${requested} is not available: ${unavailableReason(prefix) ?? `${prefix} is not configured`}` };
    }
    return { kind: 'ok', candidates: [{ id: requested, provider: prefix, model }], virtual: false };
  }
  const matches = findByBareName(requested).filter((entry) => availability.providers.has(entry.provider));
  const first = matches[0];
  if (first) return { kind: 'ok', candidates: matches.map(toCandidate), virtual: false };
  if (availability.providers.has('ollama') && availability.localModels.includes(requested)) {
    return { kind: 'ok', candidates: [{ id: modelId('ollama', requested), provider: 'ollama', model: requested }], virtual: false };
  }
  return { kind: 'unknown', message: `The model ${JSON.stringify(requested)} does not exist here` };
}

function virtualCandidates(name: VirtualModel, availability: Availability): Candidate[] {
  const local = availability.providers.has('ollama')
    ? availability.localModels.map((model) => ({ id: modelId('ollama', model), provider: 'ollama' as const, model }))
    : [];
  if (name === 'lodestar/local') return local;
  const cloud = VIRTUAL_PREFERENCES[name]
    .map((id) => CATALOG.find((entry) => modelId(entry.provider, entry.model) === id))
    .filter((entry): entry is CatalogModel => entry !== undefined && availability.providers.has(entry.provider))
    .map(toCandidate);
  return name === 'lodestar/cheap' ? [...local, ...cloud] : [...cloud, ...local];
}

function toCandidate(entry: CatalogModel): Candidate {
  return { id: modelId(entry.provider, entry.model), provider: entry.provider, model: entry.model };
}

/** Every model name a client may use here, for /v1/models and for "unknown model" messages. */
export function listModelIds(availability: Availability): string[] {
  const ids: string[] = [...VIRTUAL_MODELS];
  for (const entry of CATALOG) {
    if (!entry.local && availability.providers.has(entry.provider)) ids.push(modelId(entry.provider, entry.model));
  }
  if (availability.providers.has('ollama')) for (const model of availability.localModels) ids.push(modelId('ollama', model));
  return ids;
}
