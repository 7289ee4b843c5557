import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convertOllamaResponse } from '../ollama/ollama-chat-response.js';
import { newOutcome } from '../spec/provider.js';
import { completionToMessage } from './chat-to-message.js';
import { toAnthropicUsage, toMessageId } from './message-fields.js';

const MODEL = 'claude-sonnet-4-6';
const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '__fixtures__', name), 'utf8');

function completion(message: Record<string, unknown>, finishReason: string | null, usage?: Record<string, unknown>): string {
  return JSON.stringify({ id: 'chatcmpl-abc', object: 'chat.completion', created: 1741569952, model: 'gpt-4o', choices: [{ index: 0, message: { role: 'assistant', ...message }, logprobs: null, finish_reason: finishReason }], usage });
}

describe('completionToMessage', () => {
  it("turns the OpenAI spec's chat.completion example (providers.md 1.2) into a Message", () => {
    const body = JSON.stringify({
      id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
      object: 'chat.completion',
      created: 1741569952,
      model: 'gpt-5.4',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello! How can I assist you today?', refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
      usage: {
        prompt_tokens: 19,
        completion_tokens: 10,
        total_tokens: 29,
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
      },
      service_tier: 'default',
    });
    expect(completionToMessage(body, MODEL)).toEqual({
      id: 'msg_chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
      type: 'message',
      role: 'assistant',
      model: MODEL,
      content: [{ type: 'text', text: 'Hello! How can I assist you today?' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 19, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 10 },
    });
  });

  it("turns the spec's tool-call example (content null) into a tool_use block with the parsed input", () => {
    const body = completion(
      { content: null, tool_calls: [{ id: 'call_abc123', type: 'function', function: { name: 'get_current_weather', arguments: '{\n"location": "Boston, MA"\n}' } }] },
      'tool_calls',
      { prompt_tokens: 82, completion_tokens: 17, total_tokens: 99 },
    );
    expect(completionToMessage(body, MODEL)).toMatchObject({
      content: [{ type: 'tool_use', id: 'call_abc123', name: 'get_current_weather', input: { location: 'Boston, MA' } }],
      stop_reason: 'tool_use',
      usage: { input_tokens: 82, output_tokens: 17 },
    });
  });

  it('orders thinking (from reasoning_content, signature empty), text, then tool_use, and counts cache hits apart', () => {
    const message = completionToMessage(fixture('reasoning.completion.json'), MODEL);
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'The user asks 9.11 vs 9.8: compare 0.11 with 0.80.', signature: '' },
      { type: 'text', text: '9.8 is larger.' },
    ]);
    // DeepSeek: 120 prompt tokens, 64 of them cache hits.
    expect(message.usage).toEqual({ input_tokens: 56, cache_creation_input_tokens: 0, cache_read_input_tokens: 64, output_tokens: 58 });
    const tools = completionToMessage(fixture('parallel-tools.completion.json'), MODEL);
    expect(tools.content.map((block) => block.type)).toEqual(['text', 'tool_use', 'tool_use']);
    expect(tools.content[2]).toEqual({ type: 'tool_use', id: 'call_ABg8CfHoRZPaBnHq8NYvbVhK', name: 'get_weather', input: { location: 'Rome, Italy', unit: 'celsius' } });
  });

  it("reads OpenRouter's reasoning field as thinking too", () => {
    expect(completionToMessage(completion({ content: 'Yes.', reasoning: 'Check first.' }, 'stop'), MODEL).content[0]).toEqual({ type: 'thinking', thinking: 'Check first.', signature: '' });
  });

  it("takes Ollama's adapter output: thinking, a tool call, its counts", () => {
    const body = convertOllamaResponse(
      {
        model: 'qwen3:4b',
        message: { role: 'assistant', content: '', thinking: 'Need the weather.', tool_calls: [{ function: { name: 'get_weather', arguments: { location: 'Paris' } } }] },
        done: true,
        done_reason: 'stop',
        prompt_eval_count: 212,
        eval_count: 23,
      },
      'qwen3:4b',
      newOutcome(),
    );
    expect(completionToMessage(body, MODEL)).toMatchObject({
      id: expect.stringMatching(/^msg_chatcmpl-/),
      model: MODEL,
      content: [
        { type: 'thinking', thinking: 'Need the weather.', signature: '' },
        { type: 'tool_use', id: expect.stringMatching(/^call_/), name: 'get_weather', input: { location: 'Paris' } },
      ],
      stop_reason: 'tool_use',
      usage: { input_tokens: 212, output_tokens: 23 },
    });
  });

  it.each([
    ['length', 'max_tokens'],
    ['content_filter', 'refusal'],
    ['function_call', 'tool_use'],
    ['stop', 'end_turn'],
    [null, 'end_turn'],
  ])('maps finish_reason %s to stop_reason %s', (finish, stopReason) => {
    expect(completionToMessage(completion({ content: 'Hi' }, finish), MODEL).stop_reason).toBe(stopReason);
  });

  it('says tool_use when an upstream answers tool calls with finish_reason stop', () => {
    const body = completion({ content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'ls', arguments: '{}' } }] }, 'stop');
    expect(completionToMessage(body, MODEL).stop_reason).toBe('tool_use');
  });

  it.each([
    ['truncated JSON', '{"location": "Par'],
    ['an array', '[1, 2]'],
    ['null', 'null'],
    ['nothing', ''],
  ])('gives {} as the input of a tool call whose arguments are %s', (_what, text) => {
    const body = completion({ content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: text } }] }, 'length');
    expect(completionToMessage(body, MODEL).content).toEqual([{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: {} }]);
  });

  it('makes tool call ids acceptable to Anthropic and gives a missing one a toolu_ id', () => {
    const body = completion({ content: null, tool_calls: [{ id: 'functions.get_weather:0', function: { name: 'get_weather', arguments: '{}' } }, { function: { name: 'ls', arguments: '{}' } }] }, 'tool_calls');
    const ids = completionToMessage(body, MODEL).content.map((block) => (block.type === 'tool_use' ? block.id : ''));
    expect(ids[0]).toBe('functions_get_weather_0');
    expect(ids[1]).toMatch(/^toolu_[A-Za-z0-9_-]+$/);
  });

  it('leaves content empty for an empty answer, and usage 0 when the upstream reported none', () => {
    expect(completionToMessage(completion({ content: '' }, 'stop'), MODEL)).toMatchObject({
      content: [],
      usage: { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 },
    });
  });
});

describe('toAnthropicUsage', () => {
  it('takes cache reads and writes out of input_tokens: the three add up to the whole input', () => {
    expect(toAnthropicUsage({ inputTokens: 1500, cachedInputTokens: 300, cacheWriteTokens: 200, outputTokens: 100, reasoningTokens: 40 })).toEqual({
      input_tokens: 1000,
      cache_creation_input_tokens: 200,
      cache_read_input_tokens: 300,
      output_tokens: 100,
    });
  });

  it('never goes below 0 when an upstream reports more cached tokens than prompt tokens', () => {
    expect(toAnthropicUsage({ inputTokens: 10, cachedInputTokens: 12 }).input_tokens).toBe(0);
  });
});

describe('toMessageId', () => {
  it('prefixes msg_ once, and makes one up when there is no id', () => {
    expect(toMessageId('chatcmpl-123')).toBe('msg_chatcmpl-123');
    expect(toMessageId('msg_4QpJur2dWWDjF6C758FbBw5vm12BaVipnK')).toBe('msg_4QpJur2dWWDjF6C758FbBw5vm12BaVipnK');
    expect(toMessageId(undefined)).toMatch(/^msg_[A-Za-z0-9_-]{16}$/);
  });
});
