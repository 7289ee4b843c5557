import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { redisUnavailable, startRedis, type Redis } from '../helpers/redis.js';

const noRedis = redisUnavailable();
if (noRedis) console.warn(`cache-redis: the tests against a real Redis are SKIPPED: ${noRedis}`);
const PASSWORD = 'team-cache-password-0001';

describe.skipIf(noRedis)(`a response cache shared through Redis (a real redis-server on loopback)${noRedis ? `: skipped, ${noRedis}` : ''}`, () => {
  let redis: Redis;
  const gateways: Gateway[] = [];
  beforeAll(async () => {
    redis = await startRedis(PASSWORD);
    const config = { cache: { store: 'redis', redisUrl: redis.url } };
    gateways.push(await startGateway({ config }), await startGateway({ config }));
  });
  afterAll(async () => {
    for (const gateway of gateways) await gateway.stop();
    await redis?.stop();
  });

  const ask = (gateway: Gateway, content: string) =>
    new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 }).chat.completions
      .create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content }], temperature: 0 }, { headers: { 'x-lodestar-project': 'team' } })
      .withResponse();

  it("answers one teammate's request from another's daemon, at $0 in its ledger", async () => {
    const [alice, bob] = gateways as [Gateway, Gateway];
    alice.openai.setDefault({ kind: 'reply', text: 'It parses the config.', usage: { inputTokens: 3000, outputTokens: 120 } });
    const first = await ask(alice, 'What does load() do?');
    expect(first.response.headers.get('x-lodestar-cache')).toBe('miss');
    const second = await ask(bob, 'What does load() do?');
    expect(second.response.headers.get('x-lodestar-cache')).toBe('hit');
    expect(second.data.choices[0]?.message.content).toBe('It parses the config.');
    expect(bob.openai.requests).toHaveLength(0);
    const [event] = await bob.waitForEvents(1);
    expect(event).toMatchObject({ cacheHit: true, costUsd: 0, usage: { inputTokens: 3000, outputTokens: 120 } });
  });

  it('goes on without the cache while Redis is down, logs it without the password, and uses it again once it is back', async () => {
    const [alice] = gateways as [Gateway, Gateway];
    await redis.stop();
    const started = Date.now();
    const down = await ask(alice, 'And what does save() do?');
    expect(down.response.status).toBe(200);
    expect(down.response.headers.get('x-lodestar-cache')).toBe('miss');
    // A lookup in a store that is down costs at most its short timeout, not the upstream's.
    expect(Date.now() - started).toBeLessThan(5000);
    const log = readFileSync(join(alice.home, 'logs', 'daemon.log'), 'utf8');
    expect(log).toContain("the cache's Redis store fails");
    expect(log).not.toContain(PASSWORD);

    await redis.start();
    let cache = '';
    for (let attempt = 0; attempt < 40 && cache !== 'hit'; attempt++) {
      await ask(alice, 'Is it back?');
      cache = (await ask(alice, 'Is it back?')).response.headers.get('x-lodestar-cache') ?? '';
      if (cache !== 'hit') await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(cache).toBe('hit');
  });
});
