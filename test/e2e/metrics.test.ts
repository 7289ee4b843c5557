import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestEvent } from '../../src/ledger/request-event.js';
import { KEYS, rawRequest, startGateway, type Gateway } from '../helpers/gateway.js';
import { parsePrometheus } from '../helpers/prometheus.js';


function samples(text: string, name: string): Array<{ labels: Record<string, string>; value: number }> {
  return parsePrometheus(text.replace(/^# TYPE (\S+) histogram$/gm, '# TYPE $1 untyped'))
    .filter((family) => family.name === name)
    .flatMap((family) => family.metrics.map((metric) => ({ labels: metric.labels ?? {}, value: Number(metric.value) })));
}

function value(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  return samples(text, name).find((sample) => Object.keys(sample.labels).length === Object.keys(labels).length && Object.entries(labels).every(([key, wanted]) => sample.labels[key] === wanted))?.value;
}

function sum(values: Array<number | undefined>): number {
  return values.reduce<number>((total, item) => total + (item ?? 0), 0);
}

const PROMPT = 'a prompt that must never show up in /metrics';
const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: PROMPT }];

let gateway: Gateway;
let events: RequestEvent[];
let scrape: { status: number; headers: Record<string, string | string[] | undefined>; text: string };

beforeAll(async () => {
  gateway = await startGateway({
    config: {
      providers: { ollama: { models: { 'qwen2.5-coder:1.5b': {} } } },
      // One failure opens a circuit, so the scrape shows an open one.
      routing: { retries: 0, circuit: { failureThreshold: 1, cooldownMs: 600_000 } },
      models: { 'anthropic/claude-sonnet-5': { quality: 90 } },
    },
  });
  const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });
  gateway.anthropic.setDefault({ kind: 'reply', text: 'streamed answer', usage: { inputTokens: 3000, cacheReadTokens: 1000, outputTokens: 200 } });
  gateway.openai.setDefault({ kind: 'reply', text: 'answer', usage: { inputTokens: 1200, outputTokens: 80 } });

  // 1. Streamed.
  for await (const _chunk of await client.chat.completions.create({ model: 'anthropic/claude-haiku-4-5', messages, stream: true })) {
    // drain
  }
  // 2. Not streamed.
  await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages });
  // 3 and 4. The same deterministic request twice: the second is a cache hit.
  const cacheable = { model: 'openai/gpt-4o-mini', messages: [{ role: 'user' as const, content: 'cache me' }], temperature: 0 };
  await client.chat.completions.create(cacheable);
  await client.chat.completions.create(cacheable);
  // 5. A local model, which reports how long it took to load.
  await client.chat.completions.create({ model: 'ollama/qwen2.5-coder:1.5b', messages });
  // 6. Anthropic overloaded: the request falls back to OpenAI, and Anthropic's circuit opens.
  gateway.anthropic.enqueue({ kind: 'error', status: 529, type: 'overloaded_error' });
  await client.chat.completions.create({ model: 'lodestar/strong', messages });
  // 7. Rate-limited, and no other candidate: the client gets the 429.
  gateway.openai.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '30' } });
  const failed = (await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages }).catch((error: unknown) => error)) as InstanceType<typeof OpenAI.APIError>;
  expect(failed.status).toBe(429);

  // Metrics listen on the same bus, before the event stream: once the stream has every
  // event, so do the metrics.
  events = [...(await gateway.waitForEvents(7))];
  scrape = await rawRequest(gateway.port, { method: 'GET', path: '/metrics', headers: { authorization: `Bearer ${gateway.token}` } });
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
});

describe('GET /metrics on a running daemon', () => {
  it('wants the token', async () => {
    const none = await rawRequest(gateway.port, { method: 'GET', path: '/metrics' });
    expect(none.status).toBe(401);
    const wrong = await rawRequest(gateway.port, { method: 'GET', path: '/metrics', headers: { authorization: 'Bearer not-the-token' } });
    expect(wrong.status).toBe(401);
    const apiKey = await rawRequest(gateway.port, { method: 'GET', path: '/metrics', headers: { 'x-api-key': gateway.token } });
    expect(apiKey.status).toBe(200);
  });

  it('answers in the Prometheus text format, which an independent parser reads whole', () => {
    expect(scrape.status).toBe(200);
    expect(scrape.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(scrape.text.endsWith('\n')).toBe(true);
    const parsed = parsePrometheus(scrape.text);
    expect(parsed.length).toBeGreaterThan(10);
    for (const family of parsed) {
      expect(family.name).toMatch(/^lodestar_/);
      expect(family.help, family.name).not.toBe('');
      expect(['COUNTER', 'GAUGE', 'HISTOGRAM'], family.name).toContain(family.type);
    }
    expect(new Set(parsed.map((family) => family.name)).size).toBe(parsed.length);
  });

  it('holds no secret and no prompt text', () => {
    for (const secret of [gateway.token, KEYS.openai, KEYS.anthropic, KEYS.deepseek, PROMPT, 'cache me']) expect(scrape.text).not.toContain(secret);
  });

  it('counts the requests that were sent, by provider, model, task and status', () => {
    const text = scrape.text;
    expect(sum(samples(text, 'lodestar_requests_total').map((sample) => sample.value))).toBe(7);
    // Each event's series holds as many requests as there were events with its labels.
    for (const event of events) {
      const labels = { provider: event.provider ?? 'none', model: event.model ?? 'none', task: event.task ?? 'none', status: event.status };
      const same = events.filter((other) => other.provider === event.provider && other.model === event.model && other.task === event.task && other.status === event.status);
      expect(value(text, 'lodestar_requests_total', labels), JSON.stringify(labels)).toBe(same.length);
    }
    const failed = events.find((event) => event.httpStatus === 429)!;
    expect(value(text, 'lodestar_requests_total', { provider: 'openai', model: 'openai/gpt-4o-mini', task: failed.task!, status: 'error' })).toBe(1);
  });

  it('adds up tokens and costs as the events carry them', () => {
    const text = scrape.text;
    const haiku = { provider: 'anthropic', model: 'anthropic/claude-haiku-4-5' };
    expect(value(text, 'lodestar_tokens_total', { ...haiku, kind: 'input' })).toBe(3000);
    expect(value(text, 'lodestar_tokens_total', { ...haiku, kind: 'cached_input' })).toBe(1000);
    expect(value(text, 'lodestar_tokens_total', { ...haiku, kind: 'output' })).toBe(200);
    for (const [provider, model] of [...new Set(events.filter((event) => event.model).map((event) => `${event.provider} ${event.model}`))].map((key) => key.split(' '))) {
      const mine = events.filter((event) => event.provider === provider && event.model === model);
      const input = mine.map((event) => event.usage.inputTokens);
      expect(value(text, 'lodestar_tokens_total', { provider: provider!, model: model!, kind: 'input' }), model).toBe(input.every((count) => count === undefined) ? undefined : sum(input));
      const priced = mine.filter((event) => event.costUsd !== undefined);
      if (priced.length) {
        expect(value(text, 'lodestar_cost_usd_total', { provider: provider!, model: model! }), model).toBeCloseTo(sum(priced.map((event) => event.costUsd)), 12);
        expect(value(text, 'lodestar_baseline_cost_usd_total', { provider: provider!, model: model! }), model).toBeCloseTo(sum(priced.map((event) => event.baselineCostUsd)), 12);
      }
    }
    expect(value(text, 'lodestar_cost_usd_total', haiku)).toBeGreaterThan(0);
  });

  it('times requests, first tokens of streams, Lodestar\'s overhead and model loads', () => {
    const text = scrape.text;
    const openaiAnswered = events.filter((event) => event.provider === 'openai' && !event.cacheHit).length;
    expect(value(text, 'lodestar_request_duration_seconds_count', { provider: 'openai' })).toBe(openaiAnswered);
    expect(value(text, 'lodestar_request_duration_seconds_bucket', { provider: 'openai', le: '+Inf' })).toBe(openaiAnswered);
    expect(value(text, 'lodestar_request_duration_seconds_count', { provider: 'anthropic' })).toBe(1);
    expect(value(text, 'lodestar_request_duration_seconds_sum', { provider: 'anthropic' })).toBeCloseTo(events.find((event) => event.provider === 'anthropic')!.latencyMs / 1000, 9);
    expect(value(text, 'lodestar_time_to_first_token_seconds_count', { provider: 'anthropic' })).toBe(1);
    expect(value(text, 'lodestar_time_to_first_token_seconds_count', { provider: 'openai' })).toBeUndefined();
    expect(value(text, 'lodestar_overhead_seconds_count')).toBe(7);
    expect(value(text, 'lodestar_overhead_seconds_sum')).toBeCloseTo(sum(events.map((event) => event.overheadMs)) / 1000, 9);
    const load = events.find((event) => event.provider === 'ollama')!.loadDurationMs;
    expect(load).toBeDefined();
    expect(value(text, 'lodestar_model_load_seconds_count', { model: 'ollama/qwen2.5-coder:1.5b' })).toBe(1);
  });

  it('counts the fallback, the cache hit, and shows the open circuit', () => {
    const text = scrape.text;
    expect(samples(text, 'lodestar_fallbacks_total')).toEqual([{ labels: { provider: 'anthropic' }, value: 1 }]);
    expect(value(text, 'lodestar_cache_hits_total')).toBe(1);
    expect(value(text, 'lodestar_circuit_state', { provider: 'anthropic' })).toBe(2);
    expect(value(text, 'lodestar_circuit_state', { provider: 'deepseek' })).toBe(0);
    expect(value(text, 'lodestar_circuit_state', { provider: 'ollama' })).toBe(0);
    expect(value(text, 'lodestar_cache_entries')).toBeGreaterThanOrEqual(1);
  });

  it('shows the daemon itself: version, start time and memory', async () => {
    const text = scrape.text;
    const health = JSON.parse((await rawRequest(gateway.port, { method: 'GET', path: '/health' })).text) as { version: string; startedAt: string };
    expect(value(text, 'lodestar_info', { version: health.version })).toBe(1);
    expect(value(text, 'lodestar_start_time_seconds')).toBe(Date.parse(health.startedAt) / 1000);
    expect(value(text, 'lodestar_process_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024);
  });
});
