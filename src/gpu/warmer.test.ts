import { afterEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, type OllamaDouble } from '../../test/doubles/index.js';
import { silentLogger } from '../shared/logger.js';
import { keepAliveMs } from './keep-alive.js';
import type { OllamaApi } from './ollama-api.js';
import { OllamaMonitor } from './ollama-monitor.js';
import { Warmer, type WarmTarget } from './warmer.js';

/** Ollama's API as the GPU modules see it, over fetch (the daemon uses its own pool). */
function fetchApi(url: string): OllamaApi {
  const call = async (path: string, init: RequestInit, timeoutMs: number): Promise<unknown> => {
    const response = await fetch(`${url}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const body = (await response.json()) as unknown;
    if (!response.ok) throw new Error(`ollama answered ${response.status}: ${(body as { error?: string }).error ?? ''}`);
    return body;
  };
  return {
    getJson: (path, timeoutMs) => call(path, {}, timeoutMs),
    postJson: (path, body, timeoutMs) => call(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }, timeoutMs),
    postQuickJson: (path, body, timeoutMs) => call(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }, timeoutMs),
  };
}

let ollama: OllamaDouble | undefined;
afterEach(async () => {
  await ollama?.close();
  ollama = undefined;
});

/** The fake T600's reading: 3713 MiB free with nothing loaded, so Ollama may fill 3713 - 457 MiB. */
async function setUp(budget: 'known' | 'unknown') {
  ollama = await startOllamaDouble({ timeScale: 0.2 });
  const monitor = new OllamaMonitor({
    api: fetchApi(ollama.url),
    url: ollama.url,
    logger: silentLogger,
    configuredModels: () => [],
    numCtx: () => 8192,
    keepAliveMs: (model) => keepAliveMs(model === 'qwen2.5-coder:3b' ? -1 : '30m'),
    // The fake nvidia-smi reading is fixed: its free VRAM does not drop as models load.
    vramBudgetMiB: () => (budget === 'known' ? 3713 - 457 : undefined),
  });
  await monitor.refresh();
  const warmer = new Warmer({ api: fetchApi(ollama.url), monitor, logger: silentLogger, loadTimeoutMs: 10_000 });
  return { monitor, warmer, double: ollama };
}

const target = (model: string, pinned = false): WarmTarget => ({ model, numCtx: 8192, keepAlive: pinned ? -1 : '30m', pinned });

describe('Warmer against the Ollama double on a 4 GB GPU', () => {
  it("loads a pinned model with its own num_ctx and keep_alive forever, so its first request pays no load", async () => {
    const { warmer, monitor, double } = await setUp('known');
    const [result] = await warmer.warm([target('qwen2.5-coder:3b', true)], 'start');
    expect(result).toMatchObject({ model: 'qwen2.5-coder:3b', outcome: 'loaded' });
    expect(result?.ms).toBeGreaterThan(0);
    expect(double.loaded()).toMatchObject([{ name: 'qwen2.5-coder:3b', numCtx: 8192 }]);
    expect(monitor.snapshot().loaded[0]).toMatchObject({ name: 'qwen2.5-coder:3b', expiresAt: undefined, offloaded: false, contextLength: 8192 });
    // A request as the daemon sends it (same num_ctx): no second load.
    const response = await fetch(`${double.url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'qwen2.5-coder:3b', messages: [{ role: 'user', content: 'hi' }], stream: false, keep_alive: -1, options: { num_ctx: 8192 } }) });
    expect(response.status).toBe(200);
    expect(double.loads).toHaveLength(1);
  });

  it('skips a model that would not fit beside the ones it loaded, and says why', async () => {
    const { warmer, double } = await setUp('known');
    const results = await warmer.warm([target('qwen2.5-coder:3b', true), target('qwen2.5-coder:1.5b')], 'start');
    expect(results.map((result) => result.outcome)).toEqual(['loaded', 'skipped']);
    expect(results[1]?.reason).toMatch(/would not fit in VRAM beside qwen2\.5-coder:3b \(needs ~\d+ MiB; \d+ MiB usable\)/);
    expect(double.loads.map((load) => load.model)).toEqual(['qwen2.5-coder:3b']);
  });

  it('with no way to tell what fits, loads in order and says which model a load pushed out', async () => {
    const { warmer, monitor } = await setUp('unknown');
    const results = await warmer.warm([target('qwen2.5-coder:1.5b'), target('qwen2.5-coder:3b')], 'start');
    expect(results.map((result) => result.outcome)).toEqual(['loaded', 'loaded']);
    expect(results[1]).toMatchObject({ evicted: ['qwen2.5-coder:1.5b'], reason: 'loading it pushed qwen2.5-coder:1.5b out of VRAM' });
    expect([...monitor.loaded()]).toEqual(['qwen2.5-coder:3b']);
  });

  it('answers "ready" for a model already in VRAM, and names a model that was never pulled', async () => {
    const { warmer } = await setUp('known');
    await warmer.warm([target('qwen2.5-coder:1.5b')], 'start');
    const results = await warmer.warm([target('qwen2.5-coder:1.5b'), target('no-such-model:7b')], 'request');
    expect(results[0]).toMatchObject({ outcome: 'ready' });
    expect(results[1]).toMatchObject({ outcome: 'failed' });
    expect(results[1]?.reason).toMatch(/not found; pull it with: ollama pull no-such-model:7b/);
  });
});

describe('OllamaMonitor', () => {
  it('counts what the daemon sent before /api/ps shows it: the model it sent to is loaded, one that does not fit beside it is not', async () => {
    const { monitor, warmer } = await setUp('known');
    await warmer.warm([target('qwen2.5-coder:1.5b')], 'start');
    expect([...monitor.loaded()]).toEqual(['qwen2.5-coder:1.5b']);
    monitor.expect('qwen2.5-coder:3b');
    expect([...monitor.loaded()]).toEqual(['qwen2.5-coder:3b']);
  });

  it('flags a model partly on the CPU, and knows "forever" when it sees it', async () => {
    const { monitor, warmer } = await setUp('unknown');
    await warmer.warm([target('qwen2.5-coder:7b')], 'request');
    const [big] = monitor.snapshot().loaded;
    expect(big).toMatchObject({ name: 'qwen2.5-coder:7b', offloaded: true });
    expect(big?.gpuPercent).toBeLessThan(100);
    expect(big?.expiresAt).toMatch(/^\d{4}-/);
  });

  it('has no models and none loaded while Ollama does not answer', async () => {
    const { monitor, double } = await setUp('known');
    await double.close();
    ollama = undefined;
    await monitor.refresh();
    expect(monitor.isReachable).toBe(false);
    expect(monitor.models()).toEqual([]);
    expect(monitor.snapshot().lastError).toBeTruthy();
  });
});
