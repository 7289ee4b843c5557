import { RedisChannel } from '../quota/redis-channel.js';
import type { RedisClient } from '../quota/redis-connection.js';
import { hashApiKey, isApiKey } from './api-key.js';
import { authenticateKey, type KeyCheck } from './authenticate-key.js';
import type { ApiKeyRecord, IdentityStore, KeyIdentity } from './identity-store.js';

/** The most a revoked key may still be taken for valid on an instance that heard nothing of it. */
export const MAX_KEY_CACHE_TTL_MS = 1000;
export const REVOCATION_CHANNEL = 'lodestar:revoked-keys';
/**
 * While the store can't answer (PostgreSQL down), a key found valid within this long keeps
 * working, as long as revocations are heard: no key can be revoked while the store is down (a
 * revocation is written there first), and one revoked just before reaches this instance through
 * Redis. Without the subscription, the store's failure is the request's.
 */
export const STALE_IF_ERROR_MS = 15 * 60_000;

export interface KeyCacheOptions {
  store: Pick<IdentityStore, 'lookupKey' | 'revokeKey'>;
  /**
   * The server's Redis client: revocations are published on it and heard on a duplicate of it
   * (a subscribed connection runs nothing else). Undefined: one instance, the TTL alone.
   */
  redis?: RedisClient | undefined;
  channel?: string;
  /** How long a valid key is taken on trust (default and most: 1 s). */
  ttlMs?: number;
  /** Valid keys held at most (default 10,000); the oldest goes first. */
  maxEntries?: number;
  /** Milliseconds, for the TTL (tests). */
  now?: () => number;
  /** Told once when publishing or listening fails (no password in it). */
  onError?: (message: string) => void;
}

interface Entry {
  identity: KeyIdentity;
  expiresAt: number;
}

/**
 * The keys this instance found valid, by their SHA-256, for at most a second, so that most
 * requests skip the database: what LiteLLM does for 60 s, which let a revoked key work on the
 * pods that did not revoke it (BerriAI/litellm#9820).
 *
 * A revocation evicts the key everywhere through Redis pub/sub: the instance that revokes it
 * publishes its id once the store has it revoked, every instance evicts it on hearing that
 * (milliseconds). Pub/sub is at most once: a message sent while an instance's subscription is
 * down is lost to it. So the TTL (≤ 1 s) bounds how long a revoked key stays valid anywhere,
 * whatever the state of Redis, and each (re)connection of the subscription empties the cache,
 * since it may have missed revocations. A lookup that was in flight when an eviction arrived is
 * answered but not kept: it may have read the key before its revocation.
 *
 * Only valid keys are kept: unknown and revoked ones go to the store each time, so that a flood
 * of made-up keys can't fill memory.
 */
export class KeyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly hashOfKey = new Map<string, string>();
  private readonly inFlight = new Map<string, Promise<KeyCheck>>();
  /** Counts evictions, so that a lookup knows whether one arrived while it ran. */
  private evictions = 0;
  private readonly store: KeyCacheOptions['store'];
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly revocations: RedisChannel | undefined;

  constructor(options: KeyCacheOptions) {
    this.store = options.store;
    this.ttlMs = options.ttlMs ?? MAX_KEY_CACHE_TTL_MS;
    if (!(this.ttlMs > 0 && this.ttlMs <= MAX_KEY_CACHE_TTL_MS)) throw new RangeError(`ttlMs must be above 0 and at most ${MAX_KEY_CACHE_TTL_MS} (a revoked key is refused everywhere within a second), not ${this.ttlMs}`);
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
    const onError = options.onError ?? (() => undefined);
    this.revocations = options.redis && new RedisChannel({
      redis: options.redis,
      channel: options.channel ?? REVOCATION_CHANNEL,
      listening: 'listening for revocations',
      publishing: 'publishing a revocation',
      onMessage: (keyId) => this.evict(keyId),
      onResync: () => this.clear(),
      onError: (problem) => onError(`${problem}; a revoked key stays valid here for at most ${this.ttlMs} ms`),
    });
  }

  /** Starts listening for revocations; resolves once subscribed, or at once while Redis is down (the subscription follows when it is back). */
  async start(): Promise<void> {
    await this.revocations?.start();
  }

  /** Subscribed and connected: revocations are heard as they happen. */
  get listening(): boolean {
    return this.revocations?.listening === true;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The decision on a presented key, as authenticateKey, from the cache where it can. */
  async authenticate(presented: string | undefined): Promise<KeyCheck> {
    if (presented === undefined || !isApiKey(presented)) return { ok: false, reason: 'malformed' };
    const hash = hashApiKey(presented).toString('hex');
    const entry = this.entries.get(hash);
    if (entry) {
      if (entry.expiresAt > this.now()) return { ok: true, identity: entry.identity };
      // Expired, it is asked of the store again; kept a while only for when the store can't answer.
      if (this.now() - entry.expiresAt > STALE_IF_ERROR_MS) this.forget(hash, entry.identity.key.id);
    }
    // Requests with the same key at once share one lookup.
    let pending = this.inFlight.get(hash);
    if (!pending) {
      const lookup = this.lookup(presented, hash);
      pending = lookup.finally(() => {
        if (this.inFlight.get(hash) === pending) this.inFlight.delete(hash);
      });
      this.inFlight.set(hash, pending);
    }
    try {
      return await pending;
    } catch (error) {
      const stale = this.entries.get(hash);
      if (stale && this.listening && this.now() - stale.expiresAt <= STALE_IF_ERROR_MS) return { ok: true, identity: stale.identity };
      throw error;
    }
  }

  /**
   * Revokes a key in the store, then evicts it here and tells every other instance. A publish
   * that fails is told to onError, not thrown: the revocation stands, and other instances stop
   * trusting the key when their entry expires (≤ 1 s).
   */
  async revokeKey(keyId: string): Promise<ApiKeyRecord> {
    const record = await this.store.revokeKey(keyId);
    this.evict(keyId);
    await this.revocations?.publish(keyId);
    return record;
  }

  /** Forgets a key here (a revocation heard, or one made by this instance). */
  evict(keyId: string): void {
    this.evictions++;
    // A lookup in flight may have read the key before its revocation: later requests don't join it.
    this.inFlight.clear();
    const hash = this.hashOfKey.get(keyId);
    if (hash !== undefined) this.forget(hash, keyId);
  }

  clear(): void {
    this.evictions++;
    this.inFlight.clear();
    this.entries.clear();
    this.hashOfKey.clear();
  }

  async close(): Promise<void> {
    this.revocations?.close();
    this.clear();
  }

  private async lookup(presented: string, hash: string): Promise<KeyCheck> {
    const evictions = this.evictions;
    const check = await authenticateKey(this.store, presented);
    if (check.ok && evictions === this.evictions) this.remember(hash, check.identity);
    else if (!check.ok) this.forgetHash(hash);
    return check;
  }

  private remember(hash: string, identity: KeyIdentity): void {
    // Deleted first, so that the map's order (oldest first) follows refreshes.
    this.entries.delete(hash);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.entries().next().value;
      if (oldest) this.forget(oldest[0], oldest[1].identity.key.id);
    }
    this.entries.set(hash, { identity, expiresAt: this.now() + this.ttlMs });
    this.hashOfKey.set(identity.key.id, hash);
  }

  private forgetHash(hash: string): void {
    const entry = this.entries.get(hash);
    if (entry) this.forget(hash, entry.identity.key.id);
  }

  private forget(hash: string, keyId: string): void {
    this.entries.delete(hash);
    if (this.hashOfKey.get(keyId) === hash) this.hashOfKey.delete(keyId);
  }
}
