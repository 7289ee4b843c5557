import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { subscribeToEvents } from '../../src/shared/events-client.js';
import { startOllamaDouble, type OllamaDouble } from '../doubles/index.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { rawRequest, startGateway, type Gateway } from '../helpers/gateway.js';

const FAKE_BIN = join(ROOT, 'test', 'fixtures', 'bin');
let gateway: Gateway | undefined;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function health(port: number): Promise<Record<string, any>> {
  const reply = await rawRequest(port, { method: 'GET', path: '/health' });
  return JSON.parse(reply.text) as Record<string, any>;
}

/** Polls /health until `done` holds (the daemon works in the background: warm-up, GPU polls). */
async function healthWhen(port: number, done: (body: Record<string, any>) => boolean, timeoutMs = 20_000): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = await health(port);
    if (done(body)) return body;
    if (Date.now() > deadline) throw new Error(`health never got there: ${JSON.stringify(body.ollama)} ${JSON.stringify(body.gpu)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const cli = (args: string[]) => runCli(args, { home: gateway!.home, env: { PATH: `${FAKE_BIN}:${process.env.PATH}` }, timeoutMs: 60_000 });

describe('the GPU tier on a simulated 4 GB T600', () => {
  it('warms the pinned model at start so its first request pays no load, shows Ollama and the GPU in health, and loads the pin again after Ollama unloads it', async () => {
    const smi = tempDir('lodestar-smi-');
    gateway = await startGateway({
      ollama: { nvidiaSmiDir: smi },
      env: { PATH: `${FAKE_BIN}:${process.env.PATH}`, FAKE_NVIDIA_SMI_DIR: smi },
      config: { providers: { ollama: { models: { 'qwen2.5-coder:3b': { pin: true } }, switchWaitMs: 300 } }, gpu: { pollSeconds: 1 } },
    });
    const { port, ollama } = gateway;
    const warmEvents: Array<Record<string, unknown>> = [];
    const gpuEvents: Array<Record<string, unknown>> = [];
    const subscription = await subscribeToEvents(port, gateway.token, (event) => {
      if (event.type === 'warmup') warmEvents.push(event.data as Record<string, unknown>);
      if (event.type === 'gpu') gpuEvents.push(event.data as Record<string, unknown>);
    });
    cleanups.push(() => subscription.close());

    const warmed = await healthWhen(port, (body) => body.ollama?.warmup?.state === 'done');
    expect(warmed.ollama.warmup.results).toMatchObject([{ model: 'qwen2.5-coder:3b', outcome: 'loaded' }]);
    // Loaded with the num_ctx every request is sent with, so requests don't reload it.
    expect(ollama.loads).toMatchObject([{ model: 'qwen2.5-coder:3b', numCtx: 8192 }]);

    // The GPU reading follows the model into VRAM (the double keeps the fake nvidia-smi in step).
    const body = await healthWhen(port, (reply) => (reply.gpu?.gpus?.[0]?.memoryUsedMiB ?? 0) > 2000);
    expect(body.status).toBe('ok');
    expect(body.gpu).toMatchObject({ available: true, gpus: [{ name: 'NVIDIA T600 Laptop GPU', memoryTotalMiB: 4096 }], processes: [{ name: '/usr/local/lib/ollama/llama-server' }] });
    expect(body.ollama).toMatchObject({ reachable: true, models: 4, loaded: [{ name: 'qwen2.5-coder:3b', offloaded: false, gpuPercent: 100, contextLength: 8192 }] });
    expect(body.ollama.loaded[0].expiresAt).toBeUndefined(); // pinned: forever

    const client = new OpenAI({ apiKey: gateway.token, baseURL: gateway.baseURL });
    const completion = await client.chat.completions.create({ model: 'ollama/qwen2.5-coder:3b', messages: [{ role: 'user', content: 'Write a commit message.' }] });
    expect(completion.choices[0]?.message.content).toBeTruthy();
    const [event] = await gateway.waitForEvents(1);
    expect(ollama.loads).toHaveLength(1);
    expect(event?.loadDurationMs).toBeLessThan(50);

    // Ollama unloads the pinned model (`ollama stop`, or another program's memory): it comes back.
    ollama.evict('qwen2.5-coder:3b');
    await until(() => ollama.loads.length === 2, 'the pinned model to be loaded again');
    await until(() => warmEvents.some((entry) => entry.why === 'pin' && entry.outcome === 'loaded'), 'the pin event');
    expect(gpuEvents.length).toBeGreaterThan(0);
    expect(gpuEvents.at(-1)).toMatchObject({ available: true });

    const text = await cli(['health']);
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toContain('GPU 0: NVIDIA T600 Laptop GPU');
    expect(text.stdout).toMatch(/qwen2\.5-coder:3b\s+2\.\d GiB\s+100% GPU\s+8192\s+forever \(pinned\)/);
    expect(text.stdout).toContain('Warm-up: done; qwen2.5-coder:3b loaded');
    const status = await cli(['status']);
    expect(status.stdout).toMatch(/^Health: ok; providers [^;]+; Ollama holding qwen2\.5-coder:3b; GPU NVIDIA T600 Laptop GPU, \d+ of 4096 MiB used$/m);

    const metrics = await rawRequest(port, { method: 'GET', path: '/metrics', headers: { authorization: `Bearer ${gateway.token}` } });
    expect(metrics.text).toMatch(/^lodestar_gpu_available 1$/m);
    expect(metrics.text).toMatch(/^lodestar_gpu_memory_total_bytes\{gpu="0",name="NVIDIA T600 Laptop GPU"\} 4294967296$/m);
    expect(metrics.text).toMatch(/^lodestar_ollama_model_vram_bytes\{model="qwen2.5-coder:3b"\} \d+$/m);
    expect(metrics.text).toMatch(/^lodestar_warm_loads_total\{why="start"\} 1$/m);
    expect(metrics.text).toMatch(/^lodestar_warm_loads_total\{why="pin"\} 1$/m);
  });

  it('`lodestar models warm` loads a model now, says what it pushed out, and names a model that was never pulled', async () => {
    const smi = tempDir('lodestar-smi-');
    gateway = await startGateway({
      ollama: { nvidiaSmiDir: smi },
      env: { PATH: `${FAKE_BIN}:${process.env.PATH}`, FAKE_NVIDIA_SMI_DIR: smi },
      config: { providers: { ollama: { models: { 'qwen2.5-coder:3b': { warm: true } } } } },
    });
    await healthWhen(gateway.port, (body) => body.ollama?.warmup?.state === 'done');
    const warm = await cli(['models', 'warm', 'ollama/qwen2.5-coder:1.5b']);
    expect(warm.exitCode, warm.stderr).toBe(0);
    // The two do not fit together in the T600's ~3.2 GiB: the 3B model makes room.
    expect(warm.stdout).toMatch(/^qwen2\.5-coder:1\.5b: loaded in \d+\.\d s \(unloaded qwen2\.5-coder:3b to make room\)$/m);
    const again = await cli(['models', 'warm', 'qwen2.5-coder:1.5b', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ results: [{ model: 'qwen2.5-coder:1.5b', outcome: 'ready' }] });
    const missing = await cli(['models', 'warm', 'starcoder2:3b']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stdout).toContain("starcoder2:3b: failed (ollama answered 404: model 'starcoder2:3b' not found; pull it with: ollama pull starcoder2:3b)");
    const foreign = await cli(['models', 'warm', 'openai/gpt-5']);
    expect(foreign.exitCode).toBe(1);
    expect(foreign.stderr).toContain('openai/gpt-5 is not a local model');
  });

  it('without nvidia-smi, or with a broken driver, the GPU is "none" with the reason, health stays ok and local models still serve', async () => {
    gateway = await startGateway({ env: { PATH: process.env.PATH ?? '' } });
    const none = await healthWhen(gateway.port, (body) => body.gpu?.reason !== undefined && body.gpu.pending !== true && body.ollama?.warmup?.state === 'done');
    expect(none.status).toBe('ok');
    expect(none.gpu).toMatchObject({ available: false, reason: 'nvidia-smi is not on PATH' });
    // With nothing marked to warm, warm-up loads the model the router would pick first for a commit.
    expect(none.ollama.warmup.results).toMatchObject([{ outcome: 'loaded' }]);
    const client = new OpenAI({ apiKey: gateway.token, baseURL: gateway.baseURL });
    const reply = await client.chat.completions.create({ model: 'lodestar/local', messages: [{ role: 'user', content: 'hi' }] });
    expect(reply.choices[0]?.message.content).toBeTruthy();
    const text = await runCli(['health'], { home: gateway.home, env: { PATH: process.env.PATH ?? '' } });
    expect(text.stdout).toContain('GPU: none (nvidia-smi is not on PATH)');
    const status = await runCli(['status'], { home: gateway.home, env: { PATH: process.env.PATH ?? '' } });
    expect(status.stdout).toMatch(/; no GPU$/m);
    await gateway.stop();

    gateway = await startGateway({ env: { PATH: `${FAKE_BIN}:${process.env.PATH}`, FAKE_NVIDIA_SMI_EXIT: '9' } });
    const broken = await healthWhen(gateway.port, (body) => body.gpu?.reason !== undefined && body.gpu.pending !== true);
    expect(broken.status).toBe('ok');
    expect(broken.gpu).toMatchObject({ available: false, reason: 'the NVIDIA driver is not loaded' });
  });
});

describe('the local queue', () => {
  /** Two models that do not fit together, asked for in turn, all at once. */
  const ORDER = ['qwen2.5-coder:3b', 'qwen2.5-coder:1.5b', 'qwen2.5-coder:3b', 'qwen2.5-coder:3b', 'qwen2.5-coder:1.5b', 'qwen2.5-coder:3b'];

  async function sendAll(send: (model: string, index: number) => Promise<unknown>): Promise<void> {
    await Promise.all(ORDER.map((model, index) => send(model, index)));
  }

  it('serves the loaded model\'s requests before switching, so two models load once each where Ollama alone loads on every switch', async () => {
    // Ollama alone: strictly first come, first served.
    const alone: OllamaDouble = await startOllamaDouble();
    cleanups.push(() => alone.close());
    await sendAll((model) =>
      fetch(`${alone.url}/api/chat`, { method: 'POST', body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], stream: false, options: { num_ctx: 8192 } }) }).then((response) => response.json()),
    );
    const naiveLoads = alone.loads.map((load) => load.model);

    gateway = await startGateway({ config: { providers: { ollama: { warmup: false } } }, env: { PATH: process.env.PATH ?? '' } });
    const client = new OpenAI({ apiKey: gateway.token, baseURL: gateway.baseURL });
    await sendAll((model, index) =>
      index % 2
        ? client.chat.completions.create({ model: `ollama/${model}`, messages: [{ role: 'user', content: 'hi' }] })
        : client.chat.completions.create({ model: `ollama/${model}`, messages: [{ role: 'user', content: 'hi' }], stream: true }).then(async (stream) => {
            for await (const _chunk of stream) void _chunk;
          }),
    );
    const events = await gateway.waitForEvents(ORDER.length);
    expect(events.every((event) => event.status === 'ok')).toBe(true);
    const loads = gateway.ollama.loads.map((load) => load.model);
    expect(naiveLoads.length).toBeGreaterThanOrEqual(4);
    expect(loads).toEqual(['qwen2.5-coder:3b', 'qwen2.5-coder:1.5b']);
    const metrics = await rawRequest(gateway.port, { method: 'GET', path: '/metrics', headers: { authorization: `Bearer ${gateway.token}` } });
    expect(metrics.text).toMatch(/^lodestar_ollama_up 1$/m);
  });
});
