import { contentText, type ChatCompletionRequest } from '../../providers/spec/chat-request.js';
import { CATALOG, type Needs } from '../../router/catalog.js';
import type { Task } from '../../router/classify-task.js';
import { buildProfiles, profilesForTask } from '../../router/profiles.js';
import { agenticQuality } from '../../router/agentic-quality.js';
import { shippedQuality } from '../../router/quality-evidence.js';
import { rankCandidates, TYPICAL_OUTPUT_TOKENS, type ModelProfile, type RouteDecision } from '../../router/rank.js';
import { isVirtual, listModelIds, resolveModel, type Candidate } from '../../router/resolve-model.js';
import { routingOutputTokens } from '../../router/model-limits.js';
import { unavailableReason } from '../../providers/registry.js';
import { PROVIDER_IDS, PROVIDERS, type ProviderId } from '../../shared/provider-ids.js';
import type { DaemonContext } from '../context.js';
import type { ProjectSettings } from '../project-settings.js';
import { HttpError } from '../../shared/http-error.js';

export interface Routing {
  candidates: Candidate[];
  /** How a virtual model was decided; undefined for a concrete model. */
  decision: RouteDecision | undefined;
}

const profileCache = new WeakMap<DaemonContext, Map<string, { at: number; key: string; providers: ReadonlySet<ProviderId>; profiles: ModelProfile[] }>>();
/** Profiles change only when Ollama's models or a project's settings do: rebuilt at most every second. */
const PROFILE_TTL_MS = 1000;

/** The models the router may use now, with prices, windows and quality. */
export function currentProfiles(context: DaemonContext, project?: string): ModelProfile[] {
  const availability = context.availability();
  const settings = context.projects.get(project);
  const key = `${availability.localModels.join(',')}|${[...(availability.loadedModels ?? [])].join(',')}|${availability.capabilitiesVersion ?? 0}`;
  let byProject = profileCache.get(context);
  if (!byProject) profileCache.set(context, (byProject = new Map()));
  const now = Date.now();
  const cached = byProject.get(project ?? '');
  if (cached && cached.key === key && cached.providers === availability.providers && now - cached.at < PROFILE_TTL_MS) return cached.profiles;
  const profiles = buildCurrentProfiles(context, availability, settings);
  byProject.set(project ?? '', { at: now, key, providers: availability.providers, profiles });
  return profiles;
}

/** Settings the profiles are built from changed (prices, scores, a provider): the next request builds them again. */
export function invalidateProfiles(context: DaemonContext): void {
  profileCache.delete(context);
}

function buildCurrentProfiles(context: DaemonContext, availability: ReturnType<DaemonContext['availability']>, settings: ReturnType<DaemonContext['projects']['get']>): ModelProfile[] {
  const { config } = context;
  const now = new Date();
  return buildProfiles({
    catalog: CATALOG,
    providers: availability.providers,
    localModels: availability.localModels,
    loaded: availability.loadedModels ?? new Set(),
    localContext: (model) => config.providers.ollama.models[model]?.numCtx ?? config.providers.ollama.numCtx,
    overrides: settings?.models ? { ...config.models, ...settings.models } : config.models,
    price: priceAt(context, now),
    benchmark: (modelId) => shippedQuality(modelId, config.quality),
    agentic: (modelId) => agenticQuality(modelId, config.quality),
    insert: availability.insert,
  });
}

/** A model's list price per million tokens at this moment, as the router compares models. */
export function priceAt(context: DaemonContext, now: Date): (provider: ProviderId, model: string) => { inputPerMTok: number; outputPerMTok: number } | undefined {
  return (provider, model) => {
    const rates = context.pricing.rates(provider, model, {}, now);
    return rates && { inputPerMTok: rates.inputPerMTok, outputPerMTok: rates.outputPerMTok };
  };
}

/**
 * The candidates for a request: a concrete model as asked, or a virtual one ranked by the router
 * for this task. No model able to serve: 404 for an unknown name, 503 when a virtual model has
 * no qualifying candidate (saying why each was left out).
 */
/** Within this factor of a model's context window, the quick estimate is replaced by a count. */
const NEAR_WINDOW = 0.25;
/** Other vendors' tokenizers differ from OpenAI's: their counts are taken 10% higher. */
const FOREIGN_TOKENIZER_MARGIN = 1.1;

let tokenizer: Promise<typeof import('gpt-tokenizer')> | undefined;

/**
 * The prompt's size for the window check: the quick estimate (characters / 3.5) unless it is
 * near some candidate's context window, where gpt-tokenizer counts it (loaded on first need:
 * ~0.3 s and ~50 MB, which most sessions never pay), plus a margin for non-OpenAI tokenizers.
 */
export async function promptTokensFor(context: DaemonContext, request: ChatCompletionRequest, estimate: number, project?: string): Promise<number> {
  if (!isVirtual(request.model)) return estimate;
  const output = Math.min(request.max_completion_tokens ?? request.max_tokens ?? 1000, 1000);
  const near = currentProfiles(context, project).some(
    (profile) => profile.contextWindow !== undefined && Math.abs(estimate + output - profile.contextWindow) <= profile.contextWindow * NEAR_WINDOW,
  );
  if (!near) return estimate;
  let text = '';
  for (const message of request.messages) text += `${message.role}\n${contentText(message.content)}\n`;
  return countForeignTokens(text);
}

/**
 * Tokens in `text` as gpt-tokenizer counts them (loaded on first need), 10% higher for the
 * other vendors' tokenizers: the window check near a limit, and count_tokens' estimate.
 */
export async function countForeignTokens(text: string): Promise<number> {
  tokenizer ??= import('gpt-tokenizer');
  const { countTokens } = await tokenizer;
  return Math.ceil(countTokens(text) * FOREIGN_TOKENIZER_MARGIN);
}

/** Whose request it is, for routing. */
export interface RouteScope {
  project?: string | undefined;
  /** What the request needs of a model (images, tools); read from a Chat Completions request when absent. */
  needs?: Needs | undefined;
  /** A model chosen for the task already (an A/B arm). */
  chosen?: string | undefined;
  /** The settings over the global routing, in place of the project's (team mode: the caller's team's). */
  own?: RoutingSettings | undefined;
}

export type RoutingSettings = Pick<ProjectSettings, 'floors' | 'preferred' | 'forbidden' | 'taskModels'>;

export function routeRequest(context: DaemonContext, request: ChatCompletionRequest, task: Task, promptTokens: number, scope: RouteScope = {}): Routing {
  const { project, needs, chosen } = scope;
  const requested = request.model;
  const availability = context.availability();
  if (!isVirtual(requested)) {
    const resolution = resolveModel(requested, availability, (provider) => unavailableReason(context.config, provider));
    if (resolution.kind !== 'ok') {
      throw new HttpError(404, `${resolution.message}. Models available: ${listModelIds(availability).join(', ')}`, { param: 'model', code: 'model_not_found' });
    }
    return { candidates: resolution.candidates, decision: undefined };
  }
  // max_tokens is a ceiling, not a need: a model fits when it holds what the task typically writes.
  const outputTokens = routingOutputTokens(request.max_completion_tokens ?? request.max_tokens, task);
  const routing = context.config.routing;
  const own = scope.own ?? context.projects.get(project);
  const policy = {
    floors: own?.floors ? { ...routing.floors, ...own.floors } : routing.floors,
    preferred: own?.preferred ?? routing.preferred,
    forbidden: own?.forbidden ?? routing.forbidden,
    taskModels: chosen ? { ...routing.taskModels, ...own?.taskModels, [task]: chosen } : own?.taskModels ? { ...routing.taskModels, ...own.taskModels } : routing.taskModels,
  };
  const input = { virtual: requested, task, promptTokens, outputTokens, needs: needs ?? needsOf(request) };
  const decision = rankCandidates(input, profilesForTask(currentProfiles(context, project), task), policy, (provider) => context.breakers.state(provider));
  if (!decision.candidates.length) {
    const left = decision.considered.map((entry) => `${entry.id}: ${entry.why}`).join('; ');
    throw new HttpError(503, `No model can serve ${requested} for this ${task} request: ${left || 'no provider is configured and Ollama has no models'}. ${whatToSet(context, input, policy)}`, {
      type: 'api_error',
      code: 'no_model_qualifies',
    });
  }
  return { candidates: decision.candidates, decision };
}

/** What a Chat Completions request needs of a model: to read its images, to call its tools. */
function needsOf(request: ChatCompletionRequest): Needs {
  let images = false;
  for (const message of request.messages) {
    if (Array.isArray(message.content) && message.content.some((part) => part.type === 'image_url')) {
      images = true;
      break;
    }
  }
  return { images, tools: (request.tools?.length ?? 0) > 0 };
}

/** Up to this many tokens, a larger num_ctx on a small GPU is a fix worth naming. */
const LOCAL_CONTEXT_HINT = 32_768;

/**
 * For a request no configured model can serve: the provider keys that would give it a model
 * (the catalog's models of the providers not configured, ranked as the router would), or, when
 * none would, what else to change.
 */
function whatToSet(context: DaemonContext, input: Parameters<typeof rankCandidates>[0], policy: Parameters<typeof rankCandidates>[2]): string {
  const configured = context.availability().providers;
  const unconfigured = new Set(PROVIDER_IDS.filter((id) => id !== 'ollama' && !configured.has(id)));
  const profiles = buildProfiles({
    catalog: CATALOG,
    providers: unconfigured,
    localModels: [],
    loaded: new Set(),
    localContext: () => 0,
    overrides: context.config.models,
    price: priceAt(context, new Date()),
    benchmark: (modelId) => shippedQuality(modelId, context.config.quality),
    agentic: (modelId) => agenticQuality(modelId, context.config.quality),
  });
  const would = rankCandidates(input, profilesForTask(profiles, input.task), policy, () => 'closed');
  const byProvider = new Map<ProviderId, string>();
  for (const candidate of would.candidates) if (!byProvider.has(candidate.provider)) byProvider.set(candidate.provider, candidate.id);
  if (!byProvider.size) {
    return input.task === 'long-context' || input.promptTokens > 100_000
      ? `No model Lodestar knows has a context window for ~${input.promptTokens} tokens: send less context`
      : 'Set a provider key (OPENAI_API_KEY, ANTHROPIC_API_KEY, ...) or pull a model with Ollama, then restart the daemon (lodestar stop && lodestar start)';
  }
  const keys = [...byProvider].slice(0, 3).map(([provider, model]) => `${PROVIDERS[provider].apiKeyEnv} (${model} would serve it)`);
  // A prompt a local model could hold with a larger num_ctx (at the cost of VRAM): say so too.
  const local = input.promptTokens + input.outputTokens <= LOCAL_CONTEXT_HINT && configured.has('ollama') && context.availability().localModels.length > 0;
  const window = local ? `, or give a local model a larger window (providers.ollama.models["<model>"].numCtx, at least ${input.promptTokens + input.outputTokens})` : '';
  return `Set ${keys.join(' or ')}${window}, then restart the daemon (lodestar stop && lodestar start)`;
}

/**
 * Runs the ranking a few hundred times at start-up on the daemon's own profiles, so that V8 has
 * optimized it before the first real request: a developer's few hundred requests a day would
 * otherwise each be decided by cold code (measured: p99 0.38 ms cold, 0.01 ms warm).
 */
export function warmRouter(context: DaemonContext): void {
  const profiles = currentProfiles(context);
  const policy = { floors: context.config.routing.floors, preferred: context.config.routing.preferred, forbidden: context.config.routing.forbidden };
  const virtuals = ['lodestar/auto', 'lodestar/cheap', 'lodestar/strong', 'lodestar/local'] as const;
  const tasks: Task[] = ['edit', 'commit', 'summary', 'chat', 'architect', 'long-context', 'agent', 'complete'];
  for (let round = 0; round < 40; round++) {
    for (const virtual of virtuals) {
      for (const task of tasks) rankCandidates({ virtual, task, promptTokens: 1000 + round * 500, outputTokens: TYPICAL_OUTPUT_TOKENS[task] }, profilesForTask(profiles, task), policy, () => 'closed');
    }
  }
}

/**
 * The local model the router would send a commit message to first (the most frequent local
 * task in an Aider session): what warm-up loads when config marks no model to warm.
 */
export function firstLocalChoice(context: DaemonContext): string | undefined {
  const routing = context.config.routing;
  const decision = rankCandidates(
    { virtual: 'lodestar/auto', task: 'commit', promptTokens: 1500, outputTokens: TYPICAL_OUTPUT_TOKENS.commit },
    currentProfiles(context),
    { floors: routing.floors, preferred: routing.preferred, forbidden: routing.forbidden, taskModels: routing.taskModels },
    (provider) => context.breakers.state(provider),
  );
  return decision.candidates.find((candidate) => candidate.provider === 'ollama')?.model;
}
