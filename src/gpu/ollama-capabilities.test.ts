import { afterEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, type OllamaDouble } from '../../test/doubles/index.js';
import { silentLogger } from '../shared/logger.js';
import type { OllamaApi } from './ollama-api.js';
import { OllamaCapabilities } from './ollama-capabilities.js';
import { OllamaMonitor } from './ollama-monitor.js';

function fetchApi(url: string): OllamaApi {
  const call = async (path: string, init: RequestInit, timeoutMs: number): Promise<unknown> => {
    const response = await fetch(`${url}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const body = (await response.json()) as unknown;
    if (!response.ok) throw new Error(`ollama answered ${response.status}: ${(body as { error?: string }).error ?? ''}`);
    return body;
  };
  const post = (path: string, body: unknown, timeoutMs: number) => call(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }, timeoutMs);
  return { getJson: (path, timeoutMs) => call(path, {}, timeoutMs), postJson: post, postQuickJson: post };
}

let ollama: OllamaDouble | undefined;
afterEach(async () => {
  await ollama?.close();
  ollama = undefined;
});

describe("Ollama's capabilities, learned in the background", () => {
  it('asks /api/show once per model and says which fill in the middle', async () => {
    ollama = await startOllamaDouble({
      models: [
        { name: 'qwen2.5-coder:1.5b-base', sizeBytes: 1_228_800_000, capabilities: ['completion', 'insert'] },
        { name: 'llama3.2:3b', sizeBytes: 3_367_856_128, capabilities: ['completion', 'tools'] },
      ],
    });
    const monitor = new OllamaMonitor({ api: fetchApi(ollama.url), url: ollama.url, logger: silentLogger, configuredModels: () => [], numCtx: () => 8192, keepAliveMs: () => 1_800_000, vramBudgetMiB: () => undefined });
    expect(monitor.capabilities.insert('qwen2.5-coder:1.5b-base')).toBeUndefined();
    const before = monitor.capabilities.version;
    await monitor.refresh();
    await monitor.capabilities.pending();
    expect(monitor.capabilities.insert('qwen2.5-coder:1.5b-base')).toBe(true);
    expect(monitor.capabilities.insert('llama3.2')).toBeUndefined(); // not a name Ollama listed
    expect(monitor.capabilities.insert('llama3.2:3b')).toBe(false);
    expect(monitor.capabilities.of('llama3.2:3b')).toEqual(['completion', 'tools']);
    expect(monitor.capabilities.version).toBeGreaterThan(before);
    const shows = () => ollama!.requests.filter((request) => request.path === '/api/show').map((request) => request.body);
    expect(shows()).toEqual([{ model: 'qwen2.5-coder:1.5b-base' }, { model: 'llama3.2:3b' }]);
    // Known models are not asked again.
    await monitor.refresh();
    expect(monitor.capabilities.pending()).toBeUndefined();
    expect(shows()).toHaveLength(2);
  });

  it('takes what /api/tags says where a newer server lists capabilities there, and asks again for a model pulled anew', async () => {
    const asked: unknown[] = [];
    const api: OllamaApi = {
      getJson: () => Promise.reject(new Error('unused')),
      postJson: () => Promise.reject(new Error('unused')),
      postQuickJson: (_path, body) => {
        asked.push(body);
        return Promise.resolve({ capabilities: ['completion'] });
      },
    };
    const capabilities = new OllamaCapabilities({ api, logger: silentLogger });
    capabilities.update([
      { name: 'starcoder2:3b', digest: 'a', capabilities: ['completion', 'insert'] },
      { name: 'old:1b', digest: 'b', capabilities: undefined },
    ]);
    expect(capabilities.insert('starcoder2:3b')).toBe(true);
    await capabilities.pending();
    expect(asked).toEqual([{ model: 'old:1b' }]);
    expect(capabilities.insert('old:1b')).toBe(false);
    capabilities.update([{ name: 'old:1b', digest: 'b', capabilities: undefined }]);
    expect(capabilities.pending()).toBeUndefined();
    capabilities.update([{ name: 'old:1b', digest: 'c', capabilities: undefined }]);
    await capabilities.pending();
    expect(asked).toHaveLength(2);
  });

  it('leaves unknown what a server too old to say does not say, and what it failed to answer', async () => {
    let fail = true;
    const api: OllamaApi = {
      getJson: () => Promise.reject(new Error('unused')),
      postJson: () => Promise.reject(new Error('unused')),
      postQuickJson: () => (fail ? Promise.reject(new Error('timeout')) : Promise.resolve({ template: '{{ .Prompt }}' })),
    };
    const capabilities = new OllamaCapabilities({ api, logger: silentLogger });
    capabilities.update([{ name: 'm:1b', digest: 'a', capabilities: undefined }]);
    await capabilities.pending();
    expect(capabilities.insert('m:1b')).toBeUndefined();
    fail = false;
    capabilities.update([{ name: 'm:1b', digest: 'a', capabilities: undefined }]); // asked again: it failed
    await capabilities.pending();
    expect(capabilities.of('m:1b')).toBeUndefined();
    expect(capabilities.insert('m:1b')).toBeUndefined();
  });
});
