import type { ProviderId } from '../shared/provider-ids.js';
import type { CircuitState } from './circuit-breaker.js';
import type { ModelProfile, RouteInput, RoutingPolicy } from './rank.js';

/** Why a model can't serve this request at all, whatever the ranking; undefined when it can. */
export function exclusion(profile: ModelProfile, input: RouteInput, policy: RoutingPolicy, circuit: (provider: ProviderId) => CircuitState): string | undefined {
  if (isForbidden(profile.id, policy.forbidden)) return 'forbidden by routing.forbidden';
  if (input.virtual === 'lodestar/local' && !profile.local) return 'not a local model';
  if (circuit(profile.provider) === 'open') return `${profile.provider}'s circuit is open`;
  if (input.needs?.images && profile.vision === false) return 'does not read images, and the request has some';
  if (input.needs?.tools && profile.tools === false) return 'does not call tools, and the request offers some';
  if (profile.contextWindow !== undefined && input.promptTokens + input.outputTokens > profile.contextWindow) {
    return `context window ${profile.contextWindow} too small for ~${input.promptTokens} + ${input.outputTokens} tokens`;
  }
  return undefined;
}

export function isForbidden(id: string, forbidden: readonly string[]): boolean {
  return forbidden.some((pattern) => (pattern.endsWith('/*') ? id.startsWith(pattern.slice(0, -1)) : pattern === id));
}
