import { Ollama } from 'ollama';
import { afterEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, type OllamaDouble, type OllamaDoubleOptions } from '../doubles/index.js';

// The real `ollama` npm client (v0.6.4) against the Ollama double.

const doubles: OllamaDouble[] = [];
afterEach(async () => {
  while (doubles.length) await doubles.pop()?.close();
});

async function ollama(options: OllamaDoubleOptions = {}): Promise<{ double: OllamaDouble; client: Ollama }> {
  // Loads are scaled down further than the default so the whole file stays quick.
  const double = await startOllamaDouble({ loadMsPerGiB: 50, ...options });
  doubles.push(double);
  return { double, client: new Ollama({ host: double.url }) };
}

const SMALL = 'qwen2.5-coder:1.5b';
const hi = [{ role: 'user', content: 'hi there' }];

/** The client types timestamps as Date but they are strings on the wire (ollama-gpu.md 6). */
const expiry = (value: unknown): number => Date.parse(String(value));

describe('Ollama double with the ollama client', () => {
  it('answers a non-streamed chat with metrics, echoing the model string', async () => {
    const { client } = await ollama();
    const response = await client.chat({ model: SMALL, messages: hi, stream: false });
    expect(response).toMatchObject({ model: SMALL, message: { role: 'assistant', content: 'Echo: hi there' }, done: true, done_reason: 'stop' });
    expect(String(response.created_at)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(response.prompt_eval_count).toBe(2);
    expect(response.eval_count).toBe(4);
    for (const field of ['total_duration', 'load_duration', 'prompt_eval_duration', 'eval_duration'] as const) expect(response[field]).toBeGreaterThan(0);
    expect(response.total_duration).toBeGreaterThanOrEqual(response.load_duration);
  });

  it('streams chunks then a final chunk; a warm model loads faster than a cold one', async () => {
    const { double, client } = await ollama();
    double.setDefault({ kind: 'reply', text: 'one two three four', chunkSize: 4 });
    const parts = [];
    for await (const part of await client.chat({ model: SMALL, messages: hi, stream: true })) parts.push(part);
    expect(parts.slice(0, -1).every((part) => part.done === false)).toBe(true);
    expect(parts.slice(0, -1).map((part) => part.message.content).join('')).toBe('one two three four');
    const last = parts.at(-1);
    expect(last).toMatchObject({ done: true, done_reason: 'stop', message: { role: 'assistant', content: '' }, eval_count: 5 });
    const warm = await client.chat({ model: SMALL, messages: hi, stream: false });
    expect(warm.load_duration).toBeLessThan(last?.load_duration ?? 0);
    expect(double.loads).toHaveLength(1);
  });

  it('lists tags, shows a model and answers 404 for an unknown one', async () => {
    const { client } = await ollama();
    const list = await client.list();
    expect(list.models.map((model) => model.name)).toEqual(['qwen2.5-coder:1.5b', 'qwen2.5-coder:3b', 'llama3.2:3b', 'qwen2.5-coder:7b']);
    expect(list.models[2]).toMatchObject({ size: 2019393189, digest: 'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72', details: { family: 'llama', parameter_size: '3.2B' } });
    const show = await client.show({ model: 'llama3.2:3b' });
    expect(show.capabilities).toContain('tools');
    expect((show.model_info as unknown as Record<string, unknown>)['llama.context_length']).toBe(131072); // typed as a Map, a plain object on the wire
    const error = await client.show({ model: 'nope' }).catch((caught: unknown) => caught as { status_code: number; message: string });
    expect(error).toMatchObject({ status_code: 404, message: "model 'nope' not found" });
  });

  it('loads and unloads with empty messages; keep_alive -1 pins and sticks', async () => {
    const { double, client } = await ollama();
    expect(await client.ps()).toEqual({ models: [] });
    const load = await client.chat({ model: SMALL, messages: [], keep_alive: -1 });
    expect(load).toEqual({ model: SMALL, created_at: expect.any(String), message: { role: 'assistant', content: '' }, done_reason: 'load', done: true });
    await client.chat({ model: SMALL, messages: hi, stream: false }); // no keep_alive: the pin stays (1.6)
    const [entry] = (await client.ps()).models;
    expect(entry).toMatchObject({ name: SMALL, model: SMALL, size: 1_228_800_000, size_vram: 1_228_800_000, context_length: 4096 });
    expect(new Date(expiry(entry?.expires_at)).getUTCFullYear()).toBeGreaterThan(2300);
    const unload = await client.chat({ model: SMALL, messages: [], keep_alive: 0 });
    expect(unload.done_reason).toBe('unload');
    expect((await client.ps()).models).toEqual([]);
    expect(double.loaded()).toEqual([]);
    // Empty requests consume no scripted behaviour.
    double.enqueue({ kind: 'reply', text: 'scripted' });
    await client.generate({ model: SMALL, prompt: '' });
    expect((await client.generate({ model: SMALL, prompt: 'x' })).response).toBe('scripted');
  });

  it('evicts the idle model when a second one does not fit next to it', async () => {
    const { double, client } = await ollama();
    await client.chat({ model: SMALL, messages: hi });
    await client.chat({ model: 'llama3.2:3b', messages: hi });
    expect((await client.ps()).models.map((model) => model.name)).toEqual(['llama3.2:3b']);
    expect(double.loads.map((load) => load.model)).toEqual([SMALL, 'llama3.2:3b']);
  });

  it('evicts the model with the shortest keep_alive first', async () => {
    const models = [
      { name: 'a:1b', sizeBytes: 1_000_000_000 },
      { name: 'b:1b', sizeBytes: 1_000_000_000 },
      { name: 'c:1b', sizeBytes: 1_500_000_000 },
    ];
    const { client } = await ollama({ models, usableVramBytes: 2_600_000_000 });
    await client.chat({ model: 'a:1b', messages: [], keep_alive: '10m' });
    await client.chat({ model: 'b:1b', messages: [], keep_alive: '1m' });
    await client.chat({ model: 'c:1b', messages: [] });
    expect((await client.ps()).models.map((model) => model.name).sort()).toEqual(['a:1b', 'c:1b']);
  });

  it('reloads a loaded model when num_ctx changes', async () => {
    const { double, client } = await ollama();
    await client.chat({ model: SMALL, messages: hi });
    await client.chat({ model: SMALL, messages: hi, options: { num_ctx: 8192 } });
    expect(double.loads.map((load) => load.numCtx)).toEqual([4096, 8192]);
    const [entry] = (await client.ps()).models as unknown as Array<{ context_length: number; size: number }>;
    expect(entry?.context_length).toBe(8192);
    expect(entry?.size).toBeGreaterThan(1_228_800_000);
  });

  it('offloads a model bigger than the GPU partly to the CPU', async () => {
    const { client } = await ollama();
    await client.generate({ model: 'qwen2.5-coder:7b', prompt: '' });
    const [entry] = (await client.ps()).models;
    expect(entry?.size_vram).toBeGreaterThan(0);
    expect(entry?.size_vram).toBeLessThan(entry?.size ?? 0);
  });

  it('serves one request at a time per model, in order', async () => {
    const { double, client } = await ollama();
    double.setDefault({ kind: 'reply', text: 'a b c d e f', chunkSize: 2, chunkDelayMs: 20 });
    const events: string[] = [];
    const run = async (name: string): Promise<void> => {
      for await (const part of await client.chat({ model: SMALL, messages: hi, stream: true })) {
        if (!part.done && !events.includes(`${name}:first`)) events.push(`${name}:first`);
        if (part.done) events.push(`${name}:done`);
      }
    };
    await Promise.all([run('one'), run('two')]);
    // Whichever arrived first, the other one only starts after it is done: never interleaved.
    const [first, second] = [events[0]?.split(':')[0], events[2]?.split(':')[0]];
    expect(events).toEqual([`${first}:first`, `${first}:done`, `${second}:first`, `${second}:done`]);
    expect(new Set([first, second])).toEqual(new Set(['one', 'two']));
  });

  it('expires a model after its keep_alive', async () => {
    const { double, client } = await ollama();
    await client.chat({ model: SMALL, messages: hi, keep_alive: '500ms' });
    expect(double.loaded()).toHaveLength(1);
    await expect.poll(async () => (await client.ps()).models.length, { timeout: 1900, interval: 50 }).toBe(0);
  });

  it('rejects a unitless keep_alive string the way Go does', async () => {
    const { client } = await ollama();
    const error = await client.chat({ model: SMALL, messages: hi, keep_alive: '3600' }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status_code: 400, message: 'time: missing unit in duration "3600"' });
  });

  it('stops at num_predict with done_reason length, and carries thinking and tool calls', async () => {
    const { double, client } = await ollama();
    const cut = await client.chat({ model: SMALL, messages: [{ role: 'user', content: 'a rather long question' }], options: { num_predict: 2 } });
    expect(cut).toMatchObject({ done_reason: 'length', eval_count: 2, message: { content: 'Echo: a ' } });
    double.enqueue({ kind: 'reply', reasoning: 'hmm', text: 'ok', toolCalls: [{ name: 'read_file', arguments: '{"path":"a.ts"}' }] });
    const rich = await client.chat({ model: SMALL, messages: hi });
    expect(rich.message).toEqual({ role: 'assistant', content: 'ok', thinking: 'hmm', tool_calls: [{ function: { name: 'read_file', arguments: { path: 'a.ts' } } }] });
  });

  it('makes the client throw on a mid-stream error line', async () => {
    const { double, client } = await ollama();
    double.enqueue({ kind: 'midstream-error', afterChunks: 1 });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const part of await client.chat({ model: SMALL, messages: hi, stream: true })) seen.push(part.message.content);
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('an error was encountered while running the model');
    expect(seen).toEqual(['Echo: hi']);
  });
});
