import { performance } from 'node:perf_hooks';
import type { ProviderId } from '../shared/provider-ids.js';
import type { CircuitState } from './circuit-breaker.js';
import type { Task } from './classify-task.js';
import type { Candidate, VirtualModel } from './resolve-model.js';

/** What the router knows of one model it may send a request to. */
export interface ModelProfile {
  id: string;
  provider: ProviderId;
  model: string;
  /** Runs on the user's GPU through Ollama: free. */
  local: boolean;
  /** Context window in tokens; undefined when unknown (then assumed to fit). */
  contextWindow: number | undefined;
  /** USD per million tokens; undefined when the price is unknown. */
  price: { inputPerMTok: number; outputPerMTok: number } | undefined;
  /** Percent on Aider's polyglot benchmark; undefined when no benchmark, score or rule covers it. */
  quality: number | undefined;
  /** Where the score comes from, for `models list` and decision records. */
  qualitySource: string | undefined;
  /** A local model already in VRAM (switching to another would pay a load). */
  loaded: boolean;
}

export interface RoutingPolicy {
  /** Minimum polyglot score per task; 0 means any model, even of unknown quality. */
  floors: Readonly<Record<Task, number>>;
  /** Models tried first, in this order, when they qualify. */
  preferred: readonly string[];
  /** Models never used ("<provider>/<model>" or "<provider>/*"). */
  forbidden: readonly string[];
}

export interface RouteInput {
  virtual: VirtualModel;
  task: Task;
  promptTokens: number;
  /** How much the answer is expected to take (max_tokens, or a typical length for the task). */
  outputTokens: number;
}

export interface Consideration {
  id: string;
  eligible: boolean;
  why: string;
  estimatedCostUsd: number | undefined;
  quality: number | undefined;
}

export interface RouteDecision {
  virtual: VirtualModel;
  task: Task;
  floor: number;
  candidates: Candidate[];
  /** Every model looked at, eligible or not, with why: for the debug log and /api/events. */
  considered: Consideration[];
  /** Why the first candidate is first, in a sentence. */
  reason: string;
  decisionMs: number;
}

/** Typical answer lengths per task, when the client sets no max_tokens. */
export const TYPICAL_OUTPUT_TOKENS: Readonly<Record<Task, number>> = {
  commit: 60,
  summary: 500,
  chat: 600,
  edit: 1000,
  architect: 1200,
  'long-context': 1200,
};

/**
 * Ranks the models for a virtual model and a task. Pure and fast: no I/O, a few hundred
 * operations over a few dozen profiles.
 * - lodestar/auto: models whose quality meets the task's floor (unknown quality qualifies only
 *   where the floor is 0), cheapest first for this request, free local ones first and, among
 *   them, one already in VRAM first;
 * - lodestar/local: local models only, the one in VRAM first, then the best;
 * - lodestar/cheap: the cheapest, whatever the floors (for commit messages and summaries);
 * - lodestar/strong: the best known quality first, cost breaking ties.
 * Forbidden models, models whose circuit is open and models whose context window can't hold
 * the request are left out; preferred ones go first among those that qualify.
 */
export function rankCandidates(input: RouteInput, profiles: readonly ModelProfile[], policy: RoutingPolicy, circuit: (provider: ProviderId) => CircuitState): RouteDecision {
  const started = performance.now();
  const floor = input.virtual === 'lodestar/auto' ? policy.floors[input.task] : 0;
  const considered: Consideration[] = [];
  const eligible: Array<{ profile: ModelProfile; cost: number | undefined }> = [];
  for (const profile of profiles) {
    const cost = estimateCost(profile, input.promptTokens, input.outputTokens);
    const why = exclusion(profile, input, policy, floor, circuit);
    considered.push({ id: profile.id, eligible: why === undefined, why: why ?? 'eligible', estimatedCostUsd: cost, quality: profile.quality });
    if (why === undefined) eligible.push({ profile, cost });
  }

  const preferredRank = (id: string): number => {
    const index = policy.preferred.indexOf(id);
    return index === -1 ? policy.preferred.length : index;
  };
  const byCost = (a: { profile: ModelProfile; cost: number | undefined }, b: { profile: ModelProfile; cost: number | undefined }): number =>
    (a.cost ?? Infinity) - (b.cost ?? Infinity) || Number(b.profile.loaded) - Number(a.profile.loaded) || (b.profile.quality ?? -1) - (a.profile.quality ?? -1);
  const byQuality = (a: { profile: ModelProfile; cost: number | undefined }, b: { profile: ModelProfile; cost: number | undefined }): number =>
    (b.profile.quality ?? -1) - (a.profile.quality ?? -1) || (a.cost ?? Infinity) - (b.cost ?? Infinity);
  const byLocal = (a: { profile: ModelProfile }, b: { profile: ModelProfile }): number =>
    Number(b.profile.loaded) - Number(a.profile.loaded) || (b.profile.quality ?? -1) - (a.profile.quality ?? -1);
  const order = input.virtual === 'lodestar/strong' ? byQuality : input.virtual === 'lodestar/local' ? byLocal : byCost;
  eligible.sort((a, b) => preferredRank(a.profile.id) - preferredRank(b.profile.id) || order(a, b));

  const candidates = eligible.map(({ profile }) => ({ id: profile.id, provider: profile.provider, model: profile.model }));
  const first = eligible[0];
  const reason = first ? describeChoice(first.profile, first.cost, input, floor, policy) : `no model qualifies for ${input.task} under ${input.virtual}${floor ? ` (floor ${floor}%)` : ''}`;
  return { virtual: input.virtual, task: input.task, floor, candidates, considered, reason, decisionMs: performance.now() - started };
}

function exclusion(profile: ModelProfile, input: RouteInput, policy: RoutingPolicy, floor: number, circuit: (provider: ProviderId) => CircuitState): string | undefined {
  if (isForbidden(profile.id, policy.forbidden)) return 'forbidden by routing.forbidden';
  if (input.virtual === 'lodestar/local' && !profile.local) return 'not a local model';
  if (circuit(profile.provider) === 'open') return `${profile.provider}'s circuit is open`;
  if (profile.contextWindow !== undefined && input.promptTokens + input.outputTokens > profile.contextWindow) {
    return `context window ${profile.contextWindow} too small for ~${input.promptTokens} + ${input.outputTokens} tokens`;
  }
  if (floor > 0) {
    if (profile.quality === undefined) return `quality unknown (floor ${floor}% for ${input.task}; give it a score or a rule under "models")`;
    if (profile.quality < floor) return `quality ${profile.quality}% below the ${input.task} floor of ${floor}%`;
  }
  if (input.virtual === 'lodestar/strong' && profile.quality === undefined) return 'quality unknown (lodestar/strong picks by known quality)';
  return undefined;
}

export function isForbidden(id: string, forbidden: readonly string[]): boolean {
  return forbidden.some((pattern) => (pattern.endsWith('/*') ? id.startsWith(pattern.slice(0, -1)) : pattern === id));
}

/** USD for this request on this model: prompt at the input price, the expected answer at the output price. */
export function estimateCost(profile: ModelProfile, promptTokens: number, outputTokens: number): number | undefined {
  if (profile.local) return 0;
  if (!profile.price) return undefined;
  return (promptTokens * profile.price.inputPerMTok + outputTokens * profile.price.outputPerMTok) / 1_000_000;
}

function describeChoice(profile: ModelProfile, cost: number | undefined, input: RouteInput, floor: number, policy: RoutingPolicy): string {
  if (policy.preferred.includes(profile.id)) return `${profile.id} is preferred (routing.preferred)`;
  const quality = profile.quality === undefined ? 'quality unknown' : `quality ${profile.quality}%`;
  if (input.virtual === 'lodestar/strong') return `${profile.id} has the best known quality (${quality})`;
  if (input.virtual === 'lodestar/local') return `${profile.id} is ${profile.loaded ? 'already in VRAM' : 'the best local model'} (${quality})`;
  const price = profile.local ? 'free (local)' : cost === undefined ? 'price unknown' : `~$${cost.toFixed(5)}`;
  const meets = floor > 0 ? `meets the ${input.task} floor of ${floor}% (${quality})` : `no floor for ${input.task}`;
  return `${profile.id} is the cheapest that ${meets}: ${price}${profile.local && profile.loaded ? ', already in VRAM' : ''}`;
}
