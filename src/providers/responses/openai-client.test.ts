import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { ChatStreamToResponses } from './chat-stream-to-responses.js';
import { completionToResponse } from './chat-to-response.js';
import { chunksOf, contextFor, eventsOf, fixture, serveOnce, type WireEvent } from './__fixtures__/wire.js';
import type { ResponseContext } from './response-object.js';
import type { ResponsesRequest } from './responses-types.js';

/**
 * The contract: what the converters write, served over HTTP, read by the real `openai` client
 * (v7.57.0): the raw event stream of responses.create, the strict accumulator of
 * responses.stream(), and a whole response of responses.create.
 */

const codex = JSON.parse(fixture('codex-0.169-requests.json')) as Record<string, any>;
const gpt55Request = (): ResponsesRequest => ({ ...codex.gpt55_turn1_nontool_fields, tools: structuredClone(codex.gpt55_turn1_tools), input: 'add hello.txt' });
const CASES: Array<[string, string, () => ResponsesRequest]> = [
  ['text', '../../messages/__fixtures__/text', () => ({ input: 'Hi' })],
  ['parallel tool calls', '../../messages/__fixtures__/parallel-tools', () => ({ input: 'Weather in Paris and Rome?' })],
  ['reasoning', '../../messages/__fixtures__/reasoning', () => ({ input: '9.11 or 9.8?', include: ['reasoning.encrypted_content'] })],
  ['DeepSeek reasoning and a call', 'deepseek-tool-call', () => structuredClone(codex.unknown_model_turn1.body)],
  ['custom apply_patch', 'custom-tool', gpt55Request],
];

function framesOf(chunks: string[], context: ResponseContext): string[] {
  const converter = new ChatStreamToResponses(context);
  return [...chunks.flatMap((chunk) => converter.push(chunk)), ...converter.end()];
}

async function withClient<T>(contentType: string, body: string | string[], use: (client: OpenAI) => Promise<T>): Promise<T> {
  const server = await serveOnce(contentType, body);
  try {
    return await use(new OpenAI({ apiKey: 'test', baseURL: server.baseURL, maxRetries: 0 }));
  } finally {
    await server.close();
  }
}

/** finalResponse() adds its parse results (all null here: no strict tools, no schema); the rest must be ours. */
function withoutParsed(response: Record<string, any>): Record<string, any> {
  const { output_parsed: _parsed, ...rest } = response;
  return {
    ...rest,
    output: rest.output.map((item: Record<string, any>) => {
      const { parsed_arguments: _arguments, ...kept } = item;
      if (kept.type === 'message') kept.content = kept.content.map(({ parsed: _content, ...part }: Record<string, any>) => part);
      return kept;
    }),
  };
}

describe('the converters as read by the openai client', () => {
  it.each(CASES)('%s: responses.create({stream: true}) yields exactly the events written', async (_name, path, request) => {
    const frames = framesOf(chunksOf(`${path}.chunks.txt`), contextFor(request()));
    const events = await withClient('text/event-stream', frames, async (client) => {
      const received: unknown[] = [];
      const stream = await client.responses.create({ model: 'lodestar-test', input: 'Hi', stream: true });
      for await (const event of stream) received.push(event);
      return received;
    });
    expect(events).toEqual(eventsOf(frames));
    expect((events.at(-1) as WireEvent).type).toBe('response.completed');
  });

  it.each(CASES)("%s: responses.stream()'s strict accumulator finishes on our response.completed response", async (_name, path, request) => {
    const frames = framesOf(chunksOf(`${path}.chunks.txt`), contextFor(request()));
    const completed = eventsOf(frames).at(-1)?.response;
    const { seen, final } = await withClient('text/event-stream', frames, async (client) => {
      const stream = client.responses.stream({ model: 'lodestar-test', input: 'Hi' });
      const types: string[] = [];
      stream.on('event', (event) => types.push(event.type));
      return { final: await stream.finalResponse(), seen: types };
    });
    expect(withoutParsed(final)).toEqual(completed);
    expect(seen).toEqual(eventsOf(frames).map((event) => event.type));
  });

  it.each(CASES)('%s: a non-streamed responses.create reads completionToResponse’s response as it is', async (_name, path, request) => {
    const response = completionToResponse(fixture(`${path}.completion.json`), contextFor(request()));
    const received = await withClient('application/json', JSON.stringify(response), (client) => client.responses.create({ model: 'lodestar-test', input: 'Hi' }));
    expect(received).toEqual(response);
    expect(received.output.length).toBeGreaterThan(0);
  });

  it('gives the client the custom call as a custom_tool_call with the raw patch, and the namespaced call with its namespace', async () => {
    const final = await withClient('text/event-stream', framesOf(chunksOf('custom-tool.chunks.txt'), contextFor(gpt55Request())), (client) =>
      client.responses.stream({ model: 'lodestar-test', input: 'Hi' }).finalResponse(),
    );
    expect(final.output[1]).toMatchObject({ type: 'custom_tool_call', name: 'apply_patch', input: '*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** End Patch\n' });
    expect(final.output_text).toBe('Adding hello.txt.');
    const chunk = JSON.stringify({ id: 'x', choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_w', function: { name: 'multi_agent_v1__wait_agent', arguments: '{"targets":["a"]}' } }] }, finish_reason: 'tool_calls' }] });
    const namespaced = await withClient('text/event-stream', framesOf([chunk], contextFor(structuredClone(codex.unknown_model_turn1.body))), (client) =>
      client.responses.stream({ model: 'lodestar-test', input: 'Hi' }).finalResponse(),
    );
    expect(namespaced.output[0]).toMatchObject({ type: 'function_call', name: 'wait_agent', namespace: 'multi_agent_v1', call_id: 'call_w' });
  });

  it('is a real check: the accumulator refuses the same frames with one item_id changed, or without the reasoning content part', async () => {
    const frames = framesOf(chunksOf('deepseek-tool-call.chunks.txt'), contextFor(structuredClone(codex.unknown_model_turn1.body)));
    const finalOf = (served: string[]) => withClient('text/event-stream', served, (client) => client.responses.stream({ model: 'lodestar-test', input: 'Hi' }).finalResponse());
    const wrongId = frames.map((frame) => (frame.includes('"type":"response.function_call_arguments.delta"') ? frame.replace(/"item_id":"fc_/, '"item_id":"fc_x') : frame));
    await expect(finalOf(wrongId)).rejects.toThrow(/expected item_id/);
    const noPart = frames.filter((frame) => !frame.startsWith('event: response.content_part.added'));
    await expect(finalOf(noPart)).rejects.toThrow(/missing content at index 0/);
  });

  it('ends in response.incomplete and response.failed as the client reports them', async () => {
    const context = contextFor({ input: 'Hi' });
    const cut = framesOf([JSON.stringify({ id: 'x', choices: [{ index: 0, delta: { content: 'Half' }, finish_reason: 'length' }] })], context);
    const incomplete = await withClient('text/event-stream', cut, (client) => client.responses.stream({ model: 'lodestar-test', input: 'Hi' }).finalResponse());
    expect(incomplete).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output_text: 'Half' });

    const converter = new ChatStreamToResponses(context);
    const broken = [...converter.push(JSON.stringify({ id: 'x', choices: [{ index: 0, delta: { content: 'Hel' } }] })), ...converter.failed('server_error', 'upstream connection reset')];
    const last = await withClient('text/event-stream', broken, async (client) => {
      let final: unknown;
      for await (const event of await client.responses.create({ model: 'lodestar-test', input: 'Hi', stream: true })) final = event;
      return final;
    });
    expect(last).toMatchObject({ type: 'response.failed', response: { status: 'failed', error: { code: 'server_error', message: 'upstream connection reset' }, output: [] } });
  });
});
