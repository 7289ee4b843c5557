import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisUnavailable, startRedis, type Redis } from '../../../test/helpers/redis.js';
import { connectRedis, disconnectRedis, type RedisClient } from './redis-connection.js';
import { RedisRateLimits, type RateRequest } from './redis-rate-limits.js';

const noRedis = redisUnavailable();
if (noRedis) console.warn(`redis-rate-limits: the tests against a real Redis are SKIPPED: ${noRedis}`);

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(noRedis)(`per-user rpm and tpm limits across instances (a real redis-server)${noRedis ? `: SKIPPED, ${noRedis}` : ''}`, () => {
  let redis: Redis;
  let clients: RedisClient[];
  let a: RedisRateLimits;
  let b: RedisRateLimits;
  beforeAll(async () => {
    redis = await startRedis('rates-password-0001');
    clients = [connectRedis({ url: redis.url }), connectRedis({ url: redis.url })];
    await until(() => clients.every((client) => client.isReady));
    a = new RedisRateLimits({ client: clients[0]! });
    b = new RedisRateLimits({ client: clients[1]! });
  });
  afterAll(async () => {
    for (const client of clients ?? []) disconnectRedis(client);
    await redis?.stop();
  });

  const user = () => ({ teamId: randomUUID(), userId: randomUUID() });
  const ask = (limits: RedisRateLimits, who: { teamId: string; userId: string }, extra: Partial<RateRequest> = {}) =>
    limits.admit({ requestId: randomUUID(), ...who, rpm: undefined, tpm: undefined, tokens: 0, ...extra });

  it('admits rpm requests a minute over both instances, then says to retry when the oldest leaves the window', async () => {
    const who = user();
    const results = await Promise.all(Array.from({ length: 8 }, (_, index) => ask(index % 2 ? a : b, who, { rpm: 5 })));
    expect(results.filter((result) => result.allowed)).toHaveLength(5);
    for (const result of results.filter((result) => !result.allowed)) {
      expect(result).toMatchObject({ allowed: false, limit: 'rpm' });
      // All were admitted a moment ago: the first leaves the 60 s window in about 60 s.
      expect(result.allowed === false && result.retryAfterSeconds).toBeGreaterThanOrEqual(59);
      expect(result.allowed === false && result.retryAfterSeconds).toBeLessThanOrEqual(60);
    }
    // A refused request took no room: another user is unaffected, and this one is still at 5.
    expect((await ask(a, user(), { rpm: 5 })).allowed).toBe(true);
  });

  it('counts a retried admission (same request id) once', async () => {
    const who = user();
    const requestId = randomUUID();
    for (let attempt = 0; attempt < 3; attempt++) expect((await a.admit({ requestId, ...who, rpm: 2, tpm: undefined, tokens: 0 })).allowed).toBe(true);
    expect((await ask(b, who, { rpm: 2 })).allowed).toBe(true);
    expect((await ask(b, who, { rpm: 2 })).allowed).toBe(false);
  });

  it('admits again once the window has moved on (a 1 s window here), and retry-after said when', async () => {
    const fast = new RedisRateLimits({ client: clients[0]!, windowMs: 1000 });
    const who = user();
    expect((await ask(fast, who, { rpm: 2 })).allowed).toBe(true);
    expect((await ask(fast, who, { rpm: 2 })).allowed).toBe(true);
    const refused = await ask(fast, who, { rpm: 2 });
    expect(refused).toEqual({ allowed: false, limit: 'rpm', retryAfterSeconds: 1 });
    const refusedAt = Date.now();
    await until(async () => (await ask(fast, who, { rpm: 2 })).allowed, 3000);
    expect(Date.now() - refusedAt).toBeLessThanOrEqual(1000 + 500);
  });

  it('holds tpm over a sliding minute: the wait is until enough tokens leave, and actual usage replaces the estimate', async () => {
    const who = user();
    const first = randomUUID();
    expect(await a.admit({ requestId: first, ...who, rpm: undefined, tpm: 1000, tokens: 600 })).toEqual({ allowed: true, verified: true });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await ask(b, who, { tpm: 1000, tokens: 300 })).allowed).toBe(true);

    // 900 in the window. 500 more fit once the first (600) leaves; 800 more only once both have.
    const fitsAfterFirst = await ask(a, who, { tpm: 1000, tokens: 500 });
    const fitsAfterBoth = await ask(b, who, { tpm: 1000, tokens: 800 });
    expect(fitsAfterFirst).toMatchObject({ allowed: false, limit: 'tpm' });
    expect(fitsAfterBoth).toMatchObject({ allowed: false, limit: 'tpm' });
    const wait = (result: typeof fitsAfterFirst) => (result.allowed ? 0 : (result.retryAfterSeconds ?? 0));
    expect(wait(fitsAfterFirst)).toBeLessThanOrEqual(59);
    expect(wait(fitsAfterBoth)).toBeGreaterThan(wait(fitsAfterFirst));
    expect(wait(fitsAfterBoth)).toBeLessThanOrEqual(60);

    // The first request used 100 tokens, not the 600 it was admitted with: 400 now fit, and again after a retried correction.
    await a.correctTokens({ requestId: first, ...who, tokens: 100 });
    await b.correctTokens({ requestId: first, ...who, tokens: 100 });
    expect((await ask(b, who, { tpm: 1000, tokens: 600 })).allowed).toBe(true);
    expect((await ask(a, who, { tpm: 1000, tokens: 1 })).allowed).toBe(false);
  });

  it('refuses a request larger than the whole tpm with no retry-after (no wait would make it fit)', async () => {
    expect(await ask(a, user(), { tpm: 1000, tokens: 1001 })).toEqual({ allowed: false, limit: 'tpm', retryAfterSeconds: undefined });
  });

  it('applies both limits at once and reports the longer wait', async () => {
    const who = user();
    expect((await ask(a, who, { rpm: 1, tpm: 100, tokens: 100 })).allowed).toBe(true);
    const refused = await ask(b, who, { rpm: 1, tpm: 100, tokens: 10 });
    expect(refused).toMatchObject({ allowed: false, limit: expect.stringMatching(/^(rpm|tpm)$/) });
    expect(refused.allowed === false && refused.retryAfterSeconds).toBeGreaterThanOrEqual(59);
  });

  it('admits unchecked while Redis is down (the money is held by the hard budgets, which fail closed), and limits again once it is back', async () => {
    const who = user();
    await redis.stop();
    await until(() => !clients[0]!.isReady);
    expect(await ask(a, who, { rpm: 1 })).toMatchObject({ allowed: true, verified: false, problem: expect.stringContaining('offline') });
    await redis.start();
    await until(() => clients[0]!.isReady);
    expect((await ask(a, who, { rpm: 1 })).allowed).toBe(true);
    expect((await ask(a, who, { rpm: 1 })).allowed).toBe(false);
  });
});
