import { describe, expect, it } from 'vitest';
import { ChatStreamToResponses } from './chat-stream-to-responses.js';
import { completionToResponse } from './chat-to-response.js';
import { chunksOf, contextFor, eventsOf, fixture, type WireEvent } from './__fixtures__/wire.js';
import { encodeReasoning } from './response-fields.js';
import type { ResponseContext } from './response-object.js';
import type { ResponseOutputItem, ResponsesRequest } from './responses-types.js';

const codex = JSON.parse(fixture('codex-0.169-requests.json')) as Record<string, any>;
const messagesChunks = (name: string): string[] => chunksOf(`../../messages/__fixtures__/${name}`);
const plain = (): ResponseContext => contextFor({ input: 'Hi' });
const gpt55 = (): ResponseContext => contextFor({ ...codex.gpt55_turn1_nontool_fields, tools: structuredClone(codex.gpt55_turn1_tools), input: 'add hello.txt' });

function convert(chunks: string[], converter = new ChatStreamToResponses(plain())): WireEvent[] {
  return eventsOf([...chunks.flatMap((chunk) => converter.push(chunk)), ...converter.end()]);
}

/**
 * Section 4.2's order, as openai-node's strict accumulator and Codex read it: sequence numbers
 * from 0; created and in_progress first; one item open at a time, added at the next output_index,
 * its events naming its id and index, done with the same id; a terminal event whose response
 * holds every done item as it was done (Codex needs an id and a usage with total_tokens there).
 * Returns the done items.
 */
function expectResponsesOrder(events: WireEvent[]): ResponseOutputItem[] {
  expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
  expect(events.slice(0, 2).map((event) => event.type)).toEqual(['response.created', 'response.in_progress']);
  const terminal = events.at(-1) as WireEvent;
  expect(['response.completed', 'response.incomplete', 'response.failed']).toContain(terminal.type);
  let open: { id: string; index: number; type: string } | undefined;
  const done: ResponseOutputItem[] = [];
  for (const event of events.slice(2, -1)) {
    if (event.type === 'response.output_item.added') {
      expect(open).toBeUndefined();
      expect(event.output_index).toBe(done.length);
      expect(event.item.id).toMatch(/^(msg|rs|fc|ctc)_./);
      open = { id: event.item.id, index: event.output_index, type: event.item.type };
    } else if (event.type === 'response.output_item.done') {
      expect(event).toMatchObject({ output_index: open?.index, item: { id: open?.id, type: open?.type } });
      if (event.item.type === 'function_call' || event.item.type === 'custom_tool_call') expect(event.item).toMatchObject({ call_id: expect.stringMatching(/./), name: expect.stringMatching(/./), status: 'completed' });
      done.push(event.item);
      open = undefined;
    } else {
      expect(event).toMatchObject({ item_id: open?.id, output_index: open?.index });
    }
  }
  expect(terminal.response.id).toBe(events[0]?.response.id);
  if (terminal.type !== 'response.failed') {
    expect(open).toBeUndefined();
    expect(terminal.response.output).toEqual(done);
    expect(terminal.response.usage.total_tokens).toBe(terminal.response.usage.input_tokens + terminal.response.usage.output_tokens);
  }
  return done;
}

const typesOf = (events: WireEvent[]): string[] => events.map((event) => event.type.replace(/^response\./, ''));
/** Items with their random ids replaced by their prefixes, to compare a streamed answer with a whole one. */
const withoutIds = (items: ResponseOutputItem[]): unknown[] => items.map((item) => ({ ...item, id: item.id.replace(/_.*/, '_') }));

describe('ChatStreamToResponses', () => {
  it('streams a text answer as one message item, with the events and fields of section 4.2', () => {
    const converter = new ChatStreamToResponses({ ...plain(), responseId: 'resp_given', createdAt: 1796664400 });
    const events = convert(messagesChunks('text.chunks.txt'), converter);
    expectResponsesOrder(events);
    expect(typesOf(events)).toEqual([
      'created',
      'in_progress',
      'output_item.added',
      'content_part.added',
      'output_text.delta',
      'output_text.delta',
      'output_text.delta',
      'output_text.done',
      'content_part.done',
      'output_item.done',
      'completed',
    ]);
    const id = events[2]?.item.id as string;
    expect(events[0]?.response).toMatchObject({ id: 'resp_given', object: 'response', created_at: 1796664400, status: 'in_progress', output: [], usage: null, model: 'lodestar-test' });
    expect(events[2]).toEqual({ type: 'response.output_item.added', output_index: 0, item: { type: 'message', id, role: 'assistant', status: 'in_progress', content: [] }, sequence_number: 2 });
    expect(events[3]).toEqual({ type: 'response.content_part.added', item_id: id, output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] }, sequence_number: 3 });
    expect(events[4]).toEqual({ type: 'response.output_text.delta', item_id: id, output_index: 0, content_index: 0, delta: 'Hello', logprobs: [], sequence_number: 4 });
    expect(events[7]).toMatchObject({ text: 'Hello there!', logprobs: [] });
    expect(events.at(-1)?.response).toMatchObject({
      status: 'completed',
      output_text: 'Hello there!',
      usage: { input_tokens: 11, input_tokens_details: { cached_tokens: 0 }, output_tokens: 6, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 17 },
    });
  });

  it('streams text and two parallel calls as three items, arguments as deltas, each .done with name and arguments', () => {
    const events = convert(messagesChunks('parallel-tools.chunks.txt'));
    const items = expectResponsesOrder(events);
    expect(items.map((item) => item.type)).toEqual(['message', 'function_call', 'function_call']);
    const argumentEvents = events.filter((event) => event.type.startsWith('response.function_call_arguments'));
    expect(argumentEvents.filter((event) => event.output_index === 1).map((event) => event.delta ?? event.arguments)).toEqual(['{"lo', 'cation": "Pa', 'ris, France"}', '{"location": "Paris, France"}']);
    expect(argumentEvents.at(-1)).toMatchObject({ type: 'response.function_call_arguments.done', output_index: 2, name: 'get_weather', arguments: '{"location": "Rome, Italy", "unit": "celsius"}' });
    expect(events.find((event) => event.type === 'response.output_item.added' && event.output_index === 1)?.item).toMatchObject({ type: 'function_call', call_id: 'call_DdmO9pD3xa9XTPNJ32zg2hcA', name: 'get_weather', arguments: '', status: 'in_progress' });
    expect(events.at(-1)?.response.usage).toMatchObject({ input_tokens: 1400, input_tokens_details: { cached_tokens: 1024 }, output_tokens: 64 });
  });

  it.each([
    ['text', 'messages'],
    ['parallel-tools', 'messages'],
    ['reasoning', 'messages'],
    ['deepseek-tool-call', 'responses'],
    ['custom-tool', 'responses'],
  ])('%s: the stream ends with the same output and usage as completionToResponse', (name, folder) => {
    const context = name === 'custom-tool' ? gpt55() : contextFor(structuredClone(codex.unknown_model_turn1.body));
    const chunks = folder === 'messages' ? messagesChunks(`${name}.chunks.txt`) : chunksOf(`${name}.chunks.txt`);
    const completionText = folder === 'messages' ? fixture(`../../messages/__fixtures__/${name}.completion.json`) : fixture(`${name}.completion.json`);
    const terminal = convert(chunks, new ChatStreamToResponses(context)).at(-1)?.response;
    const whole = completionToResponse(completionText, context);
    expect(withoutIds(terminal.output)).toEqual(withoutIds(whole.output));
    expect(terminal.usage).toEqual(whole.usage);
    expect(terminal.output_text).toBe(whole.output_text);
  });

  it("streams DeepSeek's reasoning as raw reasoning_text in a reasoning item, done with Lodestar's encrypted_content, then the call", () => {
    const events = convert(chunksOf('deepseek-tool-call.chunks.txt'), new ChatStreamToResponses(contextFor(structuredClone(codex.unknown_model_turn1.body))));
    const items = expectResponsesOrder(events);
    expect(typesOf(events).slice(2, 10)).toEqual([
      'output_item.added',
      'content_part.added',
      'reasoning_text.delta',
      'reasoning_text.delta',
      'reasoning_text.done',
      'content_part.done',
      'output_item.done',
      'output_item.added',
    ]);
    expect(events[2]?.item).toEqual({ type: 'reasoning', id: items[0]?.id, summary: [] });
    expect(events[3]?.part).toEqual({ type: 'reasoning_text', text: '' });
    const text = "The user wants echo run. I'll call exec_command.";
    expect(events[6]).toMatchObject({ type: 'response.reasoning_text.done', content_index: 0, text });
    expect(items[0]).toEqual({ type: 'reasoning', id: items[0]?.id, summary: [], content: [{ type: 'reasoning_text', text }], encrypted_content: encodeReasoning(text) });
    expect(items[1]).toMatchObject({ type: 'function_call', call_id: 'call_00_kX3vQ9mP2rT8wY5zB1nC4dF6', name: 'exec_command', arguments: '{"cmd": "echo hi-from-tool"}' });
    expect(events.at(-1)?.response.usage).toEqual({ input_tokens: 2048, input_tokens_details: { cached_tokens: 1920 }, output_tokens: 40, output_tokens_details: { reasoning_tokens: 22 }, total_tokens: 2088 });
  });

  it('holds a custom call’s arguments to the end, then sends the raw patch as custom_tool_call_input', () => {
    const events = convert(chunksOf('custom-tool.chunks.txt'), new ChatStreamToResponses(gpt55()));
    const items = expectResponsesOrder(events);
    const patch = '*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** End Patch\n';
    const custom = events.filter((event) => event.output_index === 1);
    expect(typesOf(custom)).toEqual(['output_item.added', 'custom_tool_call_input.delta', 'custom_tool_call_input.done', 'output_item.done']);
    expect(custom[0]?.item).toEqual({ type: 'custom_tool_call', id: items[1]?.id, call_id: 'call_R2d9XkQwP4mZ7bV1nL8sT3yF', name: 'apply_patch', input: '', status: 'in_progress' });
    expect(custom[1]).toMatchObject({ delta: patch });
    expect(custom[2]).toMatchObject({ input: patch });
    expect(items[1]).toEqual({ type: 'custom_tool_call', id: expect.stringMatching(/^ctc_/), call_id: 'call_R2d9XkQwP4mZ7bV1nL8sT3yF', name: 'apply_patch', input: patch, status: 'completed' });
  });

  const chunk = (delta: Record<string, unknown>, finish: string | null = null, usage: unknown = null): string =>
    JSON.stringify({ id: 'chatcmpl-x', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }], usage });
  const usageOnly = (usage: unknown): string => JSON.stringify({ id: 'chatcmpl-x', object: 'chat.completion.chunk', choices: [], usage });

  it('opens a new item for a new id at the same index (upstreams that number every call 0), with distinct call_ids', () => {
    const events = convert([
      chunk({ tool_calls: [{ index: 0, id: 'call_0', type: 'function', function: { name: 'read', arguments: '{"path":"a.ts"}' } }] }),
      chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'read', arguments: '{"path":"b.ts"}' } }] }),
      chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'read', arguments: '{"path":"c.ts"}' } }] }),
      chunk({}, 'tool_calls'),
    ]);
    const items = expectResponsesOrder(events);
    expect(items.map((item) => (item.type === 'function_call' ? [item.call_id, item.arguments] : []))).toEqual([
      ['call_0', '{"path":"a.ts"}'],
      ['call_1', '{"path":"b.ts"}{"path":"c.ts"}'],
    ]);
  });

  it('throws on arguments of a call whose item was closed; failed() then writes that chunk’s frames and response.failed', () => {
    const converter = new ChatStreamToResponses(plain());
    const frames = [...converter.push(chunk({ tool_calls: [{ index: 0, id: 'call_a', function: { name: 'a', arguments: '{"x":' } }] }))];
    expect(() => converter.push(chunk({ content: 'Also text.', tool_calls: [{ index: 0, function: { arguments: '1}' } }] }))).toThrow(/tool call 0 went on after its output item was closed/);
    frames.push(...converter.failed('server_error', 'the upstream sent a broken tool call'));
    const events = eventsOf(frames);
    const items = expectResponsesOrder(events);
    expect(items.map((item) => item.type)).toEqual(['function_call']);
    expect(events.at(-1)?.response).toMatchObject({ status: 'failed', error: { code: 'server_error', message: 'the upstream sent a broken tool call' }, output: items });
    expect(converter.push(chunk({ content: 'more' }))).toEqual([]);
    expect(converter.end()).toEqual([]);
  });

  it('ends a stream cut by max tokens with response.incomplete, and one that broke with response.failed without the unfinished item', () => {
    const cut = convert([chunk({ content: 'Half an ans' }), chunk({}, 'length'), usageOnly({ prompt_tokens: 9, completion_tokens: 16 })]);
    expectResponsesOrder(cut);
    expect(cut.at(-1)).toMatchObject({ type: 'response.incomplete', response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, usage: { total_tokens: 25 } } });
    const converter = new ChatStreamToResponses(plain());
    const broken = eventsOf([...converter.push(chunk({ content: 'Hel' })), ...converter.failed('rate_limit_exceeded', 'Rate limit reached. Please try again in 1.5s.')]);
    expectResponsesOrder(broken);
    expect(broken.at(-1)?.response).toMatchObject({ status: 'failed', output: [], error: { code: 'rate_limit_exceeded', message: 'Rate limit reached. Please try again in 1.5s.' } });
  });

  it('ignores content after the finish reason but not the usage chunk; an empty stream still completes', () => {
    const events = convert([chunk({ content: 'Done.' }, 'stop'), chunk({ content: ' Extra.' }), usageOnly({ prompt_tokens: 9, completion_tokens: 3 })]);
    expectResponsesOrder(events);
    expect(events.at(-1)?.response).toMatchObject({ output_text: 'Done.', usage: { input_tokens: 9, output_tokens: 3 } });
    const empty = eventsOf(new ChatStreamToResponses(plain()).end());
    expect(typesOf(empty)).toEqual(['created', 'in_progress', 'completed']);
    expect(empty.at(-1)?.response).toMatchObject({ output: [], output_text: '', usage: { total_tokens: 0 } });
  });

  it('opens a new item when reasoning resumes after text, and takes OpenRouter’s reasoning field', () => {
    const request: ResponsesRequest = { input: 'Hi', include: ['reasoning.encrypted_content'] };
    const events = convert([chunk({ reasoning_content: 'a' }), chunk({ content: 'b' }), chunk({ reasoning: 'c' }), chunk({}, 'stop')], new ChatStreamToResponses(contextFor(request)));
    expect(expectResponsesOrder(events).map((item) => item.type)).toEqual(['reasoning', 'message', 'reasoning']);
  });
});
