import { describe, expect, it } from 'vitest';
import {
  convertResponsesUsage,
  decodeReasoning,
  encodeReasoning,
  isOwnEncryptedReasoning,
  newCallId,
  newCustomToolCallItemId,
  newFunctionCallItemId,
  newMessageItemId,
  newReasoningItemId,
  newResponseId,
  OWN_REASONING_PREFIX,
  responseEnding,
  toResponsesUsage,
} from './response-fields.js';
import { ToolNames } from './tool-names.js';

describe('usage', () => {
  it('writes the one shape as Responses usage: cached inside input, reasoning inside output, cache writes only when known', () => {
    expect(toResponsesUsage({ inputTokens: 2048, cachedInputTokens: 1920, outputTokens: 40, reasoningTokens: 22 })).toEqual({
      input_tokens: 2048,
      input_tokens_details: { cached_tokens: 1920 },
      output_tokens: 40,
      output_tokens_details: { reasoning_tokens: 22 },
      total_tokens: 2088,
    });
    expect(toResponsesUsage({ inputTokens: 194, cacheWriteTokens: 100, outputTokens: 2 }).input_tokens_details).toEqual({ cached_tokens: 0, cache_write_tokens: 100 });
    // This wire has no "unknown": Codex refuses a usage with a field missing.
    expect(toResponsesUsage({})).toEqual({ input_tokens: 0, input_tokens_details: { cached_tokens: 0 }, output_tokens: 0, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 0 });
  });

  it("reads OpenAI's Responses usage back into the one shape, keeping unknown counts undefined", () => {
    const openai = { input_tokens: 328, input_tokens_details: { cached_tokens: 256 }, output_tokens: 52, output_tokens_details: { reasoning_tokens: 38 }, total_tokens: 380 };
    expect(convertResponsesUsage(openai)).toEqual({ inputTokens: 328, cachedInputTokens: 256, outputTokens: 52, reasoningTokens: 38 });
    expect(convertResponsesUsage({ input_tokens: 10, input_tokens_details: { cached_tokens: 0, cache_write_tokens: 8 }, output_tokens: 1 })).toEqual({ inputTokens: 10, cachedInputTokens: 0, cacheWriteTokens: 8, outputTokens: 1 });
    expect(convertResponsesUsage({ input_tokens: 10, input_tokens_details: null, output_tokens_details: null })).toEqual({ inputTokens: 10 });
    expect(convertResponsesUsage(null)).toBeUndefined();
    expect(convertResponsesUsage('12')).toBeUndefined();
    const usage = { inputTokens: 5, cachedInputTokens: 1, cacheWriteTokens: 2, outputTokens: 3, reasoningTokens: 1 };
    expect(convertResponsesUsage(toResponsesUsage(usage))).toEqual(usage);
  });
});

describe('responseEnding', () => {
  it.each([
    ['stop', { status: 'completed', incomplete_details: null }],
    ['tool_calls', { status: 'completed', incomplete_details: null }],
    [undefined, { status: 'completed', incomplete_details: null }],
    ['length', { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } }],
    ['content_filter', { status: 'incomplete', incomplete_details: { reason: 'content_filter' } }],
  ])('maps finish_reason %s', (finishReason, ending) => {
    expect(responseEnding(finishReason)).toEqual(ending);
  });
});

describe("Lodestar's encrypted reasoning", () => {
  it('round-trips any UTF-8 text behind its prefix, and refuses what is not its own', () => {
    const text = 'Compare 9.11 and 9.8 — “0.11 < 0.80” 🤔\n';
    const encoded = encodeReasoning(text);
    expect(encoded.startsWith(OWN_REASONING_PREFIX)).toBe(true);
    expect(isOwnEncryptedReasoning(encoded)).toBe(true);
    expect(decodeReasoning(encoded)).toBe(text);
    expect(decodeReasoning(encodeReasoning(''))).toBe('');
    for (const foreign of ['gAAAAB-opaque-blob', 'lllm-rsenc-v1:abc', '', null, 42]) {
      expect(isOwnEncryptedReasoning(foreign)).toBe(false);
      expect(decodeReasoning(foreign)).toBeUndefined();
    }
    expect(decodeReasoning(`${OWN_REASONING_PREFIX}not base64!`)).toBeUndefined();
  });
});

describe('ids', () => {
  it("have OpenAI's prefixes and differ each time", () => {
    expect(newResponseId()).toMatch(/^resp_[0-9a-f]{32}$/);
    expect(newMessageItemId()).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(newReasoningItemId()).toMatch(/^rs_[0-9a-f]{32}$/);
    expect(newFunctionCallItemId()).toMatch(/^fc_[0-9a-f]{32}$/);
    expect(newCustomToolCallItemId()).toMatch(/^ctc_[0-9a-f]{32}$/);
    expect(newCallId()).toMatch(/^call_[A-Za-z0-9_-]{24}$/);
    expect(newFunctionCallItemId()).not.toBe(newFunctionCallItemId());
  });
});

describe('ToolNames', () => {
  it('keeps valid names, flattens namespaces, sanitizes, cuts to 64 and resolves collisions with a suffix', () => {
    const names = new ToolNames();
    const renamed: string[] = [];
    const note = (text: string): void => void renamed.push(text);
    expect(names.register({ kind: 'function', name: 'exec_command' }, note)).toBe('exec_command');
    expect(names.register({ kind: 'function', name: 'wait', namespace: 'clock' }, note)).toBe('clock__wait');
    expect(names.register({ kind: 'custom', name: 'clock__wait' }, note)).toBe('clock__wait_2');
    expect(names.register({ kind: 'function', name: 'get.weather' }, note)).toBe('get_weather');
    const long = 'x'.repeat(70);
    expect(names.register({ kind: 'function', name: long }, note)).toBe('x'.repeat(64));
    expect(names.register({ kind: 'function', name: `${long}y` }, note)).toBe(`${'x'.repeat(62)}_2`);
    expect(names.register({ kind: 'function', name: 'wait', namespace: 'clock' }, note)).toBe('clock__wait');
    expect(renamed).toHaveLength(4);
    expect(names.size).toBe(6);
    expect(names.chatNameOf('wait', 'clock')).toBe('clock__wait');
    expect(names.chatNameOf('wait')).toBeUndefined();
    expect(names.originOf('clock__wait_2')).toEqual({ kind: 'custom', name: 'clock__wait' });
    expect(names.originOf('never_offered')).toEqual({ kind: 'function', name: 'never_offered' });
  });
});
