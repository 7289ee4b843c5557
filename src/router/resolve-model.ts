import { isProviderId, type ProviderId } from '../shared/provider-ids.js';
import { CATALOG, findByBareName, modelId, type CatalogModel } from './catalog.js';
import { COMPLETE_MODEL } from './fim-models.js';

export const VIRTUAL_MODELS = ['lodestar/auto', 'lodestar/local', 'lodestar/cheap', 'lodestar/strong'] as const;
export type VirtualModel = (typeof VIRTUAL_MODELS)[number];

/** One model the gateway may send a request to, in the order it tries them. */
export interface Candidate {
  id: string;
  provider: ProviderId;
  model: string;
  /** How good the router takes it to be, and how it knows ("calibrated 71.2±6.1", "unknown; tier frontier"): x-lodestar-quality. */
  quality?: string;
}

/** What the daemon can reach right now: configured providers and the local models Ollama has. */
export interface Availability {
  providers: ReadonlySet<ProviderId>;
  localModels: readonly string[];
  /** Local models in VRAM now (from Ollama's /api/ps), when known. */
  loadedModels?: ReadonlySet<string>;
  /** Whether a local model fills in the middle, as Ollama says (capability "insert"); undefined: not known. */
  insert?: (model: string) => boolean | undefined;
  /** Changes whenever what `insert` says changes (profiles built from it are stale then). */
  capabilitiesVersion?: number;
}

export type Resolution =
  | { kind: 'ok'; candidates: Candidate[]; virtual: boolean }
  | { kind: 'unknown'; message: string }
  | { kind: 'unavailable'; provider: ProviderId; message: string };

export function isVirtual(model: string): model is VirtualModel {
  return (VIRTUAL_MODELS as readonly string[]).includes(model);
}

/**
 * The candidates for a requested model name: a virtual model, "<provider>/<model>", or a bare
 * name the catalog knows ("gpt-4o-mini").
 */
export function resolveModel(requested: string, availability: Availability, unavailableReason: (provider: ProviderId) => string | undefined): Resolution {
  if (isVirtual(requested)) return { kind: 'unknown', message: `${requested} is a virtual model: the router ranks its candidates` };
  if (requested === COMPLETE_MODEL) return { kind: 'unknown', message: `${COMPLETE_MODEL} serves inline completions (POST /v1/completions with a prompt and a suffix), not this endpoint: ask for lodestar/auto here` };
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

function toCandidate(entry: CatalogModel): Candidate {
  return { id: modelId(entry.provider, entry.model), provider: entry.provider, model: entry.model };
}

/** Every model name a client may use here, for /v1/models and for "unknown model" messages. */
export function listModelIds(availability: Availability): string[] {
  const ids: string[] = [...VIRTUAL_MODELS, 'lodestar/consensus'];
  for (const entry of CATALOG) {
    if (!entry.local && availability.providers.has(entry.provider)) ids.push(modelId(entry.provider, entry.model));
  }
  if (availability.providers.has('ollama')) {
    // Inline completions (POST /v1/completions) go to local models only.
    ids.push(COMPLETE_MODEL);
    for (const model of availability.localModels) ids.push(modelId('ollama', model));
  }
  return ids;
}
