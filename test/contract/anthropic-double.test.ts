import Anthropic, { APIError, AuthenticationError, BadRequestError } from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { startAnthropicDouble, type Double } from '../doubles/index.js';

// The real @anthropic-ai/sdk (v1.12) against the Anthropic double.

const doubles: Double[] = [];
afterEach(async () => {
  while (doubles.length) await doubles.pop()?.close();
});

async function anthropic(options: Parameters<typeof startAnthropicDouble>[0] = {}): Promise<{ double: Double; client: Anthropic }> {
  const double = await startAnthropicDouble(options);
  doubles.push(double);
  return { double, client: new Anthropic({ apiKey: options.apiKey ?? 'sk-ant-test', baseURL: double.url, maxRetries: 0 }) };
}

const MODEL = 'claude-sonnet-4-6';
const weatherTool = { name: 'get_weather', input_schema: { type: 'object' as const, properties: { location: { type: 'string' } }, required: ['location'] } };

describe('Anthropic double with the @anthropic-ai/sdk', () => {
  it('answers messages.create in the Message shape; input_tokens excludes cache tokens', async () => {
    const { double, client } = await anthropic();
    double.enqueue({ kind: 'reply', text: 'Hello!', usage: { inputTokens: 1000, cacheReadTokens: 600, cacheWriteTokens: 300, outputTokens: 5 } });
    const message = await client.messages.create({ model: MODEL, max_tokens: 256, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] });
    expect(message).toEqual({
      id: expect.stringMatching(/^msg_01/),
      type: 'message',
      role: 'assistant',
      model: MODEL,
      content: [{ type: 'text', text: 'Hello!' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 100, cache_creation_input_tokens: 300, cache_read_input_tokens: 600, output_tokens: 5, service_tier: 'standard' },
    });
    const headers = double.requests[0]?.headers ?? {};
    expect(headers.authorization).toBe('Bearer sk-ant-test'); // what SDK 1.12 sends (Appendix C)
    expect(headers['anthropic-version']).toBe('2026-10-21');
    expect(double.requests[0]?.path).toBe('/v1/messages');
  });

  it('streams events in the fixture order', async () => {
    const { double, client } = await anthropic();
    double.enqueue({ kind: 'reply', text: 'Hello there!', chunkSize: 5 });
    const stream = await client.messages.create({ model: MODEL, max_tokens: 256, messages: [{ role: 'user', content: 'Hi' }], stream: true });
    const events = [];
    for await (const event of stream) events.push(event);
    expect(events.map((event) => event.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const start = events[0] as Anthropic.RawMessageStartEvent;
    expect(start.message.usage.output_tokens).toBe(1);
    expect(start.message.stop_reason).toBeNull();
    const delta = events.at(-2) as Anthropic.RawMessageDeltaEvent;
    expect(delta.delta).toEqual({ stop_reason: 'end_turn', stop_sequence: null });
    expect(delta.usage.output_tokens).toBe(3);
  });

  it('returns tool_use blocks, and streams them as input_json_delta fragments for finalMessage()', async () => {
    const { double, client } = await anthropic();
    const call = { name: 'get_weather', arguments: '{"location": "Paris"}' };
    double.enqueue({ kind: 'reply', text: "I'll check.", toolCalls: [call] }, { kind: 'reply', text: "I'll check.", toolCalls: [call], chunkSize: 4 });
    const message = await client.messages.create({ model: MODEL, max_tokens: 256, tools: [weatherTool], messages: [{ role: 'user', content: 'Weather in Paris?' }] });
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toEqual([
      { type: 'text', text: "I'll check." },
      { type: 'tool_use', id: expect.stringMatching(/^toolu_01/), name: 'get_weather', input: { location: 'Paris' } },
    ]);

    const stream = client.messages.stream({ model: MODEL, max_tokens: 256, tools: [weatherTool], messages: [{ role: 'user', content: 'Weather in Paris?' }] });
    const jsonFragments: string[] = [];
    stream.on('streamEvent', (event) => {
      if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') jsonFragments.push(event.delta.partial_json);
    });
    const final = await stream.finalMessage();
    expect(final.content[1]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { location: 'Paris' } });
    expect(jsonFragments[0]).toBe('');
    expect(jsonFragments.length).toBeGreaterThan(2);
    expect(final.stop_reason).toBe('tool_use');
  });

  it('puts a thinking block first, with thinking and signature deltas', async () => {
    const { double, client } = await anthropic();
    double.enqueue({ kind: 'reply', reasoning: 'Think it through.', text: 'Done.' });
    const final = await client.messages.stream({ model: MODEL, max_tokens: 2048, messages: [{ role: 'user', content: 'Hm?' }] }).finalMessage();
    expect(final.content[0]).toMatchObject({ type: 'thinking', thinking: 'Think it through.', signature: expect.any(String) });
    expect(final.content[1]).toEqual({ type: 'text', text: 'Done.' });
  });

  it('maps a length cut to stop_reason max_tokens', async () => {
    const { client } = await anthropic();
    const message = await client.messages.create({ model: MODEL, max_tokens: 2, messages: [{ role: 'user', content: 'tell me a long story' }] });
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.usage.output_tokens).toBe(2);
  });

  it('turns a 529 into an SDK error with status 529 and type overloaded_error', async () => {
    const { double, client } = await anthropic();
    double.enqueue({ kind: 'error', status: 529 });
    const error = await client.messages.create({ model: MODEL, max_tokens: 16, messages: [{ role: 'user', content: 'x' }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(529);
    expect((error as APIError).error).toMatchObject({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' }, request_id: expect.stringMatching(/^req_/) });
    expect((error as APIError).requestID).toMatch(/^req_/);
  });

  it('makes the SDK throw on an error event mid-stream', async () => {
    const { double, client } = await anthropic();
    double.enqueue({ kind: 'midstream-error', afterChunks: 1 });
    const stream = await client.messages.create({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'x' }], stream: true });
    const types: string[] = [];
    const error = await (async () => {
      for await (const event of stream) types.push(event.type);
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    expect(String((error as APIError).message)).toContain('Overloaded');
    expect(types).toEqual(['message_start', 'content_block_start', 'content_block_delta']);
  });

  it('validates like the API', async () => {
    const { client } = await anthropic();
    const attempt = async (body: Record<string, unknown>): Promise<{ type: string; message: string }> => {
      const error = await client.messages.create(body as never).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(BadRequestError);
      return ((error as BadRequestError).error as { error: { type: string; message: string } }).error;
    };
    expect(await attempt({ model: MODEL, messages: [{ role: 'user', content: 'x' }] })).toEqual({ type: 'invalid_request_error', message: 'max_tokens: Field required' });
    const system = await attempt({ model: MODEL, max_tokens: 5, messages: [{ role: 'system', content: 'x' }, { role: 'user', content: 'y' }] });
    expect(system.message).toContain('Unexpected role "system"');
    const hot = await attempt({ model: MODEL, max_tokens: 5, temperature: 1.5, messages: [{ role: 'user', content: 'x' }] });
    expect(hot.message).toBe('temperature: Input should be less than or equal to 1');
  });

  it('accepts x-api-key as well as Bearer, requires anthropic-version, and rejects wrong keys', async () => {
    const { double } = await anthropic({ apiKey: 'sk-ant-right' });
    const body = JSON.stringify({ model: MODEL, max_tokens: 8, messages: [{ role: 'user', content: 'x' }] });
    const viaHeader = await fetch(`${double.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'sk-ant-right', 'anthropic-version': '2023-06-01' }, body });
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.headers.get('request-id')).toMatch(/^req_/);
    const noVersion = await fetch(`${double.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'sk-ant-right' }, body });
    expect(noVersion.status).toBe(400);
    expect(await noVersion.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' } });
    const wrong = new Anthropic({ apiKey: 'sk-ant-wrong', baseURL: double.url, maxRetries: 0 });
    const error = await wrong.messages.create({ model: MODEL, max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthenticationError);
  });

  it('lists models with pagination fields and counts tokens', async () => {
    const { client } = await anthropic();
    const page = await client.models.list({ limit: 2 });
    // Newest first (2.6): the 5.5 line released in 2026-09/10.
    expect(page.data.map((model) => model.id)).toEqual(['claude-haiku-5-5', 'claude-sonnet-5-5']);
    expect(page.has_more).toBe(true);
    const all = [];
    for await (const model of client.models.list()) all.push(model.id);
    expect(all).toContain(MODEL);
    const count = await client.messages.countTokens({ model: MODEL, system: 'abcd', messages: [{ role: 'user', content: 'efghijkl' }] });
    expect(count).toEqual({ input_tokens: 3 });
  });
});
