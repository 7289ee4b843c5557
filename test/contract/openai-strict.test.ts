import OpenAI, { APIError, BadRequestError, UnprocessableEntityError } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startOpenAIDouble, type Double, type OpenAIFlavor } from '../doubles/index.js';

// What the OpenAI double and its flavors refuse in Chat Completions (fields, values, output
// limits, windows), each in its service's own status, envelope and words, through the real SDK.

const doubles: Double[] = [];
afterEach(async () => {
  while (doubles.length) await doubles.pop()?.close();
});

async function flavor(name: OpenAIFlavor): Promise<{ double: Double; client: OpenAI }> {
  const double = await startOpenAIDouble({ flavor: name });
  doubles.push(double);
  return { double, client: new OpenAI({ apiKey: 'test-key-0123456789', baseURL: double.url, maxRetries: 0 }) };
}

const user = (content: string) => [{ role: 'user' as const, content }];
/** A prompt of about `tokens` tokens by the doubles' chars/4 convention. */
const sized = (tokens: number) => user('x'.repeat(tokens * 4));

async function refusal(promise: Promise<unknown>): Promise<APIError> {
  const error = await promise.catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(APIError);
  return error as APIError;
}

describe('openai', () => {
  it('refuses a field outside the spec: "Unrecognized request argument supplied", param and code null', async () => {
    const { client } = await flavor('openai');
    const one = await refusal(client.chat.completions.create({ model: 'gpt-4o-mini', messages: user('hi'), thinking: { type: 'enabled' } } as never));
    expect(one).toBeInstanceOf(BadRequestError);
    expect(one.error).toEqual({ message: 'Unrecognized request argument supplied: thinking', type: 'invalid_request_error', param: null, code: null });
    const two = await refusal(client.chat.completions.create({ model: 'gpt-4o-mini', messages: user('hi'), top_k: 3, num_keep: 1 } as never));
    expect((two.error as { message: string }).message).toBe('Unrecognized request arguments supplied: top_k, num_keep');
  });

  it('takes every field of the spec, stream_options and reasoning_effort included for a reasoning model', async () => {
    const { client } = await flavor('openai');
    const stream = await client.chat.completions.create({
      model: 'gpt-5',
      messages: user('hi'),
      stream: true,
      stream_options: { include_usage: true },
      reasoning_effort: 'low',
      max_completion_tokens: 100,
      parallel_tool_calls: true,
      prompt_cache_key: 'k',
      safety_identifier: 'u',
      store: false,
      verbosity: 'low',
      metadata: { a: 'b' },
      service_tier: 'auto',
      seed: 1,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.at(-1)?.usage).toBeTruthy();
  });

  it('refuses reasoning_effort for a model that does not reason, even "none"', async () => {
    const { client } = await flavor('openai');
    for (const model of ['gpt-4o-mini', 'gpt-4.1', 'gpt-4o']) {
      const error = await refusal(client.chat.completions.create({ model, messages: user('hi'), reasoning_effort: 'none' }));
      expect(error.error).toEqual({ message: 'Unrecognized request argument supplied: reasoning_effort', type: 'invalid_request_error', param: null, code: null });
    }
    // null means "not set", as clients learned (OpenAI-sublime-text#146).
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: user('hi'), reasoning_effort: null });
  });

  it('refuses max_tokens and a temperature other than 1 on GPT-5 and the o-series', async () => {
    const { client } = await flavor('openai');
    const tokens = await refusal(client.chat.completions.create({ model: 'gpt-5-mini', messages: user('hi'), max_tokens: 100 }));
    expect(tokens.error).toEqual({ message: "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", type: 'invalid_request_error', param: 'max_tokens', code: 'unsupported_parameter' });
    const temperature = await refusal(client.chat.completions.create({ model: 'o3', messages: user('hi'), temperature: 0.2 }));
    expect(temperature.error).toEqual({ message: "Unsupported value: 'temperature' does not support 0.2 with this model. Only the default (1) value is supported.", type: 'invalid_request_error', param: 'temperature', code: 'unsupported_value' });
    await client.chat.completions.create({ model: 'gpt-5', messages: user('hi'), temperature: 1 });
  });

  it("refuses an output cap over the model's limit, naming the field it came in", async () => {
    const { client } = await flavor('openai');
    const error = await refusal(client.chat.completions.create({ model: 'gpt-4o-mini', messages: user('hi'), max_tokens: 128_000 }));
    expect(error.error).toEqual({ message: 'max_tokens is too large: 128000. This model supports at most 16384 completion tokens, whereas you provided 128000.', type: 'invalid_request_error', param: 'max_tokens', code: null });
    const completion = await refusal(client.chat.completions.create({ model: 'gpt-5', messages: user('hi'), max_completion_tokens: 200_000 }));
    expect((completion.error as { message: string; param: string }).param).toBe('max_completion_tokens');
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: user('hi'), max_tokens: 16_384 });
  });

  it('refuses a prompt that does not fit the window, in the wording of each model line', async () => {
    const { client } = await flavor('openai');
    const withCap = await refusal(client.chat.completions.create({ model: 'gpt-4o-mini', messages: sized(120_000), max_tokens: 10_000 }));
    expect(withCap.error).toMatchObject({ param: 'messages', code: 'context_length_exceeded' });
    expect((withCap.error as { message: string }).message).toMatch(/^This model's maximum context length is 128000 tokens\. However, you requested 130\d{3} tokens \(120\d{3} in the messages, 10000 in the completion\)\. Please reduce the length of the messages or completion\.$/);
    const alone = await refusal(client.chat.completions.create({ model: 'gpt-4o-mini', messages: sized(130_000) }));
    expect((alone.error as { message: string }).message).toMatch(/^This model's maximum context length is 128000 tokens\. However, your messages resulted in 130\d{3} tokens\. Please reduce the length of the messages\.$/);
    const gpt5 = await refusal(client.chat.completions.create({ model: 'gpt-5', messages: sized(280_000) }));
    expect((gpt5.error as { message: string }).message).toMatch(/^Input tokens exceed the configured limit of 272000 tokens\. Your messages resulted in 280\d{3} tokens\. Please reduce the length of the messages\.$/);
  });

  it('lets an unknown model through with generous limits', async () => {
    const { client } = await flavor('openai');
    const completion = await client.chat.completions.create({ model: 'my-fine-tune', messages: user('hi'), max_tokens: 500_000 });
    expect(completion.choices[0]?.message.content).toBe('Echo: hi');
  });

  it('answers a json_schema response format with JSON valid against it by default', async () => {
    const { client } = await flavor('openai');
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: user('Title this.'),
      response_format: { type: 'json_schema', json_schema: { name: 't', strict: true, schema: { type: 'object', properties: { title: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } }, required: ['title', 'tags'], additionalProperties: false } } },
    });
    expect(JSON.parse(completion.choices[0]?.message.content ?? '')).toEqual({ title: 'Echo: Title this.', tags: [] });
  });
});

describe('deepseek', () => {
  it('refuses max_tokens outside [1, 393216] and a prompt over its window, in its envelope', async () => {
    const { client } = await flavor('deepseek');
    const tokens = await refusal(client.chat.completions.create({ model: 'deepseek-flash', messages: user('hi'), max_tokens: 400_000 }));
    expect(tokens.error).toEqual({ message: 'Invalid max_tokens value, the valid range of max_tokens is [1, 393216]', type: 'invalid_request_error', param: null, code: 'invalid_request_error' });
    const window = await refusal(client.chat.completions.create({ model: 'deepseek-flash', messages: sized(1_000_000), max_tokens: 100_000 }));
    expect((window.error as { message: string }).message).toMatch(/^This model's maximum context length is 1048576 tokens\. However, you requested 1100\d{3} tokens \(1000\d{3} in the messages, 100000 in the completion\)\. Please reduce the length of the messages or completion\.$/);
  });

  it('refuses the developer role and image parts as its deserializer does, with the position reached', async () => {
    const { double } = await flavor('deepseek');
    const post = async (body: unknown): Promise<{ status: number; json: unknown }> => {
      const response = await fetch(`${double.url}/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer k' }, body: JSON.stringify(body) });
      return { status: response.status, json: await response.json() };
    };
    const developer = await post({ model: 'deepseek-flash', messages: [{ role: 'developer', content: 'Be brief.' }, { role: 'user', content: 'hi' }] });
    expect(developer.status).toBe(400);
    // {"model":"deepseek-flash","messages":[{"role":"developer" ends at byte 57.
    expect(developer.json).toEqual({
      error: {
        message: 'Failed to deserialize the JSON body into the target type: messages[0].role: unknown variant `developer`, expected one of `system`, `user`, `assistant`, `tool`, `latest_reminder` at line 1 column 57',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_request_error',
      },
    });
    const image = await post({ model: 'deepseek-flash', messages: [{ role: 'user', content: [{ type: 'text', text: 'see' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AA' } }] }] });
    expect((image.json as { error: { message: string } }).error.message).toMatch(/^Failed to deserialize the JSON body into the target type: messages\[0\]: unknown variant `image_url`, expected `text` at line 1 column \d+$/);
  });

  it('in thinking mode, refuses a tool-call turn sent back without its reasoning_content; not when thinking is disabled', async () => {
    const { client } = await flavor('deepseek');
    const messages = [
      { role: 'user' as const, content: 'weather?' },
      { role: 'assistant' as const, content: null, tool_calls: [{ id: 'call_00_a', type: 'function' as const, function: { name: 'get_weather', arguments: '{}' } }] },
      { role: 'tool' as const, tool_call_id: 'call_00_a', content: 'sunny' },
    ];
    const error = await refusal(client.chat.completions.create({ model: 'deepseek-flash', messages }));
    expect(error.error).toEqual({ message: 'The `reasoning_content` in the thinking mode must be passed back to the API.', type: 'invalid_request_error', param: null, code: 'invalid_request_error' });
    const withReasoning = messages.map((message) => (message.role === 'assistant' ? { ...message, reasoning_content: 'Check the weather tool.' } : message));
    await client.chat.completions.create({ model: 'deepseek-flash', messages: withReasoning as never });
    await client.chat.completions.create({ model: 'deepseek-flash', messages, thinking: { type: 'disabled' } } as never);
  });

  it('thinks by default: a reply carries reasoning_content unless thinking is disabled or the script sets it', async () => {
    const { double, client } = await flavor('deepseek');
    const thinking = await client.chat.completions.create({ model: 'deepseek-flash', messages: user('hi') });
    expect((thinking.choices[0]?.message as unknown as { reasoning_content?: string }).reasoning_content).toEqual(expect.any(String));
    expect(thinking.usage?.completion_tokens_details?.reasoning_tokens).toBeGreaterThan(0);
    const plain = await client.chat.completions.create({ model: 'deepseek-flash', messages: user('hi'), thinking: { type: 'disabled' } } as never);
    expect(plain.choices[0]?.message).not.toHaveProperty('reasoning_content');
    double.enqueue({ kind: 'reply', text: 'ok', reasoning: 'Scripted.' });
    const scripted = await client.chat.completions.create({ model: 'deepseek-flash', messages: user('hi') });
    expect((scripted.choices[0]?.message as unknown as { reasoning_content?: string }).reasoning_content).toBe('Scripted.');
  });

  it('ignores a field it does not know, as DeepSeek does', async () => {
    const { client } = await flavor('deepseek');
    await client.chat.completions.create({ model: 'deepseek-flash', messages: user('hi'), prompt_cache_key: 'x', some_future_field: 1 } as never);
  });
});

describe('groq', () => {
  it('refuses an unknown property, suggesting the nearest one', async () => {
    const { client } = await flavor('groq');
    const close = await refusal(client.chat.completions.create({ model: 'llama-3.3-70b-versatile', messages: user('hi'), reasoning_effortt: 'low' } as never));
    expect(close.error).toEqual({ message: "property 'reasoning_effortt' is unsupported, did you mean 'reasoning_effort'?", type: 'invalid_request_error' });
    const far = await refusal(client.chat.completions.create({ model: 'llama-3.3-70b-versatile', messages: user('hi'), reasoning: { effort: 'low' } } as never));
    expect(far.error).toEqual({ message: "property 'reasoning' is unsupported", type: 'invalid_request_error' });
  });

  it("refuses max_completion_tokens over the model's output, and an assistant turn carrying reasoning_content", async () => {
    const { client } = await flavor('groq');
    const tokens = await refusal(client.chat.completions.create({ model: 'moonshotai/kimi-k2-instruct', messages: user('hi'), max_completion_tokens: 32_000 }));
    expect(tokens.error).toEqual({
      message: '`max_completion_tokens` must be less than or equal to `16384`, the maximum value for `max_completion_tokens` is less than the `context_window` for this model',
      type: 'invalid_request_error',
      param: 'max_completion_tokens',
    });
    const reasoning = await refusal(client.chat.completions.create({ model: 'llama-3.3-70b-versatile', messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'yo', reasoning_content: 'r' } as never, { role: 'user', content: 'again' }] }));
    expect((reasoning.error as { message: string }).message).toContain("property 'reasoning_content' is unsupported");
  });

  it('refuses a prompt over the window with context_length_exceeded', async () => {
    const { client } = await flavor('groq');
    const error = await refusal(client.chat.completions.create({ model: 'llama-3.3-70b-versatile', messages: sized(130_000), max_tokens: 8000 }));
    expect(error.error).toEqual({ message: 'Please reduce the length of the messages or completion.', type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' });
  });
});

describe('mistral', () => {
  it('refuses every field outside its schema in one 422 extra_forbidden answer', async () => {
    const { client } = await flavor('mistral');
    const error = await refusal(client.chat.completions.create({ model: 'mistral-small-latest', messages: user('hi'), store: false, max_completion_tokens: 8192 }));
    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect(error.error).toEqual({
      object: 'error',
      message: {
        detail: [
          { type: 'extra_forbidden', loc: ['body', 'store'], msg: 'Extra inputs are not permitted', input: false },
          { type: 'extra_forbidden', loc: ['body', 'max_completion_tokens'], msg: 'Extra inputs are not permitted', input: 8192 },
        ],
      },
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
    await client.chat.completions.create({ model: 'mistral-small-latest', messages: user('hi'), max_tokens: 100, random_seed: 3 } as never);
  });

  it('answers 422 when max_tokens with the prompt reaches the window', async () => {
    const { client } = await flavor('mistral');
    const error = await refusal(client.chat.completions.create({ model: 'mistral-large-latest', messages: user('hi'), max_tokens: 128_000 }));
    expect(error.status).toBe(422);
  });
});

describe('gemini', () => {
  it("refuses max_tokens outside the model's range and an input over the window, Google's way", async () => {
    const { double, client } = await flavor('gemini');
    const tokens = await refusal(client.chat.completions.create({ model: 'gemini-2.5-flash', messages: user('hi'), max_tokens: 100_000 }));
    expect(tokens.status).toBe(400);
    const response = await fetch(`${double.url}/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer k' }, body: JSON.stringify({ model: 'gemini-2.5-flash', messages: user('hi'), max_tokens: 100_000 }) });
    expect(await response.json()).toEqual([
      { error: { code: 400, message: 'Unable to submit request because it has a maxOutputTokens value of 100000 but the supported range is from 1 (inclusive) to 65537 (exclusive). Update the value and try again.', status: 'INVALID_ARGUMENT' } },
    ]);
    const window = await refusal(client.chat.completions.create({ model: 'gemini-2.5-pro', messages: sized(1_100_000) }));
    expect(window.message).toMatch(/The input token count \(1100\d{3}\) exceeds the maximum number of tokens allowed \(1048576\)\./);
  });

  it('refuses the names Google reported unknown, all in one message', async () => {
    const { double } = await flavor('gemini');
    const response = await fetch(`${double.url}/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer k' }, body: JSON.stringify({ model: 'gemini-2.5-flash', messages: user('hi'), frequency_penalty: 0.5, top_k: 3 }) });
    const body = (await response.json()) as Array<{ error: { message: string; status: string } }>;
    expect(body[0]?.error).toMatchObject({ message: 'Invalid JSON payload received. Unknown name "frequency_penalty": Cannot find field.\nInvalid JSON payload received. Unknown name "top_k": Cannot find field.', status: 'INVALID_ARGUMENT' });
  });
});

describe('openrouter', () => {
  it('refuses prompt plus max_tokens over the endpoint window, suggesting middle-out', async () => {
    const { client } = await flavor('openrouter');
    const error = await refusal(client.chat.completions.create({ model: 'moonshotai/kimi-k2', messages: sized(130_000), max_tokens: 4096 }));
    expect(error.error).toMatchObject({ code: 400, metadata: { provider_name: null } });
    expect(error.message).toMatch(/This endpoint's maximum context length is 131072 tokens\. However, you requested about 134\d{3} tokens \(130\d{3} of text input, 4096 in the output\)\. Please reduce the length of either one, or use the "middle-out" transform to compress your prompt automatically\./);
  });

  it('passes fields it does not know (it strips them), and lists models with context_length and top_provider limits', async () => {
    const { double, client } = await flavor('openrouter');
    await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: user('hi'), provider: { sort: 'price' }, usage: { include: true }, reasoning: { effort: 'low' }, transforms: ['middle-out'] } as never);
    const response = await fetch(`${double.url}/models`, { headers: { authorization: 'Bearer k' } });
    const { data } = (await response.json()) as { data: Array<Record<string, unknown>> };
    expect(data.find((model) => model.id === 'openai/gpt-4o-mini')).toMatchObject({
      id: 'openai/gpt-4o-mini',
      canonical_slug: 'openai/gpt-4o-mini',
      context_length: 128_000,
      architecture: { input_modalities: ['text'], output_modalities: ['text'] },
      pricing: { prompt: expect.any(String), completion: expect.any(String) },
      top_provider: { context_length: 128_000, max_completion_tokens: 16_384, is_moderated: false },
      per_request_limits: null,
      supported_parameters: expect.arrayContaining(['max_tokens', 'tools']),
    });
  });
});
