import { describe, expect, it } from 'vitest';
import type { CircuitState } from './circuit-breaker.js';
import { fillsInTheMiddleByName, parameterBillions } from './fim-models.js';
import { profilesForTask } from './profiles.js';
import { rankCandidates, type ModelProfile, type RoutingPolicy } from './rank.js';

const profile = (id: string, overrides: Partial<ModelProfile> = {}): ModelProfile => {
  const [provider, ...rest] = id.split('/');
  const local = provider === 'ollama';
  return {
    id,
    provider: provider as ModelProfile['provider'],
    model: rest.join('/'),
    local,
    contextWindow: local ? 8192 : 400_000,
    price: local ? { inputPerMTok: 0, outputPerMTok: 0 } : { inputPerMTok: 1, outputPerMTok: 4 },
    quality: undefined,
    qualitySource: undefined,
    loaded: false,
    ...overrides,
  };
};

const POLICY: RoutingPolicy = {
  floors: { edit: 70, architect: 70, 'long-context': 70, chat: 0, commit: 0, summary: 0, agent: 65, complete: 0 },
  preferred: [],
  forbidden: [],
};
const closed = (): CircuitState => 'closed';
const complete = { virtual: 'lodestar/local' as const, task: 'complete' as const, promptTokens: 1500, outputTokens: 128 };
const ids = (decision: { candidates: Array<{ id: string }> }): string[] => decision.candidates.map((candidate) => candidate.id);

describe('the complete task: local models that fill in the middle, in VRAM first, then the smallest', () => {
  const PROFILES = [
    profile('ollama/qwen2.5-coder:7b', { insert: true, quality: 60 }),
    profile('ollama/qwen2.5-coder:1.5b-base', { insert: true }),
    profile('ollama/starcoder2:3b', { insert: true, loaded: true }),
    profile('ollama/llama3.2:3b', { insert: false, loaded: true, quality: 40 }),
    profile('openai/gpt-5', { quality: 86.7 }),
    profile('deepseek/deepseek-flash', { quality: 70.2 }),
  ];

  it('keeps only local models whose template takes a suffix: never a paid model, never one Ollama says has no insert', () => {
    expect(profilesForTask(PROFILES, 'complete').map((entry) => entry.id)).toEqual(['ollama/qwen2.5-coder:7b', 'ollama/qwen2.5-coder:1.5b-base', 'ollama/starcoder2:3b']);
    // Made once per set of profiles.
    expect(profilesForTask(PROFILES, 'complete')).toBe(profilesForTask(PROFILES, 'complete'));
  });

  it('where Ollama has not said, goes by the FIM families, and what Ollama says wins over the name', () => {
    const unknown = [profile('ollama/qwen2.5-coder:3b'), profile('ollama/mystery:1b'), profile('ollama/codellama:7b-code'), profile('ollama/qwen2.5-coder:0.5b', { insert: false }), profile('ollama/mystery-fim:1b', { insert: true })];
    expect(profilesForTask(unknown, 'complete').map((entry) => entry.id)).toEqual(['ollama/qwen2.5-coder:3b', 'ollama/codellama:7b-code', 'ollama/mystery-fim:1b']);
  });

  it('ranks the one in VRAM first, then the smallest, whatever its chat score', () => {
    const decision = rankCandidates(complete, profilesForTask(PROFILES, 'complete'), POLICY, closed);
    expect(ids(decision)).toEqual(['ollama/starcoder2:3b', 'ollama/qwen2.5-coder:1.5b-base', 'ollama/qwen2.5-coder:7b']);
    expect(decision.reason).toBe('ollama/starcoder2:3b fills in the middle and is already in VRAM (3B)');
    expect(decision.floor).toBe(0);
    const cold = PROFILES.map((entry) => ({ ...entry, loaded: false }));
    const coldDecision = rankCandidates(complete, profilesForTask(cold, 'complete'), POLICY, closed);
    expect(ids(coldDecision)).toEqual(['ollama/qwen2.5-coder:1.5b-base', 'ollama/starcoder2:3b', 'ollama/qwen2.5-coder:7b']);
    expect(coldDecision.reason).toBe('ollama/qwen2.5-coder:1.5b-base is the smallest local model that fills in the middle (1.5B)');
  });

  it("puts the user's choice (routing.taskModels.complete) first, then routing.preferred", () => {
    const decision = rankCandidates(complete, profilesForTask(PROFILES, 'complete'), { ...POLICY, preferred: ['ollama/qwen2.5-coder:1.5b-base'], taskModels: { complete: 'ollama/qwen2.5-coder:7b' } }, closed);
    expect(ids(decision)).toEqual(['ollama/qwen2.5-coder:7b', 'ollama/qwen2.5-coder:1.5b-base', 'ollama/starcoder2:3b']);
    expect(decision).toMatchObject({ basis: 'chosen', reason: 'ollama/qwen2.5-coder:7b was chosen for complete (routing.taskModels)' });
  });

  it('leaves out, saying why, a forbidden model, an open circuit and a window too small for the code sent', () => {
    const profiles = profilesForTask([profile('ollama/qwen2.5-coder:1.5b', { insert: true }), profile('ollama/starcoder2:3b', { insert: true, contextWindow: 1024 })], 'complete');
    const decision = rankCandidates(complete, profiles, { ...POLICY, forbidden: ['ollama/qwen2.5-coder:1.5b'] }, closed);
    expect(decision.candidates).toEqual([]);
    expect(decision.considered.map((entry) => [entry.id, entry.why])).toEqual([
      ['ollama/qwen2.5-coder:1.5b', 'forbidden by routing.forbidden'],
      ['ollama/starcoder2:3b', 'context window 1024 too small for ~1500 + 128 tokens'],
    ]);
    expect(rankCandidates(complete, profiles, POLICY, () => 'open').candidates).toEqual([]);
  });

  it('is the same ranking under lodestar/auto, which the web UI and `models recommend` use', () => {
    const profiles = profilesForTask(PROFILES, 'complete');
    expect(ids(rankCandidates({ ...complete, virtual: 'lodestar/auto' }, profiles, POLICY, closed))).toEqual(ids(rankCandidates(complete, profiles, POLICY, closed)));
  });
});

describe('what a model name says', () => {
  it('reads the size from the tag', () => {
    expect(parameterBillions('qwen2.5-coder:1.5b-base')).toBe(1.5);
    expect(parameterBillions('starcoder2:3b')).toBe(3);
    expect(parameterBillions('codellama:7b-code-q4_0')).toBe(7);
    expect(parameterBillions('smollm:135m')).toBe(0.135);
    expect(parameterBillions('qwen2.5-coder')).toBeUndefined();
    expect(parameterBillions('qwen2.5-coder:latest')).toBeUndefined();
  });

  it('knows the FIM families of the reference, and not their chat-only siblings', () => {
    for (const name of ['qwen2.5-coder:1.5b-base', 'qwen2.5-coder', 'starcoder2:3b', 'codellama:7b-code', 'deepseek-coder:1.3b-base', 'codestral:22b']) expect(fillsInTheMiddleByName(name)).toBe(true);
    for (const name of ['qwen3-coder:30b', 'codellama:7b-instruct', 'codellama:latest', 'llama3.2:3b', 'deepseek-coder:6.7b-instruct']) expect(fillsInTheMiddleByName(name)).toBe(false);
  });
});
