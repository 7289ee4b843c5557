import type { ModelRow } from '../shared/model-facts.js';
import type { ModelProfile } from './rank.js';
import { sessionCost } from './typical-session.js';

/** A model as `models list` and the selectors show it: its profile's facts, whether it is available, a typical session's cost. */
export function modelRow(profile: ModelProfile, unavailable: string | undefined): ModelRow {
  return {
    id: profile.id,
    provider: profile.provider,
    local: profile.local,
    available: unavailable === undefined,
    unavailable,
    contextWindow: profile.contextWindow,
    price: profile.price ?? null,
    quality: profile.quality ?? null,
    qualitySource: profile.qualitySource ?? null,
    qualityKind: profile.qualityKind ?? null,
    qualityError: profile.qualityError ?? null,
    tier: profile.tier ?? null,
    agentic:
      profile.agentic?.quality === undefined
        ? null
        : { quality: profile.agentic.quality, qualitySource: profile.agentic.qualitySource ?? '', qualityKind: profile.agentic.qualityKind ?? 'measured', qualityError: profile.agentic.qualityError ?? null },
    sessionCostUsd: sessionCost(profile) ?? null,
    loaded: profile.loaded,
  };
}
