import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { rawRequest, startGateway, type Gateway } from '../helpers/gateway.js';

let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'hi' }];

describe('retries and circuit breakers', () => {
  it("retries the last candidate after the upstream's retry-after, within the bound", async () => {
    gateway = await startGateway({ config: { routing: { retries: 1, maxRetryAfterMs: 2000 } } });
    gateway.openai.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '1' } });
    gateway.openai.setDefault({ kind: 'reply', text: 'after the wait' });
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });
    const started = Date.now();
    const completion = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages }, { headers: { 'x-lodestar-project': 'retry' } });
    expect(completion.choices[0]?.message.content).toBe('after the wait');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(gateway.openai.requests).toHaveLength(2);
    const event = await gateway.eventFor('retry');
    expect(event.fallbacks).toEqual([expect.objectContaining({ model: 'openai/gpt-4o-mini', status: 429 })]);
  });

  it('passes a retry-after beyond the bound to the client instead of waiting', async () => {
    gateway = await startGateway({ config: { routing: { retries: 1, maxRetryAfterMs: 2000 } } });
    gateway.openai.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '60' } });
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });
    const error = (await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages }).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(429);
    expect(error.headers?.get('retry-after')).toBe('60');
    expect(gateway.openai.requests).toHaveLength(1);
  });

  it('opens a failing provider\'s circuit, skips it without calling it, and closes it after a good probe', async () => {
    gateway = await startGateway({ config: { routing: { retries: 0, circuit: { failureThreshold: 2, cooldownMs: 1500 } }, models: { 'anthropic/claude-sonnet-5': { quality: 90 } } } });
    gateway.anthropic.setDefault({ kind: 'error', status: 529, type: 'overloaded_error' });
    gateway.openai.setDefault({ kind: 'reply', text: 'openai answers' });
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });
    for (let index = 0; index < 2; index++) {
      const { response } = await client.chat.completions.create({ model: 'lodestar/strong', messages }).withResponse();
      expect(response.headers.get('x-lodestar-model')).toBe('openai/gpt-5');
    }
    expect(gateway.anthropic.requests).toHaveLength(2);
    const health = JSON.parse((await rawRequest(gateway.port, { method: 'GET', path: '/health' })).text);
    expect(health.status).toBe('degraded');
    expect(health.providers.anthropic).toMatchObject({ state: 'open', consecutiveFailures: 2 });
    expect(health.providers.anthropic.lastError).toContain('anthropic answered 529');

    // While open, Anthropic is not even called.
    const { response } = await client.chat.completions.create({ model: 'lodestar/strong', messages }).withResponse();
    expect(response.headers.get('x-lodestar-model')).toBe('openai/gpt-5');
    expect(gateway.anthropic.requests).toHaveLength(2);
    const direct = (await client.chat.completions.create({ model: 'anthropic/claude-haiku-4-5', messages }).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(direct.status).toBe(503);
    expect(direct.message).toContain('circuit is open');

    // After the cooldown, one request probes it; it works again, so the circuit closes.
    gateway.anthropic.setDefault({ kind: 'reply', text: 'anthropic is back' });
    await new Promise((resolve) => setTimeout(resolve, 1600));
    const probe = await client.chat.completions.create({ model: 'lodestar/strong', messages });
    expect(probe.choices[0]?.message.content).toBe('anthropic is back');
    const after = JSON.parse((await rawRequest(gateway.port, { method: 'GET', path: '/health' })).text);
    expect(after.providers.anthropic).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
    expect(after.status).toBe('ok');
  });

  it('falls back past a stall before the first byte and past a dropped connection', async () => {
    gateway = await startGateway({ config: { timeouts: { firstByteMs: 800 }, routing: { retries: 0 }, models: { 'anthropic/claude-sonnet-5': { quality: 90 } } } });
    gateway.anthropic.enqueue({ kind: 'reply', firstByteDelayMs: 3000 });
    gateway.openai.setDefault({ kind: 'reply', text: 'fallback' });
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'lodestar/strong', messages, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('fallback');
    gateway.anthropic.enqueue({ kind: 'drop', afterChunks: 0 });
    const second = await client.chat.completions.create({ model: 'lodestar/strong', messages });
    expect(second.choices[0]?.message.content).toBe('fallback');
  });

  it("an edit whose cheapest adequate models are all at one provider goes to another provider's adequate model when that one is down", async () => {
    // OpenAI, DeepSeek and Anthropic keys, no rule of the user's: deepseek-flash (and deepseek-v4-pro, the same model)
    // are the cheapest at the edit floor; Claude Sonnet and gpt-5 meet it too.
    gateway = await startGateway({ config: { routing: { retries: 0 } } });
    gateway.deepseek.setDefault({ kind: 'error', status: 500 });
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });
    const { data, response } = await client.chat.completions
      .create({ model: 'lodestar/auto', messages: [{ role: 'user', content: 'Rename foo to bar in main.py' }] }, { headers: { 'x-lodestar-task': 'edit', 'x-lodestar-project': 'outage' } })
      .withResponse();
    expect(data.choices[0]?.message.content).toBeTruthy();
    expect(response.headers.get('x-lodestar-provider')).not.toBe('deepseek');
    expect(response.headers.get('x-lodestar-quality')).toMatch(/^(measured|calibrated) [\d.]+/);
    const event = await gateway.eventFor('outage');
    // One outage: deepseek-v4-pro, the same provider's next model, is not tried after deepseek-flash's 500.
    expect(event.fallbacks.map((attempt) => [attempt.model, attempt.status])).toEqual([['deepseek/deepseek-flash', 500]]);
    expect(gateway.deepseek.requests).toHaveLength(1);
    expect(event).toMatchObject({ status: 'ok', model: response.headers.get('x-lodestar-model') });
  });

  it("after a 429, tries a sibling model at the same provider (a model's rate limit is not an outage)", async () => {
    gateway = await startGateway({ config: { routing: { retries: 0 }, providers: { ollama: { enabled: false } } }, env: { DEEPSEEK_API_KEY: '', ANTHROPIC_API_KEY: '' } });
    gateway.openai.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '60' } });
    gateway.openai.setDefault({ kind: 'reply', text: 'from the sibling' });
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });
    const { data, response } = await client.chat.completions
      .create({ model: 'lodestar/auto', messages: [{ role: 'user', content: 'Rename foo to bar in main.py' }] }, { headers: { 'x-lodestar-task': 'edit' } })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('from the sibling');
    // The two OpenAI models that meet the edit floor: the cheaper for this request got the 429, the other answered.
    const models = gateway.openai.requests.map((request) => (request.body as { model: string }).model);
    expect(new Set(models)).toEqual(new Set(['gpt-5', 'o3']));
    expect(response.headers.get('x-lodestar-fallbacks')).toBe(`openai/${models[0]}`);
    expect(response.headers.get('x-lodestar-model')).toBe(`openai/${models[1]}`);
  });
});
