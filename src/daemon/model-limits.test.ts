import { expect, it } from 'vitest';
import type { ChatProvider, ProviderModel } from '../providers/spec/provider.js';
import type { ProviderId } from '../shared/provider-ids.js';
import { guessTier, limitsFor, ProviderModelLimits } from './model-limits.js';

const quietLogger = { info() {}, warn() {}, debug() {}, error() {}, enabled: () => false } as never;

function providersWith(list: () => Promise<ProviderModel[]>): { calls: number; providers: () => ReadonlyMap<ProviderId, ChatProvider> } {
  const state = { calls: 0 };
  const anthropic = { id: 'anthropic', listModels: () => (state.calls++, list()) } as unknown as ChatProvider;
  return Object.assign(state, { providers: () => new Map<ProviderId, ChatProvider>([['anthropic', anthropic]]) });
}

it("takes a model's limits from config, then the catalog, then its provider's list, then a default by tier", async () => {
  const source = providersWith(async () => [{ model: 'claude-opus-5-5', contextWindow: 1_000_000, maxOutputTokens: 128_000 }]);
  const provider = new ProviderModelLimits(source.providers, quietLogger);
  const sources = { overrides: { 'openai/gpt-4o-mini': { maxOutputTokens: 8000 } }, localContext: () => 8192, provider };
  const opus = { id: 'anthropic/claude-opus-5-5', provider: 'anthropic' as const, model: 'claude-opus-5-5' };

  // Not read yet: assumed by the name's tier (an Opus is frontier).
  expect(limitsFor(opus, sources)).toEqual({ contextWindow: 200_000, maxOutputTokens: 32_000, source: 'default' });
  await provider.learnFor([opus]);
  expect(limitsFor(opus, sources)).toEqual({ contextWindow: 1_000_000, maxOutputTokens: 128_000, source: 'provider' });
  // Read once, not per request.
  await provider.learnFor([opus]);
  expect(source.calls).toBe(1);

  expect(limitsFor({ id: 'openai/gpt-4o-mini', provider: 'openai', model: 'gpt-4o-mini' }, sources)).toEqual({ contextWindow: 128_000, maxOutputTokens: 8000, source: 'config' });
  expect(limitsFor({ id: 'openai/gpt-4o', provider: 'openai', model: 'gpt-4o' }, sources)).toEqual({ contextWindow: 128_000, maxOutputTokens: 16_384, source: 'catalog' });
  // A local model may fill the window Lodestar gives it.
  expect(limitsFor({ id: 'ollama/qwen2.5-coder:3b', provider: 'ollama', model: 'qwen2.5-coder:3b' }, sources)).toEqual({ contextWindow: 8192, maxOutputTokens: 8192, source: 'local' });
});

it("goes on with the default when a provider's list can't be read, and asks again only after a while", async () => {
  const source = providersWith(async () => {
    throw new Error('anthropic answered 500');
  });
  const provider = new ProviderModelLimits(source.providers, quietLogger);
  const opus = { id: 'anthropic/claude-opus-5-5', provider: 'anthropic' as const, model: 'claude-opus-5-5' };
  await provider.learnFor([opus]);
  await provider.learnFor([opus]);
  expect(source.calls).toBe(1);
  expect(limitsFor(opus, { overrides: {}, localContext: () => 8192, provider }).source).toBe('default');
});

it("guesses a model's class from its maker's naming where the catalog has no tier", () => {
  expect(guessTier('claude-opus-5-5')).toBe('frontier');
  expect(guessTier('claude-haiku-5-5')).toBe('mid');
  expect(guessTier('gpt-5.5-mini')).toBe('mid');
  expect(guessTier('gpt-5-nano')).toBe('small');
  expect(guessTier('qwen3:8b')).toBe('small');
  expect(guessTier('some-model')).toBe('none');
});
