import { calcPrice } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { computeCost } from './compute-cost.js';
import { isDeepSeekPeak } from './price-overrides.js';
import { Pricing } from './pricing.js';

const at = new Date('2026-11-24T12:00:00Z');

describe('Pricing', () => {
  const pricing = new Pricing();

  it('matches genai-prices to the cent for cached usage (reference: $0.00534 on claude-sonnet-4-5)', () => {
    const usage = { inputTokens: 1500, cacheWriteTokens: 200, cachedInputTokens: 300, outputTokens: 100 };
    const result = pricing.cost('anthropic', 'claude-sonnet-4-5', usage, at);
    expect(result.costUsd).toBeCloseTo(0.00534, 10);
    expect(result.price).toMatchObject({ source: 'genai-prices', matched: 'claude-sonnet-4-5', inputPerMTok: 3, outputPerMTok: 15, cacheReadPerMTok: 0.3, cacheWritePerMTok: 3.75 });
    expect(result.price?.approximate).toBeUndefined();
  });

  it.each([
    ['anthropic', 'claude-sonnet-4-6', 'anthropic'],
    ['openai', 'gpt-4o-mini', 'openai'],
    ['openai', 'gpt-5', 'openai'],
    ['gemini', 'gemini-2.5-pro', 'google'],
    ['groq', 'llama-3.3-70b-versatile', 'groq'],
    ['mistral', 'codestral-latest', 'mistral'],
  ] as const)('agrees with calcPrice for %s/%s, tiers included', (provider, model, tableProvider) => {
    for (const usage of [
      { inputTokens: 12_000, cachedInputTokens: 8_000, outputTokens: 400 },
      { inputTokens: 250_000, outputTokens: 1_000 },
    ]) {
      const expected = calcPrice(
        { input_tokens: usage.inputTokens, cache_read_tokens: usage.cachedInputTokens, output_tokens: usage.outputTokens },
        model,
        { providerId: tableProvider, timestamp: at },
      );
      expect(pricing.cost(provider, model, usage, at).costUsd).toBeCloseTo(expected?.total_price ?? Number.NaN, 12);
    }
  });

  it('prices local models at $0, exactly', () => {
    expect(pricing.cost('ollama', 'qwen2.5-coder:3b', { inputTokens: 5000, outputTokens: 300 }, at)).toEqual({
      costUsd: 0,
      price: { source: 'local', matched: 'ollama/qwen2.5-coder:3b', inputPerMTok: 0, outputPerMTok: 0 },
    });
  });

  it('leaves an unknown model unknown, never $0', () => {
    expect(pricing.cost('anthropic', 'claude-haiku-5-5', { inputTokens: 10, outputTokens: 10 }, at)).toEqual({ costUsd: undefined, price: undefined });
    expect(pricing.cost('deepseek', 'deepseek-coder-v9', { inputTokens: 10, outputTokens: 10 }, at).costUsd).toBeUndefined();
  });

  it('flags a loose match as approximate (claude-sonnet-5-5 priced as claude-sonnet-5)', () => {
    const result = pricing.cost('anthropic', 'claude-sonnet-5-5', { inputTokens: 1_000_000, outputTokens: 0 }, at);
    expect(result.price).toMatchObject({ matched: 'claude-sonnet-5', approximate: true });
    expect(pricing.rates('anthropic', 'claude-sonnet-4-5-20250929', {}, at)?.approximate).toBeUndefined();
  });

  it("uses Lodestar's DeepSeek prices, with peak hours", () => {
    const offPeak = pricing.cost('deepseek', 'deepseek-flash', { inputTokens: 1_000_000, cachedInputTokens: 0, outputTokens: 1_000_000 }, at);
    expect(offPeak.costUsd).toBeCloseTo(0.75, 10);
    const peak = pricing.cost('deepseek', 'deepseek-flash', { inputTokens: 1_000_000, outputTokens: 1_000_000 }, new Date('2026-11-24T07:00:00Z'));
    expect(peak.costUsd).toBeCloseTo(1.5, 10);
    expect(isDeepSeekPeak(new Date('2026-11-28T07:00:00Z'))).toBe(false);
    expect(pricing.rates('deepseek', 'deepseek-chat', {}, at)?.matched).toBe('deepseek-flash');
  });

  it("lets the user's config prices win", () => {
    const custom = new Pricing({ 'openai/gpt-4o-mini': { inputPerMTok: 1, outputPerMTok: 2 } });
    expect(custom.cost('openai', 'gpt-4o-mini', { inputTokens: 1_000_000, outputTokens: 1_000_000 }, at)).toMatchObject({ costUsd: 3, price: { source: 'config' } });
  });
});

describe('computeCost', () => {
  it('charges cache reads at their rate and the rest at the input rate', () => {
    expect(computeCost({ inputTokens: 1000, cachedInputTokens: 800, outputTokens: 0 }, { inputPerMTok: 2.5, outputPerMTok: 10, cacheReadPerMTok: 1.25 })).toBeCloseTo((200 * 2.5 + 800 * 1.25) / 1e6, 15);
    expect(computeCost({}, { inputPerMTok: 1, outputPerMTok: 1 })).toBeUndefined();
  });
});
