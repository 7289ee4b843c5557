import { isProviderId, type ProviderId } from '../shared/provider-ids.js';
import { capabilities, type CatalogModel, type Tier } from './catalog.js';
import { fillsInTheMiddleByName } from './fim-models.js';
import type { QualityScore } from './quality-evidence.js';
import { qualityLabel, type ModelProfile } from './rank.js';

export type { QualityScore } from './quality-evidence.js';

/** What config says of a model (config key `models`): its own score, or a rule, or a window. */
export interface ModelOverride {
  /** Percent on Aider's polyglot benchmark, as the user judges it. */
  quality?: number;
  /** Percent on SWE-bench Verified, as the user judges it: what the agent task goes by. */
  agentQuality?: number;
  /** Take the benchmark score of this model ("same family as X"). */
  sameAs?: string;
  contextWindow?: number;
  /** The most the model writes in one answer. */
  maxOutputTokens?: number;
}

export interface ProfileSources {
  catalog: readonly CatalogModel[];
  providers: ReadonlySet<ProviderId>;
  /** Local models Ollama has (or config names), without the "ollama/" prefix. */
  localModels: readonly string[];
  /** Local models in VRAM now, without the prefix. */
  loaded: ReadonlySet<string>;
  /** The context size Lodestar sends to Ollama for a local model (its num_ctx). */
  localContext: (model: string) => number;
  overrides: Readonly<Record<string, ModelOverride>>;
  price: (provider: ProviderId, model: string) => { inputPerMTok: number; outputPerMTok: number } | undefined;
  benchmark: (modelId: string) => QualityScore | undefined;
  /** The agentic evidence (SWE-bench Verified's scale) for an id, for the agent task; none when absent. */
  agentic?: (modelId: string) => QualityScore | undefined;
  /** Whether a local model's template takes a suffix, as Ollama says (capability "insert"); undefined: not known. */
  insert?: (model: string) => boolean | undefined;
}

/**
 * Every model the router may use now: the catalog's models of configured providers, the local
 * models Ollama has, and the models config names; each with its price, context window, tier and
 * quality. Quality comes, in order, from config (`quality`), the user's rule (`sameAs`), or the
 * shipped evidence for that id (measured, lineage, calibrated: see quality-evidence.ts);
 * otherwise it is unknown, never guessed.
 */
export function buildProfiles(sources: ProfileSources): ModelProfile[] {
  const profiles = new Map<string, ModelProfile>();
  const add = (provider: ProviderId, model: string, local: boolean, contextWindow: number | undefined, tier: Tier | undefined, maxOutputTokens: number | undefined): void => {
    const id = `${provider}/${model}`;
    if (profiles.has(id)) return;
    const override = sources.overrides[id];
    const quality = qualityOf(id, override, sources.benchmark);
    const profile: ModelProfile = {
      id,
      provider,
      model,
      local,
      contextWindow: override?.contextWindow ?? contextWindow,
      maxOutputTokens: override?.maxOutputTokens ?? maxOutputTokens,
      price: local ? { inputPerMTok: 0, outputPerMTok: 0 } : sources.price(provider, model),
      quality: quality?.value,
      qualitySource: quality?.source,
      qualityKind: quality?.kind,
      qualityError: quality?.error,
      // A model outside the catalog has no declared tier; a local one is small whatever it is.
      tier: tier ?? (local ? 'small' : undefined),
      loaded: local && sources.loaded.has(model),
      // Always both keys, so that every profile has one shape (the ranking loop stays monomorphic).
      vision: undefined,
      tools: undefined,
      insert: local ? sources.insert?.(model) : undefined,
    };
    const can = capabilities(id);
    profile.vision = can.vision;
    profile.tools = can.tools;
    profile.label = qualityLabel(profile);
    if (sources.agentic) {
      const agentic = agenticOf(id, override, sources.agentic);
      profile.agentic = { quality: agentic?.value, qualitySource: agentic?.source, qualityKind: agentic?.kind, qualityError: agentic?.error };
    }
    profiles.set(id, profile);
  };
  if (sources.providers.has('ollama')) {
    // A local model writes until its window (num_ctx) is full.
    for (const model of sources.localModels) add('ollama', model, true, sources.localContext(model), 'small', sources.localContext(model));
  }
  for (const entry of sources.catalog) {
    if (entry.local || !sources.providers.has(entry.provider)) continue;
    add(entry.provider, entry.model, false, entry.contextWindow, entry.tier, entry.maxOutputTokens);
  }
  for (const id of Object.keys(sources.overrides)) {
    const slash = id.indexOf('/');
    const provider = id.slice(0, slash);
    if (!isProviderId(provider) || !sources.providers.has(provider)) continue;
    // A local model named in config but not pulled is not available.
    if (provider === 'ollama' && !sources.localModels.includes(id.slice(slash + 1))) continue;
    add(provider, id.slice(slash + 1), provider === 'ollama', undefined, undefined, undefined);
  }
  return [...profiles.values()];
}

function qualityOf(id: string, override: ModelOverride | undefined, benchmark: (modelId: string) => QualityScore | undefined): QualityScore | undefined {
  if (override?.quality !== undefined) return { value: override.quality, source: 'config (models)', kind: 'config' };
  if (override?.sameAs) {
    const inherited = benchmark(override.sameAs);
    if (inherited) return { ...inherited, kind: 'rule', source: `rule: same as ${override.sameAs} (${inherited.source})` };
  }
  return benchmark(id);
}

function agenticOf(id: string, override: ModelOverride | undefined, agentic: (modelId: string) => QualityScore | undefined): QualityScore | undefined {
  if (override?.agentQuality !== undefined) return { value: override.agentQuality, source: 'config (models, agentQuality)', kind: 'config' };
  if (override?.sameAs) {
    const inherited = agentic(override.sameAs);
    if (inherited) return { ...inherited, kind: 'rule', source: `rule: same as ${override.sameAs} (${inherited.source})` };
  }
  return agentic(id);
}

const byTask = new WeakMap<readonly ModelProfile[], readonly ModelProfile[]>();
const fillers = new WeakMap<readonly ModelProfile[], readonly ModelProfile[]>();

/**
 * The profiles as a task judges them: for the agent task, each model's agentic score (SWE-bench
 * Verified's scale) in place of its polyglot one, so that the ranking, its floors and its words
 * are the same code for every task; for the complete task, the local models that fill in the
 * middle, and no other. Made once per set of profiles.
 */
export function profilesForTask(profiles: readonly ModelProfile[], task: string): readonly ModelProfile[] {
  if (task === 'complete') return fillInTheMiddle(profiles);
  if (task !== 'agent') return profiles;
  let swapped = byTask.get(profiles);
  if (!swapped) {
    swapped = profiles.map((profile) => {
      const agentic = profile.agentic;
      const view: ModelProfile = { ...profile, quality: agentic?.quality, qualitySource: agentic?.qualitySource, qualityKind: agentic?.qualityKind, qualityError: agentic?.qualityError };
      view.label = qualityLabel(view);
      return view;
    });
    byTask.set(profiles, swapped);
  }
  return swapped;
}

/**
 * The local models that can fill in the middle: those Ollama says take a suffix (capability
 * "insert"); where it has not said, those of a family known to. Paid models never: Lodestar sends
 * no completion to a paid model (none of its providers takes a suffix in the format it relays).
 */
function fillInTheMiddle(profiles: readonly ModelProfile[]): readonly ModelProfile[] {
  let kept = fillers.get(profiles);
  if (!kept) {
    kept = profiles.filter((profile) => profile.local && (profile.insert ?? fillsInTheMiddleByName(profile.model)));
    fillers.set(profiles, kept);
  }
  return kept;
}
