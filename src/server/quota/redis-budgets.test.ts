import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisUnavailable, startRedis, type Redis } from '../../../test/helpers/redis.js';
import { connectRedis, disconnectRedis, QuotaStoreUnavailable, type RedisClient } from './redis-connection.js';
import { RedisBudgets, type BudgetHold, type ReserveResult } from './redis-budgets.js';
import type { TeamBudget } from './team-budgets.js';

const noRedis = redisUnavailable();
if (noRedis) console.warn(`redis-budgets: the tests against a real Redis are SKIPPED: ${noRedis}`);

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Two "instances": two connections, each with its own RedisBudgets, on one Redis. */
async function instances(redis: Redis, count: number): Promise<RedisClient[]> {
  const clients = Array.from({ length: count }, () => connectRedis({ url: redis.url }));
  await until(() => clients.every((client) => client.isReady));
  return clients;
}

const teamBudget = (period: TeamBudget['period'], limitUsd: number, mode: TeamBudget['mode'], ownerId: string): TeamBudget => ({ owner: 'team', ownerId, period, limitUsd, mode });
const userBudget = (period: TeamBudget['period'], limitUsd: number, mode: TeamBudget['mode'], ownerId: string): TeamBudget => ({ owner: 'user', ownerId, period, limitUsd, mode });

function admitted(result: ReserveResult): BudgetHold {
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result)}`);
  return result.hold;
}

/** A small deterministic generator, so that a failing run can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe.skipIf(noRedis)(`budgets held in Redis across instances (a real redis-server)${noRedis ? `: SKIPPED, ${noRedis}` : ''}`, () => {
  let redis: Redis;
  let clients: RedisClient[];
  let a: RedisBudgets;
  let b: RedisBudgets;
  beforeAll(async () => {
    redis = await startRedis('budgets-password-0001');
    clients = await instances(redis, 2);
    a = new RedisBudgets({ client: clients[0]! });
    b = new RedisBudgets({ client: clients[1]! });
  });
  afterAll(async () => {
    for (const client of clients ?? []) disconnectRedis(client);
    await redis?.stop();
  });

  it('admits exactly floor(limit / estimate) of 64 concurrent reservations spread over two instances, and the spend ends within the limit', async () => {
    const team = randomUUID();
    const users = [randomUUID(), randomUUID()];
    // The team's daily hard budget binds: $1.00 / $0.03 = 33 requests; the monthly one has room.
    const budgetsOf = (user: string) => [userBudget('monthly', 50, 'soft', user), teamBudget('monthly', 10, 'hard', team), teamBudget('daily', 1, 'hard', team)];
    const results = await Promise.all(
      Array.from({ length: 64 }, (_, index) => (index % 2 ? a : b).reserve({ requestId: randomUUID(), teamId: team, budgets: budgetsOf(users[index % 2]!), estimateUsd: 0.03 })),
    );
    const holds = results.filter((result) => result.ok).map(admitted);
    expect(holds).toHaveLength(33);
    for (const result of results.filter((result) => !result.ok)) {
      expect(result).toMatchObject({ ok: false, reason: 'budget', budget: { owner: 'team', period: 'daily', limitUsd: 1, mode: 'hard' } });
    }
    // Every admission saw spent + reserved + estimate within the limit, whichever instance made it.
    for (const result of results) if (result.ok && result.verified) expect(result.before[2]!.reservedUsd + 0.03).toBeLessThanOrEqual(1 + 1e-9);

    await Promise.all(holds.map((hold, index) => (index % 2 ? b : a).settle(hold, 0.03)));
    const [, monthly, daily] = await a.standing(team, budgetsOf(users[0]!));
    expect(daily).toMatchObject({ spentUsd: 0.99, reservedUsd: 0 });
    expect(monthly).toMatchObject({ spentUsd: 0.99, reservedUsd: 0 });
    expect(daily!.spentUsd).toBeLessThanOrEqual(1);
  });

  it('keeps the spend of a hard budget within its limit plus what requests in flight cost beyond their estimates, with uneven estimates and costs', async () => {
    const team = randomUUID();
    const budgets = [teamBudget('monthly', 2, 'hard', team)];
    const next = random(21);
    const requests = Array.from({ length: 64 }, () => {
      const estimateUsd = Math.round((0.01 + next() * 0.19) * 1e6) / 1e6;
      // Most calls cost less than their estimate; some (no max_tokens, a long answer) cost up to 1.5 × more.
      return { requestId: randomUUID(), estimateUsd, actualUsd: Math.round(estimateUsd * next() * 1.5 * 1e6) / 1e6 };
    });
    const results = await Promise.all(requests.map((request, index) => (index % 2 ? a : b).reserve({ ...request, teamId: team, budgets })));
    const admittedRequests = requests.filter((_, index) => results[index]!.ok);
    expect(admittedRequests.length).toBeGreaterThan(0);
    expect(admittedRequests.length).toBeLessThan(64);
    // All 64 reserved before any settled: the holds alone never passed the limit.
    expect(sum(admittedRequests.map((request) => request.estimateUsd))).toBeLessThanOrEqual(2 + 1e-9);

    await Promise.all(admittedRequests.map((request, index) => (index % 2 ? a : b).settle(admitted(results[requests.indexOf(request)]!), request.actualUsd)));
    const [standing] = await b.standing(team, budgets);
    const overrun = sum(admittedRequests.map((request) => Math.max(0, request.actualUsd - request.estimateUsd)));
    expect(standing!.spentUsd).toBeCloseTo(sum(admittedRequests.map((request) => request.actualUsd)), 9);
    expect(standing!.spentUsd).toBeLessThanOrEqual(2 + overrun + 1e-9);
    expect(standing!.reservedUsd).toBe(0);
  });

  it('refuses even a request with no estimate once a hard budget is spent, as the local daemon does', async () => {
    const team = randomUUID();
    const budgets = [teamBudget('daily', 0.05, 'hard', team)];
    await a.settle(admitted(await a.reserve({ requestId: randomUUID(), teamId: team, budgets, estimateUsd: 0.05 })), 0.05);
    expect(await b.reserve({ requestId: randomUUID(), teamId: team, budgets, estimateUsd: 0 })).toMatchObject({ ok: false, reason: 'budget', budget: { spentUsd: 0.05, reservedUsd: 0 } });
  });

  it('never refuses for a soft budget, and says from which request on it is over', async () => {
    const user = randomUUID();
    const team = randomUUID();
    const budgets = [userBudget('monthly', 0.1, 'soft', user)];
    const over: boolean[] = [];
    for (let index = 0; index < 6; index++) {
      const result = await (index % 2 ? a : b).reserve({ requestId: randomUUID(), teamId: team, budgets, estimateUsd: 0.03 });
      expect(result.ok).toBe(true);
      if (result.ok && result.verified) over.push(result.over.length > 0);
    }
    // $0.03 × 3 = $0.09 fits in $0.10; the fourth takes it to $0.12.
    expect(over).toEqual([false, false, false, true, true, true]);
  });

  it('settles once: a settle retried, on the same instance or another, counts nothing twice; a reserve retried holds nothing twice', async () => {
    const team = randomUUID();
    const budgets = [teamBudget('monthly', 1, 'hard', team), teamBudget('daily', 1, 'hard', team)];
    const requestId = randomUUID();
    const hold = admitted(await a.reserve({ requestId, teamId: team, budgets, estimateUsd: 0.2 }));
    // The reply was lost, the caller tries again: the same hold, not a second one.
    expect((await b.reserve({ requestId, teamId: team, budgets, estimateUsd: 0.2 })).ok).toBe(true);
    expect((await a.standing(team, budgets)).map((standing) => standing.reservedUsd)).toEqual([0.2, 0.2]);

    const outcomes = await Promise.all([a.settle(hold, 0.15), b.settle(hold, 0.15), a.settle(hold, 0.15)]);
    expect(outcomes.sort()).toEqual(['already', 'already', 'settled']);
    expect(await b.settle(hold, 0.15)).toBe('already');
    expect(await a.standing(team, budgets)).toMatchObject([
      { spentUsd: 0.15, reservedUsd: 0 },
      { spentUsd: 0.15, reservedUsd: 0 },
    ]);
    // A request id reserves once: after its settle it can't hold again.
    expect((await a.reserve({ requestId, teamId: team, budgets, estimateUsd: 0.2 })).ok).toBe(false);
  });

  it("frees the budget a crashed instance's reservation held once its hold expires, and still counts that request's cost if it settles late", async () => {
    const client = connectRedis({ url: redis.url });
    await until(() => client.isReady);
    const crashing = new RedisBudgets({ client, holdTtlMs: 300 });
    const team = randomUUID();
    const budgets = [teamBudget('monthly', 0.1, 'hard', team)];
    const hold = admitted(await crashing.reserve({ requestId: randomUUID(), teamId: team, budgets, estimateUsd: 0.1 }));
    disconnectRedis(client);

    expect(await b.reserve({ requestId: randomUUID(), teamId: team, budgets, estimateUsd: 0.05 })).toMatchObject({ ok: false, reason: 'budget', budget: { reservedUsd: 0.1 } });
    let later: ReserveResult | undefined;
    await until(async () => (later = await b.reserve({ requestId: randomUUID(), teamId: team, budgets, estimateUsd: 0.05 })).ok);
    expect(later).toMatchObject({ ok: true, before: [{ spentUsd: 0, reservedUsd: 0 }] });

    // The crashed instance's request did reach the provider: its cost arrives (from a spool) after its hold expired.
    expect(await a.settle(hold, 0.04)).toBe('settled');
    expect(await a.standing(team, budgets)).toMatchObject([{ spentUsd: 0.04, reservedUsd: 0.05 }]);
  });

  it('counts a day in the time zone asked for, in a fresh daily counter each day and one monthly counter for the month', async () => {
    const team = randomUUID();
    const budgets = [teamBudget('daily', 0.05, 'hard', team), teamBudget('monthly', 1, 'hard', team)];
    // A date to come: a period long past has counters that expire at once.
    let now = new Date('2036-08-14T21:30:00Z'); // 23:30 in Paris (UTC+2 in August)
    const paris = new RedisBudgets({ client: clients[0]!, timeZone: 'Europe/Paris', now: () => now });
    const first = admitted(await paris.reserve({ requestId: randomUUID(), teamId: team, budgets, estimateUsd: 0.05 }));
    expect(first.periods.map((period) => period.periodKey)).toEqual(['2036-08-14', '2036-08']);
    await paris.settle(first, 0.05);
    expect((await paris.reserve({ requestId: randomUUID(), teamId: team, budgets, estimateUsd: 0.01 })).ok).toBe(false);

    now = new Date('2036-08-14T22:30:00Z'); // 00:30 on the 15th in Paris, still the 14th in UTC
    const next = await paris.reserve({ requestId: randomUUID(), teamId: team, budgets, estimateUsd: 0.01 });
    expect(next).toMatchObject({ ok: true, before: [{ periodKey: '2036-08-15', spentUsd: 0 }, { periodKey: '2036-08', spentUsd: 0.05 }] });
    // Counters expire on their own after their period (no sweeper): two days after it ends.
    const ttl = Number(await clients[0]!.sendCommand(['PTTL', `lodestar:{${team}}:budget:team:${team}:daily:2036-08-15`]));
    expect(ttl).toBeGreaterThan(0);
    // The 15th ends at midnight on the 16th, UTC; two days on. Redis's clock and ours may be a few ms apart.
    const expected = Date.UTC(2036, 7, 18) - Date.now();
    expect(Math.abs(ttl - expected)).toBeLessThan(5000);
  });

  it('sends a script again in full when Redis has lost its script cache (NOSCRIPT after a restart or SCRIPT FLUSH)', async () => {
    const team = randomUUID();
    const budgets = [teamBudget('monthly', 1, 'hard', team)];
    await clients[0]!.sendCommand(['SCRIPT', 'FLUSH']);
    const hold = admitted(await a.reserve({ requestId: randomUUID(), teamId: team, budgets, estimateUsd: 0.5 }));
    await clients[0]!.sendCommand(['SCRIPT', 'FLUSH']);
    expect(await b.settle(hold, 0.25)).toBe('settled');
    expect(await a.standing(team, budgets)).toMatchObject([{ spentUsd: 0.25, reservedUsd: 0 }]);
  });

  it('seeds counters Redis lost (a restart without persistence) from the ledger, once', async () => {
    const team = randomUUID();
    const budgets = [teamBudget('monthly', 1, 'hard', team)];
    const asked: string[] = [];
    const source = { spentUsd: async (budget: TeamBudget, periodKey: string) => (asked.push(`${budget.owner}:${budget.period}:${periodKey}`), 0.95) };
    const seeded = [new RedisBudgets({ client: clients[0]!, spentSource: source }), new RedisBudgets({ client: clients[1]!, spentSource: source })];
    const results = await Promise.all([0, 1, 2, 3].map((index) => seeded[index % 2]!.reserve({ requestId: randomUUID(), teamId: team, budgets, estimateUsd: 0.03 })));
    // $0.95 from the ledger: room for one $0.03 request, whichever instance seeded first.
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(asked.length).toBeGreaterThanOrEqual(1);
    const [standing] = await a.standing(team, budgets);
    expect(standing).toMatchObject({ spentUsd: 0.95, reservedUsd: 0.03 });
  });
});

describe.skipIf(noRedis)(`budgets while Redis is down or slow (a real redis-server, stopped)${noRedis ? `: SKIPPED, ${noRedis}` : ''}`, () => {
  let redis: Redis;
  let client: RedisClient;
  let budgets: RedisBudgets;
  beforeAll(async () => {
    redis = await startRedis('budgets-down-password-0001');
    client = connectRedis({ url: redis.url });
    await until(() => client.isReady);
    budgets = new RedisBudgets({ client });
  });
  afterAll(async () => {
    if (client) disconnectRedis(client);
    await redis?.stop();
  });

  it('refuses requests under a hard budget while Redis is down (fail closed), admits those under soft budgets only unchecked, and settles them once Redis is back', async () => {
    const team = randomUUID();
    const user = randomUUID();
    const hard = [userBudget('monthly', 5, 'soft', user), teamBudget('monthly', 100, 'hard', team)];
    const soft = [userBudget('monthly', 5, 'soft', user)];
    await redis.stop();
    await until(() => !client.isReady);

    expect(await budgets.reserve({ requestId: randomUUID(), teamId: team, budgets: hard, estimateUsd: 0.01 })).toMatchObject({ ok: false, reason: 'unavailable', problem: expect.stringContaining('offline') });
    const unchecked = await budgets.reserve({ requestId: randomUUID(), teamId: team, budgets: soft, estimateUsd: 0.01 });
    expect(unchecked).toMatchObject({ ok: true, verified: false });
    // No budget at all: nothing to ask Redis.
    expect(await budgets.reserve({ requestId: randomUUID(), teamId: team, budgets: [], estimateUsd: 0.01 })).toMatchObject({ ok: true, verified: true });
    await expect(budgets.settle(admitted(unchecked), 0.02)).rejects.toBeInstanceOf(QuotaStoreUnavailable);

    await redis.start();
    await until(() => client.isReady);
    // The spool retries its settle: counted, once, though Redis never held the request.
    expect(await budgets.settle(admitted(unchecked), 0.02)).toBe('settled');
    expect(await budgets.settle(admitted(unchecked), 0.02)).toBe('already');
    expect(await budgets.standing(team, soft)).toMatchObject([{ spentUsd: 0.02, reservedUsd: 0 }]);
    expect((await budgets.reserve({ requestId: randomUUID(), teamId: team, budgets: hard, estimateUsd: 0.01 })).ok).toBe(true);
  });

  it('answers within its timeout when Redis is slow, refusing under a hard budget, and gives back the hold the late reserve made', async () => {
    const team = randomUUID();
    const hard = [teamBudget('daily', 1, 'hard', team)];
    const pauser = connectRedis({ url: redis.url });
    await until(() => pauser.isReady);
    // Redis stops answering every other client for 1.5 s: a reserve must not wait for it.
    await pauser.sendCommand(['CLIENT', 'PAUSE', '1500', 'ALL']);
    const started = Date.now();
    const requestId = randomUUID();
    const result = await budgets.reserve({ requestId, teamId: team, budgets: hard, estimateUsd: 0.4 });
    expect(result).toMatchObject({ ok: false, reason: 'unavailable', problem: expect.stringContaining('did not answer within 250 ms') });
    expect(Date.now() - started).toBeLessThan(1500);
    disconnectRedis(pauser);
    // Once Redis runs the late reserve, the release queued behind it gives the hold back (no wait for the hold's TTL).
    await until(async () => {
      try {
        const [standing] = await budgets.standing(team, hard);
        return standing!.reservedUsd === 0 && standing!.spentUsd === 0;
      } catch {
        return false;
      }
    });
    expect(await client.sendCommand(['GET', `lodestar:{${team}}:request:${requestId}`])).toBe('settled');
  });

  it('admits unchecked under soft budgets only when Redis is slow, and the late reserve and the settle still count the cost once', async () => {
    const team = randomUUID();
    const soft = [teamBudget('daily', 1, 'soft', team)];
    const pauser = connectRedis({ url: redis.url });
    await until(() => pauser.isReady);
    await pauser.sendCommand(['CLIENT', 'PAUSE', '1000', 'ALL']);
    const result = await budgets.reserve({ requestId: randomUUID(), teamId: team, budgets: soft, estimateUsd: 0.4 });
    expect(result).toMatchObject({ ok: true, verified: false });
    disconnectRedis(pauser);
    // The call went ahead and cost $0.3; its settle goes through once Redis answers again.
    await until(async () => (await budgets.settle(admitted(result), 0.3).catch(() => 'failed')) !== 'failed');
    expect(await budgets.standing(team, soft)).toMatchObject([{ spentUsd: 0.3, reservedUsd: 0 }]);
  });
});

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
