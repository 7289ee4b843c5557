import OpenAI, { APIError, BadRequestError, UnprocessableEntityError } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startOpenAIDouble, type Double, type OpenAIFlavor } from '../doubles/index.js';

// Each OpenAI-compatible flavor's quirks (providers.md section 3), seen through the real openai SDK.

const doubles: Double[] = [];
afterEach(async () => {
  while (doubles.length) await doubles.pop()?.close();
});

async function flavor(name: OpenAIFlavor): Promise<{ double: Double; client: OpenAI }> {
  const double = await startOpenAIDouble({ flavor: name });
  doubles.push(double);
  return { double, client: new OpenAI({ apiKey: 'test-key-0123456789', baseURL: double.url, maxRetries: 0 }) };
}

const user = (content: string) => [{ role: 'user' as const, content }];

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

async function rawStream(double: Double, path: string, body: unknown): Promise<string> {
  const response = await fetch(new URL(path, double.url.replace(/\/?$/, '/')), {
    method: 'POST',
    headers: { authorization: 'Bearer test-key-0123456789', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return response.text();
}

describe('deepseek flavor', () => {
  it('reports cache hits and misses, and answers at the root path too', async () => {
    const { double } = await flavor('deepseek');
    double.enqueue({ kind: 'reply', text: 'ok', usage: { inputTokens: 120, cacheReadTokens: 100 } });
    const root = new OpenAI({ apiKey: 'k', baseURL: double.url.replace(/\/v1$/, ''), maxRetries: 0 });
    const completion = await root.chat.completions.create({ model: 'deepseek-flash', messages: user('hi') });
    expect(double.requests[0]?.path).toBe('/chat/completions');
    expect(completion.usage).toMatchObject({ prompt_tokens: 120, prompt_tokens_details: { cached_tokens: 100 }, prompt_cache_hit_tokens: 100, prompt_cache_miss_tokens: 20 });
  });

  it('streams reasoning_content before content, and returns it non-streamed', async () => {
    const { double, client } = await flavor('deepseek');
    const reply = { kind: 'reply' as const, reasoning: 'Let me think.', text: 'Answer.' };
    double.enqueue(reply, reply);
    const chunks = await collect(await client.chat.completions.create({ model: 'deepseek-flash', messages: user('q'), stream: true }));
    const deltas = chunks.map((chunk) => chunk.choices[0]?.delta as Record<string, unknown> | undefined);
    const reasoning = deltas.map((delta) => delta?.reasoning_content ?? '').join('');
    const firstContent = deltas.findIndex((delta) => typeof delta?.content === 'string' && delta.content !== '');
    const lastReasoning = deltas.findLastIndex((delta) => typeof delta?.reasoning_content === 'string' && delta.reasoning_content !== '');
    expect(reasoning).toBe('Let me think.');
    expect(lastReasoning).toBeLessThan(firstContent);
    const completion = await client.chat.completions.create({ model: 'deepseek-flash', messages: user('q') });
    expect(completion.choices[0]?.message).toMatchObject({ content: 'Answer.', reasoning_content: 'Let me think.' });
    expect(completion.usage?.completion_tokens_details?.reasoning_tokens).toBe(4);
  });

  it('rejects the retired model names with Model Not Exist', async () => {
    const { client } = await flavor('deepseek');
    for (const model of ['deepseek-chat', 'deepseek-reasoner']) {
      const error = await client.chat.completions.create({ model, messages: user('hi') }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).message).toBe('400 Model Not Exist');
    }
  });
});

describe('openrouter flavor', () => {
  it('sends processing comments (one before any data) and always sends usage with cost', async () => {
    const { double, client } = await flavor('openrouter');
    const text = await rawStream(double, 'chat/completions', { model: 'openai/gpt-4o-mini', messages: user('hi'), stream: true });
    expect(text.startsWith(': OPENROUTER PROCESSING\n\n')).toBe(true);
    expect(text.match(/^: OPENROUTER PROCESSING$/gm)?.length).toBeGreaterThanOrEqual(2);
    const chunks = await collect(await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: user('hi'), stream: true }));
    const usage = chunks.at(-1)?.usage as unknown as Record<string, unknown>;
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(usage).toMatchObject({ prompt_tokens: 1, cost: expect.any(Number), cost_details: expect.any(Object), is_byok: false });
    expect(chunks[0]?.id).toMatch(/^gen-/);
  });

  it('delivers a mid-stream error as a chunk with an error field and finish_reason error', async () => {
    const { double, client } = await flavor('openrouter');
    double.enqueue({ kind: 'midstream-error', afterChunks: 1, message: 'Provider disconnected unexpectedly' });
    const text = await rawStream(double, 'chat/completions', { model: 'm', messages: user('hi'), stream: true });
    expect(text).toMatch(/"error":\{"code":"server_error","message":"Provider disconnected unexpectedly"\}/);
    expect(text).toContain('"finish_reason":"error"');
    expect(text).not.toContain('[DONE]');
    double.enqueue({ kind: 'midstream-error', afterChunks: 1, message: 'Provider disconnected unexpectedly' });
    const error = await collect(await client.chat.completions.create({ model: 'm', messages: user('hi'), stream: true })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
  });
});

describe('groq flavor', () => {
  it('rejects logprobs, logit_bias, top_logprobs, messages[].name and n > 1', async () => {
    const { client } = await flavor('groq');
    const bodies = [
      { logprobs: true },
      { logit_bias: { '50256': -100 } },
      { top_logprobs: 2 },
      { n: 2 },
      { messages: [{ role: 'user' as const, content: 'hi', name: 'alice' }] },
    ];
    for (const extra of bodies) {
      const error = await client.chat.completions.create({ model: 'llama-3.3-70b-versatile', messages: user('hi'), ...extra }).catch((caught: unknown) => caught);
      expect(error, JSON.stringify(extra)).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).type).toBe('invalid_request_error');
    }
  });

  it('tags the first and the final chunk with x_groq, the final one with usage', async () => {
    const { client } = await flavor('groq');
    const chunks = (await collect(await client.chat.completions.create({ model: 'llama-3.3-70b-versatile', messages: user('hello'), stream: true }))) as unknown as Array<Record<string, unknown>>;
    expect(chunks[0]?.x_groq).toEqual({ id: expect.stringMatching(/^req_/) });
    expect(chunks.at(-1)?.x_groq).toMatchObject({ usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 } });
  });
});

describe('mistral flavor', () => {
  const toolTurn = (id: string) => [
    { role: 'user' as const, content: 'weather?' },
    { role: 'assistant' as const, tool_calls: [{ id, type: 'function' as const, function: { name: 'get_weather', arguments: '{}' } }] },
    { role: 'tool' as const, tool_call_id: id, content: 'sunny' },
  ];

  it('rejects tool-call ids that are not 9 alphanumerics, and accepts those that are', async () => {
    const { client } = await flavor('mistral');
    const error = await client.chat.completions.create({ model: 'mistral-small-latest', messages: toolTurn('call_abc123') }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).error).toEqual({
      object: 'error',
      message: 'Tool call id was call_abc123 but must be a-z, A-Z, 0-9, with a length of 9.',
      type: 'invalid_function_call',
      param: null,
      code: '3280',
    });
    const ok = await client.chat.completions.create({ model: 'mistral-small-latest', messages: toolTurn('a1B2c3D4e') });
    expect(ok.choices[0]?.message.content).toBe('Echo: weather?');
  });

  it('generates 9-character tool-call ids and sends usage on the last content chunk', async () => {
    const { double, client } = await flavor('mistral');
    double.enqueue({ kind: 'reply', toolCalls: [{ name: 'get_weather', arguments: '{"location":"Paris"}' }] });
    const completion = await client.chat.completions.create({ model: 'mistral-small-latest', messages: user('weather?') });
    expect(completion.choices[0]?.message.tool_calls?.[0]?.id).toMatch(/^[a-zA-Z0-9]{9}$/);
    const chunks = await collect(await client.chat.completions.create({ model: 'mistral-small-latest', messages: user('hello'), stream: true }));
    const last = chunks.at(-1);
    expect(last?.choices[0]?.finish_reason).toBe('stop');
    expect(last?.choices[0]?.delta.content).toBeTruthy();
    expect(last?.usage).toEqual({ prompt_tokens: 2, total_tokens: 5, completion_tokens: 3 });
  });

  it('rejects stream_options with a 422 extra_forbidden', async () => {
    const { client } = await flavor('mistral');
    const error = await client.chat.completions
      .create({ model: 'mistral-small-latest', messages: user('hi'), stream: true, stream_options: { include_usage: true } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect(JSON.stringify((error as APIError).error)).toContain('extra_forbidden');
  });
});

describe('gemini flavor', () => {
  it('serves the OpenAI endpoint under /v1beta/openai and lists models/ names', async () => {
    const { double, client } = await flavor('gemini');
    expect(double.url).toMatch(/\/v1beta\/openai$/);
    const completion = await client.chat.completions.create({ model: 'gemini-2.5-flash', messages: user('hi') });
    expect(completion.choices[0]?.message.content).toBe('Echo: hi');
    const chunks = await collect(await client.chat.completions.create({ model: 'gemini-2.5-flash', messages: user('hi'), stream: true, stream_options: { include_usage: true } }));
    expect(chunks.at(-1)?.usage?.total_tokens).toBe(3);
    const models = [];
    for await (const model of client.models.list()) models.push(model.id);
    expect(models).toContain('models/gemini-2.5-flash');
  });

  it("wraps errors Google's way: a wrong key is a 400 inside a one-element array", async () => {
    const double = await startOpenAIDouble({ flavor: 'gemini', apiKey: 'AIza-right' });
    doubles.push(double);
    const client = new OpenAI({ apiKey: 'AIza-wrong', baseURL: double.url, maxRetries: 0 });
    const error = await client.chat.completions.create({ model: 'gemini-2.5-flash', messages: user('hi') }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    const response = await fetch(`${double.url}/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer AIza-wrong' }, body: '{}' });
    expect(await response.json()).toEqual([{ error: { code: 400, message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT' } }]);
  });
});
