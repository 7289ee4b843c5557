import OpenAI, { APIError, AuthenticationError, BadRequestError, RateLimitError } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startOpenAIDouble } from '../doubles/index.js';
import type { Double } from '../doubles/index.js';

// The real `openai` SDK (v7.57) against the OpenAI double: if the SDK is happy, the double speaks OpenAI.

const doubles: Double[] = [];
afterEach(async () => {
  while (doubles.length) await doubles.pop()?.close();
});

async function openai(options: Parameters<typeof startOpenAIDouble>[0] = {}): Promise<{ double: Double; client: OpenAI }> {
  const double = await startOpenAIDouble(options);
  doubles.push(double);
  const client = new OpenAI({ apiKey: options.apiKey ?? 'sk-test-1234567890abcdef', baseURL: double.url, maxRetries: 0 });
  return { double, client };
}

const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] } },
};

describe('OpenAI double with the openai SDK', () => {
  it('answers a non-streamed completion in the spec shape, echoing the request', async () => {
    const { double, client } = await openai();
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there, double!' }] });
    expect(double.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('gpt-4o-mini');
    expect(completion.choices[0]).toEqual({
      index: 0,
      message: { role: 'assistant', content: 'Echo: Hello there, double!', refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: 'stop',
    });
    expect(completion.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 });
    expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
    expect(completion.usage?.completion_tokens_details?.reasoning_tokens).toBe(0);
    expect(completion).toMatchObject({ service_tier: 'default', system_fingerprint: expect.stringMatching(/^fp_/) });
    expect(double.requests).toHaveLength(1);
    expect(double.requests[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions', aborted: false });
    expect(double.requests[0]?.headers.authorization).toBe('Bearer sk-test-1234567890abcdef');
  });

  it('streams content deltas in several chunks, with usage only when asked', async () => {
    const { double, client } = await openai();
    double.enqueue({ kind: 'reply', text: 'The quick brown fox jumps', chunkSize: 5 });
    const stream = await client.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '', refusal: null });
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('The quick brown fox jumps');
    expect(chunks.filter((chunk) => chunk.choices[0]?.delta.content).length).toBe(5);
    expect(chunks.at(-1)?.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(chunks.every((chunk) => !('usage' in chunk))).toBe(true);
    // Real OpenAI pads chunks with `obfuscation` by default.
    expect(chunks.every((chunk) => typeof (chunk as unknown as { obfuscation?: unknown }).obfuscation === 'string')).toBe(true);

    double.enqueue({ kind: 'reply', text: 'abc', usage: { inputTokens: 100, cacheReadTokens: 40, outputTokens: 3 } });
    const withUsage = await client.chat.completions.create({
      model: 'gpt-4.1',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true, include_obfuscation: false },
    });
    const all = [];
    for await (const chunk of withUsage) all.push(chunk);
    const last = all.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ prompt_tokens: 100, completion_tokens: 3, total_tokens: 103, prompt_tokens_details: { cached_tokens: 40 } });
    expect(all.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    expect(all.some((chunk) => 'obfuscation' in chunk)).toBe(false);
  });

  it('returns tool calls non-streamed and streams them as index-keyed fragments', async () => {
    const { double, client } = await openai();
    const call = { name: 'get_weather', arguments: '{"location":"Paris, France"}' };
    double.enqueue({ kind: 'reply', toolCalls: [call] }, { kind: 'reply', toolCalls: [call], chunkSize: 6 });
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'weather?' }], tools: [weatherTool] });
    const message = completion.choices[0]?.message;
    expect(message?.content).toBeNull();
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(message?.tool_calls).toEqual([{ id: expect.stringMatching(/^call_/), type: 'function', function: call }]);

    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'weather?' }], tools: [weatherTool], stream: true });
    const fragments = [];
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      fragments.push(...(chunk.choices[0]?.delta.tool_calls ?? []));
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(fragments[0]).toEqual({ index: 0, id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'get_weather', arguments: '' } });
    expect(fragments.length).toBeGreaterThan(2);
    expect(fragments.slice(1).every((fragment) => fragment.id === undefined && fragment.function?.name === undefined)).toBe(true);
    expect(fragments.map((fragment) => fragment.function?.arguments ?? '').join('')).toBe(call.arguments);
    expect(finish).toBe('tool_calls');
  });

  it("runs the SDK's stream helper to a final completion", async () => {
    const { double, client } = await openai();
    double.enqueue({ kind: 'reply', text: 'Streaming helper works.' });
    const runner = client.chat.completions.stream({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe('Streaming helper works.');
  });

  it('cuts the reply at max_completion_tokens with finish_reason length', async () => {
    const { client } = await openai();
    const completion = await client.chat.completions.create({ model: 'gpt-5', max_completion_tokens: 2, messages: [{ role: 'user', content: 'a long question that needs a long answer' }] });
    expect(completion.choices[0]?.finish_reason).toBe('length');
    expect(completion.choices[0]?.message.content).toBe('Echo: a ');
    expect(completion.usage?.completion_tokens).toBe(2);
  });

  it('rejects a wrong key with OpenAI 401 body, the key masked', async () => {
    const { client } = await openai({ apiKey: 'sk-right-key-000000000000' });
    const wrong = new OpenAI({ apiKey: 'sk-VKMIswrongwrongwrongwjh3', baseURL: client.baseURL, maxRetries: 0 });
    const error = await wrong.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthenticationError);
    const apiError = error as AuthenticationError;
    expect(apiError.status).toBe(401);
    expect(apiError.code).toBe('invalid_api_key');
    expect(apiError.message).toContain('Incorrect API key provided: sk-VKMIs');
    expect(apiError.message).toContain('wjh3. You can find your API key at https://platform.openai.com/account/api-keys.');
    expect(apiError.message).not.toContain('sk-VKMIswrongwrongwrongwjh3');
  });

  it('validates like the API: missing messages, empty messages', async () => {
    const { client } = await openai();
    const missing = await client.chat.completions.create({ model: 'gpt-4o-mini' } as never).catch((caught: unknown) => caught);
    expect(missing).toBeInstanceOf(BadRequestError);
    expect((missing as BadRequestError).param).toBe('messages');
    const empty = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [] }).catch((caught: unknown) => caught);
    expect((empty as BadRequestError).code).toBe('empty_array');
  });

  it('gives a 429 with retry-after and rate-limit headers; the SDK retries, then throws RateLimitError', async () => {
    const { double } = await openai();
    const retrying = new OpenAI({ apiKey: 'sk-test', baseURL: double.url, maxRetries: 2 });
    const limited = { kind: 'error' as const, status: 429, headers: { 'retry-after': '0' } };
    double.enqueue(limited, limited, limited);
    const error = await retrying.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitError);
    const rateError = error as RateLimitError;
    expect(rateError.code).toBe('rate_limit_exceeded');
    expect(rateError.headers?.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(double.requests).toHaveLength(3);
  });

  it('makes the SDK throw an APIError when an error arrives mid-stream', async () => {
    const { double, client } = await openai();
    double.enqueue({ kind: 'midstream-error', afterChunks: 2, message: 'The server had an error while processing your request.' });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'something long enough' }], stream: true });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain('The server had an error while processing your request.');
    expect(seen.join('')).toBe('Echo: something '); // two 8-character chunks
  });

  it('records aborted requests when the client gives up on a stalled stream', async () => {
    const { double, client } = await openai();
    double.enqueue({ kind: 'stall', afterChunks: 1 });
    const controller = new AbortController();
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true }, { signal: controller.signal });
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) break; // got the one content chunk; the rest never comes
    }
    controller.abort();
    await expect.poll(() => double.requests[0]?.aborted, { timeout: 1500 }).toBe(true);
  });

  it('lists models', async () => {
    const { client } = await openai();
    const models = [];
    for await (const model of client.models.list()) models.push(model.id);
    expect(models).toContain('gpt-4o-mini');
  });
});
