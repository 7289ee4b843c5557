import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIDouble, type Double } from '../doubles/index.js';
import { cleanupHome, tempHome } from '../helpers/cli.js';
import { KEYS } from '../helpers/gateway.js';
import { requirePostgresOrSkip, startPostgres, type Postgres } from '../helpers/postgres.js';
import { redisUnavailable, startRedis, type Redis } from '../helpers/redis.js';
import { adminCall, spawnTeamServer, type TeamServerProcess } from '../helpers/team-server.js';

/**
 * The load tests: two `lodestar server` processes on one PostgreSQL and one Redis, real
 * requests over HTTP. A team's hard budget under 64 concurrent requests spread over both; one
 * instance killed with SIGKILL under load; the database stopped for ten seconds under load. The
 * claim each time: every answered request is in PostgreSQL exactly once, and a hard budget holds.
 */
const HAVE = requirePostgresOrSkip() && !redisUnavailable();
const ADMIN = 'lsa_team_load_admin_key_0123456789abcdefgh';
// gpt-4o-mini: $0.15 / $0.60 per million tokens.
const PRICE_IN = 0.15 / 1e6;
const PRICE_OUT = 0.6 / 1e6;

interface Outcome {
  status: number;
  id: string | null;
}

describe.skipIf(!HAVE)('two team server instances under load', { timeout: 120_000 }, () => {
  let postgres: Postgres;
  let redis: Redis;
  let openai: Double;
  let home: string;
  let databaseUrl: string;
  const servers: TeamServerProcess[] = [];
  let db: pg.Pool;

  const start = async (): Promise<TeamServerProcess> => {
    const server = await spawnTeamServer({ home, databaseUrl, redisUrl: redis.url, env: { LODESTAR_ADMIN_KEY: ADMIN, OPENAI_API_KEY: KEYS.openai, OPENAI_BASE_URL: openai.url } });
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    [postgres, redis, openai] = await Promise.all([startPostgres(), startRedis(), startOpenAIDouble({ flavor: 'openai', apiKey: KEYS.openai })]);
    home = tempHome('lodestar-team-load-');
    databaseUrl = await postgres.createDatabase();
    db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    db.on('error', () => undefined);
  }, 40_000);

  afterAll(async () => {
    for (const server of servers) if (server.child.exitCode === null) server.child.kill('SIGKILL');
    await db?.end().catch(() => undefined);
    await Promise.all([postgres?.stop(), redis?.stop(), openai?.close()]);
    if (home) cleanupHome(home);
  });

  async function member(url: string, team: Record<string, unknown>): Promise<{ key: string; teamId: string }> {
    const name = `load-${Math.random().toString(36).slice(2, 8)}`;
    expect((await adminCall(url, ADMIN, 'POST', '/admin/teams', { name, ...team })).status).toBe(201);
    const user = await adminCall(url, ADMIN, 'POST', '/admin/users', { email: `${name}@example.com`, team: name });
    expect(user.status).toBe(201);
    return { key: user.body.key, teamId: user.body.team.id };
  }

  /** One chat request, its answer read whole; a connection the server drops is status 0. */
  async function ask(url: string, key: string, prompt = 'hello'): Promise<Outcome> {
    try {
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'openai/gpt-4o-mini', max_tokens: 100, messages: [{ role: 'user', content: prompt }] }),
      });
      const body = await response.text();
      if (response.status !== 200 && response.status !== 402 && process.env.LODESTAR_TEST_DEBUG) process.stderr.write(`${response.status} ${body}\n`);
      // Answered means the whole answer arrived: a 200 with a completion in it.
      const answered = response.status !== 200 || body.includes('"choices"');
      return { status: answered ? response.status : 0, id: response.headers.get('x-lodestar-request-id') };
    } catch (error) {
      if (process.env.LODESTAR_TEST_DEBUG) process.stderr.write(`0 ${String((error as Error).cause ?? error)}\n`);
      return { status: 0, id: null };
    }
  }

  /** How many times each id is in ledger_events, once every one is there (or the deadline passed). */
  async function storedTimes(ids: readonly string[], timeoutMs = 20_000): Promise<Map<string, number>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = new Map<string, number>();
      try {
        const { rows } = await db.query<{ id: string; n: number }>('SELECT id, count(*)::int AS n FROM ledger_events WHERE id = ANY($1) GROUP BY id', [ids]);
        for (const row of rows) counts.set(row.id, row.n);
      } catch {
        // the database is still coming back
      }
      if (counts.size === ids.length || Date.now() > deadline) return counts;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it("a team's hard budget holds under 64 concurrent requests spread over both instances", async () => {
    const [a, b] = await Promise.all([start(), start()]);
    // 1,000 prompt tokens by the estimate, max_tokens 100: an estimate of $0.00021 a request; each really costs $0.000165.
    openai.setDefault({ kind: 'reply', text: 'ok', usage: { inputTokens: 900, outputTokens: 50 }, firstByteDelayMs: 300 });
    const actual = 900 * PRICE_IN + 50 * PRICE_OUT;
    const limit = 0.002;
    const { key, teamId } = await member(a.url, { monthlyUsd: limit, mode: 'hard' });
    const prompt = 'x'.repeat(3500);
    const outcomes = await Promise.all(Array.from({ length: 64 }, (_, index) => ask(index % 2 ? b.url : a.url, key, prompt)));
    const answered = outcomes.filter((outcome) => outcome.status === 200);
    const refused = outcomes.filter((outcome) => outcome.status === 402);
    const others = outcomes.filter((outcome) => outcome.status !== 200 && outcome.status !== 402);
    expect(others.map((outcome) => outcome.status)).toEqual([]);
    expect(answered.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    // Every request, answered or refused, is in the ledger once; the team's spend is within its hard limit.
    const ids = outcomes.map((outcome) => outcome.id as string);
    const times = await storedTimes(ids);
    expect([...times.values()].every((n) => n === 1)).toBe(true);
    expect(times.size).toBe(64);
    const { rows } = await db.query<{ spent: number; paid: number }>("SELECT sum(cost_usd) AS spent, count(*) FILTER (WHERE status = 'ok')::int AS paid FROM ledger_events WHERE team_id = $1", [teamId]);
    expect(rows[0]!.paid).toBe(answered.length);
    expect(rows[0]!.spent).toBeCloseTo(answered.length * actual, 12);
    expect(rows[0]!.spent).toBeLessThanOrEqual(limit);
    // Not refused for nothing: as many were admitted as their estimates ($0.00021 each, held until settled) fit in the limit.
    expect(answered.length).toBeGreaterThanOrEqual(Math.floor(limit / 0.00021));
  });

  it('SIGKILL of one instance under load: every answered request is in PostgreSQL exactly once, after a restart replays its spool', async () => {
    const [a, b] = servers as [TeamServerProcess, TeamServerProcess];
    openai.setDefault({ kind: 'reply', text: 'ok', usage: { inputTokens: 10, outputTokens: 2 } });
    const { key } = await member(b.url, {});
    const outcomes: Outcome[] = [];
    let killed = false;
    const stopAt = Date.now() + 3000;
    setTimeout(() => {
      a.child.kill('SIGKILL');
      killed = true;
    }, 1000);
    await Promise.all(
      Array.from({ length: 6 }, async (_, worker) => {
        for (let round = 0; Date.now() < stopAt; round++) outcomes.push(await ask((worker + round) % 2 ? b.url : a.url, key));
      }),
    );
    expect(killed).toBe(true);
    expect(await a.exited).toBeNull();
    const answered = outcomes.filter((outcome) => outcome.status === 200).map((outcome) => outcome.id as string);
    expect(answered.length).toBeGreaterThan(20);
    // A new instance on the same state folder claims the dead one's spool and writes it.
    await start();
    const times = await storedTimes(answered);
    expect(answered.filter((id) => times.get(id) !== 1)).toEqual([]);
  });

  it('the database stopped for ten seconds under load: requests are still answered, and every answered one reaches PostgreSQL once it is back', async () => {
    const live = servers.filter((server) => server.child.exitCode === null && server.child.signalCode === null);
    expect(live.length).toBe(2);
    const { key } = await member(live[0]!.url, {});
    // Its key is known to both instances before the outage.
    for (const server of live) expect((await ask(server.url, key)).status).toBe(200);
    const outcomes: Array<Outcome & { during: boolean }> = [];
    let down = false;
    const stopAt = Date.now() + 14_000;
    const outage = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await postgres.halt('fast');
      down = true;
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      await postgres.start();
      down = false;
    })();
    await Promise.all(
      Array.from({ length: 4 }, async (_, worker) => {
        for (let round = 0; Date.now() < stopAt; round++) {
          const during = down;
          outcomes.push({ ...(await ask(live[(worker + round) % 2]!.url, key)), during });
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }),
    );
    await outage;
    const answered = outcomes.filter((outcome) => outcome.status === 200);
    expect(answered.filter((outcome) => outcome.during).length).toBeGreaterThan(20);
    expect(outcomes.filter((outcome) => outcome.status !== 200)).toEqual([]);
    const ids = answered.map((outcome) => outcome.id as string);
    const times = await storedTimes(ids, 30_000);
    expect(ids.filter((id) => times.get(id) !== 1)).toEqual([]);
  });
});
