import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KEYS, startGateway, type Gateway } from '../helpers/gateway.js';

/**
 * The daemon as Aider and other tools meet it: the official openai SDK, nobody here wrote it,
 * against the daemon in front of each upstream kind's double.
 */
let gateway: Gateway;
let client: OpenAI;

beforeAll(async () => {
  gateway = await startGateway({ config: { providers: { ollama: { models: { 'qwen2.5-coder:3b': { numCtx: 12288, keepAlive: '45m' } } } } } });
  client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });
});
afterAll(async () => {
  await gateway?.stop();
});
beforeEach(() => {
  for (const double of [gateway.openai, gateway.deepseek, gateway.anthropic, gateway.ollama]) double.reset();
});

const REPLY = 'Here is the change you asked for: add a guard clause before the insert.';
const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
  { role: 'system', content: 'Act as an expert software developer.' },
  { role: 'user', content: 'Reject todos without a title.' },
];

async function collect(stream: AsyncIterable<OpenAI.Chat.ChatCompletionChunk>): Promise<{ text: string; chunks: OpenAI.Chat.ChatCompletionChunk[] }> {
  const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
  let text = '';
  for await (const chunk of stream) {
    chunks.push(chunk);
    text += chunk.choices[0]?.delta?.content ?? '';
  }
  return { text, chunks };
}

describe.each([
  ['openai/gpt-4o-mini', 'openai', () => gateway.openai],
  ['deepseek/deepseek-flash', 'deepseek', () => gateway.deepseek],
  ['anthropic/claude-haiku-4-5', 'anthropic', () => gateway.anthropic],
  ['ollama/qwen2.5-coder:3b', 'ollama', () => gateway.ollama],
] as const)('%s through the daemon', (model, provider, upstream) => {
  it('answers a non-streamed request, with Lodestar headers and exact usage', async () => {
    upstream().setDefault({ kind: 'reply', text: REPLY, usage: { inputTokens: 120, outputTokens: 17 } });
    const project = `plain-${provider}`;
    const { data, response } = await client.chat.completions.create({ model, messages, temperature: 0 }, { headers: { 'x-lodestar-project': project } }).withResponse();
    expect(data.choices[0]?.message.content).toBe(REPLY);
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage).toMatchObject({ prompt_tokens: 120, completion_tokens: 17, total_tokens: 137 });
    expect(response.headers.get('x-lodestar-model')).toBe(model);
    expect(response.headers.get('x-lodestar-provider')).toBe(provider);
    expect(Number(response.headers.get('x-lodestar-overhead-ms'))).toBeGreaterThanOrEqual(0);
    const event = await gateway.eventFor(project);
    expect(event).toMatchObject({ model, provider, status: 'ok', stream: false, usage: { inputTokens: 120, outputTokens: 17 } });
  });

  it('streams chunk by chunk and records usage the client did not ask for', async () => {
    upstream().setDefault({ kind: 'reply', text: REPLY, chunkSize: 5, usage: { inputTokens: 64, outputTokens: 21 } });
    const project = `stream-${provider}`;
    const { text, chunks } = await collect(await client.chat.completions.create({ model, messages, stream: true }, { headers: { 'x-lodestar-project': project } }));
    expect(text).toBe(REPLY);
    expect(chunks.length).toBeGreaterThan(REPLY.length / 5);
    // The usage chunk Lodestar asked for on its own behalf is not passed on.
    expect(chunks.some((chunk) => chunk.choices.length === 0)).toBe(false);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    const event = await gateway.eventFor(project);
    expect(event).toMatchObject({ model, project, status: 'ok', stream: true, usage: { inputTokens: 64, outputTokens: 21 } });
    expect(event?.ttftMs).toBeGreaterThan(0);
  });

  it('keeps one upstream connection across streamed requests (no new connection, no new TLS handshake, per request)', async () => {
    upstream().setDefault({ kind: 'reply', text: REPLY, chunkSize: 8, usage: { inputTokens: 30, outputTokens: 12 } });
    for (let index = 0; index < 4; index++) {
      const { text } = await collect(await client.chat.completions.create({ model, messages, stream: true }));
      expect(text).toBe(REPLY);
    }
    await client.chat.completions.create({ model, messages });
    // The chat requests only (the daemon also asks Ollama what is loaded, on its own connection).
    const chats = upstream().requests.filter((request) => Array.isArray((request.body as { messages?: unknown } | undefined)?.messages));
    const connections = chats.map((request) => request.connection);
    expect(connections).toHaveLength(5);
    expect(new Set(connections).size, `connections used: ${connections.join(', ')}`).toBe(1);
  });

  it('passes the usage chunk on when the client asks for it', async () => {
    upstream().setDefault({ kind: 'reply', text: REPLY, usage: { inputTokens: 50, outputTokens: 9 } });
    const { chunks } = await collect(await client.chat.completions.create({ model, messages, stream: true, stream_options: { include_usage: true } }));
    const usageChunk = chunks.at(-1);
    expect(usageChunk?.choices).toEqual([]);
    expect(usageChunk?.usage).toMatchObject({ prompt_tokens: 50, completion_tokens: 9, total_tokens: 59 });
  });

  it('returns tool calls, streamed and not', async () => {
    upstream().setDefault({ kind: 'reply', toolCalls: [{ name: 'get_weather', arguments: '{"location":"Paris"}' }], finishReason: 'tool_calls' });
    const tools: OpenAI.Chat.ChatCompletionTool[] = [
      { type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] } } },
    ];
    const ask: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
    const completion = await client.chat.completions.create({ model, messages: ask, tools });
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call?.type).toBe('function');
    if (call?.type === 'function') {
      expect(call.function.name).toBe('get_weather');
      expect(JSON.parse(call.function.arguments)).toEqual({ location: 'Paris' });
    }

    const { chunks } = await collect(await client.chat.completions.create({ model, messages: ask, tools, stream: true }));
    const fragments = chunks.flatMap((chunk) => chunk.choices[0]?.delta?.tool_calls ?? []);
    expect(fragments[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'get_weather' } });
    expect(JSON.parse(fragments.map((fragment) => fragment.function?.arguments ?? '').join(''))).toEqual({ location: 'Paris' });
    expect(chunks.find((chunk) => chunk.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe('tool_calls');

    // The result goes back, and the upstream gets it in its own format.
    const followUp = await client.chat.completions.create({
      model,
      messages: [...ask, { role: 'assistant', content: null, tool_calls: [{ id: call?.id ?? 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }] }, { role: 'tool', tool_call_id: call?.id ?? 'call_1', content: 'sunny, 21 C' }],
      tools,
    });
    expect(followUp.choices[0]?.message).toBeDefined();
  });
});

describe('what each upstream receives', () => {
  it('sends Anthropic its own format: system on top, x-api-key, anthropic-version, a default max_tokens', async () => {
    await client.chat.completions.create({ model: 'anthropic/claude-haiku-4-5', messages, temperature: 0 });
    const sent = gateway.anthropic.requests.at(-1);
    expect(sent?.path).toBe('/v1/messages');
    expect(sent?.headers['x-api-key']).toBe(KEYS.anthropic);
    expect(sent?.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent?.body).toMatchObject({ model: 'claude-haiku-4-5', system: 'Act as an expert software developer.', max_tokens: 8192, messages: [{ role: 'user' }] });
    expect(sent?.headers.authorization).toBeUndefined();
  });

  it("sends Ollama the model's fixed num_ctx and keep_alive, whatever the request says", async () => {
    await client.chat.completions.create({ model: 'ollama/qwen2.5-coder:3b', messages, stream: true }).then(collect);
    const sent = gateway.ollama.requests.filter((request) => request.path === '/api/chat').at(-1);
    expect(sent?.body).toMatchObject({ model: 'qwen2.5-coder:3b', stream: true, keep_alive: '45m', options: { num_ctx: 12288 } });
  });

  it('asks OpenAI-family upstreams for usage in streams and strips the provider prefix', async () => {
    await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages, stream: true }).then(collect);
    const sent = gateway.openai.requests.at(-1);
    expect(sent?.headers.authorization).toBe(`Bearer ${KEYS.openai}`);
    expect(sent?.body).toMatchObject({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true } });
  });

  it("never sends the client's token upstream", async () => {
    await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages });
    for (const double of [gateway.openai, gateway.anthropic, gateway.ollama, gateway.deepseek]) {
      for (const request of double.requests) expect(JSON.stringify(request.headers) + request.rawBody).not.toContain(gateway.token);
    }
  });
});

describe('models', () => {
  it('lists virtual and concrete models in OpenAI list format', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids.slice(0, 4)).toEqual(['lodestar/auto', 'lodestar/local', 'lodestar/cheap', 'lodestar/strong']);
    expect(ids).toContain('anthropic/claude-sonnet-5');
    expect(ids).toContain('deepseek/deepseek-flash');
    expect(ids).toContain('ollama/qwen2.5-coder:3b');
    // No key for Gemini, Groq, Mistral or OpenRouter: their models are not offered.
    expect(ids.some((id) => id.startsWith('gemini/'))).toBe(false);
  });

  it('serves a virtual model from a concrete one and says which', async () => {
    gateway.deepseek.setDefault({ kind: 'reply', text: 'ok' });
    const { response } = await client.chat.completions.create({ model: 'lodestar/auto', messages }).withResponse();
    expect(response.headers.get('x-lodestar-model')).toMatch(/^[a-z]+\/.+/);
  });
});
