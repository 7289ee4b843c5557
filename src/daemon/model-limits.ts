import type { ChatProvider, ProviderModel } from '../providers/spec/provider.js';
import { catalogEntry, type Tier } from '../router/catalog.js';
import { DEFAULT_LIMITS, type ModelLimits } from '../router/model-limits.js';
import type { Candidate } from '../router/resolve-model.js';
import type { Logger } from '../shared/logger.js';
import type { ProviderId } from '../shared/provider-ids.js';

/** How long a request waits for a provider's model list the first time (then it goes on with what is known). */
const LEARN_WAIT_MS = 3000;
/** A list that could not be read is asked for again after this long. */
const RETRY_AFTER_MS = 60_000;
/** A list read is read again after this long, in the background of the request that notices. */
const REFRESH_AFTER_MS = 24 * 3600_000;

interface Learned {
  at: number;
  models: Map<string, ProviderModel> | undefined;
  pending: Promise<void> | undefined;
}

/**
 * The limits the providers' own model lists state (Anthropic's max_input_tokens and max_tokens,
 * OpenRouter's context_length and max_completion_tokens), for the models Lodestar's catalog
 * doesn't have: Claude Code's default model, say. A list is read when a request first needs it
 * (an idle daemon asks nobody anything), once, and kept for a day.
 */
export class ProviderModelLimits {
  private readonly learned = new Map<ProviderId, Learned>();
  private readonly providers: () => ReadonlyMap<ProviderId, ChatProvider>;
  private readonly logger: Logger;

  constructor(providers: () => ReadonlyMap<ProviderId, ChatProvider>, logger: Logger) {
    this.providers = providers;
    this.logger = logger;
  }

  /** What the provider's list said of the model, if it was read and named it. */
  known(provider: ProviderId, model: string): ProviderModel | undefined {
    return this.learned.get(provider)?.models?.get(model);
  }

  /**
   * Reads the lists of the providers of these candidates that the catalog doesn't cover, where
   * not read yet: a promise that resolves within a few seconds whatever the providers do, or
   * undefined when there is nothing to wait for (nearly every request: nothing to await).
   */
  learnFor(candidates: readonly Candidate[]): Promise<void> | undefined {
    let waits: Array<Promise<void>> | undefined;
    for (const candidate of candidates) {
      if (candidate.provider === 'ollama' || catalogEntry(candidate.provider, candidate.model)) continue;
      const wait = this.learn(candidate.provider);
      if (wait) (waits ??= []).push(wait);
    }
    if (!waits) return undefined;
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([Promise.all(waits), new Promise<void>((resolve) => (timer = setTimeout(resolve, LEARN_WAIT_MS)))]).then(() => clearTimeout(timer));
  }

  /** Starts reading a provider's list when due; the promise of that reading while it runs, else undefined. */
  private learn(id: ProviderId): Promise<void> | undefined {
    const provider = this.providers().get(id);
    if (!provider?.listModels) return undefined;
    const now = Date.now();
    const state = this.learned.get(id);
    if (state?.pending) return state.pending;
    if (state && now - state.at < (state.models ? REFRESH_AFTER_MS : RETRY_AFTER_MS)) return undefined;
    const next: Learned = { at: now, models: state?.models, pending: undefined };
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 15_000);
    next.pending = provider
      .listModels(controller.signal)
      .then((models) => {
        next.models = new Map(models.map((model) => [model.model, model]));
        this.logger.info("read a provider's model list for its models' limits", { provider: id, models: models.length });
      })
      .catch((error: unknown) => this.logger.warn("could not read a provider's model list: limits of models the catalog lacks are assumed by tier", { provider: id, error }))
      .finally(() => {
        clearTimeout(timer);
        next.at = Date.now();
        next.pending = undefined;
      });
    this.learned.set(id, next);
    // A refresh runs behind the requests; only a first reading is worth waiting for.
    return state?.models ? undefined : next.pending;
  }
}

export interface LimitsSources {
  /** config `models` (and a project's), by "<provider>/<model>". */
  overrides: Readonly<Record<string, { contextWindow?: number; maxOutputTokens?: number }>>;
  /** The window Lodestar gives a local model (its num_ctx). */
  localContext: (model: string) => number;
  provider: ProviderModelLimits;
}

/**
 * A model's limits: config's, else the catalog's, else what its provider's list says, else a
 * conservative default by tier (guessed from the name where the catalog has no tier). A local
 * model's window is the num_ctx Lodestar sends, and it may fill it.
 */
export function limitsFor(candidate: Pick<Candidate, 'id' | 'provider' | 'model'>, sources: LimitsSources): ModelLimits {
  const override = sources.overrides[candidate.id];
  if (candidate.provider === 'ollama') {
    const window = override?.contextWindow ?? sources.localContext(candidate.model);
    return { contextWindow: window, maxOutputTokens: override?.maxOutputTokens ?? window, source: 'local' };
  }
  const entry = catalogEntry(candidate.provider, candidate.model);
  const listed = entry ? undefined : sources.provider.known(candidate.provider, candidate.model);
  const fallback = DEFAULT_LIMITS[entry?.tier ?? guessTier(candidate.model)];
  const contextWindow = override?.contextWindow ?? entry?.contextWindow ?? listed?.contextWindow;
  const maxOutputTokens = override?.maxOutputTokens ?? entry?.maxOutputTokens ?? listed?.maxOutputTokens;
  const source = override?.maxOutputTokens !== undefined || override?.contextWindow !== undefined ? 'config' : entry ? 'catalog' : listed ? 'provider' : 'default';
  return { contextWindow: contextWindow ?? fallback.contextWindow, maxOutputTokens: maxOutputTokens ?? fallback.maxOutputTokens, source };
}

/**
 * A model outside the catalog, by its makers' naming: their largest lines (Opus, Sonnet, a
 * "pro" or a plain GPT-5) are frontier, their fast ones (mini, Haiku, Flash) mid, the smallest
 * (nano, a few billion parameters) small; anything else gets the smallest limits.
 */
export function guessTier(model: string): Tier | 'none' {
  const name = model.toLowerCase();
  if (/nano|tiny|\b\d(\.\d+)?b\b/.test(name)) return 'small';
  if (/mini|haiku|flash|small|lite/.test(name)) return 'mid';
  if (/opus|sonnet|gpt-5|gpt-6|\bo\d|pro\b|-pro|large|max/.test(name)) return 'frontier';
  return 'none';
}
