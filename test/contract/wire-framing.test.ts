import { afterEach, describe, expect, it } from 'vitest';
import { startAnthropicDouble, startOllamaDouble, startOpenAIDouble, type Double } from '../doubles/index.js';

// Exact bytes on the wire, read with plain fetch: framing, terminators, content types.

const doubles: Double[] = [];
afterEach(async () => {
  while (doubles.length) await doubles.pop()?.close();
});

async function track<T extends Double>(double: Promise<T>): Promise<T> {
  const started = await double;
  doubles.push(started);
  return started;
}

function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

const OPENAI_AUTH = { authorization: 'Bearer sk-test' };
const ANTHROPIC_AUTH = { 'x-api-key': 'sk-ant', 'anthropic-version': '2023-06-01' };

describe('OpenAI SSE framing', () => {
  it('sends `data: <json>\\n\\n` frames ending with `data: [DONE]\\n\\n`', async () => {
    const double = await track(startOpenAIDouble());
    const response = await post(`${double.url}/chat/completions`, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }], stream: true, stream_options: { include_usage: true } }, OPENAI_AUTH);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    const text = await response.text();
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    const frames = text.split('\n\n').slice(0, -1);
    expect(frames.every((frame) => frame.startsWith('data: ') && !frame.includes('\n'))).toBe(true);
    const payloads = frames.slice(0, -1).map((frame) => JSON.parse(frame.slice(6)) as Record<string, unknown>);
    expect(Object.keys(payloads[0] ?? {})).toEqual(['id', 'object', 'created', 'model', 'service_tier', 'system_fingerprint', 'choices', 'usage', 'obfuscation']);
    expect(new Set(payloads.map((payload) => payload.id)).size).toBe(1);
    expect(payloads.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 } });
  });

  it('ends a mid-stream error without [DONE], and right after the headers when afterChunks is 0', async () => {
    const double = await track(startOpenAIDouble());
    double.enqueue({ kind: 'midstream-error', afterChunks: 0, message: 'boom', type: 'server_error' });
    const response = await post(`${double.url}/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true }, OPENAI_AUTH);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('data: {"error":{"message":"boom","type":"server_error","param":null,"code":null}}\n\n');
  });

  it('answers malformed JSON and a missing key with the OpenAI error envelope', async () => {
    const double = await track(startOpenAIDouble());
    const malformed = await post(`${double.url}/chat/completions`, '{"model":', OPENAI_AUTH);
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { type: 'invalid_request_error', param: null, code: null } });
    const anonymous = await post(`${double.url}/chat/completions`, { model: 'm', messages: [] });
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { message: string } }).error.message).toMatch(/^You didn't provide an API key/);
  });

  it('drops the connection without a terminator on `drop`', async () => {
    const double = await track(startOpenAIDouble());
    double.enqueue({ kind: 'drop', afterChunks: 1 });
    const response = await post(`${double.url}/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true }, OPENAI_AUTH);
    await expect(response.text()).rejects.toThrow();
    expect(double.requests[0]?.aborted).toBe(false); // the server hung up, not the client
  });
});

describe('Anthropic SSE framing', () => {
  it('frames events as `event: <type>\\ndata: <json>\\n\\n`, with the fixture ping after the first block start', async () => {
    const double = await track(startAnthropicDouble());
    const response = await post(`${double.url}/v1/messages`, { model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hello' }], stream: true }, ANTHROPIC_AUTH);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('request-id')).toMatch(/^req_/);
    const text = await response.text();
    const events = text.split('\n\n').slice(0, -1).map((block) => {
      const [eventLine, dataLine, ...rest] = block.split('\n');
      expect(rest).toEqual([]);
      expect(eventLine).toMatch(/^event: [a-z_]+$/);
      expect(dataLine).toMatch(/^data: /);
      return { event: eventLine?.slice(7), data: dataLine?.slice(6) ?? '' };
    });
    expect(events.slice(0, 3).map((event) => event.event)).toEqual(['message_start', 'content_block_start', 'ping']);
    expect(events[2]?.data).toBe('{"type": "ping"}');
    expect(events.at(-1)).toEqual({ event: 'message_stop', data: '{"type":"message_stop"}' });
    expect(text.endsWith('\n\n')).toBe(true);
  });

  it('sends the documented error event mid-stream and ends', async () => {
    const double = await track(startAnthropicDouble());
    double.enqueue({ kind: 'midstream-error', afterChunks: 0 });
    const response = await post(`${double.url}/v1/messages`, { model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'x' }], stream: true }, ANTHROPIC_AUTH);
    expect(await response.text()).toBe('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n');
  });
});

describe('Ollama framing', () => {
  it('streams NDJSON lines, each one object and a newline', async () => {
    const double = await track(startOllamaDouble({ loadMsPerGiB: 20 }));
    const response = await post(`${double.url}/api/chat`, { model: 'qwen2.5-coder:1.5b', messages: [{ role: 'user', content: 'hello' }] });
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    const text = await response.text();
    expect(text.endsWith('}\n')).toBe(true);
    const lines = text.split('\n').slice(0, -1);
    expect(lines.length).toBeGreaterThan(2);
    const objects = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(Object.keys(objects[0] ?? {})).toEqual(['model', 'created_at', 'message', 'done']);
    expect(Object.keys(objects.at(-1) ?? {}).slice(0, 5)).toEqual(['model', 'created_at', 'message', 'done_reason', 'done']);
  });

  it('sends non-streamed and load-only answers as one JSON object without a trailing newline', async () => {
    const double = await track(startOllamaDouble({ loadMsPerGiB: 20 }));
    const whole = await post(`${double.url}/api/generate`, { model: 'qwen2.5-coder:1.5b', prompt: 'hello', stream: false });
    expect(whole.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const text = await whole.text();
    expect(text.endsWith('}')).toBe(true);
    expect(JSON.parse(text)).toMatchObject({ response: 'Echo: hello', done: true, done_reason: 'stop', context: expect.any(Array) });
    const load = await post(`${double.url}/api/generate`, { model: 'qwen2.5-coder:1.5b', stream: true });
    const loadText = await load.text();
    expect(load.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(JSON.parse(loadText)).toEqual({ model: 'qwen2.5-coder:1.5b', created_at: expect.any(String), response: '', done: true, done_reason: 'load' });
    expect(loadText.endsWith('}')).toBe(true);
  });

  it('answers the root, version, ps and unknown paths like Ollama', async () => {
    const double = await track(startOllamaDouble());
    const root = await fetch(`${double.url}/`);
    expect(root.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await root.text()).toBe('Ollama is running');
    expect((await fetch(`${double.url}/`, { method: 'HEAD' })).status).toBe(200);
    expect(await (await fetch(`${double.url}/api/version`)).json()).toEqual({ version: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
    expect(await (await fetch(`${double.url}/api/ps`)).text()).toBe('{"models":[]}');
    const missing = await fetch(`${double.url}/api/nothing`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('404 page not found');
  });

  it('reports body errors with Go wording', async () => {
    const double = await track(startOllamaDouble());
    const cases: Array<[string, number, string]> = [
      ['', 400, 'missing request body'],
      ['{"model": x}', 400, "invalid character 'x' looking for beginning of value"],
      ['{"model":"qwen2.5-coder:1.5b",', 400, 'unexpected EOF'],
      ['{"messages":[]}', 400, 'model is required'],
      ['{"model":"ghost","messages":[]}', 404, "model 'ghost' not found"],
      ['{"model":"qwen2.5-coder:1.5b","messages":"hi"}', 400, 'json: cannot unmarshal string into Go struct field ChatRequest.messages of type []api.Message'],
    ];
    for (const [body, status, message] of cases) {
      const response = await post(`${double.url}/api/chat`, body);
      expect(response.status, body).toBe(status);
      expect(await response.text()).toBe(JSON.stringify({ error: message }));
    }
  });
});
