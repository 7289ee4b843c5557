import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgresOrSkip, startPostgres, type Postgres } from '../../../test/helpers/postgres.js';
import { createPool } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { newApiKey } from './api-key.js';
import { authenticateKey } from './authenticate-key.js';
import { IdentityError } from './identity-error.js';
import { PostgresIdentityStore } from './postgres-identity-store.js';

const HAVE = requirePostgresOrSkip();

/** The IdentityError a call was refused with. */
async function refusal(promise: Promise<unknown>): Promise<IdentityError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(IdentityError);
    return error as IdentityError;
  }
  throw new Error('expected the store to refuse');
}

describe.skipIf(!HAVE)(`the identity store in PostgreSQL${HAVE ? '' : ': SKIPPED, no PostgreSQL'}`, () => {
  let postgres: Postgres;
  let pool: pg.Pool;
  let store: PostgresIdentityStore;
  beforeAll(async () => {
    postgres = await startPostgres();
    const url = await postgres.createDatabase();
    await migrate(url);
    pool = createPool(url, { max: 4 });
    store = new PostgresIdentityStore(pool);
  });
  afterAll(async () => {
    await pool?.end();
    await postgres?.stop();
  });

  const count = async (table: 'teams' | 'users' | 'api_keys') => (await pool.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n;

  it('creates a team, soft and open to every model unless told otherwise', async () => {
    const team = await store.createTeam({ name: '  Platform ' });
    expect(team).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: 'Platform', monthlyBudgetUsd: undefined, dailyBudgetUsd: undefined, budgetMode: 'soft', allowedModels: undefined, createdAt: expect.any(String) });
    const strict = await store.createTeam({ name: 'Research', monthlyBudgetUsd: 250.5, dailyBudgetUsd: 20, budgetMode: 'hard', allowedModels: ['anthropic/claude-sonnet-4-5', 'ollama/qwen2.5-coder:3b', 'anthropic/claude-sonnet-4-5'] });
    expect(strict).toMatchObject({ monthlyBudgetUsd: 250.5, dailyBudgetUsd: 20, budgetMode: 'hard', allowedModels: ['anthropic/claude-sonnet-4-5', 'ollama/qwen2.5-coder:3b'] });
  });

  it('creates a user with a key given once, and finds the user and team by that key', async () => {
    const created = await store.createUser({ email: 'Alice@Example.com', team: 'platform', monthlyBudgetUsd: 40, rpm: 60, tpm: 100_000 });
    expect(created.key).toMatch(/^lsk_[0-9A-Za-z]{43}$/);
    expect(created.user).toMatchObject({ email: 'Alice@Example.com', teamId: created.team.id, monthlyBudgetUsd: 40, dailyBudgetUsd: undefined, budgetMode: undefined, rpm: 60, tpm: 100_000 });
    expect(created.team.name).toBe('Platform');
    expect(created.record).toEqual({ id: expect.any(String), userId: created.user.id, prefix: created.key.slice(0, 8), createdAt: expect.any(String), revokedAt: undefined, lastUsedAt: undefined });

    const found = await store.lookupKey(created.key);
    expect(found).toEqual({ key: created.record, user: created.user, team: created.team });
    // A lookup marks the key used (off its path, to the minute): a later one may show it.
    expect(await authenticateKey(store, created.key)).toMatchObject({ ok: true, identity: { key: { id: created.record.id }, user: created.user, team: created.team } });
    await expect.poll(async () => (await store.lookupKey(created.key))?.key.lastUsedAt, { timeout: 5000 }).toEqual(expect.any(String));
    // By the team's id as well as its name.
    const byId = await store.createUser({ email: 'bob@example.com', team: created.team.id });
    expect(byId.team.id).toBe(created.team.id);
  });

  it('refuses an unknown key, and one of the wrong shape without asking the database', async () => {
    expect(await store.lookupKey(newApiKey().key)).toBeUndefined();
    expect(await authenticateKey(store, newApiKey().key)).toEqual({ ok: false, reason: 'unknown' });
    for (const wrong of [undefined, '', 'Bearer lsk_x', 'sk-1234', "lsk_' OR 1=1 --"]) {
      expect(await authenticateKey(store, wrong)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('revokes a key: still found (for audits), refused; a second revocation keeps the first time; other keys go on', async () => {
    const { user, key, record } = await store.createUser({ email: 'carol@example.com', team: 'Research' });
    const spare = await store.createKey(user.id);
    const revoked = await store.revokeKey(record.id);
    expect(revoked).toMatchObject({ id: record.id, revokedAt: expect.any(String) });
    expect((await store.lookupKey(key))?.key.revokedAt).toBe(revoked.revokedAt);
    expect(await authenticateKey(store, key)).toEqual({ ok: false, reason: 'revoked' });
    expect((await store.revokeKey(record.id.toUpperCase())).revokedAt).toBe(revoked.revokedAt);
    expect(await authenticateKey(store, spare.key)).toMatchObject({ ok: true, identity: { user: { id: user.id }, key: { id: spare.record.id } } });
  });

  it('lists users by email with their team and keys, all or one team', async () => {
    const everyone = await store.listUsers();
    expect(everyone.map(({ user }) => user.email)).toEqual(['Alice@Example.com', 'bob@example.com', 'carol@example.com']);
    const carol = everyone[2];
    expect(carol?.team.name).toBe('Research');
    expect(carol?.keys.map((key) => key.revokedAt === undefined)).toEqual([false, true]);
    expect((await store.listUsers({ team: 'RESEARCH' })).map(({ user }) => user.email)).toEqual(['carol@example.com']);
    await store.createTeam({ name: 'Empty' });
    expect(await store.listUsers({ team: 'empty' })).toEqual([]);
  });

  it('stores a key as its SHA-256 only: no key, nor any part of one past its prefix, is in the tables', async () => {
    const issued = [await store.createUser({ email: 'dave@example.com', team: 'Platform' }), await store.createKey((await store.listUsers())[0]?.user.id as string)];
    const { rows } = await pool.query('SELECT * FROM api_keys');
    expect(Object.keys(rows[0]).sort()).toEqual(['created_at', 'hash', 'id', 'last_used_at', 'prefix', 'revoked_at', 'user_id']);
    const everything = JSON.stringify(
      [rows, (await pool.query('SELECT * FROM users')).rows, (await pool.query('SELECT * FROM teams')).rows],
      (_, value) => (value && value.type === 'Buffer' ? [Buffer.from(value.data).toString('hex'), Buffer.from(value.data).toString('base64'), Buffer.from(value.data).toString('latin1')] : value),
    );
    for (const { key } of issued) {
      expect(everything).not.toContain(key);
      expect(everything).not.toContain(key.slice(8, 20));
      const row = rows.find((candidate) => candidate.hash.equals(createHash('sha256').update(key).digest()));
      expect(row?.prefix).toBe(key.slice(0, 8));
    }
  });

  it('refuses bad input naming the field, and writes nothing', async () => {
    const before = [await count('teams'), await count('users'), await count('api_keys')];
    const cases: Array<[() => Promise<unknown>, Partial<IdentityError>]> = [
      [() => store.createUser({ email: '', team: 'Platform' }), { code: 'invalid', field: 'email', message: 'email must not be empty' }],
      [() => store.createUser({ email: '   ', team: 'Platform' }), { code: 'invalid', field: 'email' }],
      [() => store.createUser({ email: 'not an email', team: 'Platform' }), { code: 'invalid', field: 'email', message: 'email "not an email" is not an email address' }],
      [() => store.createUser({ email: 'eve@example.com', team: 'Nowhere' }), { code: 'not_found', field: 'team', message: 'no team "Nowhere"' }],
      [() => store.createUser({ email: 'eve@example.com', team: randomUUID() }), { code: 'not_found', field: 'team' }],
      [() => store.createUser({ email: 'eve@example.com', team: '' }), { code: 'invalid', field: 'team' }],
      [() => store.createUser({ email: 'ALICE@example.COM', team: 'Research' }), { code: 'conflict', field: 'email', message: 'a user with email "ALICE@example.COM" already exists' }],
      [() => store.createUser({ email: 'eve@example.com', team: 'Platform', monthlyBudgetUsd: -1 }), { code: 'invalid', field: 'monthlyBudgetUsd' }],
      [() => store.createUser({ email: 'eve@example.com', team: 'Platform', dailyBudgetUsd: Number.NaN }), { code: 'invalid', field: 'dailyBudgetUsd' }],
      [() => store.createUser({ email: 'eve@example.com', team: 'Platform', rpm: 1.5 }), { code: 'invalid', field: 'rpm' }],
      [() => store.createUser({ email: 'eve@example.com', team: 'Platform', tpm: 0 }), { code: 'invalid', field: 'tpm' }],
      [() => store.createUser({ email: 'eve@example.com', team: 'Platform', budgetMode: 'strict' as never }), { code: 'invalid', field: 'budgetMode' }],
      [() => store.createUser(null as never), { code: 'invalid', field: 'user' }],
      [() => store.createTeam({ name: '' }), { code: 'invalid', field: 'name', message: "a team's name must not be empty" }],
      [() => store.createTeam({ name: 'platform' }), { code: 'conflict', field: 'name', message: 'a team named "platform" already exists' }],
      [() => store.createTeam({ name: 'Ops', monthlyBudgetUsd: Number.POSITIVE_INFINITY }), { code: 'invalid', field: 'monthlyBudgetUsd' }],
      [() => store.createTeam({ name: 'Ops', monthlyBudgetUsd: '10' as never }), { code: 'invalid', field: 'monthlyBudgetUsd' }],
      [() => store.createTeam({ name: 'Ops', allowedModels: [] }), { code: 'invalid', field: 'allowedModels' }],
      [() => store.createTeam({ name: 'Ops', allowedModels: ['openai/gpt-5', ''] }), { code: 'invalid', field: 'allowedModels' }],
      [() => store.createTeam({ name: randomUUID() }), { code: 'invalid', field: 'name' }],
      [() => store.createTeam({ name: 'Line\nbreak' }), { code: 'invalid', field: 'name' }],
      [() => store.revokeKey('lsk_not-an-id'), { code: 'not_found', field: 'id' }],
      [() => store.revokeKey(randomUUID()), { code: 'not_found', field: 'id' }],
      [() => store.createKey(randomUUID()), { code: 'not_found', field: 'userId' }],
      [() => store.listUsers({ team: 'Nowhere' }), { code: 'not_found', field: 'team' }],
    ];
    // One at a time: each refusal is checked before the next call.
    for (const [call, expected] of cases) expect(await refusal(call())).toMatchObject(expected);
    expect([await count('teams'), await count('users'), await count('api_keys')]).toEqual(before);
  });

  it('lets one of two simultaneous users with the same email in', async () => {
    const results = await Promise.allSettled([store.createUser({ email: 'twin@example.com', team: 'Platform' }), store.createUser({ email: 'Twin@example.com', team: 'Research' })]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toMatchObject({ code: 'conflict', field: 'email' });
    expect((await pool.query("SELECT count(*) AS n FROM users WHERE lower(email) = 'twin@example.com'")).rows[0].n).toBe(1);
  });
});
