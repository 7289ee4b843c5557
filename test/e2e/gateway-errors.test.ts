import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rawRequest, startGateway, type Gateway } from '../helpers/gateway.js';

/**
 * Everything that goes wrong, as the client sees it: its own mistakes (clear 4xx naming the
 * field), the upstream's failures before the first byte (an OpenAI error, or the next
 * candidate), and after it (an error frame, never a clean [DONE]).
 */
let gateway: Gateway;
let client: OpenAI;

beforeAll(async () => {
  // No retries here: each failure below is seen as the client would see it after all attempts.
  gateway = await startGateway({
    // A score for Sonnet 5 (no benchmark covers it) makes lodestar/strong try it first.
    config: {
      timeouts: { firstByteMs: 1500, idleMs: 1000, connectMs: 1000 },
      limits: { maxBodyBytes: 65536 },
      routing: { retries: 0, circuit: { failureThreshold: 100 } },
      models: { 'anthropic/claude-sonnet-5': { quality: 90 } },
    },
  });
  client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });
});
afterAll(async () => {
  await gateway?.stop();
});
beforeEach(() => {
  for (const double of [gateway.openai, gateway.deepseek, gateway.anthropic, gateway.ollama]) double.reset();
});

const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hello' }];
const body = (extra: Record<string, unknown> = {}): string => JSON.stringify({ model: 'openai/gpt-4o-mini', messages, ...extra });

describe('the client gets a clear error for its own mistakes', () => {
  it('401 without a token or with a wrong one, never echoing it', async () => {
    const none = await rawRequest(gateway.port, { body: body() });
    expect(none.status).toBe(401);
    expect(JSON.parse(none.text)).toMatchObject({ error: { type: 'authentication_error', code: 'invalid_api_key' } });

    const wrong = new OpenAI({ baseURL: gateway.baseURL, apiKey: 'ls-not-the-token-at-all-123456789', maxRetries: 0 });
    const error = await wrong.chat.completions.create({ model: 'openai/gpt-4o-mini', messages }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(String((error as Error).message)).not.toContain('ls-not-the-token');

    const viaApiKeyHeader = await rawRequest(gateway.port, { body: body(), headers: { 'x-api-key': gateway.token } });
    expect(viaApiKeyHeader.status).toBe(200);
  });

  it('403 for a foreign Host header (DNS rebinding), before the token is even looked at', async () => {
    for (const host of ['evil.example.com', `attacker.test:${gateway.port}`, `127.0.0.1.nip.io:${gateway.port}`]) {
      const response = await rawRequest(gateway.port, { body: body(), headers: { host, authorization: `Bearer ${gateway.token}` } });
      expect(response.status, host).toBe(403);
      expect(JSON.parse(response.text).error.code).toBe('host_not_allowed');
    }
    const health = await rawRequest(gateway.port, { method: 'GET', path: '/health', headers: { host: 'evil.example.com' } });
    expect(health.status).toBe(403);
    const localhost = await rawRequest(gateway.port, { method: 'GET', path: '/health', headers: { host: `localhost:${gateway.port}` } });
    expect(localhost.status).toBe(200);
  });

  it('413 for a body over the limit', async () => {
    const huge = body({ messages: [{ role: 'user', content: 'x'.repeat(70_000) }] });
    const response = await rawRequest(gateway.port, { body: huge, headers: { authorization: `Bearer ${gateway.token}`, 'content-type': 'application/json' } });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.text).error.message).toContain('limit of 65536');
  });

  it.each([
    ['{"model": "openai/gpt-4o-mini"', 'invalid_json', null, 'not valid JSON'],
    [JSON.stringify({ messages }), 'invalid_request', 'model', "Missing required parameter: 'model'"],
    [JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [] }), 'invalid_request', 'messages', 'at least one message'],
    [JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'robot', content: 'x' }] }), 'invalid_request', 'messages[0].role', 'must be one of'],
    [JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 42 }] }), 'invalid_request', 'messages[0].content', 'got an integer'],
    [body({ temperature: 3 }), 'invalid_request', 'temperature', 'between 0 and 2'],
    [body({ max_tokens: 0 }), 'invalid_request', 'max_tokens', 'at least 1'],
  ])('400 naming the field: %s', async (payload, code, param, message) => {
    const response = await rawRequest(gateway.port, { body: payload, headers: { authorization: `Bearer ${gateway.token}` } });
    expect(response.status).toBe(400);
    const error = JSON.parse(response.text).error;
    expect(error).toMatchObject({ code, param, type: 'invalid_request_error' });
    expect(error.message).toContain(message);
  });

  it('404 for an unknown model, listing the models there are', async () => {
    const error = (await client.chat.completions.create({ model: 'gpt-99-ultra', messages }).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.NotFoundError>;
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.message).toContain('"gpt-99-ultra" does not exist here');
    expect(error.message).toContain('lodestar/auto');
    expect(error.message).toContain('anthropic/claude-sonnet-5');

    const keyless = (await client.chat.completions.create({ model: 'gemini/gemini-2.5-pro', messages }).catch((caught: unknown) => caught)) as Error;
    expect(keyless.message).toContain('GEMINI_API_KEY is not set');
  });

  it('400 for an unknown task header, and 400 for a bad project name', async () => {
    const task = await rawRequest(gateway.port, { body: body(), headers: { authorization: `Bearer ${gateway.token}`, 'x-lodestar-task': 'poetry' } });
    expect(task.status).toBe(400);
    expect(JSON.parse(task.text).error.param).toBe('x-lodestar-task');
    const project = await rawRequest(gateway.port, { path: '/p/..%2Fetc/v1/chat/completions', body: body(), headers: { authorization: `Bearer ${gateway.token}` } });
    expect(project.status).toBe(400);
    const session = await rawRequest(gateway.port, { path: '/p/web/s/a%20b/v1/chat/completions', body: body(), headers: { authorization: `Bearer ${gateway.token}` } });
    expect(session.status).toBe(400);
    expect(JSON.parse(session.text).error).toMatchObject({ param: 'session', message: 'Session id "a b" in the path is not valid: use 1-64 letters, digits, ".", "_" or "-"' });
    const header = await rawRequest(gateway.port, { body: body(), headers: { authorization: `Bearer ${gateway.token}`, 'x-lodestar-session': '../x' } });
    expect(header.status).toBe(400);
    expect(JSON.parse(header.text).error.param).toBe('x-lodestar-session');
    const fine = await rawRequest(gateway.port, { path: '/s/run-1/v1/chat/completions', body: body(), headers: { authorization: `Bearer ${gateway.token}` } });
    expect(fine.status).toBe(200);
    const models = await rawRequest(gateway.port, { method: 'GET', path: '/p/web/s/run-1/v1/models', headers: { authorization: `Bearer ${gateway.token}` } });
    expect(models.status).toBe(200);
  });
});

describe('upstream failures before the first byte', () => {
  it('429 with retry-after passes through as a rate limit', async () => {
    gateway.openai.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '7' } });
    const { response } = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages }).withResponse().catch((error: InstanceType<typeof OpenAI.APIError>) => ({ response: error }));
    expect(response).toBeInstanceOf(OpenAI.RateLimitError);
    const error = response as InstanceType<typeof OpenAI.RateLimitError>;
    expect(error.headers?.get('retry-after')).toBe('7');
    expect(error.message).toContain('openai answered 429');
  });

  it("Anthropic's 529 overloaded becomes 503 with retry-after", async () => {
    gateway.anthropic.enqueue({ kind: 'error', status: 529, type: 'overloaded_error', message: 'Overloaded' });
    const error = (await client.chat.completions.create({ model: 'anthropic/claude-haiku-4-5', messages }).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(503);
    expect(error.message).toContain('anthropic answered 529');
    expect(error.headers?.get('retry-after')).toBeTruthy();
  });

  it("a rejected upstream key is Lodestar's problem (502 naming the variable), not the client's", async () => {
    gateway.deepseek.enqueue({ kind: 'error', status: 401, message: 'Authentication Fails, Your api key: ****0000 is invalid' });
    const error = (await client.chat.completions.create({ model: 'deepseek/deepseek-flash', messages }).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(502);
    expect(error.message).toContain('check DEEPSEEK_API_KEY');
  });

  it('a slow first byte past firstByteMs is 504', async () => {
    gateway.openai.enqueue({ kind: 'reply', firstByteDelayMs: 4000 });
    const error = (await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages, stream: true }).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(504);
    expect(error.message).toContain('sent nothing within 1500 ms');
  });

  it('an unreachable upstream is 502 naming it', async () => {
    await gateway.ollama.close();
    const error = (await client.chat.completions.create({ model: 'ollama/qwen2.5-coder:3b', messages }).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(502);
    expect(error.message).toMatch(/could not reach ollama at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });

  it('falls back to the next candidate of a virtual model, and says so', async () => {
    gateway.anthropic.enqueue({ kind: 'error', status: 529, type: 'overloaded_error' });
    gateway.openai.setDefault({ kind: 'reply', text: 'from the fallback' });
    const { data, response } = await client.chat.completions
      .create({ model: 'lodestar/strong', messages }, { headers: { 'x-lodestar-project': 'fallback-test' } })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('from the fallback');
    expect(response.headers.get('x-lodestar-model')).toBe('openai/gpt-5');
    expect(response.headers.get('x-lodestar-fallbacks')).toBe('anthropic/claude-sonnet-5');
    const event = await gateway.eventFor('fallback-test');
    expect(event.fallbacks).toEqual([expect.objectContaining({ model: 'anthropic/claude-sonnet-5', provider: 'anthropic', status: 529 })]);
  });
});

describe('upstream failures after the first byte', () => {
  it('a mid-stream error ends the stream with an error the SDK raises, never [DONE]', async () => {
    gateway.anthropic.enqueue({ kind: 'midstream-error', afterChunks: 2, type: 'overloaded_error', message: 'Overloaded' });
    const stream = await client.chat.completions.create({ model: 'anthropic/claude-haiku-4-5', messages, stream: true }, { headers: { 'x-lodestar-project': 'midstream' } });
    let text = '';
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toContain('overloaded_error');
    expect(text.length).toBeGreaterThan(0);
    const event = await gateway.eventFor('midstream');
    expect(event).toMatchObject({ status: 'error', httpStatus: 200 });
    expect(event.usage.inputTokens).toBeGreaterThan(0);

    gateway.openai.enqueue({ kind: 'midstream-error', afterChunks: 1 });
    const raw = await rawRequest(gateway.port, { body: body({ stream: true }), headers: { authorization: `Bearer ${gateway.token}` } });
    expect(raw.status).toBe(200);
    expect(raw.text).toContain('data: {"error":');
    expect(raw.text).not.toContain('[DONE]');
  });

  it('a stall mid-stream past idleMs ends with an error, and a dropped connection too', async () => {
    gateway.openai.enqueue({ kind: 'stall', afterChunks: 2 });
    const stalled = await rawRequest(gateway.port, { body: body({ stream: true }), headers: { authorization: `Bearer ${gateway.token}` } });
    expect(stalled.text).toContain('stopped sending for 1000 ms');
    expect(stalled.text).not.toContain('[DONE]');

    gateway.openai.enqueue({ kind: 'drop', afterChunks: 2 });
    const dropped = await rawRequest(gateway.port, { body: body({ stream: true }), headers: { authorization: `Bearer ${gateway.token}` } });
    expect(dropped.text).toContain('data: {"error":');
    expect(dropped.text).not.toContain('[DONE]');
  });

  it('a client that goes away aborts the upstream request', async () => {
    gateway.openai.enqueue({ kind: 'reply', text: 'x'.repeat(400), chunkSize: 4, chunkDelayMs: 20 });
    const controller = new AbortController();
    const stream = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages, stream: true }, { signal: controller.signal, headers: { 'x-lodestar-project': 'gone' } });
    let received = 0;
    await (async () => {
      for await (const _chunk of stream) {
        if (++received === 3) controller.abort();
      }
    })().catch(() => undefined);
    const event = await gateway.eventFor('gone');
    expect(event.status).toBe('aborted');
    for (let attempt = 0; attempt < 50 && !gateway.openai.requests.at(-1)?.aborted; attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(gateway.openai.requests.at(-1)?.aborted).toBe(true);
  });
});

describe('SSE framing on the wire', () => {
  it('sends data frames separated by a blank line and ends with data: [DONE]', async () => {
    gateway.openai.setDefault({ kind: 'reply', text: 'abc def ghi', chunkSize: 3 });
    const response = await rawRequest(gateway.port, { body: body({ stream: true }), headers: { authorization: `Bearer ${gateway.token}` } });
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const frames = response.text.split('\n\n');
    expect(frames.at(-1)).toBe('');
    expect(frames.at(-2)).toBe('data: [DONE]');
    for (const frame of frames.slice(0, -2)) {
      expect(frame.startsWith('data: {')).toBe(true);
      expect(frame.includes('\n')).toBe(false);
    }
  });
});
