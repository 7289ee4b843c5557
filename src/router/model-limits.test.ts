import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, outputCeiling, routingOutputTokens } from './model-limits.js';
import { TYPICAL_OUTPUT_TOKENS } from './rank.js';

describe('max_tokens is a ceiling, not a need', () => {
  it('routes for what the task typically writes, bounded by the ask', () => {
    // Claude Code asks every model for 128,000 tokens; an agent turn writes about 2,000.
    expect(routingOutputTokens(128_000, 'agent')).toBe(TYPICAL_OUTPUT_TOKENS.agent);
    expect(routingOutputTokens(50, 'edit')).toBe(50);
    expect(routingOutputTokens(undefined, 'commit')).toBe(TYPICAL_OUTPUT_TOKENS.commit);
    expect(routingOutputTokens(null, 'summary')).toBe(TYPICAL_OUTPUT_TOKENS.summary);
  });

  it("asks a model for at most its output limit, and at most what its window leaves after the prompt", () => {
    const gpt4oMini = { contextWindow: 128_000, maxOutputTokens: 16_384 };
    expect(outputCeiling(gpt4oMini, 128_000, 20_000)).toEqual({ maxTokens: 16_384, by: 'output-limit' });
    expect(outputCeiling(gpt4oMini, 16_384, 20_000)).toBeUndefined();
    expect(outputCeiling(gpt4oMini, 4000, 20_000)).toBeUndefined();
    // A local model with an 8K window and a 6K prompt: 2K left, whatever its "output limit".
    const local = { contextWindow: 8192, maxOutputTokens: 8192 };
    expect(outputCeiling(local, 128_000, 6192)).toEqual({ maxTokens: 2000, by: 'window' });
    expect(outputCeiling(local, 1500, 6192)).toBeUndefined();
    // No ask: the upstream's default applies.
    expect(outputCeiling(gpt4oMini, undefined, 1000)).toBeUndefined();
  });

  it('leaves a prompt that fills the window to the upstream, which says it is too long', () => {
    expect(outputCeiling({ contextWindow: 8192, maxOutputTokens: 4096 }, 128_000, 9000)).toEqual({ maxTokens: 4096, by: 'output-limit' });
    expect(outputCeiling({ contextWindow: 8192, maxOutputTokens: 4096 }, 1000, 9000)).toBeUndefined();
  });

  it('assumes less of a class of model than any current model of it gives', () => {
    expect(DEFAULT_LIMITS.frontier.maxOutputTokens).toBeLessThanOrEqual(32_000);
    expect(DEFAULT_LIMITS.small.maxOutputTokens).toBeLessThan(DEFAULT_LIMITS.mid.maxOutputTokens);
    expect(DEFAULT_LIMITS.none).toEqual(DEFAULT_LIMITS.small);
  });
});
