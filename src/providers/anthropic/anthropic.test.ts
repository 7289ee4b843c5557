import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSse } from '../http/sse.js';
import { newOutcome, type StreamChunk } from '../spec/provider.js';
import { TranslationError } from '../spec/translation-error.js';
import { UpstreamError } from '../spec/upstream-error.js';
import { translateAnthropicStream } from './anthropic-stream.js';
import { convertAnthropicResponse } from './convert-anthropic-response.js';
import { convertAnthropicUsage } from './convert-anthropic-usage.js';
import { acceptsSampling, convertToAnthropicRequest, DEFAULT_MAX_TOKENS } from './convert-to-anthropic-request.js';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '__fixtures__', name), 'utf8');

/** Feeds text to the SSE reader in small, uneven pieces, as a network would. */
async function* pieces(text: string, size = 7): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text);
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

async function translate(text: string) {
  const outcome = newOutcome();
  const chunks: StreamChunk[] = [];
  for await (const chunk of translateAnthropicStream(readSse(pieces(text)), outcome, 'anthropic')) chunks.push(chunk);
  return { outcome, chunks, parsed: chunks.map((chunk) => JSON.parse(chunk.data) as Record<string, any>) };
}

describe('translateAnthropicStream', () => {
  it('turns the SDK fixture basic_response into the equivalent OpenAI stream (providers.md appendix A)', async () => {
    const { parsed, chunks, outcome } = await translate(fixture('basic-response.sse.txt'));
    expect(parsed.map((chunk) => chunk.choices[0]?.delta ?? null)).toEqual([
      { role: 'assistant', content: '' },
      { content: 'Hello' },
      { content: ' there' },
      { content: '!' },
      {},
      null,
    ]);
    expect(parsed[4]?.choices[0].finish_reason).toBe('stop');
    for (const chunk of parsed) {
      expect(chunk).toMatchObject({ id: 'msg_4QpJur2dWWDjF6C758FbBw5vm12BaVipnK', object: 'chat.completion.chunk', model: 'claude-opus-4-8' });
    }
    expect(parsed[5]).toMatchObject({ choices: [], usage: { prompt_tokens: 11, completion_tokens: 6, total_tokens: 17 } });
    expect(chunks[5]?.usageOnly).toBe(true);
    expect(outcome).toMatchObject({ usage: { inputTokens: 11, outputTokens: 6 }, finishReason: 'stop', upstreamModel: 'claude-opus-4-8' });
  });

  it('turns tool_use blocks into tool_calls indexed from 0, whatever the block index (fixture tool_use_response)', async () => {
    const { parsed, outcome } = await translate(fixture('tool-use-response.sse.txt'));
    const toolDeltas = parsed.flatMap((chunk) => chunk.choices[0]?.delta?.tool_calls ?? []);
    expect(toolDeltas[0]).toEqual({ index: 0, id: 'toolu_01NRLabsLyVHZPKxbKvkfSMn', type: 'function', function: { name: 'get_weather', arguments: '' } });
    expect(toolDeltas.every((delta: { index: number }) => delta.index === 0)).toBe(true);
    expect(toolDeltas.map((delta: { function: { arguments: string } }) => delta.function.arguments).join('')).toBe('{"location": "Paris"}');
    expect(parsed.find((chunk) => chunk.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe('tool_calls');
    expect(outcome.usage).toEqual({ inputTokens: 377, cacheWriteTokens: 0, cachedInputTokens: 0, outputTokens: 65 });
  });

  it('ends with an UpstreamError on an error event mid-stream', async () => {
    const text = fixture('basic-response.sse.txt').split('event: content_block_stop')[0] + 'event: error\ndata: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}\n\n';
    await expect(translate(text)).rejects.toMatchObject({ name: 'UpstreamError', upstreamType: 'overloaded_error', retryable: true });
  });

  it('fails a stream that stops before message_stop', async () => {
    const text = fixture('basic-response.sse.txt').split('event: message_delta')[0] as string;
    await expect(translate(text)).rejects.toBeInstanceOf(UpstreamError);
  });
});

describe('convertAnthropicUsage', () => {
  it('counts cache reads and writes as input (the opposite of input_tokens alone)', () => {
    expect(convertAnthropicUsage({ input_tokens: 1000, cache_creation_input_tokens: 200, cache_read_input_tokens: 300, output_tokens: 100 })).toEqual({
      inputTokens: 1500,
      cacheWriteTokens: 200,
      cachedInputTokens: 300,
      outputTokens: 100,
    });
  });

  it('leaves what was not reported undefined', () => {
    expect(convertAnthropicUsage({ output_tokens: 6 })).toEqual({ outputTokens: 6 });
  });
});

describe('convertToAnthropicRequest', () => {
  it('moves system and developer messages to system, and defaults max_tokens', () => {
    const body = convertToAnthropicRequest(
      {
        model: 'claude-sonnet-4-6',
        messages: [
          { role: 'system', content: 'Be terse.' },
          { role: 'developer', content: 'Use TypeScript.' },
          { role: 'user', content: 'Hi' },
        ],
        temperature: 1.6,
        stop: 'END',
        user: 'someone',
      },
      false,
    );
    expect(body).toEqual({
      model: 'claude-sonnet-4-6',
      max_tokens: DEFAULT_MAX_TOKENS,
      system: 'Be terse.\n\nUse TypeScript.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      temperature: 1,
      stop_sequences: ['END'],
      metadata: { user_id: 'someone' },
    });
  });

  it('keeps cache_control on system and user parts (Aider --cache-prompts)', () => {
    const body = convertToAnthropicRequest(
      {
        model: 'claude-sonnet-4-6',
        messages: [
          { role: 'system', content: [{ type: 'text', text: 'rules', cache_control: { type: 'ephemeral' } }] },
          { role: 'user', content: [{ type: 'text', text: 'repo map', cache_control: { type: 'ephemeral' } }] },
        ],
      },
      true,
    );
    expect(body.system).toEqual([{ type: 'text', text: 'rules', cache_control: { type: 'ephemeral' } }]);
    expect(body.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'repo map', cache_control: { type: 'ephemeral' } }] }]);
    expect(body.stream).toBe(true);
  });

  it('turns tool calls into tool_use and merges consecutive tool results into one user turn', () => {
    const body = convertToAnthropicRequest(
      {
        model: 'claude-haiku-4-5',
        max_completion_tokens: 500,
        messages: [
          { role: 'user', content: 'Weather in Paris and Rome?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
              { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Rome"}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
          { role: 'tool', tool_call_id: 'call_2', content: 'rain' },
        ],
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } }],
        tool_choice: 'required',
        parallel_tool_calls: false,
      },
      false,
    );
    expect(body.max_tokens).toBe(500);
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { location: 'Paris' } },
          { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { location: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: 'sunny' },
          { type: 'tool_result', tool_use_id: 'call_2', content: 'rain' },
        ],
      },
    ]);
    expect(body.tools).toEqual([{ name: 'get_weather', input_schema: { type: 'object', properties: { location: { type: 'string' } } } }]);
    expect(body.tool_choice).toEqual({ type: 'any', disable_parallel_tool_use: true });
  });

  it('sends images as base64 or URL sources', () => {
    const body = convertToAnthropicRequest(
      {
        model: 'claude-sonnet-4-6',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
              { type: 'image_url', image_url: { url: 'https://example.com/a.jpg' } },
            ],
          },
        ],
      },
      false,
    );
    expect((body.messages as Array<{ content: unknown[] }>)[0]?.content.slice(1)).toEqual([
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/a.jpg' } },
    ]);
  });

  it('trims a final assistant prefill and drops temperature for models that refuse it', () => {
    const body = convertToAnthropicRequest(
      { model: 'claude-opus-4-7', temperature: 0, messages: [{ role: 'user', content: 'Go on' }, { role: 'assistant', content: 'Here is the  \n', prefix: true }] },
      false,
    );
    expect(body.temperature).toBeUndefined();
    expect((body.messages as Array<{ content: Array<{ text: string }> }>)[1]?.content[0]?.text).toBe('Here is the');
    expect(acceptsSampling('claude-sonnet-4-5-20250929')).toBe(true);
    expect(acceptsSampling('claude-opus-4-20250514')).toBe(true);
    expect(acceptsSampling('claude-sonnet-5')).toBe(false);
  });

  it('maps reasoning_effort to a thinking budget below max_tokens', () => {
    const body = convertToAnthropicRequest({ model: 'claude-sonnet-4-6', reasoning_effort: 'high', max_tokens: 1000, temperature: 0, messages: [{ role: 'user', content: 'x' }] }, false);
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 24576 });
    expect(body.max_tokens as number).toBeGreaterThan(24576);
    expect(body.temperature).toBeUndefined();
  });

  it('refuses what Anthropic cannot take, naming the field', () => {
    expect(() => convertToAnthropicRequest({ model: 'claude-haiku-4-5', n: 2, messages: [{ role: 'user', content: 'x' }] }, false)).toThrow(TranslationError);
    try {
      convertToAnthropicRequest({ model: 'c', messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{oops' } }] }] }, false);
    } catch (error) {
      expect(error).toMatchObject({ param: 'messages[0].tool_calls[0].function.arguments' });
    }
  });
});

describe('convertAnthropicResponse', () => {
  it('joins text, maps tool_use and stop_reason, and counts cache tokens as input', () => {
    const { completion, usage, finishReason } = convertAnthropicResponse({
      id: 'msg_019Q1hrJbZG26Fb9BQhrkHEr',
      model: 'claude-sonnet-4-5-20250929',
      content: [
        { type: 'text', text: "I'll check the current weather in Paris for you." },
        { type: 'tool_use', id: 'toolu_01NRLabsLyVHZPKxbKvkfSMn', name: 'get_weather', input: { location: 'Paris' } },
      ],
      stop_reason: 'tool_use',
      usage: { input_tokens: 377, cache_creation_input_tokens: 0, cache_read_input_tokens: 100, output_tokens: 65 },
    });
    expect(finishReason).toBe('tool_calls');
    expect(usage).toEqual({ inputTokens: 477, cacheWriteTokens: 0, cachedInputTokens: 100, outputTokens: 65 });
    expect(completion).toMatchObject({
      id: 'msg_019Q1hrJbZG26Fb9BQhrkHEr',
      object: 'chat.completion',
      choices: [
        {
          message: {
            role: 'assistant',
            content: "I'll check the current weather in Paris for you.",
            tool_calls: [{ id: 'toolu_01NRLabsLyVHZPKxbKvkfSMn', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 477, completion_tokens: 65, total_tokens: 542, prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 0 } },
    });
  });
});
