import { describe, expect, it } from 'vitest';
import type { ChatCompletionRequest } from '../spec/chat-request.js';
import { convertOpenAIUsage } from './convert-openai-usage.js';
import { QUIRKS, remapToolCallIds } from './provider-quirks.js';

describe('convertOpenAIUsage', () => {
  it('reads OpenAI usage: prompt_tokens already include cached tokens (providers.md 1.2)', () => {
    expect(
      convertOpenAIUsage({
        prompt_tokens: 19,
        completion_tokens: 10,
        total_tokens: 29,
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      }),
    ).toEqual({ inputTokens: 19, outputTokens: 10, cachedInputTokens: 0, reasoningTokens: 0 });
  });

  it("reads DeepSeek's cache hits without counting them twice (providers.md 3.1)", () => {
    expect(convertOpenAIUsage({ completion_tokens: 40, prompt_tokens: 11, total_tokens: 51, prompt_cache_hit_tokens: 3, prompt_cache_miss_tokens: 8 })).toEqual({
      inputTokens: 11,
      outputTokens: 40,
      cachedInputTokens: 3,
    });
  });

  it("keeps OpenRouter's cost and cache writes (providers.md 3.4)", () => {
    expect(
      convertOpenAIUsage({
        completion_tokens: 2,
        completion_tokens_details: { reasoning_tokens: 0 },
        cost: 0.95,
        prompt_tokens: 194,
        prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 100, audio_tokens: 0 },
        total_tokens: 196,
      }),
    ).toEqual({ inputTokens: 194, outputTokens: 2, cachedInputTokens: 0, cacheWriteTokens: 100, reasoningTokens: 0, providerCostUsd: 0.95 });
  });

  it('leaves unreported counts undefined and ignores null usage', () => {
    expect(convertOpenAIUsage({ prompt_tokens: 26, completion_tokens: 3, total_tokens: 29 })).toEqual({ inputTokens: 26, outputTokens: 3 });
    expect(convertOpenAIUsage(null)).toBeUndefined();
  });
});

describe('provider quirks', () => {
  const base = (): ChatCompletionRequest => ({ model: 'x', messages: [{ role: 'user', content: 'hi', name: 'me' }], logprobs: true, logit_bias: { '1': 1 } });

  it('aliases the retired DeepSeek names to deepseek-flash with the matching thinking mode', () => {
    const chat = { ...base(), model: 'deepseek-chat' };
    QUIRKS.deepseek.prepare?.(chat);
    expect(chat).toMatchObject({ model: 'deepseek-flash', thinking: { type: 'disabled' } });
    const reasoner = { ...base(), model: 'deepseek-reasoner' };
    QUIRKS.deepseek.prepare?.(reasoner);
    expect(reasoner).toMatchObject({ model: 'deepseek-flash', thinking: { type: 'enabled' } });
  });

  it('drops what Groq answers 400 to', () => {
    const request = base();
    QUIRKS.groq.prepare?.(request);
    expect(request.logprobs).toBeUndefined();
    expect(request.logit_bias).toBeUndefined();
    expect(request.messages[0]).toEqual({ role: 'user', content: 'hi' });
  });

  it('gives Mistral nine-character tool ids, the same on every turn, and names tool results', () => {
    const messages = remapToolCallIds([
      { role: 'user', content: 'q' },
      { role: 'assistant', content: '', tool_calls: [{ id: 'call_abc123xyz', type: 'function', function: { name: 'lookup', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'call_abc123xyz', content: 'r' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'a1B2c3D4e', type: 'function', function: { name: 'f', arguments: '{}' } }] },
    ]);
    const id = messages[1]?.tool_calls?.[0]?.id ?? '';
    expect(id).toMatch(/^[a-zA-Z0-9]{9}$/);
    expect(messages[1]).not.toHaveProperty('content');
    expect(messages[2]).toMatchObject({ tool_call_id: id, name: 'lookup' });
    expect(messages[3]?.tool_calls?.[0]?.id).toBe('a1B2c3D4e');
    expect(remapToolCallIds([{ role: 'assistant', content: null, tool_calls: [{ id: 'call_abc123xyz', type: 'function', function: { name: 'lookup', arguments: '{}' } }] }])[0]?.tool_calls?.[0]?.id).toBe(id);
  });

  it('moves seed to random_seed and drops stream_options for Mistral', () => {
    const request: ChatCompletionRequest = { model: 'codestral-latest', messages: [{ role: 'user', content: 'x' }], seed: 7, stream_options: { include_usage: true } };
    QUIRKS.mistral.prepare?.(request);
    expect(request).toMatchObject({ random_seed: 7 });
    expect(request.seed).toBeUndefined();
    expect(request.stream_options).toBeUndefined();
  });
});

describe("OpenAI's and DeepSeek's own rules", () => {
  const prepared = (provider: 'openai' | 'deepseek', request: ChatCompletionRequest): ChatCompletionRequest => {
    const copy = { ...request };
    QUIRKS[provider].prepare?.(copy);
    return copy;
  };

  it("asks OpenAI's reasoning models for max_completion_tokens and leaves out the sampling they refuse (Aider's temperature 0)", () => {
    const gpt5 = prepared('openai', { model: 'gpt-5', messages: [{ role: 'user', content: 'hi' }], max_tokens: 4096, temperature: 0, top_p: 0.9 });
    expect(gpt5).toMatchObject({ max_completion_tokens: 4096 });
    expect(gpt5).not.toHaveProperty('max_tokens');
    expect(gpt5).not.toHaveProperty('temperature');
    expect(gpt5).not.toHaveProperty('top_p');
    // Reasoning off (effort none) takes sampling again; other models keep theirs.
    expect(prepared('openai', { model: 'gpt-5.1', messages: [], temperature: 0, reasoning_effort: 'none' }).temperature).toBe(0);
    expect(prepared('openai', { model: 'gpt-4o-mini', messages: [], temperature: 0, max_tokens: 100 })).toMatchObject({ temperature: 0, max_completion_tokens: 100 });
  });

  it('gives DeepSeek a developer turn as a system one, which is all its roles know', () => {
    const body = prepared('deepseek', { model: 'deepseek-flash', messages: [{ role: 'developer', content: 'Be brief.' }, { role: 'user', content: 'hi' }] });
    expect(body.messages.map((message) => message.role)).toEqual(['system', 'user']);
  });
});
