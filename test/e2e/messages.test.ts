import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RequestEvent } from '../../src/ledger/request-event.js';
import { rawRequest, startGateway, type Gateway } from '../helpers/gateway.js';

let gateway: Gateway;
/** What the SDK put on the wire, request by request (its own fetch, wrapped). */
const sent: Array<{ url: string; body: string; headers: Record<string, string> }> = [];

beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(async () => {
  await gateway?.stop();
});
beforeEach(() => {
  sent.length = 0;
  for (const double of [gateway.anthropic, gateway.openai, gateway.deepseek]) double.reset();
});

function client(options: { project?: string } = {}): Anthropic {
  return new Anthropic({
    apiKey: gateway.token,
    baseURL: `http://127.0.0.1:${gateway.port}${options.project ? `/p/${options.project}` : ''}`,
    maxRetries: 0,
    fetch: async (url, init) => {
      sent.push({ url: String(url), body: String(init?.body ?? ''), headers: Object.fromEntries(new Headers(init?.headers).entries()) });
      return fetch(url, init);
    },
  });
}

const SYSTEM = [
  { type: 'text' as const, text: "You are Claude Code, Anthropic's official CLI for Claude." },
  { type: 'text' as const, text: 'Answer in one sentence.', cache_control: { type: 'ephemeral' as const } },
];
const TOOLS = [{ name: 'Read', description: 'Reads a file', input_schema: { type: 'object' as const, properties: { file_path: { type: 'string' } }, required: ['file_path'] } }];

async function eventOf(project: string): Promise<RequestEvent> {
  return gateway.eventFor(project);
}

describe('POST /v1/messages to Anthropic: a pass-through', () => {
  it('sends the body byte for byte with the client\'s version and betas, and answers as Anthropic did', async () => {
    const { data, response } = await client({ project: 'pass' })
      .messages.create(
        { model: 'claude-sonnet-4-5', max_tokens: 200, system: SYSTEM, tools: TOOLS, messages: [{ role: 'user', content: [{ type: 'text', text: 'What does main.py do?', cache_control: { type: 'ephemeral' } }] }] },
        { headers: { 'anthropic-beta': 'interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14' } },
      )
      .withResponse();
    expect(data.type).toBe('message');
    expect(data.content[0]?.type).toBe('text');
    const upstream = gateway.anthropic.requests.at(-1);
    expect(upstream?.path).toBe('/v1/messages');
    expect(upstream?.rawBody).toBe(sent[0]?.body);
    expect(upstream?.headers['anthropic-beta']).toBe('interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14');
    expect(upstream?.headers['anthropic-version']).toBe(sent[0]?.headers['anthropic-version']);
    expect(upstream?.headers['x-api-key']).not.toBe(gateway.token);
    expect(response.headers.get('x-lodestar-model')).toBe('anthropic/claude-sonnet-4-5');
    expect(response.headers.get('request-id')).toMatch(/^req_/);
    const event = await eventOf('pass');
    expect(event).toMatchObject({ model: 'anthropic/claude-sonnet-4-5', requestedModel: 'claude-sonnet-4-5', status: 'ok', stream: false, task: 'agent' });
    expect(event.usage.outputTokens).toBe(data.usage.output_tokens);
    expect(event.costUsd).toBeGreaterThan(0);
  });

  it('streams Anthropic\'s events unchanged, thinking signatures included, and costs cache reads and writes exactly', async () => {
    gateway.anthropic.enqueue({ kind: 'reply', reasoning: 'Let me look.', text: 'It prints hello.', usage: { inputTokens: 5000, cacheReadTokens: 4000, cacheWriteTokens: 600, outputTokens: 40 } });
    const stream = client({ project: 'stream' }).messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 }, system: SYSTEM, messages: [{ role: 'user', content: 'What does main.py do?' }] });
    const types: string[] = [];
    stream.on('streamEvent', (event) => types.push(event.type));
    const message = await stream.finalMessage();
    expect(types[0]).toBe('message_start');
    expect(types.at(-1)).toBe('message_stop');
    const thinking = message.content.find((block) => block.type === 'thinking');
    expect(thinking && 'signature' in thinking ? thinking.signature : '').not.toBe('');
    expect(message.usage).toMatchObject({ input_tokens: 400, cache_read_input_tokens: 4000, cache_creation_input_tokens: 600 });
    const event = await eventOf('stream');
    expect(event.usage).toMatchObject({ inputTokens: 5000, cachedInputTokens: 4000, cacheWriteTokens: 600, outputTokens: 40 });
    expect(event.task).toBe('agent'); // a thinking budget: Claude Code's "thinking" class, an agent's work
    // Priced at Sonnet 4.5's rates: $3/M input, $0.30/M cache reads, $3.75/M cache writes, $15/M output.
    expect(event.costUsd).toBeCloseTo((400 * 3 + 4000 * 0.3 + 600 * 3.75 + 40 * 15) / 1e6, 9);

    // The next turn carries the thinking block back, signature and all: it reaches Anthropic unchanged.
    const next = await client({ project: 'stream' }).messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 2048,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [
        { role: 'user', content: 'What does main.py do?' },
        { role: 'assistant', content: message.content.map((block) => block as Anthropic.ContentBlockParam) },
        { role: 'user', content: 'And then?' },
      ],
    });
    expect(next.type).toBe('message');
    expect(gateway.anthropic.requests.at(-1)?.rawBody).toBe(sent.at(-1)?.body);
  });

  it("gives Anthropic's own error back as it sent it, falls back from an overloaded Anthropic, and words its own errors in Anthropic's envelope", async () => {
    gateway.anthropic.enqueue({ kind: 'error', status: 400, type: 'invalid_request_error', message: 'messages.0.content.0.image.source.base64: invalid base64 data' });
    const refused = await client()
      .messages.create({ model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Anthropic.APIError);
    const failure = refused as InstanceType<typeof Anthropic.APIError>;
    expect(failure.status).toBe(400);
    expect(failure.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'messages.0.content.0.image.source.base64: invalid base64 data' } });
    expect((failure.error as { request_id?: string }).request_id).toMatch(/^req_/);
    expect(failure.requestID).toBe((failure.error as { request_id?: string }).request_id);

    // Overloaded: Anthropic is one provider among several; the router's next choice answers.
    gateway.anthropic.enqueue({ kind: 'error', status: 529, type: 'overloaded_error', message: 'Overloaded' });
    const { data, response } = await client().messages.create({ model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(data.type).toBe('message');
    expect(response.headers.get('x-lodestar-fallbacks')).toBe('anthropic/claude-sonnet-4-5');
    expect(response.headers.get('x-lodestar-model')).not.toMatch(/^anthropic\//);

    const invalid = await client()
      .messages.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] } as never)
      .catch((error: unknown) => error as InstanceType<typeof Anthropic.APIError>);
    expect(invalid.status).toBe(400);
    expect(invalid.error).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } });

    const wrongToken = await rawRequest(gateway.port, { path: '/v1/messages', headers: { 'x-api-key': 'nope', 'content-type': 'application/json' }, body: '{}' });
    expect(wrongToken.status).toBe(401);
    expect(JSON.parse(wrongToken.text)).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });
});

describe('POST /v1/messages to other providers: translated both ways', () => {
  it('answers a streamed tool call from an OpenAI-family model in Anthropic\'s events, blocks in order', async () => {
    gateway.deepseek.enqueue({ kind: 'reply', text: 'Reading it.', toolCalls: [{ name: 'Read', arguments: '{"file_path":"main.py"}' }, { name: 'Read', arguments: '{"file_path":"util.py"}' }], finishReason: 'tool_calls', usage: { inputTokens: 900, cacheReadTokens: 800, outputTokens: 30 } });
    const stream = client({ project: 'translated' }).messages.stream({ model: 'deepseek/deepseek-flash', max_tokens: 500, system: SYSTEM, tools: TOOLS, messages: [{ role: 'user', content: 'Read main.py and util.py' }] });
    const types: string[] = [];
    stream.on('streamEvent', (event) => types.push(event.type === 'content_block_delta' ? `delta:${event.delta.type}` : event.type));
    const message = await stream.finalMessage();
    expect(message.model).toBe('deepseek/deepseek-flash');
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content.map((block) => block.type)).toEqual(['text', 'tool_use', 'tool_use']);
    expect(message.content.filter((block) => block.type === 'tool_use').map((block) => (block as Anthropic.ToolUseBlock).input)).toEqual([{ file_path: 'main.py' }, { file_path: 'util.py' }]);
    expect(message.usage).toMatchObject({ input_tokens: 100, cache_read_input_tokens: 800, output_tokens: 30 });
    // Each block opened before its deltas and closed before the next one.
    const opened: number[] = [];
    let depth = 0;
    for (const type of types) {
      if (type === 'content_block_start') opened.push(++depth);
      if (type === 'content_block_stop') depth--;
      expect(depth).toBeLessThanOrEqual(1);
    }
    expect(types[0]).toBe('message_start');
    expect(types.slice(-2)).toEqual(['message_delta', 'message_stop']);
    const upstream = gateway.deepseek.requests.at(-1)?.body as { messages: Array<{ role: string }>; tools: unknown[] };
    expect(upstream.messages[0]?.role).toBe('system');
    expect(upstream.tools).toHaveLength(1);
    const event = await eventOf('translated');
    expect(event).toMatchObject({ model: 'deepseek/deepseek-flash', status: 'ok', stream: true });
    expect(event.usage).toMatchObject({ inputTokens: 900, cachedInputTokens: 800, outputTokens: 30 });
  });

  it("sends thinking as reasoning to a model that reasons, and leaves it out for one that doesn't", async () => {
    const ask = (model: string) => client().messages.create({ model, max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 8000 }, messages: [{ role: 'user', content: 'Plan the refactor.' }] });
    await ask('deepseek/deepseek-flash');
    expect((gateway.deepseek.requests.at(-1)?.body as { reasoning_effort?: string }).reasoning_effort).toBe('medium');
    await ask('openai/gpt-4o-mini');
    expect(gateway.openai.requests.at(-1)?.body).not.toHaveProperty('reasoning_effort');
    const log = readFileSync(join(gateway.home, 'logs', 'daemon.log'), 'utf8');
    expect(log).toContain('thinking dropped for openai/gpt-4o-mini: it does not reason');
  });

  it('never sends an image to a model that cannot read one', async () => {
    const pixel = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    const ask = { model: 'lodestar/auto', max_tokens: 300, messages: [{ role: 'user' as const, content: [{ type: 'image' as const, source: { type: 'base64' as const, media_type: 'image/png' as const, data: pixel } }, { type: 'text' as const, text: 'Fix the layout shown.' }] }] };
    const { response } = await client().messages.create(ask).withResponse();
    // Without the image, an edit goes to DeepSeek (the cheapest at 70% or more); DeepSeek's API reads no images.
    const plain = await client().messages.create({ ...ask, messages: [{ role: 'user', content: 'Fix the layout.' }] }).withResponse();
    expect(plain.response.headers.get('x-lodestar-model')).toBe('deepseek/deepseek-flash');
    expect(response.headers.get('x-lodestar-model')).not.toMatch(/^deepseek\//);
  });

  it('routes lodestar/auto and answers a plain request as an Anthropic Message', async () => {
    const { data, response } = await client().messages.create({ model: 'lodestar/auto', max_tokens: 300, messages: [{ role: 'user', content: 'Say hello.' }] }).withResponse();
    expect(data).toMatchObject({ type: 'message', role: 'assistant', model: 'lodestar/auto', stop_reason: 'end_turn' });
    expect(data.content[0]).toMatchObject({ type: 'text' });
    expect(response.headers.get('x-lodestar-model')).not.toMatch(/^anthropic\//);
  });
});

describe('the rest of Anthropic\'s API', () => {
  it('counts tokens through Anthropic, and estimates them for other models', async () => {
    const counted = await client().messages.countTokens({ model: 'claude-sonnet-4-5', system: SYSTEM, messages: [{ role: 'user', content: 'Hello there' }] });
    expect(counted.input_tokens).toBeGreaterThan(0);
    expect(gateway.anthropic.requests.at(-1)?.path).toBe('/v1/messages/count_tokens');
    const estimated = await client().messages.countTokens({ model: 'deepseek/deepseek-flash', messages: [{ role: 'user', content: 'Hello there, how are you today?' }] });
    expect(estimated.input_tokens).toBeGreaterThan(5);
  });

  it("lists the gateway's models in Anthropic's shape for a client that asks as Anthropic's", async () => {
    const page = await client().models.list();
    const ids = page.data.map((model) => model.id);
    // Claude Code's /model lists only ids that start with claude or anthropic: the virtual models come as aliases.
    expect(ids.filter((id) => !/^(claude|anthropic)/.test(id)).filter((id) => id.startsWith('lodestar/'))).toEqual([]);
    expect(ids).toContain('claude-lodestar-auto');
    expect(ids).toContain('anthropic/claude-sonnet-4-5');
    expect(page.data[0]).toMatchObject({ type: 'model', id: 'claude-lodestar-auto', display_name: 'lodestar/auto (Lodestar picks)' });
    const { response } = await client().messages.create({ model: 'claude-lodestar-auto', max_tokens: 100, messages: [{ role: 'user', content: 'Rename the function.' }] }).withResponse();
    expect(response.headers.get('x-lodestar-model')).not.toMatch(/^anthropic\//);
  });
});

describe('a Claude model asked for under a hard budget', () => {
  it("is served by a free local model among the router's for its class (Claude Code's background work), not refused", async () => {
    const own = await startGateway({ config: { budgets: { monthly: { limitUsd: 0, mode: 'hard' } } } });
    try {
      const anthropic = new Anthropic({ apiKey: own.token, baseURL: `http://127.0.0.1:${own.port}`, maxRetries: 0 });
      const { data, response } = await anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'Write a 5-word title for this conversation.' }] }).withResponse();
      expect(data.type).toBe('message');
      expect(response.headers.get('x-lodestar-model')).toMatch(/^ollama\//);
      expect(response.headers.get('x-lodestar-budget')).toBe('local-only');
      expect(own.anthropic.requests.filter((request) => request.path.startsWith('/v1/messages'))).toHaveLength(0);
    } finally {
      await own.stop();
    }
  });
});

describe("a Claude model Lodestar's catalog lacks (Claude Code's default, claude-opus-5-5)", () => {
  it("is asked for no more than Anthropic's own model list says it writes: the ask is a ceiling, not a need", async () => {
    // Streamed, as Claude Code asks (the SDK refuses a non-streamed request this large).
    const data = await client({ project: 'opus' }).messages.stream({ model: 'claude-opus-5-5', max_tokens: 200_000, messages: [{ role: 'user', content: 'Say hello.' }] }).finalMessage();
    expect(data.type).toBe('message');
    // Anthropic would answer 400 to 200,000 ("... > 128000, which is the maximum allowed number of output tokens").
    const upstream = gateway.anthropic.requests.filter((request) => request.path.startsWith('/v1/messages')).at(-1);
    expect((upstream?.body as { max_tokens: number }).max_tokens).toBe(128_000);
    const event = await eventOf('opus');
    expect(event).toMatchObject({ model: 'anthropic/claude-opus-5-5', status: 'ok' });
  });
});
