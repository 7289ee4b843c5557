import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { translateOllamaStream } from '../ollama/ollama-chat-response.js';
import { newOutcome } from '../spec/provider.js';
import { ChatStreamToMessages } from './chat-stream-to-messages.js';
import { completionToMessage } from './chat-to-message.js';

const MODEL = 'claude-sonnet-4-6';
const fixture = (name: string): string => readFileSync(join(import.meta.dirname, '__fixtures__', name), 'utf8');

/** The StreamChunk.data strings of an OpenAI stream as the providers relay it ([DONE] is the gateway's). */
function chunksOf(name: string): string[] {
  return fixture(name)
    .split('\n\n')
    .filter((event) => event.startsWith('data: ') && event !== 'data: [DONE]')
    .map((event) => event.slice('data: '.length));
}

function convert(chunks: string[], converter = new ChatStreamToMessages({ model: MODEL })): string[] {
  return [...chunks.flatMap((chunk) => converter.push(chunk)), ...converter.end()];
}

type Event = Record<string, any> & { type: string };

/** Parses SSE frames, checking each is one `event:` line naming its data's type, and one `data:` line. */
function eventsOf(frames: string[]): Event[] {
  return frames.map((frame) => {
    const match = /^event: ([a-z_]+)\ndata: ([^\n]+)\n\n$/.exec(frame);
    expect(match, frame).not.toBeNull();
    const event = JSON.parse(match?.[2] ?? '') as Event;
    expect(event.type).toBe(match?.[1]);
    return event;
  });
}

/** Anthropic's order (providers.md 2.4): one message_start first; blocks in index order, each started before its deltas and stopped before the next starts; message_delta and message_stop last. */
function expectAnthropicOrder(events: Event[]): void {
  expect(events[0]?.type).toBe('message_start');
  expect(events.slice(-2).map((event) => event.type)).toEqual(['message_delta', 'message_stop']);
  let open: number | undefined;
  let next = 0;
  for (const event of events.slice(1, -2)) {
    if (event.type === 'content_block_start') {
      expect(open).toBeUndefined();
      expect(event.index).toBe(next++);
      open = event.index;
    } else if (event.type === 'content_block_delta') {
      expect(event.index).toBe(open);
    } else {
      expect(event).toEqual({ type: 'content_block_stop', index: open });
      open = undefined;
    }
  }
  expect(open).toBeUndefined();
}

const deltasOf = (events: Event[], index: number): Array<Record<string, string>> =>
  events.filter((event) => event.type === 'content_block_delta' && event.index === index).map((event) => event.delta);

describe('ChatStreamToMessages', () => {
  it("turns providers.md appendix A's OpenAI stream into Anthropic's basic_response events (pings aside)", () => {
    const events = eventsOf(convert(chunksOf('text.chunks.txt')));
    expectAnthropicOrder(events);
    const anthropic = fixture('../../anthropic/__fixtures__/basic-response.sse.txt')
      .split('\n\n')
      .filter((frame) => frame.startsWith('event: ') && !frame.startsWith('event: ping'))
      .map((frame) => JSON.parse(frame.split('data: ')[1] ?? '') as Event);
    expect(events.map((event) => event.type)).toEqual(anthropic.map((event) => event.type));
    expect(events.slice(1, -2)).toEqual(anthropic.slice(1, -2));
    expect(events[0]).toEqual({
      type: 'message_start',
      message: {
        id: 'msg_chatcmpl-123',
        type: 'message',
        role: 'assistant',
        model: MODEL,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 },
      },
    });
    expect(events.at(-2)).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: 11, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 6 },
    });
  });

  it('gives text, then each of two parallel tool calls its own tool_use block, arguments as input_json_delta fragments', () => {
    const events = eventsOf(convert(chunksOf('parallel-tools.chunks.txt')));
    expectAnthropicOrder(events);
    const starts = events.filter((event) => event.type === 'content_block_start').map((event) => event.content_block);
    expect(starts).toEqual([
      { type: 'text', text: '' },
      { type: 'tool_use', id: 'call_DdmO9pD3xa9XTPNJ32zg2hcA', name: 'get_weather', input: {} },
      { type: 'tool_use', id: 'call_ABg8CfHoRZPaBnHq8NYvbVhK', name: 'get_weather', input: {} },
    ]);
    expect(deltasOf(events, 0)).toEqual([
      { type: 'text_delta', text: "I'll check" },
      { type: 'text_delta', text: ' both cities.' },
    ]);
    const toolDeltas = deltasOf(events, 1);
    expect(toolDeltas.length).toBe(3);
    expect(toolDeltas.every((delta) => delta.type === 'input_json_delta')).toBe(true);
    expect(JSON.parse(toolDeltas.map((delta) => delta.partial_json).join(''))).toEqual({ location: 'Paris, France' });
    expect(JSON.parse(deltasOf(events, 2).map((delta) => delta.partial_json).join(''))).toEqual({ location: 'Rome, Italy', unit: 'celsius' });
    // 1,400 prompt tokens of which 1,024 read from the cache: Anthropic counts the uncached 376 as input_tokens.
    expect(events.at(-2)).toMatchObject({
      delta: { stop_reason: 'tool_use' },
      usage: { input_tokens: 376, cache_creation_input_tokens: 0, cache_read_input_tokens: 1024, output_tokens: 64 },
    });
  });

  it('puts reasoning_content in a thinking block with an empty signature and no signature_delta, then the text', () => {
    const events = eventsOf(convert(chunksOf('reasoning.chunks.txt')));
    expectAnthropicOrder(events);
    expect(events.filter((event) => event.type === 'content_block_start').map((event) => event.content_block)).toEqual([
      { type: 'thinking', thinking: '', signature: '' },
      { type: 'text', text: '' },
    ]);
    expect(deltasOf(events, 0)).toEqual([
      { type: 'thinking_delta', thinking: 'The user asks 9.11' },
      { type: 'thinking_delta', thinking: ' vs 9.8: compare 0.11 with 0.80.' },
    ]);
    expect(deltasOf(events, 1).map((delta) => delta.text).join('')).toBe('9.8 is larger.');
    expect(events.at(-2)?.usage).toEqual({ input_tokens: 56, cache_creation_input_tokens: 0, cache_read_input_tokens: 64, output_tokens: 58 });
  });

  it("takes a tool call whose arguments arrive whole in one chunk, as Ollama's adapter sends them", async () => {
    const lines = [
      '{"model":"qwen3:4b","created_at":"2026-11-23T10:00:00Z","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"location":"Paris"}}}]},"done":false}',
      '{"model":"qwen3:4b","created_at":"2026-11-23T10:00:01Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":212,"eval_count":23}',
    ];
    async function* ndjson() {
      yield* lines;
    }
    const chunks: string[] = [];
    for await (const chunk of translateOllamaStream(ndjson(), 'qwen3:4b', newOutcome(), 'ollama')) chunks.push(chunk.data);
    const events = eventsOf(convert(chunks));
    expectAnthropicOrder(events);
    expect(events[1]).toMatchObject({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: expect.stringMatching(/^call_/), name: 'get_weather', input: {} } });
    expect(deltasOf(events, 0)).toEqual([{ type: 'input_json_delta', partial_json: '{"location":"Paris"}' }]);
    expect(events.at(-2)).toMatchObject({ delta: { stop_reason: 'tool_use' }, usage: { input_tokens: 212, output_tokens: 23 } });
  });

  const chunk = (delta: Record<string, unknown>, finish: string | null = null, usage: unknown = null): string =>
    JSON.stringify({ id: 'chatcmpl-x', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }], usage });
  const usageOnly = (usage: unknown): string => JSON.stringify({ id: 'chatcmpl-x', object: 'chat.completion.chunk', choices: [], usage });

  it('opens a new tool_use block for a new id at the same index, and makes ids acceptable to Anthropic', () => {
    // Some upstreams number every parallel call 0 and send each whole; some ids carry dots and colons.
    const events = eventsOf(
      convert([
        chunk({ tool_calls: [{ index: 0, id: 'functions.read:0', type: 'function', function: { name: 'read', arguments: '{"path":"a.ts"}' } }] }),
        chunk({ tool_calls: [{ index: 0, id: 'functions.read:1', type: 'function', function: { name: 'read', arguments: '{"path":"b.ts"}' } }] }),
        chunk({}, 'tool_calls'),
      ]),
    );
    expectAnthropicOrder(events);
    expect(events.filter((event) => event.type === 'content_block_start').map((event) => event.content_block.id)).toEqual(['functions_read_0', 'functions_read_1']);
    expect(deltasOf(events, 1)).toEqual([{ type: 'input_json_delta', partial_json: '{"path":"b.ts"}' }]);
  });

  it('gives a tool call without an id a toolu_ id, and keeps one fragment per call when the id comes only first', () => {
    const events = eventsOf(
      convert([
        chunk({ tool_calls: [{ index: 0, function: { name: 'ls', arguments: '{"dir":' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '"src"}' } }] }),
        chunk({}, 'stop'),
      ]),
    );
    expect(events[1]?.content_block.id).toMatch(/^toolu_[A-Za-z0-9_-]+$/);
    expect(deltasOf(events, 0).map((delta) => delta.partial_json).join('')).toBe('{"dir":"src"}');
    // finish_reason "stop" with a tool call (as some upstreams answer): tool_use, so the client runs it.
    expect(events.at(-2)?.delta.stop_reason).toBe('tool_use');
  });

  it.each([
    ['length', 'max_tokens'],
    ['content_filter', 'refusal'],
    ['function_call', 'tool_use'],
    ['stop', 'end_turn'],
  ])('maps finish_reason %s to stop_reason %s', (finish, stopReason) => {
    const events = eventsOf(convert([chunk({ content: 'Hi' }), chunk({}, finish)]));
    expect(events.at(-2)?.delta).toEqual({ stop_reason: stopReason, stop_sequence: null });
  });

  it('takes usage from a chunk that also has choices (Mistral, Groq x_groq), the latest winning', () => {
    const converter = new ChatStreamToMessages({ model: MODEL });
    converter.push(chunk({ content: 'Hi' }, null, { prompt_tokens: 5, completion_tokens: 1 }));
    converter.push(JSON.stringify({ id: 'x', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], x_groq: { usage: { prompt_tokens: 30, completion_tokens: 2 } } }));
    expect(eventsOf(converter.end())[0]?.usage).toEqual({ input_tokens: 30, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 2 });
  });

  it('reports cache writes apart from uncached input (OpenRouter cache_write_tokens)', () => {
    const usage = { prompt_tokens: 194, completion_tokens: 2, total_tokens: 196, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 100, audio_tokens: 0 }, cost: 0.95 };
    const events = eventsOf(convert([chunk({ content: 'ok' }, 'stop'), usageOnly(usage)]));
    expect(events.at(-2)?.usage).toEqual({ input_tokens: 94, cache_creation_input_tokens: 100, cache_read_input_tokens: 0, output_tokens: 2 });
  });

  it('ignores content after the finish reason but not the usage chunk, and everything after end()', () => {
    const converter = new ChatStreamToMessages({ model: MODEL, messageId: 'msg_given' });
    const frames = [
      ...converter.push(chunk({ content: 'Done.' }, 'stop')),
      ...converter.push(chunk({ content: ' Extra.', tool_calls: [{ index: 0, id: 'call_late', function: { name: 'x', arguments: '{}' } }] })),
      ...converter.push(usageOnly({ prompt_tokens: 9, completion_tokens: 3 })),
      ...converter.end(),
    ];
    const events = eventsOf(frames);
    expectAnthropicOrder(events);
    expect(events[0]?.message.id).toBe('msg_given');
    expect(events.filter((event) => event.type === 'content_block_delta').map((event) => event.delta.text)).toEqual(['Done.']);
    expect(events.at(-2)).toMatchObject({ delta: { stop_reason: 'end_turn' }, usage: { input_tokens: 9, output_tokens: 3 } });
    expect(converter.push(chunk({ content: 'more' }))).toEqual([]);
    expect(converter.end()).toEqual([]);
  });

  it('still starts and ends a message when the stream had no chunks, or ended without a finish reason', () => {
    const empty = eventsOf(new ChatStreamToMessages({ model: MODEL }).end());
    expect(empty.map((event) => event.type)).toEqual(['message_start', 'message_delta', 'message_stop']);
    expect(empty[0]?.message.id).toMatch(/^msg_/);
    const cut = eventsOf(convert([chunk({ role: 'assistant', content: '' }), chunk({ content: 'Half' })]));
    expectAnthropicOrder(cut);
    expect(cut.at(-2)?.delta.stop_reason).toBe('end_turn');
  });

  it('opens a new block when reasoning resumes after text', () => {
    const events = eventsOf(convert([chunk({ reasoning_content: 'a' }), chunk({ content: 'b' }), chunk({ reasoning: 'c' }), chunk({}, 'stop')]));
    expectAnthropicOrder(events);
    expect(events.filter((event) => event.type === 'content_block_start').map((event) => event.content_block.type)).toEqual(['thinking', 'text', 'thinking']);
  });

  it('refuses arguments of a tool call that go on after the next block began, which Anthropic order cannot express', () => {
    const converter = new ChatStreamToMessages({ model: MODEL });
    converter.push(chunk({ tool_calls: [{ index: 0, id: 'call_a', function: { name: 'a', arguments: '{"x":' } }] }));
    converter.push(chunk({ tool_calls: [{ index: 1, id: 'call_b', function: { name: 'b', arguments: '{}' } }] }));
    expect(() => converter.push(chunk({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] }))).toThrow(/tool call 0/);
  });

  it("writes Anthropic's mid-stream error event, after which nothing more is written", () => {
    const converter = new ChatStreamToMessages({ model: MODEL });
    converter.push(chunk({ content: 'Hel' }));
    expect(converter.errorFrame('overloaded_error', 'Overloaded')).toBe('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n');
    expect(converter.push(chunk({ content: 'lo' }))).toEqual([]);
    expect(converter.end()).toEqual([]);
  });
});

/** Serves the frames as Anthropic would (text/event-stream) to the official SDK, and returns its accumulated message. */
async function sdkMessage(frames: string[]): Promise<Record<string, unknown>> {
  const server = createServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const frame of frames) response.write(frame);
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const client = new Anthropic({ apiKey: 'test', baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, maxRetries: 0 });
    const stream = client.messages.stream({ model: MODEL, max_tokens: 1024, messages: [{ role: 'user', content: 'Hi' }] });
    const { parsed_output: _parsed, ...message } = await stream.finalMessage();
    return message;
  } finally {
    server.close();
  }
}

describe('the stream and the completion converters agree, as read by @anthropic-ai/sdk', () => {
  it.each(['text', 'parallel-tools', 'reasoning'])('%s: the SDK accumulates the stream into completionToMessage’s message', async (name) => {
    const streamed = await sdkMessage(convert(chunksOf(`${name}.chunks.txt`)));
    expect(streamed).toEqual(completionToMessage(fixture(`${name}.completion.json`), MODEL));
  });

  it('the SDK raises the error event as an APIError of its type', async () => {
    const converter = new ChatStreamToMessages({ model: MODEL });
    const frames = [...converter.push(chunksOf('text.chunks.txt')[1] ?? ''), converter.errorFrame('overloaded_error', 'Overloaded')];
    await expect(sdkMessage(frames)).rejects.toMatchObject({ type: 'overloaded_error' });
  });
});
