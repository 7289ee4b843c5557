import { performance } from 'node:perf_hooks';
import type { ProviderId } from '../shared/provider-ids.js';
import { TIERS, type Needs, type Tier } from './catalog.js';
import type { CircuitState } from './circuit-breaker.js';
import type { Task } from './classify-task.js';
import { FLOOR_CONFIDENCE_Z, type QualityKind } from './quality-evidence.js';
import type { Candidate, VirtualModel } from './resolve-model.js';
import { exclusion } from './exclusion.js';
import { rankFim } from './rank-fim.js';

export { isForbidden } from './exclusion.js';

/** What the router knows of one model it may send a request to. */
export interface ModelProfile {
  id: string;
  provider: ProviderId;
  model: string;
  /** Runs on the user's GPU through Ollama: free. */
  local: boolean;
  /** Context window in tokens; undefined when unknown (then assumed to fit). */
  contextWindow: number | undefined;
  /** The most it writes in one answer; undefined when unknown. */
  maxOutputTokens?: number | undefined;
  /** USD per million tokens; undefined when the price is unknown. */
  price: { inputPerMTok: number; outputPerMTok: number } | undefined;
  /** Percent on Aider's polyglot benchmark; undefined when no benchmark, score or rule covers it. */
  quality: number | undefined;
  /** Where the score comes from, for `models list` and decision records. */
  qualitySource: string | undefined;
  /** measured, lineage, calibrated, config or rule; undefined when quality is unknown. */
  qualityKind?: QualityKind | undefined;
  /** A calibrated score's typical error, in points. */
  qualityError?: number | undefined;
  /** The catalog's class for the model: what the router goes by when quality is unknown. */
  tier?: Tier | undefined;
  /** qualityLabel(this), built with the profile so that ranking doesn't build it per request. */
  label?: string | undefined;
  /** A local model already in VRAM (switching to another would pay a load). */
  loaded: boolean;
  /** false: known not to read images (catalog.capabilities); undefined: it can, or unknown. */
  vision?: false;
  /** false: known not to call tools. */
  tools?: false;
  /**
   * A local model whose Ollama template takes a suffix (capability "insert"): it can fill in the
   * middle. undefined when Ollama has not said (not asked yet, an older server) or not local.
   */
  insert?: boolean | undefined;
  /**
   * How good it is at an agent's loop, on SWE-bench Verified's scale, and how that is known: what
   * the agent task is judged by (profilesForTask puts it in place of the polyglot score).
   */
  agentic?: AgenticScore | undefined;
}

export interface AgenticScore {
  quality: number | undefined;
  qualitySource: string | undefined;
  qualityKind: QualityKind | undefined;
  qualityError: number | undefined;
}

export interface RoutingPolicy {
  /** Minimum polyglot score per task; 0 means any model, even of unknown quality. */
  floors: Readonly<Record<Task, number>>;
  /** Models tried first, in this order, when they qualify. */
  preferred: readonly string[];
  /** Models never used ("<provider>/<model>" or "<provider>/*"). */
  forbidden: readonly string[];
  /**
   * The model the user chose for a task (routing.taskModels): first under lodestar/auto and
   * lodestar/cheap whenever it can serve the request, whatever the floor; the ranking follows it.
   */
  taskModels?: Readonly<Partial<Record<Task, string>>>;
}

export interface RouteInput {
  virtual: VirtualModel;
  task: Task;
  promptTokens: number;
  /** How much the answer is expected to take (max_tokens, or a typical length for the task). */
  outputTokens: number;
  /** What the request needs besides a window: a model known not to do it is left out. */
  needs?: Needs;
}

export interface Consideration {
  id: string;
  eligible: boolean;
  why: string;
  estimatedCostUsd: number | undefined;
  quality: number | undefined;
  /** How the quality is known (measured, lineage, calibrated, config, rule); undefined when unknown. */
  qualityKind: QualityKind | undefined;
  tier: Tier | undefined;
}

/**
 * What the first candidate was chosen on: its known quality (or no floor applied); its tier,
 * as no model of known quality met the floor; with nothing of unknown quality either, the
 * best known quality below the floor; or the user's own choice for the task (routing.taskModels).
 */
export type ChoiceBasis = 'quality' | 'tier' | 'below-floor' | 'chosen';

export interface RouteDecision {
  virtual: VirtualModel;
  task: Task;
  floor: number;
  candidates: Candidate[];
  /** Every model looked at, eligible or not, with why: for the debug log and /api/events. */
  considered: Consideration[];
  /** Why the first candidate is first, in a sentence. */
  reason: string;
  /** What the first candidate was chosen on; absent when there is none. */
  basis?: ChoiceBasis;
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
  // One turn of an agent's loop: a tool call (a file written whole, a patch) or a short reply.
  agent: 2000,
  // An inline completion: a line or a short block (llama.vscode asks for 128 at most).
  complete: 128,
};

/**
 * Ranks the models for a virtual model and a task. Pure and fast: no I/O, a few hundred
 * operations over a few dozen profiles.
 * - lodestar/auto: models whose quality meets the task's floor, cheapest first for this
 *   request, free local ones first and, among them, one already in VRAM first;
 * - lodestar/local: local models only, the one in VRAM first, then the best;
 * - lodestar/cheap: the cheapest, whatever the floors (for commit messages and summaries);
 * - lodestar/strong: the best known quality first (a calibrated score as it stands with 75%
 *   confidence), cost breaking ties.
 * Forbidden models, models whose circuit is open and models whose context window can't hold
 * the request are left out; preferred ones go first among those that qualify.
 *
 * Where a floor applies, a model of unknown quality never displaces one known to meet it, but
 * the router never refuses for want of evidence either: after the qualified models come those
 * of unknown quality whose tier is the task's (frontier for a floor of 60% or more), as
 * fallbacks when the others fail; with no qualified model at all, the unknown ones by tier
 * (best tier first, cheapest within it), then the best known below the floor.
 */
export function rankCandidates(input: RouteInput, profiles: readonly ModelProfile[], policy: RoutingPolicy, circuit: (provider: ProviderId) => CircuitState): RouteDecision {
  // Fill-in-the-middle is ranked on what matters to it (in VRAM, small), not on cost and a chat benchmark.
  if (input.task === 'complete') return rankFim(input, profiles, policy, circuit);
  const started = performance.now();
  const floor = input.virtual === 'lodestar/auto' ? policy.floors[input.task] : 0;
  // lodestar/strong picks by known quality: for it, unknown quality is what a floor is to auto.
  const needsQuality = floor > 0 || input.virtual === 'lodestar/strong';
  const considered: Consideration[] = [];
  const eligible: Ranked[] = [];
  const unknown: Ranked[] = [];
  const below: Ranked[] = [];
  const chosenId = input.virtual === 'lodestar/auto' || input.virtual === 'lodestar/cheap' ? policy.taskModels?.[input.task] : undefined;
  let chosen: Ranked | undefined;
  for (const profile of profiles) {
    const cost = estimateCost(profile, input.promptTokens, input.outputTokens);
    let why = exclusion(profile, input, policy, circuit);
    let list = eligible;
    if (why === undefined && needsQuality) {
      if (profile.quality === undefined) {
        why = input.virtual === 'lodestar/strong' ? 'quality unknown (lodestar/strong picks by known quality)' : unknownWhy(input.task, floor);
        list = unknown;
      } else if (floorValue(profile) < floor) {
        why = belowWhy(profile, input.task, floor);
        list = below;
      }
    }
    // One shape for every entry (undefined fields are left out of JSON anyway): keeps this loop monomorphic.
    const entry: Consideration = { id: profile.id, eligible: why === undefined, why: why ?? 'eligible', estimatedCostUsd: cost, quality: profile.quality, qualityKind: profile.qualityKind, tier: profile.tier };
    considered.push(entry);
    if (why === undefined || list !== eligible) list.push({ profile, cost, entry });
    if (profile.id === chosenId && (why === undefined || list !== eligible)) chosen = { profile, cost, entry };
  }

  const preferredRank = (id: string): number => {
    const index = policy.preferred.indexOf(id);
    return index === -1 ? policy.preferred.length : index;
  };
  const order = input.virtual === 'lodestar/strong' ? byQuality : input.virtual === 'lodestar/local' ? byLocal : byCost;
  eligible.sort((a, b) => preferredRank(a.profile.id) - preferredRank(b.profile.id) || order(a, b));

  let ranked: Ranked[] = eligible;
  let basis: ChoiceBasis | undefined = eligible.length ? 'quality' : undefined;
  if (needsQuality) {
    unknown.sort(byTierThenCost);
    if (eligible.length) {
      // Fallbacks only: unknown models of the task's tier, after every qualified one.
      const tierFloor = floor >= 60 || input.virtual === 'lodestar/strong' ? 0 : 1;
      const fallbacks = unknown.filter((item) => tierRank(item.profile.tier) <= tierFloor);
      for (const item of fallbacks) markChosen(item, `quality unknown; fallback by tier (${item.profile.tier})`);
      ranked = [...eligible, ...fallbacks];
    } else {
      // Nothing known to meet the floor: by tier, and within a tier the best known score first.
      ranked = [...unknown, ...below].sort(
        (a, b) => tierRank(a.profile.tier) - tierRank(b.profile.tier) || (b.profile.quality ?? -1) - (a.profile.quality ?? -1) || byCost(a, b),
      );
      for (const item of ranked) {
        markChosen(item, item.profile.quality === undefined ? `quality unknown; chosen by tier (${item.profile.tier ?? 'none'})` : `${item.entry.why}; chosen by tier (${item.profile.tier ?? 'none'}) as none meets it`);
      }
      const first = ranked[0];
      basis = first ? (first.profile.quality === undefined ? 'tier' : 'below-floor') : undefined;
    }
  }

  if (chosen) {
    // The user's choice first; whatever else qualifies stays behind it as fallbacks.
    const chosenProfile = chosen.profile;
    ranked = [chosen, ...ranked.filter((item) => item.profile !== chosenProfile)];
    markChosen(chosen, `chosen for ${input.task} (routing.taskModels)`);
    basis = 'chosen';
  }

  const candidates = ranked.map(({ profile }) => toCandidate(profile));
  const first = ranked[0];
  const reason = first ? describeChoice(first.profile, first.cost, input, floor, policy, basis ?? 'quality') : `no model qualifies for ${input.task} under ${input.virtual}${floor ? ` (floor ${floor}%)` : ''}`;
  const decision: RouteDecision = { virtual: input.virtual, task: input.task, floor, candidates, considered, reason, decisionMs: 0 };
  if (basis) decision.basis = basis;
  decision.decisionMs = performance.now() - started;
  return decision;
}

interface Ranked {
  profile: ModelProfile;
  cost: number | undefined;
  entry: Consideration;
}

function markChosen(item: Ranked, why: string): void {
  item.entry.eligible = true;
  item.entry.why = why;
}

const byCost = (a: Ranked, b: Ranked): number =>
  (a.cost ?? Infinity) - (b.cost ?? Infinity) || Number(b.profile.loaded) - Number(a.profile.loaded) || (b.profile.quality ?? -1) - (a.profile.quality ?? -1);
/** Best first, by the score it has with 75% confidence (a calibrated one less part of its error), then cheapest. */
const byQuality = (a: Ranked, b: Ranked): number => confident(b.profile) - confident(a.profile) || (a.cost ?? Infinity) - (b.cost ?? Infinity);
const confident = (profile: ModelProfile): number => (profile.quality === undefined ? -1 : floorValue(profile));
const byLocal = (a: Ranked, b: Ranked): number => Number(b.profile.loaded) - Number(a.profile.loaded) || (b.profile.quality ?? -1) - (a.profile.quality ?? -1);
/** Best tier first; within a tier, free local ones (in VRAM first), then the cheapest. */
const byTierThenCost = (a: Ranked, b: Ranked): number => tierRank(a.profile.tier) - tierRank(b.profile.tier) || byCost(a, b);

/**
 * The score a floor is checked against: a calibrated one less FLOOR_CONFIDENCE_Z of its error,
 * so that it meets the floor only where the model clears it three times in four; any other
 * kind as it is.
 */
function floorValue(profile: Pick<ModelProfile, 'quality' | 'qualityError'>): number {
  return againstFloor(profile.quality ?? 0, profile.qualityError);
}

/** A score as a floor sees it: as it is, or a calibrated one (with its error) less FLOOR_CONFIDENCE_Z errors. */
export function againstFloor(quality: number, error: number | undefined): number {
  return error === undefined ? quality : quality - FLOOR_CONFIDENCE_Z * error;
}

/**
 * The sentences for a model left out on quality depend only on it, the task and the floor: built
 * once each rather than for every request (they are most of what a decision allocates).
 */
const whyMemo = new Map<string, string>();
/** By model, score, task and floor, so that it outlives the profiles (rebuilt every second). */
const belowMemo = new Map<string, string>();
const MEMO_LIMIT = 5000;

function unknownWhy(task: Task, floor: number): string {
  const key = `${task}|${floor}`;
  let why = whyMemo.get(key);
  if (why === undefined) whyMemo.set(key, (why = `quality unknown (floor ${floor}% for ${task}; give it a score or a rule under "models")`));
  return why;
}

function belowWhy(profile: ModelProfile, task: Task, floor: number): string {
  const key = `${profile.id}|${profile.quality}|${profile.qualityError}|${task}|${floor}`;
  let why = belowMemo.get(key);
  if (why === undefined) {
    why =
      profile.qualityError === undefined
        ? `quality ${profile.quality}% below the ${task} floor of ${floor}%`
        : `quality ${profile.quality}% ±${profile.qualityError} (${profile.qualityKind ?? 'calibrated'}) counts as ${round1(floorValue(profile))}% against the ${task} floor of ${floor}% (75% confidence)`;
    if (belowMemo.size < MEMO_LIMIT) belowMemo.set(key, why);
  }
  return why;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

/** 0 for frontier, 1 mid, 2 small, 3 for a model without a tier. */
function tierRank(tier: Tier | undefined): number {
  return tier === undefined ? TIERS.length : TIERS.indexOf(tier);
}

/** The candidate, with how its quality is known for the x-lodestar-quality header (built with the profile when it can be). */
function toCandidate(profile: ModelProfile): Candidate {
  return { id: profile.id, provider: profile.provider, model: profile.model, quality: profile.label ?? qualityLabel(profile) };
}

/** "measured 86.7", "calibrated 71.2+/-6.1", "lineage 79.1", "unknown; tier frontier": ASCII, as HTTP headers want. */
export function qualityLabel(profile: Pick<ModelProfile, 'quality' | 'qualityKind' | 'qualityError' | 'tier'>): string {
  if (profile.quality === undefined) return `unknown; tier ${profile.tier ?? 'none'}`;
  const error = profile.qualityError === undefined ? '' : `+/-${profile.qualityError}`;
  return `${profile.qualityKind ?? 'measured'} ${profile.quality}${error}`;
}

/** USD for this request on this model: prompt at the input price, the expected answer at the output price. */
export function estimateCost(profile: ModelProfile, promptTokens: number, outputTokens: number): number | undefined {
  if (profile.local) return 0;
  if (!profile.price) return undefined;
  return (promptTokens * profile.price.inputPerMTok + outputTokens * profile.price.outputPerMTok) / 1_000_000;
}

function describeChoice(profile: ModelProfile, cost: number | undefined, input: RouteInput, floor: number, policy: RoutingPolicy, basis: ChoiceBasis): string {
  if (basis === 'chosen') {
    const against = floor > 0 && profile.quality !== undefined && floorValue(profile) < floor ? `, below the ${input.task} floor of ${floor}%` : '';
    return `${profile.id} was chosen for ${input.task} (routing.taskModels)${profile.quality === undefined ? ', quality unknown' : `, quality ${profile.quality}%`}${against}`;
  }
  if (basis === 'tier') {
    const wanted = input.virtual === 'lodestar/strong' ? 'no model of known quality is available' : `no model of known quality meets the ${input.task} floor of ${floor}%`;
    return `${profile.id}: quality unknown; chosen by tier (${profile.tier ?? 'none'}) as ${wanted}`;
  }
  if (basis === 'below-floor') {
    return `${profile.id}: quality ${profile.quality}% is below the ${input.task} floor of ${floor}%, the best known of the models available (none of known quality meets it, none is of unknown quality)`;
  }
  if (policy.preferred.includes(profile.id)) return `${profile.id} is preferred (routing.preferred)`;
  const quality = profile.quality === undefined ? 'quality unknown' : `quality ${profile.quality}%${profile.qualityKind && profile.qualityKind !== 'measured' ? ` ${profile.qualityKind}${profile.qualityError === undefined ? '' : ` ±${profile.qualityError}`}` : ''}`;
  if (input.virtual === 'lodestar/strong') return `${profile.id} has the best known quality (${quality})`;
  if (input.virtual === 'lodestar/local') return `${profile.id} is ${profile.loaded ? 'already in VRAM' : 'the best local model'} (${quality})`;
  const price = profile.local ? 'free (local)' : cost === undefined ? 'price unknown' : `~$${cost.toFixed(5)}`;
  const meets = floor > 0 ? `meets the ${input.task} floor of ${floor}% (${quality})` : `no floor for ${input.task}`;
  return `${profile.id} is the cheapest that ${meets}: ${price}${profile.local && profile.loaded ? ', already in VRAM' : ''}`;
}
