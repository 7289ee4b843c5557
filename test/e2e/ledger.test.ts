import { readFileSync, unlinkSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { isDeepSeekPeak } from '../../src/ledger/pricing/price-overrides.js';
import { daemonState, isAlive, runCli } from '../helpers/cli.js';
import { rawRequest, startGateway, type Gateway } from '../helpers/gateway.js';

let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

const perMillion = (tokens: number, dollars: number): number => (tokens * dollars) / 1e6;
// The default baseline, anthropic/claude-sonnet-5: $2 in, $0.20 cache read, $2.50 cache write, $10 out.
const sonnet5 = (input: number, read: number, write: number, output: number): number =>
  perMillion(input - read - write, 2) + perMillion(read, 0.2) + perMillion(write, 2.5) + perMillion(output, 10);

describe('costs under each provider convention, by hand from the price table', () => {
  it('OpenAI: prompt_tokens include the cached ones', async () => {
    gateway = await startGateway();
    gateway.openai.setDefault({ kind: 'reply', text: 'ok', usage: { inputTokens: 10_000, cacheReadTokens: 8_000, outputTokens: 500 } });
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });
    await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-lodestar-project': 'openai-cost' } });
    const event = await gateway.eventFor('openai-cost');
    expect(event.usage).toEqual({ inputTokens: 10_000, cachedInputTokens: 8_000, outputTokens: 500, reasoningTokens: 0 });
    // gpt-4o-mini: $0.15 in, $0.075 cached, $0.60 out.
    expect(event.costUsd).toBeCloseTo(perMillion(2_000, 0.15) + perMillion(8_000, 0.075) + perMillion(500, 0.6), 12);
    expect(event.baselineCostUsd).toBeCloseTo(sonnet5(10_000, 8_000, 0, 500), 12);
  });

  it('Anthropic: input_tokens exclude cache reads and writes, which are priced on their own', async () => {
    gateway = await startGateway();
    gateway.anthropic.setDefault({ kind: 'reply', text: 'ok', usage: { inputTokens: 10_000, cacheReadTokens: 6_000, cacheWriteTokens: 2_000, outputTokens: 400 } });
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'anthropic/claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }], stream: true }, { headers: { 'x-lodestar-project': 'anthropic-cost' } });
    for await (const _chunk of stream) {
      // drain
    }
    const event = await gateway.eventFor('anthropic-cost');
    expect(event.usage).toEqual({ inputTokens: 10_000, cachedInputTokens: 6_000, cacheWriteTokens: 2_000, outputTokens: 400 });
    // claude-haiku-4-5: $1 in, $0.10 cache read, $1.25 cache write, $5 out.
    expect(event.costUsd).toBeCloseTo(perMillion(2_000, 1) + perMillion(6_000, 0.1) + perMillion(2_000, 1.25) + perMillion(400, 5), 12);
    expect(event.baselineCostUsd).toBeCloseTo(sonnet5(10_000, 6_000, 2_000, 400), 12);
  });

  it('DeepSeek: cache hits from prompt_cache_hit_tokens, at peak or off-peak prices', async () => {
    gateway = await startGateway();
    gateway.deepseek.setDefault({ kind: 'reply', text: 'ok', usage: { inputTokens: 10_000, cacheReadTokens: 9_000, outputTokens: 1_000 } });
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });
    await client.chat.completions.create({ model: 'deepseek/deepseek-flash', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-lodestar-project': 'deepseek-cost' } });
    const event = await gateway.eventFor('deepseek-cost');
    expect(event.usage).toMatchObject({ inputTokens: 10_000, cachedInputTokens: 9_000, outputTokens: 1_000 });
    // DeepSeek's page: off-peak $0.15 in, $0.003 cache hit, $0.60 out; peak double.
    const factor = isDeepSeekPeak(new Date(event.time)) ? 2 : 1;
    expect(event.costUsd).toBeCloseTo(factor * (perMillion(1_000, 0.15) + perMillion(9_000, 0.003) + perMillion(1_000, 0.6)), 12);
  });
});

describe('a day of mixed traffic', () => {
  it('shows every request in the report (streamed, not, failed, cached, after a fallback) with the costs of the events', async () => {
    gateway = await startGateway({ config: { providers: { ollama: { models: { 'qwen2.5-coder:1.5b': {} } } }, routing: { retries: 0 }, models: { 'anthropic/claude-sonnet-5': { quality: 90 } } } });
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'hello there' }];
    gateway.openai.setDefault({ kind: 'reply', text: 'answer', usage: { inputTokens: 1200, outputTokens: 80 } });
    gateway.anthropic.setDefault({ kind: 'reply', text: 'answer', usage: { inputTokens: 3000, cacheReadTokens: 1000, outputTokens: 200 } });
    await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages });
    for await (const _chunk of await client.chat.completions.create({ model: 'anthropic/claude-haiku-4-5', messages, stream: true })) {
      // drain
    }
    await client.chat.completions.create({ model: 'ollama/qwen2.5-coder:1.5b', messages });
    gateway.openai.enqueue({ kind: 'error', status: 500 });
    await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages }).catch(() => undefined);
    gateway.anthropic.enqueue({ kind: 'error', status: 529, type: 'overloaded_error' });
    await client.chat.completions.create({ model: 'lodestar/strong', messages });
    gateway.anthropic.enqueue({ kind: 'midstream-error', afterChunks: 1 });
    await (async () => {
      for await (const _chunk of await client.chat.completions.create({ model: 'anthropic/claude-haiku-4-5', messages, stream: true })) {
        // drain until it fails
      }
    })().catch(() => undefined);
    await client.chat.completions.create({ model: 'nope/model', messages }).catch(() => undefined);
    // The same deterministic question twice: the second is a cache hit, at $0.
    await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages, temperature: 0 });
    await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages, temperature: 0 });

    const events = await gateway.waitForEvents(9);
    const report = JSON.parse((await runCli(['report', '--day', '--json', '--timezone', 'UTC', '--by', 'provider'], { home: gateway.home })).stdout) as {
      totals: { requests: number; errors: number; costUsd: number; baselineCostUsd: number; cacheHits: number };
      rows: Array<{ key: string; requests: number }>;
    };
    expect(report.totals.requests).toBe(9);
    expect(report.totals.cacheHits).toBe(1);
    expect(events.find((event) => event.cacheHit)).toMatchObject({ costUsd: 0, model: 'openai/gpt-4o-mini' });
    expect(report.totals.errors).toBe(events.filter((event) => event.status === 'error').length);
    expect(report.totals.errors).toBe(3);
    const sum = events.reduce((total, event) => total + (event.costUsd ?? 0), 0);
    expect(report.totals.costUsd).toBeCloseTo(sum, 9);
    expect(report.totals.baselineCostUsd).toBeCloseTo(events.reduce((total, event) => total + (event.costUsd === undefined ? 0 : (event.baselineCostUsd ?? 0)), 0), 9);
    expect(Object.fromEntries(report.rows.map((row) => [row.key, row.requests]))).toEqual({ openai: 5, anthropic: 2, ollama: 1, '-': 1 });
    const fallback = events.find((event) => event.fallbacks.length > 0);
    expect(fallback).toMatchObject({ model: 'openai/gpt-5', status: 'ok' });
  });
});

describe('a daemon killed while writing', () => {
  it('keeps every answered request in the ledger, and rollups rebuilt count each exactly once', async () => {
    gateway = await startGateway();
    gateway.openai.setDefault({ kind: 'reply', text: 'done', usage: { inputTokens: 100, outputTokens: 10 } });
    const state = daemonState(gateway.home)!;
    const answered: string[] = [];
    let index = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        const project = `k${index++}`;
        try {
          const response = await rawRequest(gateway!.port, {
            body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
            headers: { authorization: `Bearer ${gateway!.token}`, 'x-lodestar-project': project },
          });
          if (response.status === 200 && JSON.parse(response.text).choices) answered.push(project);
        } catch {
          return;
        }
      }
    };
    const workers = Promise.all(Array.from({ length: 4 }, worker));
    while (answered.length < 60) await new Promise((resolve) => setTimeout(resolve, 5));
    process.kill(state.pid, 'SIGKILL');
    await workers;
    for (let attempt = 0; attempt < 100 && isAlive(state.pid); attempt++) await new Promise((resolve) => setTimeout(resolve, 20));

    const ledger = join(gateway.home, 'ledger', `${new Date().toISOString().slice(0, 7)}.jsonl`);
    const lines = readFileSync(ledger, 'utf8').split('\n').filter(Boolean);
    const recorded = new Set(lines.map((line) => JSON.parse(line).project as string));
    for (const project of answered) expect(recorded.has(project), project).toBe(true);
    expect(recorded.size).toBe(lines.length);

    const rollup = ledger.replace('.jsonl', '.rollup.json');
    const fromStale = JSON.parse((await runCli(['report', '--json', '--timezone', 'UTC'], { home: gateway.home })).stdout) as { totals: { requests: number } };
    expect(fromStale.totals.requests).toBe(lines.length);
    if (existsSync(rollup)) unlinkSync(rollup);
    const rebuilt = JSON.parse((await runCli(['report', '--json', '--timezone', 'UTC'], { home: gateway.home })).stdout) as { totals: { requests: number } };
    expect(rebuilt.totals.requests).toBe(lines.length);
  });
});
