import { Ollama } from 'ollama';
import { afterEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, type OllamaDouble, type OllamaDoubleOptions } from '../doubles/index.js';

// The real `ollama` npm client (v0.6.4) against the Ollama double's /api/generate with a suffix
// (reference/vscode-extension.md 3.2, ollama-gpu.md 1.2-1.5).

const doubles: OllamaDouble[] = [];
afterEach(async () => {
  while (doubles.length) await doubles.pop()?.close();
});

const FIM = 'qwen2.5-coder:1.5b-base';
const CHAT = 'llama3.2:3b';
const MODELS: OllamaDoubleOptions['models'] = [
  { name: FIM, sizeBytes: 1_228_800_000, diskBytes: 986_061_892, parameterSize: '1.5B', family: 'qwen2', capabilities: ['completion', 'insert'] },
  { name: CHAT, sizeBytes: 3_367_856_128, diskBytes: 2_019_393_189, parameterSize: '3.2B', family: 'llama', capabilities: ['completion', 'tools'] },
  { name: 'nomic-embed-text:latest', sizeBytes: 300_000_000, parameterSize: '137M', family: 'nomic-bert', capabilities: ['embedding'] },
];

async function ollama(options: OllamaDoubleOptions = {}): Promise<{ double: OllamaDouble; client: Ollama }> {
  const double = await startOllamaDouble({ loadMsPerGiB: 50, models: MODELS, ...options });
  doubles.push(double);
  return { double, client: new Ollama({ host: double.url }) };
}

async function post(double: OllamaDouble, body: Record<string, unknown>): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(`${double.url}/api/generate`, { method: 'POST', body: JSON.stringify(body) });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

describe("the Ollama double's fill-in-the-middle", () => {
  it('fills in the middle through the template: the prefix and the suffix both count as prompt, and the final line carries context and metrics', async () => {
    const { double, client } = await ollama();
    double.enqueue({ kind: 'reply', text: 'return a + b' });
    const prompt = 'def add(a, b):\n    ';
    const suffix = '\n\nprint(add(1, 2))\n';
    const answer = await client.generate({ model: FIM, prompt, suffix, stream: false, options: { num_ctx: 8192, num_predict: 64 } });
    expect(answer).toMatchObject({ model: FIM, response: 'return a + b', done: true, done_reason: 'stop', prompt_eval_count: Math.ceil((prompt.length + suffix.length) / 4), eval_count: 3 });
    expect(answer.context.length).toBeGreaterThan(0);
    expect(answer.load_duration).toBeGreaterThan(0);
    expect(double.loads).toMatchObject([{ model: FIM, numCtx: 8192 }]);
    const show = await client.show({ model: FIM });
    expect(show.capabilities).toContain('insert');
    expect(show.template).toContain('.Suffix');
  });

  it('streams NDJSON: pieces, then a done line with done_reason and no text', async () => {
    const { double } = await ollama();
    double.enqueue({ kind: 'reply', text: 'return a + b', chunkSize: 6 });
    const reply = await post(double, { model: FIM, prompt: 'def add(a, b):\n    ', suffix: '\n' });
    expect(reply.status).toBe(200);
    expect(reply.type).toBe('application/x-ndjson');
    const lines = reply.text.split('\n');
    expect(lines.at(-1)).toBe('');
    const parsed = lines.slice(0, -1).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed.slice(0, -1).map((line) => [line.response, line.done])).toEqual([['return', false], [' a + b', false]]);
    expect(Object.keys(parsed.at(-1) ?? {})).toEqual(['model', 'created_at', 'response', 'done', 'done_reason', 'context', 'total_duration', 'load_duration', 'prompt_eval_count', 'prompt_eval_duration', 'eval_count', 'eval_duration']);
  });

  it('refuses a suffix for a model whose template takes none, 400 with the full model name, even raw', async () => {
    const { double, client } = await ollama();
    const error = await client.generate({ model: CHAT, prompt: 'x = ', suffix: '\n' }).catch((caught: unknown) => caught as { status_code: number; message: string });
    expect(error).toMatchObject({ status_code: 400, message: `registry.ollama.ai/library/${CHAT} does not support insert` });
    expect(await post(double, { model: CHAT, prompt: 'x = ', suffix: '\n', raw: true, stream: false })).toMatchObject({ status: 400, text: `{"error":"registry.ollama.ai/library/${CHAT} does not support insert"}` });
    // Refused before any load; without a suffix the same model completes.
    expect(double.loads).toEqual([]);
    expect((await client.generate({ model: CHAT, prompt: 'x = ', raw: true, stream: false })).done).toBe(true);
    expect(await post(double, { model: 'nomic-embed-text', prompt: 'x' })).toMatchObject({ status: 400, text: '{"error":"\\"nomic-embed-text\\" does not support generate"}' });
  });

  it('raw: the prompt as it is (a suffix is not used), no context in the answer, and no system or template beside it', async () => {
    const { client, double } = await ollama();
    const raw = await client.generate({ model: FIM, prompt: 'abcd', suffix: 'efghijklmnop', raw: true, stream: false });
    expect(raw.prompt_eval_count).toBe(1);
    expect(raw).not.toHaveProperty('context');
    const templated = await client.generate({ model: FIM, prompt: 'abcd', stream: false, system: 'You write Python.' });
    expect(templated.prompt_eval_count).toBe(Math.ceil((4 + 'You write Python.'.length) / 4));
    expect(await post(double, { model: FIM, prompt: 'x', raw: true, system: 'be brief' })).toMatchObject({ status: 400, text: '{"error":"raw mode does not support template, system, or context"}' });
    expect(await post(double, { model: FIM, prompt: 'x', suffix: 3 })).toMatchObject({ status: 400, text: '{"error":"json: cannot unmarshal number into Go struct field GenerateRequest.suffix of type string"}' });
  });

  it('an empty prompt only loads the model, suffix or not: one JSON object with done_reason load', async () => {
    const { double } = await ollama();
    const reply = await post(double, { model: FIM, prompt: '', suffix: '\nprint(1)\n', stream: true });
    expect(reply.type).toBe('application/json; charset=utf-8');
    expect(JSON.parse(reply.text)).toEqual({ model: FIM, created_at: expect.any(String), response: '', done: true, done_reason: 'load' });
    expect(double.loaded().map((model) => model.name)).toEqual([FIM]);
  });

  it('pays a load when the model is cold, evicting what does not fit beside it, as chat does', async () => {
    const { double, client } = await ollama({ usableVramBytes: 3_500_000_000 });
    await client.generate({ model: CHAT, prompt: 'hi', raw: true, stream: false });
    const cold = await client.generate({ model: FIM, prompt: 'a', suffix: 'b', stream: false });
    const warm = await client.generate({ model: FIM, prompt: 'a', suffix: 'b', stream: false });
    expect(double.loads.map((load) => load.model)).toEqual([CHAT, FIM]);
    expect(double.loaded().map((model) => model.name)).toEqual([FIM]);
    expect(warm.load_duration).toBeLessThan(cold.load_duration);
  });

  it('waits its configured first-token time, and records a request whose client went away as aborted', async () => {
    const { double } = await ollama({ firstTokenDelayMs: 400 });
    await post(double, { model: FIM, prompt: '', stream: false }); // loaded first: only the prompt evaluation remains
    const gone = await fetch(`${double.url}/api/generate`, { method: 'POST', body: JSON.stringify({ model: FIM, prompt: 'a', suffix: 'b' }), signal: AbortSignal.timeout(100) }).catch((error: unknown) => error);
    expect((gone as Error).name).toBe('TimeoutError');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const record = double.requests.at(-1);
    expect(record).toMatchObject({ path: '/api/generate', aborted: true, body: { suffix: 'b' } });
    const timed = await post(double, { model: FIM, prompt: 'a', suffix: 'b', stream: false });
    expect(timed.status).toBe(200);
    // The wait shows where Ollama puts it: in prompt_eval_duration (ns); a timer may fire a little early.
    expect((JSON.parse(timed.text) as { prompt_eval_duration: number }).prompt_eval_duration).toBeGreaterThan(300e6);
    expect(double.requests.at(-1)?.aborted).toBe(false);
  });
});
