import { describe, expect, it } from 'vitest';
import type { CircuitState } from './circuit-breaker.js';
import { rankCandidates, type ModelProfile, type RoutingPolicy } from './rank.js';

const profile = (id: string, overrides: Partial<ModelProfile> = {}): ModelProfile => {
  const [provider, ...rest] = id.split('/');
  return {
    id,
    provider: provider as ModelProfile['provider'],
    model: rest.join('/'),
    local: provider === 'ollama',
    contextWindow: 128_000,
    price: provider === 'ollama' ? { inputPerMTok: 0, outputPerMTok: 0 } : { inputPerMTok: 1, outputPerMTok: 4 },
    quality: undefined,
    qualitySource: undefined,
    loaded: false,
    ...overrides,
  };
};

const PROFILES: ModelProfile[] = [
  profile('ollama/qwen2.5-coder:3b', { contextWindow: 8192 }),
  profile('ollama/qwen2.5-coder:1.5b', { contextWindow: 8192, loaded: true }),
  profile('deepseek/deepseek-flash', { price: { inputPerMTok: 0.15, outputPerMTok: 0.6 }, quality: 70.2, contextWindow: 1_000_000 }),
  profile('openai/gpt-5', { price: { inputPerMTok: 1.25, outputPerMTok: 10 }, quality: 86.7, contextWindow: 400_000 }),
  profile('openai/o3', { price: { inputPerMTok: 2, outputPerMTok: 8 }, quality: 76.9, contextWindow: 200_000 }),
  profile('openai/gpt-4.1', { price: { inputPerMTok: 2, outputPerMTok: 8 }, quality: 52.4 }),
  profile('anthropic/claude-sonnet-5', { price: { inputPerMTok: 2, outputPerMTok: 10 }, contextWindow: 1_000_000 }),
  profile('openrouter/mystery/model', { price: undefined }),
];

const POLICY: RoutingPolicy = {
  floors: { edit: 70, architect: 70, 'long-context': 70, chat: 0, commit: 0, summary: 0 },
  preferred: [],
  forbidden: [],
};
const closed = (): CircuitState => 'closed';
const ids = (decision: { candidates: Array<{ id: string }> }): string[] => decision.candidates.map((candidate) => candidate.id);

describe('rankCandidates', () => {
  it('auto, edit: the cheapest model meeting the floor first; unknown quality and below-floor models left out, with why', () => {
    const decision = rankCandidates({ virtual: 'lodestar/auto', task: 'edit', promptTokens: 9000, outputTokens: 1000 }, PROFILES, POLICY, closed);
    // gpt-5: 9000 x $1.25 + 1000 x $10 = $0.02125; o3: 9000 x $2 + 1000 x $8 = $0.026.
    expect(ids(decision)).toEqual(['deepseek/deepseek-flash', 'openai/gpt-5', 'openai/o3']);
    expect(decision.reason).toBe('deepseek/deepseek-flash is the cheapest that meets the edit floor of 70% (quality 70.2%): ~$0.00195');
    const why = Object.fromEntries(decision.considered.map((entry) => [entry.id, entry.why]));
    expect(why['openai/gpt-4.1']).toBe('quality 52.4% below the edit floor of 70%');
    expect(why['anthropic/claude-sonnet-5']).toContain('quality unknown');
    expect(why['ollama/qwen2.5-coder:3b']).toContain('context window 8192 too small');
    expect(decision.floor).toBe(70);
    expect(decision.decisionMs).toBeGreaterThanOrEqual(0);
  });

  it('auto, commit (no floor): free local models first, the one already in VRAM before the others', () => {
    const decision = rankCandidates({ virtual: 'lodestar/auto', task: 'commit', promptTokens: 2000, outputTokens: 60 }, PROFILES, POLICY, closed);
    expect(ids(decision).slice(0, 3)).toEqual(['ollama/qwen2.5-coder:1.5b', 'ollama/qwen2.5-coder:3b', 'deepseek/deepseek-flash']);
    expect(decision.reason).toContain('free (local), already in VRAM');
    // A model with no known price can serve, after every priced one.
    expect(ids(decision).at(-1)).toBe('openrouter/mystery/model');
  });

  it('strong: the best known quality first; local: local only, in VRAM first', () => {
    expect(ids(rankCandidates({ virtual: 'lodestar/strong', task: 'architect', promptTokens: 5000, outputTokens: 1000 }, PROFILES, POLICY, closed)).slice(0, 3)).toEqual([
      'openai/gpt-5',
      'openai/o3',
      'deepseek/deepseek-flash',
    ]);
    expect(ids(rankCandidates({ virtual: 'lodestar/local', task: 'edit', promptTokens: 2000, outputTokens: 500 }, PROFILES, POLICY, closed))).toEqual([
      'ollama/qwen2.5-coder:1.5b',
      'ollama/qwen2.5-coder:3b',
    ]);
  });

  it('skips providers whose circuit is open, forbidden models, and puts preferred ones first', () => {
    const decision = rankCandidates(
      { virtual: 'lodestar/auto', task: 'edit', promptTokens: 9000, outputTokens: 1000 },
      PROFILES,
      { ...POLICY, preferred: ['openai/gpt-5'], forbidden: ['openai/o3'] },
      (provider) => (provider === 'deepseek' ? 'open' : 'closed'),
    );
    expect(ids(decision)).toEqual(['openai/gpt-5']);
    expect(decision.reason).toBe('openai/gpt-5 is preferred (routing.preferred)');
    expect(decision.considered.find((entry) => entry.id === 'deepseek/deepseek-flash')?.why).toBe("deepseek's circuit is open");
    expect(rankCandidates({ virtual: 'lodestar/auto', task: 'commit', promptTokens: 10, outputTokens: 10 }, PROFILES, { ...POLICY, forbidden: ['ollama/*'] }, closed).candidates[0]?.id).toBe('deepseek/deepseek-flash');
  });

  it('leaves models out whose window cannot hold a long request', () => {
    const decision = rankCandidates({ virtual: 'lodestar/auto', task: 'long-context', promptTokens: 300_000, outputTokens: 2000 }, PROFILES, POLICY, closed);
    expect(ids(decision)).toEqual(['deepseek/deepseek-flash', 'openai/gpt-5']);
  });

  it('returns no candidate, and says why, when nothing qualifies', () => {
    const decision = rankCandidates({ virtual: 'lodestar/auto', task: 'edit', promptTokens: 100, outputTokens: 100 }, PROFILES.slice(0, 2), POLICY, closed);
    expect(decision.candidates).toEqual([]);
    expect(decision.reason).toBe('no model qualifies for edit under lodestar/auto (floor 70%)');
  });
});
