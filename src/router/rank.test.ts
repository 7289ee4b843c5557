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
  floors: { edit: 70, architect: 70, 'long-context': 70, chat: 0, commit: 0, summary: 0, agent: 65 },
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

  it('returns no candidate, and says why, when nothing can take the request at all', () => {
    // Both local models are too small for this prompt: no tier to fall back to either.
    const decision = rankCandidates({ virtual: 'lodestar/auto', task: 'edit', promptTokens: 20_000, outputTokens: 1000 }, PROFILES.slice(0, 2), POLICY, closed);
    expect(decision.candidates).toEqual([]);
    expect(decision.reason).toBe('no model qualifies for edit under lodestar/auto (floor 70%)');
    expect(decision.basis).toBeUndefined();
  });

  it('with nothing of known quality meeting the floor, goes by tier instead of refusing, and says so', () => {
    const local = PROFILES.slice(0, 2).map((entry) => ({ ...entry, tier: 'small' as const }));
    const decision = rankCandidates({ virtual: 'lodestar/auto', task: 'edit', promptTokens: 2000, outputTokens: 500 }, local, POLICY, closed);
    // Both small and free: the one in VRAM first.
    expect(ids(decision)).toEqual(['ollama/qwen2.5-coder:1.5b', 'ollama/qwen2.5-coder:3b']);
    expect(decision.basis).toBe('tier');
    expect(decision.reason).toBe('ollama/qwen2.5-coder:1.5b: quality unknown; chosen by tier (small) as no model of known quality meets the edit floor of 70%');
    expect(decision.candidates[0]?.quality).toBe('unknown; tier small');
    expect(decision.considered.every((entry) => entry.eligible && entry.why === 'quality unknown; chosen by tier (small)')).toBe(true);
  });

  it('by tier, the best tier first; a known score below the floor ranks within its tier, before the unknown', () => {
    const groq = [
      profile('groq/llama-3.3-70b-versatile', { tier: 'mid', price: { inputPerMTok: 0.59, outputPerMTok: 0.79 } }),
      profile('groq/moonshotai/kimi-k2-instruct', { tier: 'frontier', quality: 59.1, qualityKind: 'lineage', price: { inputPerMTok: 1, outputPerMTok: 3 } }),
      profile('groq/openai/gpt-oss-120b', { tier: 'mid', quality: 41.8, qualityKind: 'lineage', price: { inputPerMTok: 0.15, outputPerMTok: 0.6 } }),
    ];
    const decision = rankCandidates({ virtual: 'lodestar/auto', task: 'edit', promptTokens: 9000, outputTokens: 1000 }, groq, POLICY, closed);
    expect(ids(decision)).toEqual(['groq/moonshotai/kimi-k2-instruct', 'groq/openai/gpt-oss-120b', 'groq/llama-3.3-70b-versatile']);
    expect(decision.basis).toBe('below-floor');
    expect(decision.reason).toContain('quality 59.1% is below the edit floor of 70%, the best known');
  });

  it('after the qualified models, unknown ones of the task\'s tier follow as fallbacks, never before', () => {
    const profiles = [...PROFILES.slice(2, 4), profile('anthropic/claude-sonnet-5', { tier: 'frontier', price: { inputPerMTok: 2, outputPerMTok: 10 } }), profile('openai/gpt-5-nano', { tier: 'small', price: { inputPerMTok: 0.05, outputPerMTok: 0.4 } })];
    const decision = rankCandidates({ virtual: 'lodestar/auto', task: 'edit', promptTokens: 9000, outputTokens: 1000 }, profiles, POLICY, closed);
    // The small-tier model is no fallback for an edit; the frontier one is, last.
    expect(ids(decision)).toEqual(['deepseek/deepseek-flash', 'openai/gpt-5', 'anthropic/claude-sonnet-5']);
    expect(decision.basis).toBe('quality');
    expect(decision.considered.find((entry) => entry.id === 'anthropic/claude-sonnet-5')?.why).toBe('quality unknown; fallback by tier (frontier)');
    expect(decision.considered.find((entry) => entry.id === 'openai/gpt-5-nano')).toMatchObject({ eligible: false });
  });

  it('a calibrated score meets a floor only with 75% confidence: its value less 0.674 of its error', () => {
    const calibrated = (id: string, quality: number) => profile(id, { quality, qualityKind: 'calibrated', qualityError: 10.9, tier: 'frontier' });
    // 74.7 - 0.674 x 10.9 = 67.35 < 70; 80.7 - 7.35 = 73.35 >= 70.
    const profiles = [calibrated('anthropic/claude-haiku-4-5', 74.7), { ...calibrated('anthropic/claude-sonnet-4-6', 80.7), price: { inputPerMTok: 3, outputPerMTok: 15 } }];
    const decision = rankCandidates({ virtual: 'lodestar/auto', task: 'edit', promptTokens: 9000, outputTokens: 1000 }, profiles, POLICY, closed);
    expect(decision.candidates[0]).toMatchObject({ id: 'anthropic/claude-sonnet-4-6', quality: 'calibrated 80.7+/-10.9' });
    expect(decision.considered.find((entry) => entry.id === 'anthropic/claude-haiku-4-5')?.why).toBe(
      'quality 74.7% ±10.9 (calibrated) counts as 67.4% against the edit floor of 70% (75% confidence)',
    );
    expect(decision.reason).toContain('(quality 80.7% calibrated ±10.9)');
  });

  it('strong, with no model of known quality, goes by tier too', () => {
    const profiles = [profile('anthropic/claude-sonnet-5', { tier: 'frontier' }), profile('anthropic/claude-haiku-9', { tier: 'mid', price: { inputPerMTok: 0.1, outputPerMTok: 0.5 } })];
    const decision = rankCandidates({ virtual: 'lodestar/strong', task: 'chat', promptTokens: 100, outputTokens: 100 }, profiles, POLICY, closed);
    expect(ids(decision)).toEqual(['anthropic/claude-sonnet-5', 'anthropic/claude-haiku-9']);
    expect(decision.reason).toBe('anthropic/claude-sonnet-5: quality unknown; chosen by tier (frontier) as no model of known quality is available');
  });

  describe('a task\'s chosen model (routing.taskModels)', () => {
    const withChoice = (taskModels: RoutingPolicy['taskModels']): RoutingPolicy => ({ ...POLICY, taskModels });

    it('goes first under auto even below the floor, with the qualified models behind it as fallbacks', () => {
      const decision = rankCandidates({ virtual: 'lodestar/auto', task: 'edit', promptTokens: 9000, outputTokens: 1000 }, PROFILES, withChoice({ edit: 'openai/gpt-4.1' }), closed);
      expect(ids(decision)).toEqual(['openai/gpt-4.1', 'deepseek/deepseek-flash', 'openai/gpt-5', 'openai/o3']);
      expect(decision.basis).toBe('chosen');
      expect(decision.reason).toBe('openai/gpt-4.1 was chosen for edit (routing.taskModels), quality 52.4%, below the edit floor of 70%');
      expect(decision.considered.find((entry) => entry.id === 'openai/gpt-4.1')).toMatchObject({ eligible: true, why: 'chosen for edit (routing.taskModels)' });
    });

    it('applies to its task only, and to lodestar/cheap (Aider\'s weak model) but not to strong or local', () => {
      const policy = withChoice({ commit: 'ollama/qwen2.5-coder:3b' });
      expect(ids(rankCandidates({ virtual: 'lodestar/auto', task: 'edit', promptTokens: 2000, outputTokens: 60 }, PROFILES, policy, closed))[0]).toBe('deepseek/deepseek-flash');
      expect(ids(rankCandidates({ virtual: 'lodestar/cheap', task: 'commit', promptTokens: 2000, outputTokens: 60 }, PROFILES, policy, closed))[0]).toBe('ollama/qwen2.5-coder:3b');
      expect(ids(rankCandidates({ virtual: 'lodestar/local', task: 'commit', promptTokens: 2000, outputTokens: 60 }, PROFILES, policy, closed))[0]).toBe('ollama/qwen2.5-coder:1.5b');
      const strong = rankCandidates({ virtual: 'lodestar/strong', task: 'commit', promptTokens: 2000, outputTokens: 60 }, PROFILES, withChoice({ commit: 'openai/o3' }), closed);
      expect(ids(strong)[0]).toBe('openai/gpt-5');
    });

    it('is passed over when it can\'t serve the request: its window, its circuit, forbidden, or not available', () => {
      const tooBig = rankCandidates({ virtual: 'lodestar/auto', task: 'edit', promptTokens: 20_000, outputTokens: 1000 }, PROFILES, withChoice({ edit: 'ollama/qwen2.5-coder:3b' }), closed);
      expect(ids(tooBig)[0]).toBe('deepseek/deepseek-flash');
      expect(tooBig.basis).toBe('quality');
      const open = rankCandidates({ virtual: 'lodestar/auto', task: 'edit', promptTokens: 9000, outputTokens: 1000 }, PROFILES, withChoice({ edit: 'openai/gpt-5' }), (provider) => (provider === 'openai' ? 'open' : 'closed'));
      expect(ids(open)).toEqual(['deepseek/deepseek-flash']);
      const forbidden = rankCandidates({ virtual: 'lodestar/auto', task: 'edit', promptTokens: 9000, outputTokens: 1000 }, PROFILES, { ...withChoice({ edit: 'openai/gpt-5' }), forbidden: ['openai/*'] }, closed);
      expect(ids(forbidden)).toEqual(['deepseek/deepseek-flash']);
      const absent = rankCandidates({ virtual: 'lodestar/auto', task: 'edit', promptTokens: 9000, outputTokens: 1000 }, PROFILES, withChoice({ edit: 'gemini/gemini-2.5-pro' }), closed);
      expect(ids(absent)[0]).toBe('deepseek/deepseek-flash');
    });
  });

  it('leaves out a model known not to read images or call tools when the request needs it', () => {
    const profiles = [...PROFILES, profile('deepseek/deepseek-v4-pro', { price: { inputPerMTok: 0.1, outputPerMTok: 0.5 }, quality: 71, vision: false })];
    const plain = rankCandidates({ virtual: 'lodestar/auto', task: 'edit', promptTokens: 9000, outputTokens: 1000 }, profiles, POLICY, closed);
    expect(ids(plain)[0]).toBe('deepseek/deepseek-v4-pro');
    const withImage = rankCandidates({ virtual: 'lodestar/auto', task: 'edit', promptTokens: 9000, outputTokens: 1000, needs: { images: true } }, profiles, POLICY, closed);
    expect(ids(withImage)).not.toContain('deepseek/deepseek-v4-pro');
    expect(withImage.considered.find((entry) => entry.id === 'deepseek/deepseek-v4-pro')?.why).toBe('does not read images, and the request has some');
    const local = [profile('ollama/deepseek-coder:1.3b', { tools: false }), profile('ollama/qwen2.5-coder:3b')];
    const withTools = rankCandidates({ virtual: 'lodestar/auto', task: 'commit', promptTokens: 500, outputTokens: 60, needs: { tools: true } }, local, POLICY, closed);
    expect(ids(withTools)).toEqual(['ollama/qwen2.5-coder:3b']);
  });
});
