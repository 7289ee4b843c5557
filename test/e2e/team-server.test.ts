import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupHome, runCli, tempHome } from '../helpers/cli.js';
import { MIGRATIONS } from '../../src/server/db/migrations/index.js';
import { ADMIN_KEY_LINE, spawnTeamServer, type TeamServerProcess } from '../helpers/team-server.js';
import { requirePostgresOrSkip, startPostgres, type Postgres } from '../helpers/postgres.js';
import { redisUnavailable, startRedis, type Redis } from '../helpers/redis.js';

/**
 * `lodestar server` as real processes (bin/lodestar, dist/) over a real PostgreSQL and Redis, and
 * `lodestar admin` as a real process against them.
 */
const HAVE = requirePostgresOrSkip() && !redisUnavailable();
if (redisUnavailable()) process.stderr.write(`${redisUnavailable()}: the team server tests are SKIPPED\n`);

type ServerProcess = TeamServerProcess;

describe.skipIf(!HAVE)('lodestar server and lodestar admin', { timeout: 40_000 }, () => {
  let postgres: Postgres;
  let redis: Redis;
  let home: string;
  let databaseUrl: string;
  const running: ServerProcess[] = [];

  beforeAll(async () => {
    [postgres, redis] = await Promise.all([startPostgres(), startRedis('redis-test-password-1')]);
    home = tempHome();
    databaseUrl = await postgres.createDatabase();
  }, 30_000);

  afterAll(async () => {
    for (const server of running) if (server.child.exitCode === null) server.child.kill('SIGKILL');
    await Promise.all([postgres?.stop(), redis?.stop()]);
    if (home) cleanupHome(home);
  });

  async function startServer(database: string, env: Record<string, string> = {}): Promise<ServerProcess> {
    const server = await spawnTeamServer({ home, databaseUrl: database, redisUrl: redis.url, env });
    running.push(server);
    return server;
  }

  async function call(server: ServerProcess, method: string, path: string, options: { key?: string; body?: unknown; raw?: string; type?: string } = {}) {
    const headers: Record<string, string> = {};
    if (options.key) headers.authorization = `Bearer ${options.key}`;
    const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (payload !== undefined) headers['content-type'] = options.type ?? 'application/json';
    const response = await fetch(`${server.url}${path}`, { method, headers, body: payload });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  }

  async function count(table: string): Promise<number> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;
    } finally {
      await client.end();
    }
  }

  let a: ServerProcess;
  let b: ServerProcess;
  let adminKey: string;

  it('exits 2 naming the flag and the variable when no database is given', async () => {
    const result = await runCli(['server'], { home, env: { LODESTAR_REDIS_URL: redis.url } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--database');
    expect(result.stderr).toContain('LODESTAR_DATABASE_URL');
  });

  it('two instances started together on one database: migrations run once, one admin key printed once', async () => {
    [a, b] = await Promise.all([startServer(databaseUrl), startServer(databaseUrl)]);
    const keys = [...a.stderr().matchAll(ADMIN_KEY_LINE), ...b.stderr().matchAll(ADMIN_KEY_LINE)].map((match) => match[1] as string);
    expect(keys).toHaveLength(1);
    adminKey = keys[0] as string;
    expect(await count('lodestar_migrations')).toBe(MIGRATIONS.length);
    expect(await count('admin_keys')).toBe(1);
    // Neither logs the database's or Redis's password.
    for (const server of [a, b]) {
      expect(server.stderr()).not.toContain('redis-test-password-1');
      expect(server.stderr()).not.toContain(new URL(databaseUrl).password);
    }
    const health = await call(a, 'GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', ready: true, database: { reachable: true }, redis: { reachable: true } });
    expect(typeof health.body.version).toBe('string');
  });

  it('a later start prints no admin key; LODESTAR_ADMIN_KEY becomes an admin key; SIGTERM stops it cleanly', async () => {
    const given = 'lsa_given_key_for_the_test_0123456789';
    const third = await startServer(databaseUrl, { LODESTAR_ADMIN_KEY: given });
    expect(third.stderr()).not.toMatch(ADMIN_KEY_LINE);
    expect(third.stderr()).not.toContain(given);
    expect((await call(third, 'GET', '/admin/teams', { key: given })).status).toBe(200);
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
    expect(third.stderr()).toContain('stopped');
  });

  it('team add, user add (key once, exact --json), user list and key revoke through the CLI; a revoked key is refused on the other instance within a second', async () => {
    const env = { LODESTAR_SERVER: a.url, LODESTAR_ADMIN_KEY: adminKey };
    const team = await runCli(['admin', 'team', 'add', 'platform', '--monthly', '500', '--hard', '--models', 'gpt-5-mini,claude-sonnet-4-5'], { home, env });
    expect(team.stderr).toBe('');
    expect(team.exitCode).toBe(0);
    expect(team.stdout).toContain('Team platform added');
    expect(team.stdout).not.toContain(adminKey);

    const human = await runCli(['admin', 'user', 'add', 'ana@example.com', '--team', 'platform', '--rpm', '60'], { home, env });
    expect(human.exitCode).toBe(0);
    expect(human.stdout).toMatch(/Key: lsk_[0-9A-Za-z]{43}\n/);
    expect(human.stdout).toContain('will not be shown again');

    const json = await runCli(['admin', 'user', 'add', 'bo@example.com', '--team', 'platform', '--monthly', '20', '--json'], { home, env });
    expect(json.exitCode).toBe(0);
    const made = JSON.parse(json.stdout) as Record<string, any>;
    expect(Object.keys(made).sort()).toEqual(['id', 'key', 'team', 'user']);
    expect(made.key).toMatch(/^lsk_[0-9A-Za-z]{43}$/);
    expect(made.user).toMatchObject({ email: 'bo@example.com', monthlyBudgetUsd: 20 });
    expect(made.team).toMatchObject({ name: 'platform', budgetMode: 'hard', monthlyBudgetUsd: 500 });

    const list = await runCli(['admin', 'user', 'list', '--json'], { home, env });
    expect(list.exitCode).toBe(0);
    const users = JSON.parse(list.stdout) as Array<Record<string, any>>;
    expect(users.map((entry) => entry.user.email)).toEqual(['ana@example.com', 'bo@example.com']);
    expect(list.stdout).not.toContain(made.key);
    const table = await runCli(['admin', 'user', 'list'], { home, env });
    expect(table.stdout).toContain(`id ${made.id}`);

    // B knows the key (and caches it), then A revokes it.
    const before = await call(b, 'GET', '/v1/me', { key: made.key });
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ user: { email: 'bo@example.com' }, team: { name: 'platform' }, key: { id: made.id } });
    const revoke = await runCli(['admin', 'key', 'revoke', made.id], { home, env });
    expect(revoke.exitCode).toBe(0);
    expect(revoke.stdout).toContain('revoked');
    const revokedAt = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - revokedAt < 1000) {
      status = (await call(b, 'GET', '/v1/me', { key: made.key })).status;
    }
    expect(status).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThan(1000);
  });

  it('the CLI: exit 2 naming both flag and variable without a key, exit 1 with the server\'s words when it refuses', async () => {
    const missing = await runCli(['admin', 'user', 'list'], { home, env: { LODESTAR_SERVER: a.url } });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('--admin-key');
    expect(missing.stderr).toContain('LODESTAR_ADMIN_KEY');
    const wrong = await runCli(['admin', 'user', 'list', '--server', a.url, '--admin-key', 'lsa_not_the_key_000000000000000000'], { home });
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stderr).toContain('not valid');
    expect(wrong.stderr).not.toContain('lsa_not_the_key');
    const unknownTeam = await runCli(['admin', 'user', 'add', 'cy@example.com', '--team', 'nope'], { home, env: { LODESTAR_SERVER: a.url, LODESTAR_ADMIN_KEY: adminKey } });
    expect(unknownTeam.exitCode).toBe(1);
    expect(unknownTeam.stderr).toContain('field: team');
  });

  it('the admin API: 401 without an admin key, 403 with a user key, and bad input a 4xx naming the field that writes nothing', async () => {
    expect((await call(a, 'GET', '/admin/users')).status).toBe(401);
    expect((await call(a, 'GET', '/admin/users')).body.error).toMatchObject({ type: 'authentication_error' });
    expect((await call(a, 'GET', '/admin/users', { key: 'lsa_wrong_wrong_wrong_wrong_wrong_wrong' })).status).toBe(401);
    const userKey = 'lsk_' + 'A'.repeat(43);
    expect((await call(a, 'POST', '/admin/teams', { key: userKey, body: { name: 'x' } })).status).toBe(403);

    const before = await Promise.all(['teams', 'users', 'api_keys'].map(count));
    const cases: Array<[string, string, { body?: unknown; raw?: string; type?: string }, number, string | null]> = [
      ['POST', '/admin/teams', { body: { name: '' } }, 400, 'name'],
      ['POST', '/admin/teams', { body: { name: 'x', monthlyUsd: -1 } }, 400, 'monthlyUsd'],
      ['POST', '/admin/teams', { body: { name: 'x', dailyUsd: 'ten' } }, 400, 'dailyUsd'],
      ['POST', '/admin/teams', { body: { name: 'x', mode: 'medium' } }, 400, 'mode'],
      ['POST', '/admin/teams', { body: { name: 'x', models: 'gpt' } }, 400, 'models'],
      ['POST', '/admin/teams', { body: { name: 'x', budget: 5 } }, 400, 'budget'],
      ['POST', '/admin/teams', { body: { name: 'Platform' } }, 409, 'name'],
      ['POST', '/admin/teams', { raw: '{"name":' }, 400, null],
      ['POST', '/admin/teams', { raw: '[]' }, 400, null],
      ['POST', '/admin/teams', { raw: 'name=x', type: 'application/x-www-form-urlencoded' }, 415, null],
      ['POST', '/admin/teams', { raw: JSON.stringify({ name: 'x'.repeat(20_000) }) }, 413, null],
      ['POST', '/admin/users', { body: { email: 'not-an-email', team: 'platform' } }, 400, 'email'],
      ['POST', '/admin/users', { body: { email: 'dee@example.com' } }, 400, 'team'],
      ['POST', '/admin/users', { body: { email: 'dee@example.com', team: 'nope' } }, 404, 'team'],
      ['POST', '/admin/users', { body: { email: 'dee@example.com', team: 'platform', rpm: 1.5 } }, 400, 'rpm'],
      ['POST', '/admin/users', { body: { email: 'dee@example.com', team: 'platform', tpm: 0 } }, 400, 'tpm'],
      ['POST', '/admin/users', { body: { email: 'dee@example.com', team: 'platform', monthlyUsd: -5 } }, 400, 'monthlyUsd'],
      ['POST', '/admin/users', { body: { email: 'ANA@example.com', team: 'platform' } }, 409, 'email'],
      ['POST', '/admin/keys/not-a-key-id/revoke', {}, 404, 'id'],
      ['POST', '/admin/keys/00000000-0000-4000-8000-000000000000/revoke', {}, 404, 'id'],
    ];
    for (const [method, path, options, status, param] of cases) {
      const answer = await call(a, method, path, { key: adminKey, ...options });
      expect({ path, body: options.body ?? options.raw, status: answer.status, param: answer.body.error?.param }).toEqual({ path, body: options.body ?? options.raw, status, param });
      expect(typeof answer.body.error.message).toBe('string');
    }
    expect(await Promise.all(['teams', 'users', 'api_keys'].map(count))).toEqual(before);
  });

  it('health is 503, naming Redis, while Redis is down', async () => {
    await redis.stop();
    try {
      const health = await call(a, 'GET', '/health');
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ ready: false, database: { reachable: true }, redis: { reachable: false } });
    } finally {
      await redis.start();
    }
  });
});
