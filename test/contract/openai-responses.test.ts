import OpenAI, { APIError, BadRequestError, NotFoundError } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startOpenAIDouble, type Double } from '../doubles/index.js';

// The Responses API of the OpenAI double (responses-api.md), read by the real openai SDK (7.57):
// create() JSON and streamed, and the strict responses.stream() accumulator.

const doubles: Double[] = [];
afterEach(async () => {
  while (doubles.length) await doubles.pop()?.close();
});

async function openai(flavor: 'openai' | 'deepseek' = 'openai'): Promise<{ double: Double; client: OpenAI }> {
  const double = await startOpenAIDouble({ flavor });
  doubles.push(double);
  return { double, client: new OpenAI({ apiKey: 'sk-test-responses-000000', baseURL: double.url, maxRetries: 0 }) };
}

const execTool = { type: 'function' as const, name: 'exec_command', parameters: { type: 'object', properties: { cmd: { type: 'string' } } }, strict: false };
const patchTool = { type: 'custom' as const, name: 'apply_patch', description: 'Apply a patch' };

async function refusal(promise: Promise<unknown>): Promise<APIError> {
  const error = await promise.catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(APIError);
  return error as APIError;
}

async function rawEvents(double: Double, body: Record<string, unknown>): Promise<{ text: string; events: Array<{ event: string; data: Record<string, unknown> }> }> {
  const response = await fetch(`${double.url}/responses`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
    body: JSON.stringify({ stream: true, ...body }),
  });
  const text = await response.text();
  const events = text
    .split('\n\n')
    .filter(Boolean)
    .map((block) => {
      const [eventLine, dataLine] = block.split('\n');
      return { event: (eventLine ?? '').replace(/^event: /, ''), data: JSON.parse((dataLine ?? '').replace(/^data: /, '')) as Record<string, unknown> };
    });
  return { text, events };
}

describe('POST /v1/responses, answered', () => {
  it('answers create() with the response object: ids, output items, usage, output_text', async () => {
    const { double, client } = await openai();
    double.enqueue({ kind: 'reply', text: 'Done.', usage: { inputTokens: 100, cacheReadTokens: 40, outputTokens: 7 } });
    const response = await client.responses.create({ model: 'gpt-4.1', instructions: 'Be brief.', input: [{ role: 'user', content: 'Say done.' }] });
    expect(response).toMatchObject({ id: expect.stringMatching(/^resp_/), object: 'response', status: 'completed', model: 'gpt-4.1', error: null, incomplete_details: null, instructions: 'Be brief.' });
    expect(response.output).toEqual([
      { id: expect.stringMatching(/^msg_/), type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Done.', annotations: [], logprobs: [] }] },
    ]);
    expect(response.output_text).toBe('Done.');
    expect(response.usage).toEqual({ input_tokens: 100, input_tokens_details: { cached_tokens: 40 }, output_tokens: 7, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 107 });
    expect(double.requests[0]).toMatchObject({ method: 'POST', path: '/v1/responses' });
  });

  it('counts usage like the chat endpoint: a quarter of the input text', async () => {
    const { client } = await openai();
    const response = await client.responses.create({ model: 'gpt-4.1', input: 'abcdefgh' });
    expect(response.output_text).toBe('Echo: abcdefgh');
    expect(response.usage?.input_tokens).toBe(2);
    expect(response.usage?.output_tokens).toBe(4);
  });

  it('turns a scripted call into a function_call, or a custom_tool_call when the name is a custom tool', async () => {
    const { double, client } = await openai();
    double.enqueue({ kind: 'reply', toolCalls: [{ name: 'exec_command', arguments: '{"cmd":"ls"}' }, { name: 'apply_patch', arguments: '*** Begin Patch\n*** End Patch' }] });
    const response = await client.responses.create({ model: 'gpt-4.1', input: 'list and patch', tools: [execTool, patchTool] });
    expect(response.output).toEqual([
      { id: expect.stringMatching(/^fc_/), type: 'function_call', status: 'completed', arguments: '{"cmd":"ls"}', call_id: expect.stringMatching(/^call_/), name: 'exec_command' },
      { id: expect.stringMatching(/^ctc_/), type: 'custom_tool_call', call_id: expect.stringMatching(/^call_/), input: '*** Begin Patch\n*** End Patch', name: 'apply_patch' },
    ]);
  });

  it('puts a reasoning item first for a reasoning model: summary when asked, encrypted_content when included', async () => {
    const { double, client } = await openai();
    double.enqueue({ kind: 'reply', reasoning: 'Check the files first.', text: 'Fine.' }, { kind: 'reply', reasoning: 'Hidden.', text: 'Fine.' });
    const shown = await client.responses.create({ model: 'gpt-5', input: 'go', reasoning: { effort: 'low', summary: 'auto' }, include: ['reasoning.encrypted_content'] });
    expect(shown.output[0]).toEqual({ id: expect.stringMatching(/^rs_/), type: 'reasoning', summary: [{ type: 'summary_text', text: 'Check the files first.' }], encrypted_content: expect.stringMatching(/^gAAAAB/) });
    expect(shown.usage?.output_tokens_details.reasoning_tokens).toBe(6);
    const hidden = await client.responses.create({ model: 'gpt-5', input: 'go' });
    expect(hidden.output[0]).toEqual({ id: expect.stringMatching(/^rs_/), type: 'reasoning', summary: [] });
  });

  it('stops at max_output_tokens with status incomplete', async () => {
    const { client } = await openai();
    const response = await client.responses.create({ model: 'gpt-4.1', max_output_tokens: 16, input: 'a question long enough to need more than sixteen tokens of echo, surely, yes' });
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(response.usage?.output_tokens).toBe(16);
  });

  it('answers a json_schema text format with JSON valid against it by default', async () => {
    const { client } = await openai();
    const schema = { type: 'object', properties: { title: { type: 'string' }, done: { type: 'boolean' } }, required: ['title', 'done'], additionalProperties: false };
    const response = await client.responses.create({ model: 'gpt-5', input: 'Name it.', text: { format: { type: 'json_schema', name: 'title', schema, strict: true } } });
    expect(JSON.parse(response.output_text)).toEqual({ title: 'Echo: Name it.', done: false });
  });

  it('remembers stored responses for previous_response_id, and counts their text as input', async () => {
    const { double, client } = await openai();
    double.enqueue({ kind: 'reply', toolCalls: [{ name: 'exec_command', arguments: '{"cmd":"ls"}' }] });
    const first = await client.responses.create({ model: 'gpt-4.1', input: 'list files', tools: [execTool] });
    const call = first.output[0] as { call_id: string };
    const second = await client.responses.create({ model: 'gpt-4.1', previous_response_id: first.id, input: [{ type: 'function_call_output', call_id: call.call_id, output: 'a.txt' }] });
    expect(second.previous_response_id).toBe(first.id);
    expect(second.usage?.input_tokens).toBeGreaterThan(first.usage?.input_tokens ?? 0);
  });
});

describe('POST /v1/responses, streamed', () => {
  it('streams created, items added and done, deltas with obfuscation, and completed with output and usage; no [DONE]', async () => {
    const { double } = await openai();
    double.enqueue({ kind: 'reply', text: 'Hello there', chunkSize: 4, usage: { inputTokens: 10, outputTokens: 3 } });
    const { text, events } = await rawEvents(double, { model: 'gpt-4.1', input: 'hi' });
    expect(text).not.toContain('[DONE]');
    expect(events.every(({ event, data }) => event === data.type)).toBe(true);
    expect(events.map(({ data }) => data.sequence_number)).toEqual(events.map((_, index) => index));
    expect(events.map(({ event }) => event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const deltas = events.filter(({ event }) => event === 'response.output_text.delta').map(({ data }) => data);
    expect(deltas.map((delta) => delta.delta).join('')).toBe('Hello there');
    expect(deltas.every((delta) => typeof delta.obfuscation === 'string' && delta.item_id === (events[2]?.data.item as { id: string }).id)).toBe(true);
    const completed = events.at(-1)?.data.response as { status: string; output: unknown[]; usage: { total_tokens: number } };
    expect(completed.status).toBe('completed');
    expect(completed.output).toHaveLength(1);
    expect(completed.usage.total_tokens).toBe(13);
  });

  it('leaves obfuscation out when stream_options.include_obfuscation is false', async () => {
    const { double } = await openai();
    const { events } = await rawEvents(double, { model: 'gpt-4.1', input: 'hi', stream_options: { include_obfuscation: false } });
    expect(events.some(({ data }) => 'obfuscation' in data)).toBe(false);
  });

  it('reads through create({stream: true}) and the strict stream() helper, tool calls and reasoning included', async () => {
    const { double, client } = await openai();
    const script = { kind: 'reply' as const, reasoning: 'Plan: list, then patch.', text: 'On it.', toolCalls: [{ name: 'exec_command', arguments: '{"cmd":"ls -la"}' }, { name: 'apply_patch', arguments: '*** Begin Patch\n*** End Patch' }], chunkSize: 5 };
    double.enqueue(script, script);
    const request = { model: 'gpt-5', input: 'work', reasoning: { summary: 'auto' as const }, tools: [execTool, patchTool] };

    const seen: string[] = [];
    for await (const event of await client.responses.create({ ...request, stream: true })) seen.push(event.type);
    expect(seen).toContain('response.reasoning_summary_text.delta');
    expect(seen).toContain('response.function_call_arguments.delta');
    expect(seen).toContain('response.custom_tool_call_input.delta');
    expect(seen.at(-1)).toBe('response.completed');

    const final = await client.responses.stream(request).finalResponse();
    expect(final.output.map((item) => item.type)).toEqual(['reasoning', 'message', 'function_call', 'custom_tool_call']);
    expect(final.output_text).toBe('On it.');
    expect(final.output[2]).toMatchObject({ name: 'exec_command', arguments: '{"cmd":"ls -la"}' });
    expect(final.output[3]).toMatchObject({ name: 'apply_patch', input: '*** Begin Patch\n*** End Patch' });
    expect(final.usage?.output_tokens_details.reasoning_tokens).toBe(6);
  });

  it('ends a mid-stream error with response.failed and response.error {code, message}', async () => {
    const { double } = await openai();
    double.enqueue({ kind: 'midstream-error', afterChunks: 2, message: 'An error occurred while processing your request.' });
    const { events } = await rawEvents(double, { model: 'gpt-4.1', input: 'something long enough to split' });
    const last = events.at(-1);
    expect(last?.event).toBe('response.failed');
    expect(last?.data.response).toMatchObject({ status: 'failed', error: { code: 'server_error', message: 'An error occurred while processing your request.' } });
    expect(events.filter(({ event }) => event === 'response.output_text.delta')).toHaveLength(2);
  });

  it('stalls and drops like the chat endpoint', async () => {
    const { double } = await openai();
    double.enqueue({ kind: 'drop', afterChunks: 1 });
    await expect(rawEvents(double, { model: 'gpt-4.1', input: 'hello world' })).rejects.toThrow();
    double.enqueue({ kind: 'stall', afterChunks: 1 });
    const controller = new AbortController();
    const response = await fetch(`${double.url}/responses`, { method: 'POST', headers: { authorization: 'Bearer k' }, body: JSON.stringify({ model: 'gpt-4.1', input: 'hello world', stream: true }), signal: controller.signal });
    const reader = response.body?.getReader();
    const first = await reader?.read();
    expect(new TextDecoder().decode(first?.value)).toContain('event: response.created');
    controller.abort();
    await expect.poll(() => double.requests.at(-1)?.aborted, { timeout: 1500 }).toBe(true);
  });

  it('streams an input over the window as an error event after in_progress', async () => {
    const { client } = await openai();
    const huge = 'x'.repeat(4 * 130_000);
    const error = await refusal((async () => {
      for await (const _event of await client.responses.create({ model: 'gpt-4o-mini', input: huge, stream: true })) {
        // the SDK throws on the error event
      }
    })());
    expect(error.message).toContain('Your input exceeds the context window of this model.');
  });
});

describe('POST /v1/responses, refused as OpenAI refuses', () => {
  const cases: Array<[string, Record<string, unknown>, { message: string | RegExp; param: string | null; code: string | null; status?: number }]> = [
    ['an unknown parameter', { model: 'gpt-4.1', input: 'x', foo: 1 }, { message: "Unknown parameter: 'foo'.", param: 'foo', code: 'unknown_parameter' }],
    ['a Chat body', { model: 'gpt-4.1', messages: [{ role: 'user', content: 'x' }] }, { message: /^Unsupported parameter: 'messages'\. In the Responses API, this parameter has moved to 'input'\./, param: null, code: 'unsupported_parameter' }],
    ['max_output_tokens below 16', { model: 'gpt-4.1', input: 'x', max_output_tokens: 1 }, { message: "Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got 1 instead.", param: 'max_output_tokens', code: 'integer_below_min_value' }],
    ['max_output_tokens over the model limit', { model: 'gpt-4o-mini', input: 'x', max_output_tokens: 20_000 }, { message: "Invalid 'max_output_tokens': integer above maximum value. Expected a value <= 16384, but got 20000 instead.", param: 'max_output_tokens', code: 'integer_above_max_value' }],
    [
      "a function_call id not beginning with 'fc'",
      { model: 'gpt-4.1', input: [{ role: 'user', content: 'x' }, { type: 'function_call', id: 'call_abc', call_id: 'call_abc', name: 'f', arguments: '{}' }, { type: 'function_call_output', call_id: 'call_abc', output: 'ok' }] },
      { message: "Invalid 'input[1].id': 'call_abc'. Expected an ID that begins with 'fc'.", param: 'input[1].id', code: 'invalid_value' },
    ],
    [
      'a reasoning item carrying status',
      { model: 'gpt-5', input: [{ role: 'user', content: 'x' }, { type: 'reasoning', id: 'rs_1', summary: [], status: 'completed' }] },
      { message: "Unknown parameter: 'input[1].status'.", param: 'input[1].status', code: 'unknown_parameter' },
    ],
    [
      'foreign encrypted_content',
      { model: 'gpt-5', input: [{ role: 'user', content: 'x' }, { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'lllm-rsenc-v1:abc' }] },
      { message: 'The encrypted content for item rs_1 could not be verified. Reason: Encrypted content could not be decrypted or parsed.', param: null, code: 'invalid_encrypted_content' },
    ],
    [
      'an output with no call',
      { model: 'gpt-4.1', input: [{ role: 'user', content: 'x' }, { type: 'function_call_output', call_id: 'call_zzz', output: 'ok' }] },
      { message: 'No tool call found for function call output with call_id call_zzz.', param: 'input', code: null },
    ],
    [
      'a call with no output and more input after it',
      { model: 'gpt-4.1', input: [{ role: 'user', content: 'x' }, { type: 'function_call', call_id: 'call_q', name: 'f', arguments: '{}' }, { role: 'user', content: 'next' }] },
      { message: 'No tool output found for function call call_q.', param: 'input', code: null },
    ],
    ['an unknown previous_response_id', { model: 'gpt-4.1', input: 'x', previous_response_id: 'resp_nothere' }, { message: "Previous response with id 'resp_nothere' not found.", param: 'previous_response_id', code: 'previous_response_not_found' }],
    ['reasoning on a model that does not reason', { model: 'gpt-4.1', input: 'x', reasoning: { effort: 'low' } }, { message: "Unsupported parameter: 'reasoning.effort' is not supported with this model.", param: 'reasoning.effort', code: 'unsupported_parameter' }],
    ['a temperature on GPT-5', { model: 'gpt-5', input: 'x', temperature: 0.2 }, { message: "Unsupported parameter: 'temperature' is not supported with this model.", param: 'temperature', code: null }],
    ['an input over the window', { model: 'gpt-4o-mini', input: 'x'.repeat(4 * 130_000) }, { message: 'Your input exceeds the context window of this model. Please adjust your input and try again.', param: 'input', code: 'context_length_exceeded' }],
  ];

  for (const [name, body, expected] of cases) {
    it(`refuses ${name}`, async () => {
      const { double, client } = await openai();
      const error = await refusal(client.responses.create(body as never));
      expect(error).toBeInstanceOf(BadRequestError);
      if (typeof expected.message === 'string') expect(error.error).toMatchObject({ message: expected.message });
      else expect((error.error as { message: string }).message).toMatch(expected.message);
      expect(error.error).toMatchObject({ type: 'invalid_request_error', param: expected.param, code: expected.code });
      // Refused before generation: no behaviour consumed.
      double.enqueue({ kind: 'reply', text: 'still queued' });
      expect((await client.responses.create({ model: 'gpt-4.1', input: 'x' })).output_text).toBe('still queued');
    });
  }

  it('scripts an HTTP error in OpenAI envelope, and is served by the openai flavor only', async () => {
    const { double, client } = await openai();
    double.enqueue({ kind: 'error', status: 429 });
    const limited = await refusal(client.responses.create({ model: 'gpt-4.1', input: 'x' }));
    expect(limited.status).toBe(429);
    expect(limited.code).toBe('rate_limit_exceeded');
    const other = await openai('deepseek');
    const missing = await refusal(other.client.responses.create({ model: 'deepseek-flash', input: 'x' }));
    expect(missing).toBeInstanceOf(NotFoundError);
  });
});
