import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';
import { KEYS, startGateway, type Gateway } from '../helpers/gateway.js';

let gateway: Gateway | undefined;
let webhook: Server | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  webhook?.close();
  webhook = undefined;
});

/** ~20,000 prompt tokens by Lodestar's estimate, so the reservation matches the real cost. */
const PROMPT = 'x'.repeat(70_000);
// gpt-4o-mini: $0.15 / $0.60 per million: 20,000 in + 10 out = $0.003006.
const COST = (20_000 * 0.15 + 10 * 0.6) / 1e6;

function client(): OpenAI {
  return new OpenAI({ baseURL: gateway!.baseURL, apiKey: gateway!.token, maxRetries: 0 });
}

async function listen(onBody: (body: unknown) => void): Promise<string> {
  webhook = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => (text += chunk));
    request.on('end', () => {
      onBody(JSON.parse(text));
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => webhook!.listen(0, '127.0.0.1', resolve));
  const address = webhook.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`;
}

describe('budgets', () => {
  it('alerts at 50, 80 and 100 % exactly once each, by event, webhook and desktop, and not again after a restart', async () => {
    const hooks: Array<{ alert: { threshold: number } }> = [];
    const url = await listen((body) => hooks.push(body as { alert: { threshold: number } }));
    const tools = join(tempHome('lodestar-tools-'), 'bin');
    mkdirSync(tools);
    const notes = join(tools, 'notes.txt');
    writeFileSync(join(tools, 'notify-send'), `#!/bin/sh\necho "$@" >> ${notes}\n`);
    chmodSync(join(tools, 'notify-send'), 0o755);
    gateway = await startGateway({
      config: { budgets: { monthly: { limitUsd: COST * 4 - 1e-9, mode: 'soft' }, alerts: { webhook: url, desktop: true } } },
      env: { PATH: `${tools}:${process.env.PATH}` },
    });
    gateway.openai.setDefault({ kind: 'reply', text: 'ok', usage: { inputTokens: 20_000, outputTokens: 10 } });
    const budgetEvents: Array<{ threshold: number }> = [];
    const { subscribeToEvents } = await import('../../src/shared/events-client.js');
    const subscription = await subscribeToEvents(gateway.port, gateway.token, (event) => {
      if (event.type === 'budget') budgetEvents.push(event.data as { threshold: number });
    });
    for (let index = 0; index < 6; index++) {
      await client().chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: PROMPT }], max_tokens: 10 });
    }
    for (let attempt = 0; attempt < 50 && (hooks.length < 3 || budgetEvents.length < 3); attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
    subscription.close();
    expect(budgetEvents.map((alert) => alert.threshold)).toEqual([50, 80, 100]);
    expect(hooks.map((body) => body.alert.threshold)).toEqual([50, 80, 100]);
    expect(readFileSync(notes, 'utf8').trim().split('\n')).toHaveLength(3);

    const status = await runCli(['status'], { home: gateway.home });
    expect(status.stdout).toMatch(/Budget: \$0\.018 of \$0\.012 this month, 150\.\d%, soft\./);
    const log = readFileSync(join(gateway.home, 'logs', 'daemon.log'), 'utf8');
    expect(log.match(/"message":"budget alert"/g)).toHaveLength(3);

    // A restart remembers what already fired.
    await runCli(['stop'], { home: gateway.home });
    const restarted = await runCli(['start', '--port', '0'], {
      home: gateway.home,
      env: { OPENAI_API_KEY: KEYS.openai, OPENAI_BASE_URL: gateway.openai.url, PATH: `${tools}:${process.env.PATH}` },
    });
    expect(restarted.exitCode, restarted.stderr).toBe(0);
    const state = JSON.parse(readFileSync(join(gateway.home, 'daemon.json'), 'utf8')) as { port: number };
    const again = new OpenAI({ baseURL: `http://127.0.0.1:${state.port}/v1`, apiKey: gateway.token, maxRetries: 0 });
    await again.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: PROMPT }], max_tokens: 10 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(hooks).toHaveLength(3);
  });

  it('holds a hard limit under concurrent requests: spend stays within one request of it', async () => {
    gateway = await startGateway({ config: { budgets: { monthly: { limitUsd: COST * 3.5, mode: 'hard' } } } });
    gateway.openai.setDefault({ kind: 'reply', text: 'slow answer', chunkSize: 2, chunkDelayMs: 30, usage: { inputTokens: 20_000, outputTokens: 10 } });
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => client().chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: PROMPT }], max_tokens: 10 })),
    );
    const served = results.filter((result) => result.status === 'fulfilled').length;
    const refused = results.filter((result) => result.status === 'rejected');
    expect(served).toBe(3);
    for (const result of refused) {
      expect((result as PromiseRejectedResult).reason).toMatchObject({ status: 402 });
      expect(String((result as PromiseRejectedResult).reason.message)).toContain('monthly budget of $0.01');
    }
    const budget = JSON.parse((await runCli(['budget', '--json'], { home: gateway.home })).stdout) as { budgets: Array<{ spentUsd: number; limitUsd: number; reached: boolean }> };
    expect(budget.budgets[0]!.spentUsd).toBeLessThanOrEqual(budget.budgets[0]!.limitUsd);
    expect(budget.budgets[0]!.spentUsd).toBeCloseTo(COST * 3, 9);
    // Every refusal is in the ledger too, as a failed request.
    const report = JSON.parse((await runCli(['report', '--json', '--timezone', 'UTC'], { home: gateway.home })).stdout) as { totals: { requests: number; errors: number } };
    expect(report.totals).toMatchObject({ requests: 10, errors: 7 });
  });

  it('at a hard limit, serves from a free local model when it can, and says so', async () => {
    gateway = await startGateway({ config: { budgets: { monthly: { limitUsd: 0, mode: 'hard' } }, providers: { ollama: { models: { 'qwen2.5-coder:1.5b': {} } } } } });
    const { data, response } = await client().chat.completions.create({ model: 'lodestar/auto', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(data.choices[0]?.message.content).toBeTruthy();
    expect(response.headers.get('x-lodestar-model')).toBe('ollama/qwen2.5-coder:1.5b');
    expect(response.headers.get('x-lodestar-budget')).toBe('local-only');
    const refused = await client().chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 402, code: 'budget_exhausted' });
    expect(String((refused as Error).message)).toContain('lodestar budget set --monthly');
  });
});
