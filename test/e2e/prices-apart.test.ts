import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Pricing } from '../../src/ledger/pricing/pricing.js';
import { CATALOG } from '../../src/router/catalog.js';
import type { ProviderId } from '../../src/shared/provider-ids.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';

/** The built Pricing, whose price process (dist/.../price-table-child.js) exists. */
const built = (await import('../../dist/src/ledger/pricing/pricing.js')) as typeof import('../../src/ledger/pricing/pricing.js');

let gateway: Gateway | undefined;
afterAll(async () => {
  await gateway?.stop();
});

describe('prices resolved in a process of their own', () => {
  it('gives every model the same price as resolving in-process: catalog models, a loose match, an unknown model, a dated snapshot', async () => {
    const models: Array<{ provider: ProviderId; model: string }> = [
      ...CATALOG.map(({ provider, model }) => ({ provider, model })),
      { provider: 'anthropic', model: 'claude-sonnet-5-5' },
      { provider: 'openai', model: 'gpt-4o-2024-08-06' },
      { provider: 'openai', model: 'no-such-model-anywhere' },
    ];
    const at = new Date('2026-11-24T12:00:00Z');
    const apart = new built.Pricing();
    expect(await apart.prefetchApart(models, at)).toBe('apart');
    expect(await apart.prefetchApart(models, at)).toBe('cached');
    const here = new Pricing();
    here.prefetch(models, at);
    const usage = { inputTokens: 300_000, outputTokens: 2_000, cachedInputTokens: 1_000 };
    for (const { provider, model } of models) {
      expect(apart.rates(provider, model, usage, at), `${provider}/${model}`).toEqual(here.rates(provider, model, usage, at));
    }
    expect(apart.rates('anthropic', 'claude-sonnet-5-5', usage, at)?.approximate).toBe(true);
    expect(apart.rates('openai', 'no-such-model-anywhere', usage, at)).toBeUndefined();
  });

  it('is how the daemon resolves them at start', async () => {
    gateway = await startGateway({ config: { logLevel: 'debug' } });
    const log = readFileSync(join(gateway.home, 'logs', 'daemon.log'), 'utf8');
    const line = log.split('\n').find((entry) => entry.includes('"prices resolved"'));
    expect(line, log.slice(-2000)).toBeDefined();
    expect(JSON.parse(line ?? '{}')).toMatchObject({ where: 'apart' });
  });
});
