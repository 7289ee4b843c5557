import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgresOrSkip, startPostgres, type Postgres } from '../../../test/helpers/postgres.js';
import { redisUnavailable, startRedis, type Redis } from '../../../test/helpers/redis.js';
import { createPool } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { IdentityError } from '../identity/identity-error.js';
import { PostgresIdentityStore } from '../identity/postgres-identity-store.js';
import { connectRedis, disconnectRedis, type RedisClient } from '../quota/redis-connection.js';
import { PostgresTeamRoutingStore } from './postgres-team-routing-store.js';
import { TeamRoutingCache } from './team-routing-cache.js';

const HAVE = requirePostgresOrSkip();
const noRedis = redisUnavailable();

async function until(check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe.skipIf(!HAVE)(`teams' routing in PostgreSQL${HAVE ? '' : ': SKIPPED, no PostgreSQL'}`, () => {
  let postgres: Postgres;
  let pool: pg.Pool;
  let store: PostgresTeamRoutingStore;
  let platform: string;
  const caches: TeamRoutingCache[] = [];

  beforeAll(async () => {
    postgres = await startPostgres();
    const url = await postgres.createDatabase();
    await migrate(url);
    pool = createPool(url, { max: 6 });
    store = new PostgresTeamRoutingStore(pool);
    const identities = new PostgresIdentityStore(pool);
    platform = (await identities.createTeam({ name: 'Platform', allowedModels: ['anthropic/claude-sonnet-5'] })).id;
    await identities.createTeam({ name: 'Research' });
  });
  afterEach(() => {
    for (const cache of caches.splice(0)) cache.close();
  });
  afterAll(async () => {
    await pool?.end();
    await postgres?.stop();
  });

  const snapshot = async () => (await pool.query('SELECT t.name, t.allowed_models, r.* FROM teams t LEFT JOIN team_routing r ON r.team_id = t.id ORDER BY t.name')).rows;

  it("gives a team that set nothing the defaults, with the team's allowed models, by name or id", async () => {
    const byName = await store.getTeamRouting('platform');
    expect(byName).toEqual({
      team: { id: platform, name: 'Platform' },
      routing: { allowedModels: ['anthropic/claude-sonnet-5'], projectOverrides: true, freeWhenOverBudget: false },
      updatedAt: undefined,
      updatedBy: undefined,
    });
    expect(await store.getTeamRouting(platform)).toEqual(byName);
    await expect(store.getTeamRouting('nobody')).rejects.toMatchObject({ name: 'IdentityError', code: 'not_found', field: 'team' });
  });

  it('replaces the whole routing, keeping allowed models in teams, with who and when', async () => {
    const made = await store.setTeamRouting('Platform', { floors: { edit: 75 }, forbidden: ['openai/*'], allowedModels: ['anthropic/claude-sonnet-5', 'deepseek/deepseek-flash'], freeWhenOverBudget: true }, 'lsa_AbCd');
    expect(made.after.routing).toEqual({ floors: { edit: 75 }, forbidden: ['openai/*'], allowedModels: ['anthropic/claude-sonnet-5', 'deepseek/deepseek-flash'], projectOverrides: true, freeWhenOverBudget: true });
    expect(made.after.updatedBy).toBe('lsa_AbCd');
    expect(Object.keys(made.changes).sort()).toEqual(['allowedModels', 'floors', 'forbidden', 'freeWhenOverBudget']);
    const row = (await snapshot()).find((entry) => entry.name === 'Platform');
    expect(row).toMatchObject({ settings: { floors: { edit: 75 }, forbidden: ['openai/*'] }, allowed_models: ['anthropic/claude-sonnet-5', 'deepseek/deepseek-flash'], project_overrides: true, free_when_over_budget: true, updated_by: 'lsa_AbCd' });
    expect(await store.getTeamRouting('platform')).toEqual(made.after);
  });

  it('changes only what a patch names', async () => {
    const made = await store.patchTeamRouting('platform', { floors: { commit: 10 }, forbidden: null, projectOverrides: false }, 'lsa_WxYz');
    expect(made.after.routing).toEqual({ floors: { edit: 75, commit: 10 }, allowedModels: ['anthropic/claude-sonnet-5', 'deepseek/deepseek-flash'], projectOverrides: false, freeWhenOverBudget: true });
    expect(made.before.routing.forbidden).toEqual(['openai/*']);
    expect(made.after.updatedBy).toBe('lsa_WxYz');
    // allowedModels null: every model again.
    expect((await store.patchTeamRouting('platform', { allowedModels: null }, 'lsa_WxYz')).after.routing.allowedModels).toBeUndefined();
    expect((await snapshot()).find((entry) => entry.name === 'Platform')?.allowed_models).toBeNull();
  });

  it('writes nothing for bad input, naming the field', async () => {
    const before = await snapshot();
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => store.setTeamRouting('platform', { floors: { edit: 101 } }, 'lsa_AbCd'), 'floors.edit'],
      [() => store.setTeamRouting('platform', { flors: {} }, 'lsa_AbCd'), 'flors'],
      [() => store.setTeamRouting('research', { taskModels: { deploy: 'openai/gpt-5' } }, 'lsa_AbCd'), 'taskModels.deploy'],
      [() => store.patchTeamRouting('platform', { preferred: ['gpt-4o'] }, 'lsa_AbCd'), 'preferred.0'],
      [() => store.patchTeamRouting('platform', { allowedModels: [] }, 'lsa_AbCd'), 'allowedModels'],
      [() => store.patchTeamRouting('platform', { claude: { main: 'sonnet' } }, 'lsa_AbCd'), 'claude.main'],
      [() => store.setTeamRouting('nobody', {}, 'lsa_AbCd'), 'team'],
      [() => store.setTeamRouting('platform', {}, ' '), 'updatedBy'],
    ];
    for (const [attempt, field] of cases) await expect(attempt()).rejects.toMatchObject({ name: 'IdentityError', field });
    expect(await snapshot()).toEqual(before);
  });

  it('applies two admins changing one team at once one after the other: neither change is lost', async () => {
    await store.setTeamRouting('research', {}, 'lsa_AbCd');
    await Promise.all(['edit', 'chat', 'commit', 'summary', 'architect', 'agent'].map((task, index) => store.patchTeamRouting('research', { floors: { [task]: index + 1 } }, 'lsa_AbCd')));
    expect((await store.getTeamRouting('research')).routing.floors).toEqual({ edit: 1, chat: 2, commit: 3, summary: 4, architect: 5, agent: 6 });
  });

  it('refuses to apply a stored routing that no longer passes the checks, naming the team and the field', async () => {
    const research = (await store.getTeamRouting('research')).team.id;
    await pool.query(`UPDATE team_routing SET settings = '{"preferred": ["not-a-model"]}' WHERE team_id = $1`, [research]);
    await expect(store.getTeamRouting('research')).rejects.toMatchObject({ field: 'preferred.0', message: expect.stringContaining('the stored routing of team "Research" is no longer valid') });
    const found = await store.readTeamRoutings([research, platform]);
    expect(found.get(research)).toBeInstanceOf(IdentityError);
    expect(found.get(platform)).toMatchObject({ projectOverrides: false });
    // A change of a few fields can't be made over it; a replacement mends it.
    await expect(store.patchTeamRouting('research', { floors: { edit: 70 } }, 'lsa_AbCd')).rejects.toMatchObject({ field: 'preferred.0' });
    const mended = await store.setTeamRouting('research', { floors: { edit: 70 } }, 'lsa_AbCd');
    expect(mended.after.routing.floors).toEqual({ edit: 70 });
    expect((await store.getTeamRouting('research')).routing.preferred).toBeUndefined();
  });

  it('a cache on another pool sees a change within about a second', async () => {
    const otherPool = createPool(new URL(pool.options.connectionString as string).href, { max: 2 });
    try {
      const cache = new TeamRoutingCache({ store: new PostgresTeamRoutingStore(otherPool) });
      caches.push(cache);
      const first = await cache.get(platform);
      expect(first.floors).toEqual({ edit: 75, commit: 10 });
      await store.patchTeamRouting('platform', { floors: { edit: 85 } }, 'lsa_AbCd');
      // Its refresh is every second; a slow machine adds the query's time.
      await until(() => cache.current(platform)?.floors?.edit === 85, 1500);
    } finally {
      await otherPool.end();
    }
  });

  describe.skipIf(noRedis)(`across instances through Redis${noRedis ? `: SKIPPED, ${noRedis}` : ''}`, () => {
    let redis: Redis;
    const clients: RedisClient[] = [];
    beforeAll(async () => {
      redis = await startRedis('routing-password-0001');
    });
    afterAll(async () => {
      for (const client of clients) disconnectRedis(client);
      await redis?.stop();
    });

    it('an instance hears of a change made on another at once, by a read of that team alone (not its refresh)', async () => {
      const instance = async (reads?: string[][]) => {
        const client = connectRedis({ url: redis.url });
        clients.push(client);
        await until(() => client.isReady, 5000);
        const counted = { readTeamRoutings: (ids: readonly string[]) => (reads?.push([...ids]), store.readTeamRoutings(ids)) };
        const cache = new TeamRoutingCache({ store: counted, redis: client });
        caches.push(cache);
        await cache.start();
        expect(cache.listening).toBe(true);
        return cache;
      };
      const reads: string[][] = [];
      const [a, b] = [await instance(), await instance(reads)];
      const research = (await store.getTeamRouting('research')).team.id;
      await Promise.all([b.get(platform), b.get(research)]);
      const changedAt = Date.now();
      await store.patchTeamRouting('platform', { preferred: ['deepseek/deepseek-flash'] }, 'lsa_AbCd');
      reads.length = 0;
      await a.changed(platform);
      await until(() => b.current(platform)?.preferred?.[0] === 'deepseek/deepseek-flash', 1000);
      expect(Date.now() - changedAt).toBeLessThan(500);
      // Its refresh reads both teams; what brought the change read the changed team alone.
      expect(reads).toContainEqual([platform]);
    });
  });
});
