import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, type OllamaDouble } from '../doubles/index.js';
import { cleanupHome, daemonState, ROOT, runCli, tempHome } from '../helpers/cli.js';
import { rawRequest } from '../helpers/gateway.js';

/**
 * Issue 12, "ready means ready": /health asked the moment `lodestar start` returns shows the GPU
 * and Ollama as they are, not an absent or "no GPU" section; a reading that is slow to come is
 * reported as pending, and start does not wait on it for long.
 */
const FAKE_SMI = join(ROOT, 'test', 'fixtures', 'bin');
const homes: string[] = [];
let ollama: OllamaDouble | undefined;

afterEach(async () => {
  for (const home of homes.splice(0)) {
    await runCli(['stop', '--force', '--timeout', '5'], { home });
    cleanupHome(home);
  }
  await ollama?.close();
  ollama = undefined;
});

async function startAndAsk(extra: Record<string, string>): Promise<{ start: { exitCode: number; stderr: string; stdout: string }; health: Record<string, any>; port: number }> {
  const home = tempHome('lodestar-ready-');
  homes.push(home);
  ollama = await startOllamaDouble();
  const env = { PATH: `${FAKE_SMI}:${process.env.PATH}`, OLLAMA_HOST: ollama.url, ...extra };
  const start = await runCli(['start', '--port', '0'], { home, env });
  expect(start.exitCode, start.stderr).toBe(0);
  const port = (daemonState(home) as { port: number }).port;
  // Asked once, at once: what a script that runs `lodestar start && curl /health` sees.
  const health = JSON.parse((await rawRequest(port, { method: 'GET', path: '/health' })).text) as Record<string, any>;
  return { start, health, port };
}

describe('lodestar start returns once the first readings are in', () => {
  it('the first /health after start has the GPU and Ollama, and says it is ready', async () => {
    const { start, health } = await startAndAsk({});
    expect(health).toMatchObject({ ready: true, pending: [] });
    expect(health.gpu).toMatchObject({ available: true, gpus: [expect.objectContaining({ name: 'NVIDIA T600 Laptop GPU' })] });
    expect(health.gpu.pending).toBeUndefined();
    expect(health.ollama).toMatchObject({ reachable: true });
    expect(health.ollama.pending).toBeUndefined();
    expect(start.stderr).not.toContain('pending');
  });

  it('a slow nvidia-smi is not waited on for long: start says so, and /health says the GPU is pending, never "no GPU"', async () => {
    const { start, health, port } = await startAndAsk({ FAKE_NVIDIA_SMI_DELAY: '4' });
    expect(start.stderr).toContain('nvidia-smi has not answered within 3 s; /health shows the GPU as pending until it does.');
    expect(health).toMatchObject({ ready: false, pending: ['gpu'] });
    expect(health.gpu).toEqual({ available: null, pending: true, reason: 'the first nvidia-smi reading is not in yet' });
    // Ollama was quick: it is there already.
    expect(health.ollama).toMatchObject({ reachable: true });
    // And the reading arrives.
    let later = health;
    for (let attempt = 0; attempt < 100 && later.ready !== true; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      later = JSON.parse((await rawRequest(port, { method: 'GET', path: '/health' })).text) as Record<string, any>;
    }
    expect(later).toMatchObject({ ready: true, pending: [], gpu: { available: true } });
  });

  it('no nvidia-smi at all is a reading too ("none", with why), not a pending one', async () => {
    const { health } = await startAndAsk({ PATH: '/usr/bin:/bin' });
    expect(health).toMatchObject({ ready: true, pending: [] });
    expect(health.gpu).toMatchObject({ available: false });
    expect(health.gpu.reason).toMatch(/nvidia-smi/);
  });
});
