import { performance } from 'node:perf_hooks';
import type { ProviderId } from '../shared/provider-ids.js';
import type { CircuitState } from './circuit-breaker.js';
import { exclusion } from './exclusion.js';
import { parameterBillions } from './fim-models.js';
import type { Consideration, ModelProfile, RouteDecision, RouteInput, RoutingPolicy } from './rank.js';
import type { Candidate } from './resolve-model.js';

/**
 * The complete task's ranking: an editor asks for a completion at every pause in typing and
 * cancels it at the next key, so what counts is how soon the first token comes. The profiles
 * are the local models that fill in the middle (profilesForTask); of those that can take the
 * request: the user's choice first (routing.taskModels.complete), then routing.preferred, then
 * one already in VRAM (a load costs seconds), then the smallest (a chat benchmark's score says
 * nothing of FIM, and a small coder answers several times sooner). No floor, no cost: all are
 * free. Pure and fast, as rankCandidates.
 */
export function rankFim(input: RouteInput, profiles: readonly ModelProfile[], policy: RoutingPolicy, circuit: (provider: ProviderId) => CircuitState): RouteDecision {
  const started = performance.now();
  const considered: Consideration[] = [];
  const eligible: ModelProfile[] = [];
  for (const profile of profiles) {
    const why = exclusion(profile, input, policy, circuit);
    considered.push({ id: profile.id, eligible: why === undefined, why: why ?? 'eligible', estimatedCostUsd: 0, quality: profile.quality, qualityKind: profile.qualityKind, tier: profile.tier });
    if (why === undefined) eligible.push(profile);
  }
  const chosenId = policy.taskModels?.complete;
  const rank = (profile: ModelProfile): number => {
    if (profile.id === chosenId) return -1;
    const preferred = policy.preferred.indexOf(profile.id);
    return preferred === -1 ? policy.preferred.length : preferred;
  };
  const size = (profile: ModelProfile): number => parameterBillions(profile.model) ?? Infinity;
  eligible.sort((a, b) => rank(a) - rank(b) || Number(b.loaded) - Number(a.loaded) || size(a) - size(b) || a.id.localeCompare(b.id));
  const first = eligible[0];
  const decision: RouteDecision = {
    virtual: input.virtual,
    task: input.task,
    floor: 0,
    candidates: eligible.map(toCandidate),
    considered,
    reason: first ? describe(first, chosenId, policy) : `no local model that fills in the middle can take this ${input.task} request`,
    decisionMs: 0,
  };
  if (first?.id === chosenId) decision.basis = 'chosen';
  decision.decisionMs = performance.now() - started;
  return decision;
}

function toCandidate(profile: ModelProfile): Candidate {
  return profile.label === undefined ? { id: profile.id, provider: profile.provider, model: profile.model } : { id: profile.id, provider: profile.provider, model: profile.model, quality: profile.label };
}

function describe(profile: ModelProfile, chosenId: string | undefined, policy: RoutingPolicy): string {
  if (profile.id === chosenId) return `${profile.id} was chosen for complete (routing.taskModels)`;
  if (policy.preferred.includes(profile.id)) return `${profile.id} is preferred (routing.preferred) and fills in the middle`;
  const billions = parameterBillions(profile.model);
  const size = billions === undefined ? '' : ` (${billions}B)`;
  return profile.loaded ? `${profile.id} fills in the middle and is already in VRAM${size}` : `${profile.id} is the smallest local model that fills in the middle${size}`;
}
