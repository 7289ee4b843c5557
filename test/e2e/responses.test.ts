import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { rawRequest, startGateway, type Gateway } from '../helpers/gateway.js';

let gateway: Gateway;
/** What the SDK put on the wire, request by request (its own fetch, wrapped). */
const sent: Array<{ url: string; body: string }> = [];

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

function client(project: string): OpenAI {
  return new OpenAI({
    apiKey: gateway.token,
    baseURL: `http://127.0.0.1:${gateway.port}/p/${project}/v1`,
    maxRetries: 0,
    fetch: async (url, init) => {
      sent.push({ url: String(url), body: String(init?.body ?? '') });
      return fetch(url, init);
    },
  });
}

/** What the real Codex 0.169 sent on its first turn (a copy of shared/data's capture), with the model it is routed to. */
function codexTurn(model: string): Record<string, unknown> {
  const data = JSON.parse(readFileSync(join(ROOT, 'src', 'providers', 'responses', '__fixtures__', 'codex-0.169-requests.json'), 'utf8')) as { unknown_model_turn1: { body: Record<string, unknown> } };
  const body = structuredClone(data.unknown_model_turn1.body);
  // The capture shortened the tools' schemas to their property names; a model needs them whole.
  for (const tool of body.tools as Array<Record<string, unknown>>) {
    const parameters = tool.parameters as { properties?: unknown } | undefined;
    if (parameters && Array.isArray(parameters.properties)) parameters.properties = Object.fromEntries((parameters.properties as string[]).map((name) => [name, { type: 'string' }]));
    for (const inner of (tool.tools as Array<Record<string, unknown>> | undefined) ?? []) delete inner.parameters;
  }
  return { ...body, model };
}

describe('POST /v1/responses translated for a Chat Completions provider', () => {
  it('answers a plain request as a Responses object, and a stream as its event sequence, through the real openai client', async () => {
    const openai = client('resp-plain');
    gateway.deepseek.enqueue({ kind: 'reply', text: 'Hello from DeepSeek.', usage: { inputTokens: 40, outputTokens: 6, cacheReadTokens: 32 } });
    const answer = await openai.responses.create({ model: 'deepseek/deepseek-flash', input: 'Say hello.', instructions: 'Be brief.' });
    expect(answer.object).toBe('response');
    expect(answer.status).toBe('completed');
    expect(answer.model).toBe('deepseek/deepseek-flash');
    expect(answer.output_text).toBe('Hello from DeepSeek.');
    expect(answer.usage).toMatchObject({ input_tokens: 40, input_tokens_details: { cached_tokens: 32 }, output_tokens: 6, total_tokens: 46 });
    const upstream = gateway.deepseek.requests.at(-1)?.body as { messages: Array<{ role: string; content: string }> };
    expect(upstream.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Say hello.' },
    ]);
    const event = await gateway.eventFor('resp-plain');
    expect(event).toMatchObject({ model: 'deepseek/deepseek-flash', status: 'ok', usage: { inputTokens: 40, cachedInputTokens: 32, outputTokens: 6 } });

    gateway.deepseek.enqueue({ kind: 'reply', text: 'Streamed hello, in pieces.', chunkSize: 5 });
    const stream = client('resp-stream').responses.stream({ model: 'deepseek/deepseek-flash', input: 'Say hello.' });
    const deltas: string[] = [];
    stream.on('response.output_text.delta', (event) => deltas.push(event.delta));
    const final = await stream.finalResponse();
    expect(deltas.join('')).toBe('Streamed hello, in pieces.');
    expect(deltas.length).toBeGreaterThan(1);
    expect(final.output_text).toBe('Streamed hello, in pieces.');
    expect(final.status).toBe('completed');
  });

  it("routes Codex's own turn (tools, a developer prompt) as an agent's, and gives its tool call back as a function_call with the original name", async () => {
    gateway.deepseek.enqueue({ kind: 'reply', toolCalls: [{ name: 'exec_command', arguments: '{"cmd":"printf hi > hello.txt"}' }], finishReason: 'tool_calls' });
    const response = await rawRequest(gateway.port, {
      path: '/p/resp-codex/v1/responses',
      headers: { authorization: `Bearer ${gateway.token}`, 'content-type': 'application/json', 'user-agent': 'codex_exec/0.169.0 (Debian 12.0.0; x86_64) xterm (codex_exec; 0.169.0)', 'session-id': '01a2518a-34bb-7423-8c85-dd93d6e4413e' },
      body: JSON.stringify(codexTurn('deepseek/deepseek-flash')),
    });
    expect(response.status, response.text).toBe(200);
    expect(response.headers['content-type']).toContain('text/event-stream');
    const events = response.text
      .split('\n\n')
      .filter((frame) => frame.includes('data: '))
      .map((frame) => JSON.parse(frame.slice(frame.indexOf('data: ') + 6)) as { type: string; item?: Record<string, unknown>; response?: { output: unknown[] } });
    expect(events[0]?.type).toBe('response.created');
    expect(events.at(-1)?.type).toBe('response.completed');
    const done = events.filter((event) => event.type === 'response.output_item.done').map((event) => event.item as Record<string, unknown>);
    // DeepSeek thinks first (thinking mode is its default): its reasoning comes back as a reasoning
    // item whose encrypted_content carries it (Codex asks for reasoning.encrypted_content).
    expect(done.map((item) => item.type)).toEqual(['reasoning', 'function_call']);
    expect(String(done[0]?.encrypted_content)).toMatch(/^lodestar-reasoning-v1:/);
    expect(done[1]).toMatchObject({ type: 'function_call', name: 'exec_command', arguments: '{"cmd":"printf hi > hello.txt"}', status: 'completed' });
    expect(String(done[1]?.id)).toMatch(/^fc_/);
    expect(events.at(-1)?.response?.output).toEqual(done);

    // Codex's next turn echoes the items and adds the command's output: DeepSeek, which refuses a
    // thinking-mode tool-call turn without its reasoning_content, gets it back from the item.
    gateway.deepseek.enqueue({ kind: 'reply', text: 'Wrote hello.txt.' });
    const next = codexTurn('deepseek/deepseek-flash');
    next.input = [...(next.input as unknown[]), ...done.map(({ status: _status, ...item }) => (item.type === 'reasoning' ? { ...item, content: null } : { ...item, status: 'completed' })), { type: 'function_call_output', call_id: done[1]?.call_id, output: 'Process exited with code 0' }];
    const second = await rawRequest(gateway.port, {
      path: '/p/resp-codex/v1/responses',
      headers: { authorization: `Bearer ${gateway.token}`, 'content-type': 'application/json', 'session-id': '01a2518a-34bb-7423-8c85-dd93d6e4413e' },
      body: JSON.stringify(next),
    });
    expect(second.status, second.text).toBe(200);
    expect(second.text).toContain('Wrote hello.txt.');
    const replayed = gateway.deepseek.requests.at(-1)?.body as { messages: Array<{ role: string; tool_calls?: unknown[]; reasoning_content?: string }> };
    const assistant = replayed.messages.find((message) => message.role === 'assistant');
    expect(assistant?.tool_calls).toHaveLength(1);
    expect(assistant?.reasoning_content).toBeTruthy();
    expect(replayed.messages.at(-1)?.role).toBe('tool');
    // Namespaced tools flattened, hosted web_search left out, the developer prompt a system message.
    const upstream = gateway.deepseek.requests.at(-1)?.body as { messages: Array<{ role: string }>; tools: Array<{ function: { name: string } }> };
    expect(upstream.messages[0]?.role).toBe('system');
    expect(upstream.tools.map((tool) => tool.function.name)).toContain('multi_agent_v1__spawn_agent');
    expect(upstream.tools.map((tool) => tool.function.name)).not.toContain('web_search');
    const event = gateway.events.find((entry) => entry.project === 'resp-codex') ?? (await gateway.eventFor('resp-codex'));
    expect(event).toMatchObject({ task: 'agent', session: '01a2518a-34bb-7423-8c85-dd93d6e4413e', model: 'deepseek/deepseek-flash' });
  });

  it('refuses what Lodestar cannot follow, naming the field, in OpenAI\'s envelope', async () => {
    const post = (body: unknown) =>
      rawRequest(gateway.port, { path: '/v1/responses', headers: { authorization: `Bearer ${gateway.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const stored = await post({ model: 'lodestar/auto', input: 'go on', previous_response_id: 'resp_123' });
    expect(stored.status).toBe(400);
    expect(JSON.parse(stored.text)).toMatchObject({ error: { param: 'previous_response_id', type: 'invalid_request_error' } });
    const chat = await post({ model: 'lodestar/auto', messages: [{ role: 'user', content: 'hi' }] });
    expect(JSON.parse(chat.text)).toMatchObject({ error: { param: 'messages', code: 'unsupported_parameter' } });
    const tiny = await post({ model: 'lodestar/auto', input: 'hi', max_output_tokens: 4 });
    expect(JSON.parse(tiny.text)).toMatchObject({ error: { param: 'max_output_tokens' } });
    const unknown = await post({ model: 'nobody/knows', input: 'hi' });
    expect(unknown.status).toBe(404);
  });
});
