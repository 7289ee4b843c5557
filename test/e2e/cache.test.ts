import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { rawRequest, startGateway, type Gateway } from '../helpers/gateway.js';

let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'What does this function do?' }];

describe('response cache', () => {
  it('answers a repeated deterministic request from the cache, at $0, with the saving in the ledger', async () => {
    gateway = await startGateway();
    gateway.openai.setDefault({ kind: 'reply', text: 'It sorts the list in place.', usage: { inputTokens: 4000, outputTokens: 200 } });
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });
    const first = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages, temperature: 0 }, { headers: { 'x-lodestar-project': 'c1' } }).withResponse();
    expect(first.response.headers.get('x-lodestar-cache')).toBe('miss');
    const second = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages, temperature: 0 }, { headers: { 'x-lodestar-project': 'c1' } }).withResponse();
    expect(second.response.headers.get('x-lodestar-cache')).toBe('hit');
    expect(second.response.headers.get('x-lodestar-model')).toBe('openai/gpt-4o-mini');
    expect(second.data.choices[0]?.message.content).toBe('It sorts the list in place.');
    expect(second.data.usage).toMatchObject({ prompt_tokens: 4000, completion_tokens: 200 });
    expect(gateway.openai.requests).toHaveLength(1);

    const events = (await gateway.waitForEvents(2)).filter((event) => event.project === 'c1');
    expect(events[1]).toMatchObject({ cacheHit: true, costUsd: 0, model: 'openai/gpt-4o-mini', usage: { inputTokens: 4000, outputTokens: 200 } });
    expect(events[1]?.baselineCostUsd).toBeCloseTo(events[0]?.baselineCostUsd ?? 0, 12);
    const report = JSON.parse((await runCli(['report', '--json', '--timezone', 'UTC'], { home: gateway.home })).stdout) as { totals: { cacheHits: number; requests: number; savedUsd: number; costUsd: number } };
    expect(report.totals.cacheHits).toBe(1);
    expect(report.totals.requests).toBe(2);
    expect(report.totals.savedUsd).toBeGreaterThan(report.totals.costUsd);
  });

  it('replays a streamed answer as a stream with the same content and tool calls', async () => {
    gateway = await startGateway();
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });
    gateway.anthropic.setDefault({ kind: 'reply', text: 'Step one. Step two. Step three. '.repeat(8), chunkSize: 7 });
    const collect = async (): Promise<{ text: string; cache: string | null }> => {
      const { data: stream, response } = await client.chat.completions.create({ model: 'anthropic/claude-haiku-4-5', messages, temperature: 0, stream: true }).withResponse();
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      return { text, cache: response.headers.get('x-lodestar-cache') };
    };
    const original = await collect();
    const replayed = await collect();
    expect(original.cache).toBe('miss');
    expect(replayed.cache).toBe('hit');
    expect(replayed.text).toBe(original.text);
    expect(gateway.anthropic.requests).toHaveLength(1);

    gateway.openai.setDefault({ kind: 'reply', toolCalls: [{ name: 'lookup', arguments: '{"q":"sort"}' }], finishReason: 'tool_calls' });
    const tools: OpenAI.Chat.ChatCompletionTool[] = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }];
    const calls = async (): Promise<string> => {
      const stream = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages, tools, temperature: 0, stream: true });
      let args = '';
      for await (const chunk of stream) args += chunk.choices[0]?.delta?.tool_calls?.[0]?.function?.arguments ?? '';
      return args;
    };
    expect(await calls()).toBe('{"q":"sort"}');
    expect(await calls()).toBe('{"q":"sort"}');
    expect(gateway.openai.requests).toHaveLength(1);
  });

  it('does not cache sampled answers, bypasses on no-cache, keeps nothing on no-store, and expires', async () => {
    gateway = await startGateway({ config: { cache: { ttlSeconds: 1 } } });
    gateway.openai.setDefault({ kind: 'reply', text: 'fresh' });
    const body = (extra: Record<string, unknown>): string => JSON.stringify({ model: 'openai/gpt-4o-mini', messages, ...extra });
    const send = (extra: Record<string, unknown>, headers: Record<string, string> = {}) =>
      rawRequest(gateway!.port, { body: body(extra), headers: { authorization: `Bearer ${gateway!.token}`, ...headers } });
    await send({ temperature: 0.7 });
    expect((await send({ temperature: 0.7 })).headers['x-lodestar-cache']).toBe('bypass');
    expect(gateway.openai.requests).toHaveLength(2);

    await send({ temperature: 0 }, { 'cache-control': 'no-store' });
    expect((await send({ temperature: 0 })).headers['x-lodestar-cache']).toBe('miss');
    expect((await send({ temperature: 0 }, { 'cache-control': 'no-cache' })).headers['x-lodestar-cache']).toBe('bypass');
    expect((await send({ temperature: 0 })).headers['x-lodestar-cache']).toBe('hit');
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect((await send({ temperature: 0 })).headers['x-lodestar-cache']).toBe('miss');
  });
});
