import { execa } from 'execa';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RequestEvent } from '../../src/ledger/request-event.js';
import type { OllamaModelSpec, RecordedRequest } from '../doubles/index.js';
import { rawRequest, startGateway, type Gateway } from '../helpers/gateway.js';

// POST /v1/completions: fill-in-the-middle for editors, through the daemon (a separate process,
// as users run it) in front of the Ollama double.

const FIM = 'qwen2.5-coder:1.5b-base';
const CODER = 'qwen2.5-coder:3b';
const CHAT = 'llama3.2:3b';
const MODELS: OllamaModelSpec[] = [
  { name: FIM, sizeBytes: 1_228_800_000, diskBytes: 986_061_892, parameterSize: '1.5B', family: 'qwen2', capabilities: ['completion', 'insert'] },
  { name: CODER, sizeBytes: 2_500_000_000, diskBytes: 1_929_912_432, parameterSize: '3.1B', family: 'qwen2', capabilities: ['completion', 'tools', 'insert'] },
  { name: CHAT, sizeBytes: 3_367_856_128, diskBytes: 2_019_393_189, parameterSize: '3.2B', family: 'llama', capabilities: ['completion', 'tools'] },
];
const PREFIX = 'def add(a, b):\n    ';
const SUFFIX = '\n\nprint(add(1, 2))\n';
const VSCODE = { headers: { 'x-lodestar-tool': 'vscode' } };

const generates = (gateway: Gateway): RecordedRequest[] => gateway.ollama.requests.filter((request) => request.path === '/api/generate');
const client = (gateway: Gateway, prefix = ''): OpenAI => new OpenAI({ baseURL: `http://127.0.0.1:${gateway.port}${prefix}/v1`, apiKey: gateway.token, maxRetries: 0 });
const post = (gateway: Gateway, body: unknown, headers: Record<string, string> = {}) =>
  rawRequest(gateway.port, { path: '/v1/completions', headers: { authorization: `Bearer ${gateway.token}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

async function until<T>(find: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The event of the request that sent `x-lodestar-project: project`. */
const eventOf = (gateway: Gateway, project: string): Promise<RequestEvent> => gateway.eventFor(project);

describe('POST /v1/completions on a local model that fills in the middle', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ ollama: { models: MODELS }, config: { providers: { ollama: { warmup: false } } } });
  });
  afterAll(async () => {
    await gateway?.stop();
  });
  afterEach(() => {
    gateway.ollama.reset();
  });

  it("answers the openai client's completions.create, picked by the router, sent to Ollama's /api/generate as the model's template wants it, and in the ledger as complete / vscode / $0", async () => {
    gateway.ollama.enqueue({ kind: 'reply', text: 'return a + b' });
    const { data, response } = await client(gateway).completions.create({ model: 'lodestar/complete', prompt: PREFIX, suffix: SUFFIX }, { headers: { ...VSCODE.headers, 'x-lodestar-project': 'plain' } }).withResponse();
    expect(data).toEqual({
      id: expect.stringMatching(/^cmpl-/),
      object: 'text_completion',
      created: expect.any(Number),
      model: FIM,
      choices: [{ text: 'return a + b', index: 0, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: Math.ceil((PREFIX.length + SUFFIX.length) / 4), completion_tokens: 3, total_tokens: Math.ceil((PREFIX.length + SUFFIX.length) / 4) + 3 },
    });
    expect(response.headers.get('x-lodestar-model')).toBe(`ollama/${FIM}`);
    expect(response.headers.get('x-lodestar-provider')).toBe('ollama');
    // Not raw (Ollama would not use the suffix), the chat path's num_ctx and keep_alive, the default output limit.
    expect(generates(gateway).map((request) => request.body)).toEqual([{ model: FIM, prompt: PREFIX, suffix: SUFFIX, stream: false, keep_alive: '30m', options: { num_ctx: 8192, num_predict: 128 } }]);

    const event = await eventOf(gateway, 'plain');
    expect(event).toMatchObject({ task: 'complete', tool: 'vscode', requestedModel: 'lodestar/complete', model: `ollama/${FIM}`, provider: 'ollama', status: 'ok', httpStatus: 200, stream: false, costUsd: 0, finishReason: 'stop', usage: { inputTokens: data.usage?.prompt_tokens, outputTokens: 3 } });
    // The model was cold: the load Ollama reported is in the event.
    expect(event.loadDurationMs).toBeGreaterThan(0);

    // A chat request to the same model goes with the same num_ctx: Ollama does not load it again.
    const loads = gateway.ollama.loads.length;
    await client(gateway).chat.completions.create({ model: `ollama/${FIM}`, messages: [{ role: 'user', content: 'hi' }] });
    expect(gateway.ollama.loads.length).toBe(loads);
  });

  it('streams text_completion chunks then [DONE], with the usage chunk when asked for, and the sampling the client set', async () => {
    gateway.ollama.enqueue({ kind: 'reply', text: 'return a + b', chunkSize: 4 });
    const stream = await client(gateway).completions.create(
      { model: 'lodestar/complete', prompt: PREFIX, suffix: SUFFIX, stream: true, stream_options: { include_usage: true }, max_tokens: 48, temperature: 0.1, top_p: 0.9, stop: ['\n\n', '\ndef'], seed: 11 },
      { headers: { ...VSCODE.headers, 'x-lodestar-project': 'streamed' } },
    );
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.slice(0, -2).map((chunk) => chunk.choices[0]?.text).join('')).toBe('return a + b');
    expect(chunks.every((chunk) => chunk.object === 'text_completion' && chunk.id === chunks[0]?.id)).toBe(true);
    expect(chunks.at(-2)?.choices).toEqual([{ text: '', index: 0, logprobs: null, finish_reason: 'stop' }]);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 3 } });
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    expect(generates(gateway)[0]?.body).toEqual({ model: FIM, prompt: PREFIX, suffix: SUFFIX, stream: true, keep_alive: '30m', options: { num_ctx: 8192, num_predict: 48, temperature: 0.1, top_p: 0.9, seed: 11, stop: ['\n\n', '\ndef'] } });
    expect(await eventOf(gateway, 'streamed')).toMatchObject({ task: 'complete', tool: 'vscode', stream: true, status: 'ok', costUsd: 0, usage: { outputTokens: 3 } });
  });

  it('answers curl, plain and streamed (-N), in the same wire format; a prompt with no suffix is a raw continuation', async () => {
    gateway.ollama.setDefault({ kind: 'reply', text: 'os.getcwd()' });
    const args = (body: unknown) => ['-s', '-N', `${gateway.baseURL}/completions`, '-H', `Authorization: Bearer ${gateway.token}`, '-H', 'Content-Type: application/json', '-d', JSON.stringify(body)];
    const plain = await execa('curl', args({ model: 'lodestar/complete', prompt: 'import os\nprint(' }));
    expect(JSON.parse(String(plain.stdout))).toMatchObject({ object: 'text_completion', choices: [{ text: 'os.getcwd()', finish_reason: 'stop' }] });
    expect(generates(gateway)[0]?.body).toMatchObject({ prompt: 'import os\nprint(', raw: true });
    expect(generates(gateway)[0]?.body).not.toHaveProperty('suffix');
    const streamed = await execa('curl', args({ model: 'lodestar/complete', prompt: 'import os\nprint(', suffix: ')\n', stream: true }), { stripFinalNewline: false });
    const text = String(streamed.stdout);
    expect(text).toMatch(/^data: \{"id":"cmpl-[^"]+","object":"text_completion","created":\d+,"model":"qwen2\.5-coder:1\.5b-base","choices":\[\{"text":"os\.getcw","index":0,"logprobs":null,"finish_reason":null\}\]\}\n\n/);
    expect(text.endsWith('"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n')).toBe(true);
    expect(text).not.toContain('"usage"');
  });

  it('serves the /p/{project} and /s/{session} forms, attributed as the other routes are', async () => {
    await client(gateway, '/p/editor/s/vsc-1').completions.create({ model: 'lodestar/complete', prompt: 'x = ', suffix: '\n' });
    const event = await eventOf(gateway, 'editor');
    expect(event).toMatchObject({ project: 'editor', session: 'vsc-1', task: 'complete', tool: 'other' });
  });

  it('refuses with a 400 naming the parameter what it cannot honour, before anything reaches Ollama', async () => {
    const openai = client(gateway);
    const refused = async (extra: Record<string, unknown>) => {
      const error = await openai.completions.create({ model: 'lodestar/complete', prompt: 'x', ...extra } as never).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      return error as InstanceType<typeof OpenAI.BadRequestError>;
    };
    expect((await refused({ echo: true })).param).toBe('echo');
    expect((await refused({ logprobs: 2 })).param).toBe('logprobs');
    expect((await refused({ best_of: 3 })).param).toBe('best_of');
    expect((await refused({ n: 2 })).param).toBe('n');
    expect((await refused({ prompt: ['a', 'b'] })).param).toBe('prompt');
    expect((await refused({ prompt: [[1, 2]] })).param).toBe('prompt');
    const envelope = await post(gateway, { model: 'lodestar/complete', prompt: 'x', stop: ['1', '2', '3', '4', '5'] });
    expect(envelope.status).toBe(400);
    expect(JSON.parse(envelope.text)).toEqual({ error: { message: "'stop' takes at most 4 sequences, got 5", type: 'invalid_request_error', param: 'stop', code: 'invalid_request' } });
    // Only local models: a paid one is refused by name, a virtual one that can't serve too.
    const paid = JSON.parse((await post(gateway, { model: 'openai/gpt-4o-mini', prompt: 'x', suffix: 'y' })).text);
    expect(paid.error).toMatchObject({ param: 'model', code: 'model_not_supported' });
    expect(paid.error.message).toContain('local models only');
    expect(JSON.parse((await post(gateway, { model: 'lodestar/strong', prompt: 'x' })).text).error).toMatchObject({ param: 'model' });
    expect(generates(gateway)).toEqual([]);
    expect(gateway.openai.requests).toEqual([]);
  });

  it("never picks a model without insert, even in VRAM; named outright, Ollama's refusal comes back as a 400 naming suffix", async () => {
    await client(gateway).chat.completions.create({ model: `ollama/${CHAT}`, messages: [{ role: 'user', content: 'hi' }] });
    expect(gateway.ollama.loaded().map((model) => model.name)).toContain(CHAT);
    const { response } = await client(gateway).completions.create({ model: 'lodestar/complete', prompt: 'x = ', suffix: '\n' }).withResponse();
    expect(response.headers.get('x-lodestar-model')).not.toBe(`ollama/${CHAT}`);

    const named = await post(gateway, { model: `ollama/${CHAT}`, prompt: 'x = ', suffix: '\n' }, { 'x-lodestar-project': 'no-insert' });
    expect(named.status).toBe(400);
    const error = JSON.parse(named.text).error;
    expect(error).toMatchObject({ type: 'invalid_request_error', param: 'suffix', code: 'unsupported_parameter' });
    expect(error.message).toContain(`Ollama says "registry.ollama.ai/library/${CHAT} does not support insert"`);
    expect(error.message).toContain('lodestar/complete');
    expect(await eventOf(gateway, 'no-insert')).toMatchObject({ task: 'complete', status: 'error', httpStatus: 400, model: `ollama/${CHAT}` });
    // Without a suffix the same model completes (raw: no insert needed).
    expect((await post(gateway, { model: `ollama/${CHAT}`, prompt: 'x = ' })).status).toBe(200);
  });

  it('hangs up on Ollama at once when a streaming client goes away, and the ledger says aborted', async () => {
    gateway.ollama.enqueue({ kind: 'reply', text: 'x'.repeat(400), chunkSize: 4, chunkDelayMs: 50 });
    const controller = new AbortController();
    const stream = await client(gateway).completions.create({ model: 'lodestar/complete', prompt: PREFIX, suffix: SUFFIX, stream: true }, { signal: controller.signal, headers: { ...VSCODE.headers, 'x-lodestar-project': 'typed-on' } });
    const seen: string[] = [];
    const reading = (async () => {
      for await (const chunk of stream) {
        seen.push(chunk.choices[0]?.text ?? '');
        if (seen.length === 2) controller.abort();
      }
    })().catch(() => undefined);
    await reading;
    const upstream = await until(() => generates(gateway).find((request) => request.aborted), 'the double to see its connection closed');
    expect(upstream.body).toMatchObject({ suffix: SUFFIX, stream: true });
    expect(await eventOf(gateway, 'typed-on')).toMatchObject({ task: 'complete', tool: 'vscode', status: 'aborted', stream: true });
  });

  it('hangs up on Ollama while it is still reading the prompt (a slow first token), for a plain request too', async () => {
    gateway.ollama.enqueue({ kind: 'reply', text: 'late', firstByteDelayMs: 5000 });
    const controller = new AbortController();
    const pending = client(gateway).completions.create({ model: 'lodestar/complete', prompt: PREFIX, suffix: SUFFIX }, { signal: controller.signal, headers: { 'x-lodestar-project': 'next-key' } });
    await until(() => generates(gateway)[0], 'the request to reach Ollama');
    controller.abort();
    await expect(pending).rejects.toThrow();
    await until(() => generates(gateway).find((request) => request.aborted), 'the double to see its connection closed', 3000);
    expect(await eventOf(gateway, 'next-key')).toMatchObject({ status: 'aborted', httpStatus: 499, task: 'complete' });
  });

  it('answers an empty completion at the very start of a file: Ollama takes an empty prompt as a load request', async () => {
    const answer = await post(gateway, { model: 'lodestar/complete', prompt: '', suffix: 'import os\n' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({ choices: [{ text: '', finish_reason: 'stop' }], usage: { prompt_tokens: 0, completion_tokens: 0 } });
    expect(generates(gateway)[0]?.body).toMatchObject({ prompt: '', suffix: 'import os\n' });
  });

  it('lists lodestar/complete among the models', async () => {
    const ids = (await client(gateway).models.list()).data.map((model) => model.id);
    expect(ids).toContain('lodestar/complete');
  });
});

describe('which model fills in the middle is what Ollama says', () => {
  let gateway: Gateway | undefined;
  afterEach(async () => {
    await gateway?.stop();
    gateway = undefined;
  });

  it('goes by /api/show capabilities, not by the name: a qwen2.5-coder without insert is passed over for an unknown model with it', async () => {
    gateway = await startGateway({
      ollama: { models: [{ name: 'qwen2.5-coder:0.5b', sizeBytes: 600_000_000, capabilities: ['completion', 'tools'] }, { name: 'house-coder:7b', sizeBytes: 5_000_000_000, capabilities: ['completion', 'insert'] }] },
      config: { providers: { ollama: { warmup: false } } },
    });
    const { response } = await client(gateway).completions.create({ model: 'lodestar/complete', prompt: 'x = ', suffix: '\n' }).withResponse();
    expect(response.headers.get('x-lodestar-model')).toBe('ollama/house-coder:7b');
    expect(gateway.ollama.requests.filter((request) => request.path === '/api/show').map((request) => (request.body as { model: string }).model).sort()).toEqual(['house-coder:7b', 'qwen2.5-coder:0.5b']);
  });

  it('with no local model that fills in the middle, answers 503 saying which model to pull, and the refusal is in the ledger', async () => {
    gateway = await startGateway({ ollama: { models: [MODELS[2] as OllamaModelSpec] }, config: { providers: { ollama: { warmup: false } } } });
    const error = await client(gateway)
      .completions.create({ model: 'lodestar/complete', prompt: 'x', suffix: 'y' }, { headers: { 'x-lodestar-project': 'nothing' } })
      .catch((caught: unknown) => caught as InstanceType<typeof OpenAI.APIError>);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error.status).toBe(503);
    expect(error.code).toBe('no_local_fim_model');
    expect(error.message).toContain(`${CHAT} (its template takes no suffix)`);
    expect(error.message).toContain('ollama pull qwen2.5-coder:1.5b-base');
    expect(gateway.ollama.requests.filter((request) => request.path === '/api/generate')).toEqual([]);
    expect(await gateway.eventFor('nothing')).toMatchObject({ task: 'complete', status: 'error', httpStatus: 503 });
  });

  it('with Ollama not answering, says so', async () => {
    gateway = await startGateway({ env: { OLLAMA_HOST: 'http://127.0.0.1:9' }, config: { providers: { ollama: { warmup: false } } } });
    const answer = await post(gateway, { model: 'lodestar/complete', prompt: 'x', suffix: 'y' });
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.text).error.message).toContain('Ollama does not answer at http://127.0.0.1:9');
  });
});

describe('warm-up: the completion model beside the chat model', () => {
  let gateway: Gateway | undefined;
  afterEach(async () => {
    await gateway?.stop();
    gateway = undefined;
  });

  async function warmup(port: number): Promise<Array<Record<string, unknown>>> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const health = JSON.parse((await rawRequest(port, { method: 'GET', path: '/health' })).text) as { ollama?: { warmup?: { state: string; results: Array<Record<string, unknown>> } } };
      if (health.ollama?.warmup?.state === 'done') return health.ollama.warmup.results;
      if (Date.now() > deadline) throw new Error(`warm-up did not finish: ${JSON.stringify(health.ollama?.warmup)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('loads routing.taskModels.complete after the chat model where both fit, so that neither completions nor chat then pay a load', async () => {
    gateway = await startGateway({
      ollama: { models: MODELS, vramBytes: 8192 * 1024 * 1024 },
      config: { gpu: { enabled: false }, providers: { ollama: { vramMiB: 8192 - 378 - 457, models: { [CODER]: { warm: true } } } }, routing: { taskModels: { complete: `ollama/${FIM}` } } },
    });
    expect(await warmup(gateway.port)).toMatchObject([
      { model: CODER, outcome: 'loaded' },
      { model: FIM, outcome: 'loaded' },
    ]);
    expect(gateway.ollama.loaded().map((model) => model.name).sort()).toEqual([FIM, CODER].sort());
    const loads = gateway.ollama.loads.length;
    const { response } = await client(gateway).completions.create({ model: 'lodestar/complete', prompt: PREFIX, suffix: SUFFIX }).withResponse();
    expect(response.headers.get('x-lodestar-model')).toBe(`ollama/${FIM}`);
    await client(gateway).chat.completions.create({ model: `ollama/${CODER}`, messages: [{ role: 'user', content: 'hi' }] });
    expect(gateway.ollama.loads.length).toBe(loads);
  });

  it('leaves it out, saying why, where it does not fit beside the chat model on a 4 GB card', async () => {
    gateway = await startGateway({
      ollama: { models: MODELS },
      config: { gpu: { enabled: false }, providers: { ollama: { vramMiB: 4096 - 378 - 457, models: { [CHAT]: { warm: true } } } }, routing: { taskModels: { complete: `ollama/${FIM}` } } },
    });
    const results = await warmup(gateway.port);
    expect(results).toMatchObject([{ model: CHAT, outcome: 'loaded' }, { model: FIM, outcome: 'skipped' }]);
    expect(String(results[1]?.reason)).toContain(`would not fit in VRAM beside ${CHAT}`);
    expect(gateway.ollama.loaded().map((model) => model.name)).toEqual([CHAT]);
  });
});
