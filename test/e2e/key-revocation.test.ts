import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/server/db/database.js';
import { migrate } from '../../src/server/db/migrate.js';
import { newApiKey } from '../../src/server/identity/api-key.js';
import type { ApiKeyRecord, IdentityStore, KeyIdentity } from '../../src/server/identity/identity-store.js';
import { KeyCache } from '../../src/server/identity/key-cache.js';
import { PostgresIdentityStore } from '../../src/server/identity/postgres-identity-store.js';
import { connectRedis, disconnectRedis, type RedisClient } from '../../src/server/quota/redis-connection.js';
import { postgresUnavailable, startPostgres, type Postgres } from '../helpers/postgres.js';
import { redisUnavailable, startRedis, type Redis } from '../helpers/redis.js';

const noRedis = redisUnavailable();
if (noRedis) console.warn(`key-revocation: the tests against a real Redis are SKIPPED: ${noRedis}`);
const noPostgres = postgresUnavailable();
if (noPostgres && !noRedis) console.warn(`key-revocation: the test with PostgreSQL is SKIPPED: ${noPostgres}`);

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The shared database, in memory: what every instance reads, counting its reads. */
class MemoryKeys implements Pick<IdentityStore, 'lookupKey' | 'revokeKey'> {
  readonly identities = new Map<string, KeyIdentity>();
  lookups = 0;
  /** Holds lookups until released (to catch a revocation mid-lookup). */
  gate: Promise<void> | undefined;

  add(): { key: string; identity: KeyIdentity } {
    const made = newApiKey();
    const now = new Date().toISOString();
    const identity: KeyIdentity = {
      key: { id: randomUUID(), userId: 'u1', prefix: made.prefix, createdAt: now, revokedAt: undefined, lastUsedAt: undefined },
      user: { id: 'u1', email: 'a@example.com', teamId: 't1', monthlyBudgetUsd: undefined, dailyBudgetUsd: undefined, budgetMode: undefined, rpm: undefined, tpm: undefined, createdAt: now },
      team: { id: 't1', name: 'Platform', monthlyBudgetUsd: undefined, dailyBudgetUsd: undefined, budgetMode: 'soft', allowedModels: undefined, createdAt: now },
    };
    this.identities.set(made.key, identity);
    return { key: made.key, identity };
  }

  async lookupKey(key: string): Promise<KeyIdentity | undefined> {
    this.lookups++;
    const found = this.identities.get(key);
    // What the row said when it was read, before any wait.
    const snapshot = found && { ...found, key: { ...found.key } };
    await this.gate;
    return snapshot;
  }

  async revokeKey(keyId: string): Promise<ApiKeyRecord> {
    for (const identity of this.identities.values()) {
      if (identity.key.id !== keyId) continue;
      identity.key.revokedAt ??= new Date().toISOString();
      return identity.key;
    }
    throw new Error(`no key ${keyId}`);
  }
}

describe('the key cache on one instance', () => {
  it('keeps only valid keys, refuses a malformed one unread, and shares one lookup among requests with the same key', async () => {
    const store = new MemoryKeys();
    const cache = new KeyCache({ store, maxEntries: 2 });
    const { key, identity } = store.add();
    const checks = await Promise.all(Array.from({ length: 10 }, () => cache.authenticate(key)));
    expect(checks.every((check) => check.ok && check.identity.key.id === identity.key.id)).toBe(true);
    expect(store.lookups).toBe(1);
    expect(await cache.authenticate('lsk_short')).toEqual({ ok: false, reason: 'malformed' });
    expect(await cache.authenticate(undefined)).toEqual({ ok: false, reason: 'malformed' });
    const unknown = newApiKey().key;
    expect(await cache.authenticate(unknown)).toEqual({ ok: false, reason: 'unknown' });
    expect(await cache.authenticate(unknown)).toEqual({ ok: false, reason: 'unknown' });
    expect(store.lookups).toBe(3);
    expect(cache.size).toBe(1);
    // Bounded: the oldest goes first.
    await cache.authenticate(store.add().key);
    await cache.authenticate(store.add().key);
    expect(cache.size).toBe(2);
  });

  it('trusts a valid key for its TTL (at most 1 s), then asks the store again', async () => {
    const store = new MemoryKeys();
    let now = 1_000_000;
    const cache = new KeyCache({ store, now: () => now });
    const { key, identity } = store.add();
    expect((await cache.authenticate(key)).ok).toBe(true);
    await store.revokeKey(identity.key.id); // revoked behind the cache's back: no message reaches it
    now += 999;
    expect((await cache.authenticate(key)).ok).toBe(true);
    now += 1;
    expect(await cache.authenticate(key)).toEqual({ ok: false, reason: 'revoked' });
    expect(() => new KeyCache({ store, ttlMs: 60_000 })).toThrow(/at most 1000/);
  });

  it('answers a lookup that was in flight when a revocation arrived, but does not keep it', async () => {
    const store = new MemoryKeys();
    const cache = new KeyCache({ store, now: () => 0 });
    const { key, identity } = store.add();
    let release: () => void = () => undefined;
    store.gate = new Promise((resolve) => (release = resolve));
    const inFlight = cache.authenticate(key);
    await until(() => store.lookups === 1);
    await store.revokeKey(identity.key.id);
    cache.evict(identity.key.id);
    // A request after the eviction does not join the stale lookup: it reads the store afresh.
    const after = cache.authenticate(key);
    store.gate = undefined;
    release();
    expect((await inFlight).ok).toBe(true);
    expect(await after).toEqual({ ok: false, reason: 'revoked' });
    expect(cache.size).toBe(0);
  });
});

describe.skipIf(noRedis)(`key revocation across instances through Redis pub/sub (a real redis-server)${noRedis ? `: SKIPPED, ${noRedis}` : ''}`, () => {
  let redis: Redis;
  const clients: RedisClient[] = [];
  const caches: KeyCache[] = [];
  beforeAll(async () => {
    redis = await startRedis('revocation-password-0001');
  });
  afterEach(async () => {
    for (const cache of caches.splice(0)) await cache.close();
    for (const client of clients.splice(0)) disconnectRedis(client);
  });
  afterAll(async () => {
    await redis?.stop();
  });

  /** An instance: its own Redis connection and its own cache, over the shared store. */
  async function instance(store: Pick<IdentityStore, 'lookupKey' | 'revokeKey'>, options: { now?: () => number; onError?: (message: string) => void } = {}): Promise<KeyCache> {
    const client = connectRedis({ url: redis.url });
    clients.push(client);
    await until(() => client.isReady);
    const cache = new KeyCache({ store, redis: client, ...options });
    caches.push(cache);
    await cache.start();
    expect(cache.listening).toBe(true);
    return cache;
  }

  it('refuses on the other instance within a second a key revoked on one, by pub/sub alone (their clocks are stopped: no TTL runs out)', async () => {
    const store = new MemoryKeys();
    const [a, b] = [await instance(store, { now: () => 0 }), await instance(store, { now: () => 0 })];
    const { key, identity } = store.add();
    expect((await b.authenticate(key)).ok).toBe(true);
    expect((await b.authenticate(key)).ok).toBe(true);
    expect(store.lookups).toBe(1);

    const revokedAt = Date.now();
    await a.revokeKey(identity.key.id);
    expect(await a.authenticate(key)).toEqual({ ok: false, reason: 'revoked' });
    await until(async () => !(await b.authenticate(key)).ok, 1000);
    expect(Date.now() - revokedAt).toBeLessThan(1000);
    expect(await b.authenticate(key)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('while the subscription is down, still refuses a revoked key within its TTL, and empties itself when the subscription is back', async () => {
    const store = new MemoryKeys();
    const errors: string[] = [];
    const a = await instance(store, { onError: (message) => errors.push(message) });
    const b = await instance(store);
    const { key, identity } = store.add();
    const other = store.add();
    expect((await b.authenticate(key)).ok).toBe(true);

    await redis.stop();
    await until(() => !b.listening);
    const revokedAt = Date.now();
    await a.revokeKey(identity.key.id); // the publish fails: told, not thrown
    expect(errors.join('\n')).toMatch(/publishing a revocation through Redis fails/);
    expect(errors.join('\n')).not.toContain('revocation-password-0001');
    await until(async () => !(await b.authenticate(key)).ok, 2000);
    // The entry was at most 1 s old when the key was revoked (polled every 10 ms).
    expect(Date.now() - revokedAt).toBeLessThanOrEqual(1000 + 100);

    expect((await b.authenticate(other.key)).ok).toBe(true);
    expect(b.size).toBe(1);
    await redis.start();
    await until(() => b.listening);
    // Whatever was revoked while it listened to nothing: forgotten on reconnection.
    expect(b.size).toBe(0);
    // And listening again: a revocation now reaches it by pub/sub.
    expect((await b.authenticate(other.key)).ok).toBe(true);
    await until(() => a.listening && clients.every((client) => client.isReady));
    await a.revokeKey(other.identity.key.id);
    await until(() => b.size === 0, 1000);
  });

  it('starts while Redis is down, and listens once Redis is up', async () => {
    const store = new MemoryKeys();
    const a = await instance(store);
    await redis.stop();
    const client = connectRedis({ url: redis.url });
    clients.push(client);
    const b = new KeyCache({ store, redis: client, now: () => 0 });
    caches.push(b);
    await b.start();
    expect(b.listening).toBe(false);
    await redis.start();
    // Both listening, and a's own connection (it publishes) back too.
    await until(() => a.listening && b.listening && clients.every((client) => client.isReady));
    const { key, identity } = store.add();
    expect((await b.authenticate(key)).ok).toBe(true);
    await a.revokeKey(identity.key.id);
    await until(async () => !(await b.authenticate(key)).ok, 1000);
  });

  describe.skipIf(noPostgres)(`over PostgreSQL (two stores on two pools, one database)${noPostgres ? `: SKIPPED, ${noPostgres}` : ''}`, () => {
    let postgres: Postgres;
    const pools: pg.Pool[] = [];
    beforeAll(async () => {
      postgres = await startPostgres();
      const url = await postgres.createDatabase();
      await migrate(url);
      pools.push(createPool(url, { max: 2 }), createPool(url, { max: 2 }));
    });
    afterAll(async () => {
      for (const pool of pools) await pool.end();
      await postgres?.stop();
    });

    it('refuses on the second instance, within a second, a key the first revoked', async () => {
      const [storeA, storeB] = pools.map((pool) => new PostgresIdentityStore(pool)) as [PostgresIdentityStore, PostgresIdentityStore];
      const a = await instance(storeA, { now: () => 0 });
      const b = await instance(storeB, { now: () => 0 });
      await storeA.createTeam({ name: 'Platform', monthlyBudgetUsd: 100, budgetMode: 'hard' });
      const created = await storeA.createUser({ email: 'alice@example.com', team: 'Platform', rpm: 60 });
      expect(await b.authenticate(created.key)).toMatchObject({ ok: true, identity: { user: { email: 'alice@example.com', rpm: 60 }, team: { name: 'Platform' } } });

      const revokedAt = Date.now();
      await a.revokeKey(created.record.id);
      await until(async () => !(await b.authenticate(created.key)).ok, 1000);
      expect(Date.now() - revokedAt).toBeLessThan(1000);
      expect(await b.authenticate(created.key)).toEqual({ ok: false, reason: 'revoked' });
    });
  });
});
