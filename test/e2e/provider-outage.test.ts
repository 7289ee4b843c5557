import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestEvent } from '../../src/ledger/request-event.js';
import { startOpenAIDouble, type Double } from '../doubles/index.js';
import { cleanupHome, daemonState, runCli, tempHome } from '../helpers/cli.js';

/**
 * One OpenAI-style double stands for every OpenAI-family provider at once (OpenAI, DeepSeek,
 * OpenRouter, Gemini, Groq, Mistral): a shared outage, as when a common upstream or network path
 * fails. The router must then try one model per provider, at most routing.maxProviders of them,
 * and say what each answered.
 */
const KEY = 'placeholder-shared-outage';
const FAMILY = ['OPENAI', 'DEEPSEEK', 'OPENROUTER', 'GEMINI', 'GROQ', 'MISTRAL'];

let upstream: Double;
let home: string;
let client: OpenAI;

beforeAll(async () => {
  upstream = await startOpenAIDouble({ flavor: 'openai', apiKey: KEY });
  home = tempHome('lodestar-outage-');
  writeFileSync(join(home, 'config.json'), JSON.stringify({ providers: { ollama: { enabled: false } }, routing: { retries: 0 } }), { mode: 0o600 });
  const env: Record<string, string> = {};
  for (const name of FAMILY) {
    env[`${name}_API_KEY`] = KEY;
    env[`${name}_BASE_URL`] = upstream.url;
  }
  const started = await runCli(['start', '--port', '0'], { home, env });
  if (started.exitCode !== 0) throw new Error(started.stderr);
  const port = (daemonState(home) as { port: number }).port;
  client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: readFileSync(join(home, 'token'), 'utf8').trim(), maxRetries: 0 });
});
afterAll(async () => {
  await runCli(['stop', '--force', '--timeout', '5'], { home });
  cleanupHome(home);
  await upstream?.close();
});

function ledger(): RequestEvent[] {
  const dir = join(home, 'ledger');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .flatMap((name) => readFileSync(join(dir, name), 'utf8').trim().split('\n'))
    .map((line) => JSON.parse(line) as RequestEvent);
}

describe('a shared outage of every OpenAI-family provider', () => {
  it('tries one model per provider, three providers at most, and names each one tried and what it answered', async () => {
    upstream.reset();
    upstream.setDefault({ kind: 'error', status: 500 });
    const error = (await client.chat.completions
      .create({ model: 'lodestar/auto', messages: [{ role: 'user', content: 'Rename foo to bar in main.py' }] }, { headers: { 'x-lodestar-task': 'edit', 'x-lodestar-project': 'outage' } })
      .catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error.status).toBe(502);

    // Three requests reached the upstream, one per provider: the Authorization is the same, the models tell them apart.
    const models = upstream.requests.filter((request) => request.method === 'POST').map((request) => (request.body as { model: string }).model);
    expect(models).toHaveLength(3);
    const event = ledger().find((entry) => entry.project === 'outage') as RequestEvent;
    const tried = [...event.fallbacks.map((attempt) => attempt.model), event.model as string];
    expect(new Set(tried.map((id) => id.split('/')[0])).size).toBe(3);
    expect(tried.map((id) => id.slice(id.indexOf('/') + 1))).toEqual(models);

    // The message names every one tried and what it answered.
    expect(error.message).toMatch(/^502 Every candidate failed: /);
    for (const id of tried) expect(error.message).toMatch(new RegExp(`${id.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(${id.split('/')[0]} answered 500\\)`));
    expect(error.message).not.toContain(KEY);
  });
});
