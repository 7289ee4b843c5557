import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RequestEvent } from '../../src/ledger/request-event.js';
import type { OllamaModelSpec } from '../doubles/index.js';
import { rawRequest, startGateway, type Gateway } from '../helpers/gateway.js';

// x-lodestar-request-id: every answer of the four inbound formats whose request is recorded
// names the event it is stored under, in the ledger's JSONL and on /api/events, exactly once.

const HEADER = 'x-lodestar-request-id';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const MODELS: OllamaModelSpec[] = [
  { name: 'qwen2.5-coder:1.5b-base', sizeBytes: 1_228_800_000, diskBytes: 986_061_892, parameterSize: '1.5B', family: 'qwen2', capabilities: ['completion', 'insert'] },
  { name: 'llama3.2:3b', sizeBytes: 3_367_856_128, diskBytes: 2_019_393_189, parameterSize: '3.2B', family: 'llama', capabilities: ['completion', 'tools'] },
];
/** Aider's edit prompt: a task with a quality floor, so that lodestar/consensus asks the three paid doubles. */
const AIDER_SYSTEM = 'Act as an expert software developer.\nTake requests for changes to the supplied code.';
/** A reply slow enough that the answer's headers are read long before its event exists. */
const SLOW = { kind: 'reply' as const, text: 'one two three four five six', chunkSize: 3, chunkDelayMs: 40 };

let gateway: Gateway;
/** Every id an answer named, with what the answer was, for the last check. */
const named: Array<{ id: string; what: string }> = [];

beforeAll(async () => {
  gateway = await startGateway({
    ollama: { models: MODELS },
    config: {
      providers: { ollama: { warmup: false } },
      budgets: { projects: { broke: { monthly: { limitUsd: 0, mode: 'hard' } } } },
      consensus: { pick: 'first' },
    },
  });
});
afterAll(async () => {
  await gateway?.stop();
});
beforeEach(() => {
  for (const double of [gateway.openai, gateway.deepseek, gateway.anthropic, gateway.ollama]) double.reset();
});

const openai = (prefix = ''): OpenAI => new OpenAI({ baseURL: `http://127.0.0.1:${gateway.port}${prefix}/v1`, apiKey: gateway.token, maxRetries: 0 });
const anthropic = (prefix = ''): Anthropic => new Anthropic({ baseURL: `http://127.0.0.1:${gateway.port}${prefix}`, apiKey: gateway.token, maxRetries: 0 });
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  rawRequest(gateway.port, { path, headers: { authorization: `Bearer ${gateway.token}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** Every event of the ledger's JSONL files, as stored. */
function ledger(): RequestEvent[] {
  const directory = join(gateway.home, 'ledger');
  return readdirSync(directory)
    .filter((name) => name.endsWith('.jsonl'))
    .flatMap((name) => readFileSync(join(directory, name), 'utf8').split('\n').filter(Boolean))
    .map((line) => JSON.parse(line) as RequestEvent);
}

/** The one event the answer's id names: once in the ledger file, once on /api/events, the same. */
async function recorded(id: string | null | undefined, what: string): Promise<RequestEvent> {
  expect(id, `${what}: ${HEADER}`).toMatch(UUID);
  named.push({ id: id as string, what });
  const deadline = Date.now() + 10_000;
  while (!gateway.events.some((event) => event.id === id)) {
    if (Date.now() > deadline) throw new Error(`${what}: no event ${id} on /api/events`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const published = gateway.events.filter((event) => event.id === id);
  const stored = ledger().filter((event) => event.id === id);
  expect(published, `${what}: on /api/events`).toHaveLength(1);
  expect(stored, `${what}: in the ledger`).toHaveLength(1);
  // The same event both ways (the ledger's line has the format's version first).
  const { v: _version, ...event } = stored[0] as RequestEvent & { v: number };
  expect(published[0]).toEqual(event);
  return event;
}

/** The header is there before the event: the answer is still coming. */
function beforeItsEvent(id: string | null): void {
  expect(id).toMatch(UUID);
  expect(gateway.events.some((event) => event.id === id)).toBe(false);
}

describe('x-lodestar-request-id on Chat Completions', () => {
  it('names the event of a plain answer, on the /p/{project}/s/{session} form too', async () => {
    const { response } = await openai('/p/rid-chat/s/run-7').chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(await recorded(response.headers.get(HEADER), 'chat')).toMatchObject({ project: 'rid-chat', session: 'run-7', model: 'openai/gpt-4o-mini', status: 'ok', stream: false });
  });

  it('names it in the headers of a stream, before the first byte, passed on and translated', async () => {
    gateway.openai.enqueue(SLOW);
    const { data, response } = await openai().chat.completions.create({ model: 'openai/gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-lodestar-project': 'rid-chat-stream' } }).withResponse();
    const id = response.headers.get(HEADER);
    beforeItsEvent(id);
    for await (const _chunk of data);
    expect(await recorded(id, 'chat stream')).toMatchObject({ project: 'rid-chat-stream', status: 'ok', stream: true });

    gateway.anthropic.enqueue(SLOW);
    const translated = await openai().chat.completions.create({ model: 'anthropic/claude-haiku-4-5', stream: true, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    const translatedId = translated.response.headers.get(HEADER);
    beforeItsEvent(translatedId);
    for await (const _chunk of translated.data);
    expect(await recorded(translatedId, 'chat stream to anthropic')).toMatchObject({ model: 'anthropic/claude-haiku-4-5', status: 'ok', stream: true });
    expect(translatedId).not.toBe(id);
  });

  it('names the event of an upstream failure, before the first byte and after it', async () => {
    gateway.deepseek.enqueue({ kind: 'error', status: 401, message: 'Authentication Fails, Your api key: ****0000 is invalid' });
    const error = (await openai().chat.completions.create({ model: 'deepseek/deepseek-flash', messages: [{ role: 'user', content: 'hi' }] }).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(502);
    expect(await recorded(error.headers?.get(HEADER), 'chat upstream 401')).toMatchObject({ status: 'error', httpStatus: 502, model: 'deepseek/deepseek-flash' });

    gateway.openai.enqueue({ kind: 'midstream-error', afterChunks: 1 });
    const broken = await post('/v1/chat/completions', { model: 'openai/gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(broken.status).toBe(200);
    expect(broken.text).toContain('data: {"error":');
    expect(await recorded(broken.headers[HEADER] as string, 'chat mid-stream error')).toMatchObject({ status: 'error', httpStatus: 200, stream: true });
  });

  it('names the event of a refusal the ledger records: a hard budget (402), an unknown model (404)', async () => {
    const error = (await openai('/p/broke').chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toMatchObject({ status: 402, code: 'budget_exhausted' });
    expect(await recorded(error.headers?.get(HEADER), 'chat 402')).toMatchObject({ project: 'broke', status: 'error', httpStatus: 402 });

    const unknown = await post('/v1/chat/completions', { model: 'nobody/knows', messages: [{ role: 'user', content: 'hi' }] });
    expect(unknown.status).toBe(404);
    expect(await recorded(unknown.headers[HEADER] as string, 'chat 404')).toMatchObject({ status: 'error', httpStatus: 404, requestedModel: 'nobody/knows' });
    expect(gateway.openai.requests).toHaveLength(0);
  });

  it('names a new event for each cache hit, plain and streamed', async () => {
    const ask = { model: 'openai/gpt-4o-mini', temperature: 0, messages: [{ role: 'user' as const, content: 'What does sort() do?' }] };
    const first = await openai('/p/rid-cache').chat.completions.create(ask).withResponse();
    const second = await openai('/p/rid-cache').chat.completions.create(ask).withResponse();
    expect(second.response.headers.get('x-lodestar-cache')).toBe('hit');
    const hit = second.response.headers.get(HEADER);
    expect(hit).not.toBe(first.response.headers.get(HEADER));
    await recorded(first.response.headers.get(HEADER), 'cache miss');
    expect(await recorded(hit, 'cache hit')).toMatchObject({ cacheHit: true, costUsd: 0 });

    const streamed = { ...ask, stream: true as const, messages: [{ role: 'user' as const, content: 'What does reverse() do?' }] };
    for await (const _chunk of await openai('/p/rid-cache').chat.completions.create(streamed));
    const replay = await openai('/p/rid-cache').chat.completions.create(streamed).withResponse();
    expect(replay.response.headers.get('x-lodestar-cache')).toBe('hit');
    const replayId = replay.response.headers.get(HEADER);
    for await (const _chunk of replay.data);
    expect(await recorded(replayId, 'streamed cache hit')).toMatchObject({ cacheHit: true, stream: true });
    expect(gateway.openai.requests).toHaveLength(2);
  });

  it("names a consensus request's own id: the event of the answer chosen, and every model's consensus.id", async () => {
    const ask = { model: 'lodestar/consensus', messages: [{ role: 'system' as const, content: AIDER_SYSTEM }, { role: 'user' as const, content: 'Rename the greeting' }] };
    const { response } = await openai('/p/rid-vote').chat.completions.create(ask).withResponse();
    const id = response.headers.get(HEADER);
    const event = await recorded(id, 'consensus');
    expect(event.consensus).toEqual({ id, role: 'member', chosen: true });
    const group = ledger().filter((stored) => stored.project === 'rid-vote');
    expect(group.length).toBeGreaterThanOrEqual(2);
    expect(group.every((stored) => stored.consensus?.id === id)).toBe(true);

    // Streamed: named in the headers while the models are still thinking.
    for (const double of [gateway.openai, gateway.deepseek, gateway.anthropic]) double.enqueue({ ...SLOW, firstByteDelayMs: 300 });
    const streamed = await openai('/p/rid-vote-stream').chat.completions.create({ ...ask, stream: true }).withResponse();
    const streamedId = streamed.response.headers.get(HEADER);
    beforeItsEvent(streamedId);
    for await (const _chunk of streamed.data);
    expect((await recorded(streamedId, 'consensus stream')).consensus).toMatchObject({ id: streamedId, chosen: true });

    // Every model failing: the 502 names the first one's event, and the others share its id.
    for (const double of [gateway.openai, gateway.deepseek, gateway.anthropic]) double.enqueue({ kind: 'error', status: 400, message: 'no' });
    const failed = await post('/p/rid-vote-failed/v1/chat/completions', ask);
    expect(failed.status).toBe(502);
    const failedId = failed.headers[HEADER] as string;
    expect(await recorded(failedId, 'consensus failed')).toMatchObject({ status: 'error', consensus: { id: failedId, role: 'member', chosen: false } });
    expect(ledger().filter((stored) => stored.project === 'rid-vote-failed').every((stored) => stored.consensus?.id === failedId)).toBe(true);
  });
});

describe('x-lodestar-request-id on Messages', () => {
  it('names the event of an answer passed on to Anthropic and of one translated, plain and streamed', async () => {
    const { response } = await anthropic('/p/rid-messages').messages.create({ model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(await recorded(response.headers.get(HEADER), 'messages')).toMatchObject({ project: 'rid-messages', model: 'anthropic/claude-sonnet-4-5', status: 'ok' });
    // Anthropic's own request id still comes through beside ours.
    expect(response.headers.get('request-id')).toMatch(/^req_/);

    gateway.anthropic.enqueue(SLOW);
    const passed = await anthropic().messages.create({ model: 'claude-sonnet-4-5', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    const passedId = passed.response.headers.get(HEADER);
    beforeItsEvent(passedId);
    for await (const _event of passed.data);
    expect(await recorded(passedId, 'messages stream')).toMatchObject({ model: 'anthropic/claude-sonnet-4-5', stream: true, status: 'ok' });

    gateway.deepseek.enqueue(SLOW);
    const translated = await anthropic().messages.create({ model: 'deepseek/deepseek-flash', max_tokens: 200, stream: true, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    const translatedId = translated.response.headers.get(HEADER);
    beforeItsEvent(translatedId);
    for await (const _event of translated.data);
    expect(await recorded(translatedId, 'messages stream translated')).toMatchObject({ model: 'deepseek/deepseek-flash', stream: true, status: 'ok' });

    const plain = await anthropic().messages.create({ model: 'deepseek/deepseek-flash', max_tokens: 200, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(await recorded(plain.response.headers.get(HEADER), 'messages translated')).toMatchObject({ model: 'deepseek/deepseek-flash', stream: false });
  });

  it("names the event of Anthropic's own error, passed back as Anthropic sent it", async () => {
    gateway.anthropic.enqueue({ kind: 'error', status: 400, type: 'invalid_request_error', message: 'messages.0: bad' });
    const error = (await anthropic().messages.create({ model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }).catch((caught: unknown) => caught)) as InstanceType<typeof Anthropic.APIError>;
    expect(error.status).toBe(400);
    expect(error.message).toContain('messages.0: bad');
    expect(error.headers?.get('request-id')).toMatch(/^req_/);
    expect(await recorded(error.headers?.get(HEADER), 'messages upstream 400')).toMatchObject({ status: 'error', httpStatus: 400 });
  });
});

describe('x-lodestar-request-id on Responses', () => {
  it('names the event of an answer passed on to OpenAI and of one translated, plain and streamed', async () => {
    const { response } = await openai('/p/rid-responses').responses.create({ model: 'openai/gpt-4o-mini', input: 'hi' }).withResponse();
    expect(await recorded(response.headers.get(HEADER), 'responses')).toMatchObject({ project: 'rid-responses', model: 'openai/gpt-4o-mini', status: 'ok' });

    gateway.openai.enqueue(SLOW);
    const passed = await openai().responses.create({ model: 'openai/gpt-4o-mini', input: 'hi', stream: true }).withResponse();
    const passedId = passed.response.headers.get(HEADER);
    beforeItsEvent(passedId);
    for await (const _event of passed.data);
    expect(await recorded(passedId, 'responses stream')).toMatchObject({ model: 'openai/gpt-4o-mini', stream: true, status: 'ok' });

    gateway.deepseek.enqueue(SLOW);
    const translated = await openai().responses.create({ model: 'deepseek/deepseek-flash', input: 'hi', stream: true }).withResponse();
    const translatedId = translated.response.headers.get(HEADER);
    beforeItsEvent(translatedId);
    for await (const _event of translated.data);
    expect(await recorded(translatedId, 'responses stream translated')).toMatchObject({ model: 'deepseek/deepseek-flash', stream: true, status: 'ok' });

    const plain = await openai().responses.create({ model: 'deepseek/deepseek-flash', input: 'hi' }).withResponse();
    expect(await recorded(plain.response.headers.get(HEADER), 'responses translated')).toMatchObject({ model: 'deepseek/deepseek-flash', stream: false });
  });

  it("names the event of OpenAI's own error, and of a budget refusal", async () => {
    gateway.openai.enqueue({ kind: 'error', status: 400, message: 'Invalid input' });
    const failed = await post('/v1/responses', { model: 'openai/gpt-4o-mini', input: 'hi' });
    expect(failed.status).toBe(400);
    expect(JSON.parse(failed.text).error.message).toBe('Invalid input');
    expect(await recorded(failed.headers[HEADER] as string, 'responses upstream 400')).toMatchObject({ status: 'error', httpStatus: 400 });

    const refused = await post('/p/broke/v1/responses', { model: 'openai/gpt-4o-mini', input: 'hi' });
    expect(refused.status).toBe(402);
    expect(await recorded(refused.headers[HEADER] as string, 'responses 402')).toMatchObject({ project: 'broke', httpStatus: 402 });
  });
});

describe('x-lodestar-request-id on Completions', () => {
  it('names the event of a completion, plain and streamed', async () => {
    const { response } = await openai('/p/rid-complete').completions.create({ model: 'lodestar/complete', prompt: 'def add(a, b):\n    ', suffix: '\n' }).withResponse();
    expect(await recorded(response.headers.get(HEADER), 'completion')).toMatchObject({ project: 'rid-complete', task: 'complete', status: 'ok' });

    gateway.ollama.enqueue(SLOW);
    const streamed = await openai().completions.create({ model: 'lodestar/complete', prompt: 'def add(a, b):\n    ', suffix: '\n', stream: true }).withResponse();
    const streamedId = streamed.response.headers.get(HEADER);
    beforeItsEvent(streamedId);
    for await (const _chunk of streamed.data);
    expect(await recorded(streamedId, 'completion stream')).toMatchObject({ task: 'complete', stream: true, status: 'ok' });
  });

  it('names the event of a refusal: a model that does not serve completions', async () => {
    const refused = await post('/v1/completions', { model: 'openai/gpt-4o-mini', prompt: 'x' });
    expect(refused.status).toBe(400);
    expect(await recorded(refused.headers[HEADER] as string, 'completion 400')).toMatchObject({ status: 'error', httpStatus: 400 });
  });
});

describe('an answer whose request makes no event', () => {
  it('names no id: a body that is not valid, a wrong token, an unknown path', async () => {
    const before = ledger().length;
    const invalid = [
      await post('/v1/chat/completions', { model: 'openai/gpt-4o-mini' }),
      await post('/v1/messages', { model: 'claude-sonnet-4-5', messages: [] }),
      await post('/v1/responses', { model: 'openai/gpt-4o-mini', input: 'hi', previous_response_id: 'resp_1' }),
      await post('/v1/completions', { model: 'lodestar/complete', prompt: 'x', n: 2 }),
      await post('/v1/chat/completions', { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, { authorization: 'Bearer wrong' }),
      await post('/v1/nowhere', {}),
    ];
    expect(invalid.map((answer) => answer.status)).toEqual([400, 400, 400, 400, 401, 404]);
    for (const answer of invalid) expect(answer.headers[HEADER]).toBeUndefined();
    expect(ledger().length).toBe(before);
  });
});

describe('every id named', () => {
  it('is a different one, each stored once', () => {
    expect(named.length).toBeGreaterThanOrEqual(25);
    expect(new Set(named.map((entry) => entry.id)).size).toBe(named.length);
    const stored = ledger();
    const published = gateway.events;
    for (const { id, what } of named) {
      expect(stored.filter((event) => event.id === id), what).toHaveLength(1);
      expect(published.filter((event) => event.id === id), what).toHaveLength(1);
    }
    // And no event of the ledger shares its id with another.
    expect(new Set(stored.map((event) => event.id)).size).toBe(stored.length);
  });
});
