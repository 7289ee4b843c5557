import { mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import Keyv from 'keyv';
import type { Usage } from '../providers/spec/usage.js';
import type { ProviderId } from '../shared/provider-ids.js';
import { writeFileAtomic } from '../shared/files.js';

/** What a cache hit answers with: the whole completion, and who made it at what cost. */
export interface CachedAnswer {
  completion: string;
  model: string;
  provider: ProviderId;
  usage: Usage;
  finishReason: string | undefined;
  storedAt: string;
}

export interface CacheOptions {
  ttlMs: number;
  maxEntries: number;
  maxBytes: number;
  /** "disk" keeps entries in $LODESTAR_HOME/cache and across restarts; "redis" shares them. */
  store: 'memory' | 'disk' | 'redis';
  directory: string;
  redisUrl?: string | undefined;
  /** Told when the shared store fails or comes back (never with its URL's password). */
  onStoreError?: (message: string | undefined) => void;
}

/** A lookup in a shared store may cost a request this much at most: after it, a miss. */
const REDIS_LOOKUP_MS = 150;

/**
 * A Map with a bound on entries and bytes, evicting the least recently used: keyv's storage for
 * the in-memory cache (keyv's own Map would grow without limit).
 */
export class BoundedMap extends Map<string, unknown> {
  private bytes = 0;
  private readonly maxEntries: number;
  private readonly maxBytes: number;

  constructor(maxEntries: number, maxBytes: number) {
    super();
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
  }

  override get(key: string): unknown {
    const value = super.get(key);
    if (value !== undefined) {
      // Most recently used goes last.
      super.delete(key);
      super.set(key, value);
    }
    return value;
  }

  override set(key: string, value: unknown): this {
    this.delete(key);
    const size = sizeOf(value);
    if (size > this.maxBytes) return this;
    super.set(key, value);
    this.bytes += size;
    while (this.size > this.maxEntries || this.bytes > this.maxBytes) {
      const oldest = this.keys().next().value;
      if (oldest === undefined) break;
      this.delete(oldest);
    }
    return this;
  }

  override delete(key: string): boolean {
    const value = super.get(key);
    if (value === undefined) return false;
    this.bytes -= sizeOf(value);
    return super.delete(key);
  }

  override clear(): void {
    super.clear();
    this.bytes = 0;
  }

  get byteSize(): number {
    return this.bytes;
  }
}

function sizeOf(value: unknown): number {
  return typeof value === 'string' ? value.length * 2 : JSON.stringify(value ?? null).length * 2;
}

/**
 * keyv's storage on disk: one file per entry under $LODESTAR_HOME/cache (mode 0600), so that
 * cached answers survive a restart. keyv keeps the expiry in the value it stores.
 */
class DiskMap extends Map<string, unknown> {
  private readonly directory: string;
  constructor(directory: string) {
    super();
    this.directory = directory;
    mkdirSync(directory, { recursive: true, mode: 0o700 });
  }
  private file(key: string): string {
    return join(this.directory, `${key.replace(/[^A-Za-z0-9_-]/g, '_')}.json`);
  }
  override get(key: string): unknown {
    try {
      return JSON.parse(readFileSync(this.file(key), 'utf8')) as unknown;
    } catch {
      return undefined;
    }
  }
  override has(key: string): boolean {
    return this.get(key) !== undefined;
  }
  override set(key: string, value: unknown): this {
    writeFileAtomic(this.file(key), JSON.stringify(value), 0o600, { durable: false });
    return this;
  }
  override delete(key: string): boolean {
    try {
      unlinkSync(this.file(key));
      return true;
    } catch {
      return false;
    }
  }
  override clear(): void {
    for (const name of readdirSync(this.directory)) rmSync(join(this.directory, name), { force: true });
  }
}

/**
 * The response cache, on keyv: deterministic requests answered again from memory, disk or a
 * shared Redis (@keyv/redis) for `ttlMs`, at no cost. A store that fails or is slow is a miss,
 * never a failed request: the cache only ever saves time and money.
 */
export class ResponseCache {
  private keyv: Keyv | undefined;
  private readonly store: Map<string, unknown> | undefined;
  private readonly ready: Promise<Keyv | undefined>;
  private readonly options: CacheOptions;
  private failing = false;

  constructor(options: CacheOptions) {
    this.options = options;
    if (options.store === 'redis') {
      this.store = undefined;
      this.ready = this.connectRedis(options.redisUrl ?? '');
    } else {
      const memory = options.store !== 'disk';
      this.store = memory ? new BoundedMap(options.maxEntries, options.maxBytes) : new DiskMap(options.directory);
      // In memory the answer is kept as the object it is: no JSON round trip on every hit (it
      // was the biggest cost of a hit). Nothing changes a cached answer once stored.
      this.keyv = new Keyv({ store: this.store, ttl: options.ttlMs, namespace: 'lodestar', ...(memory ? { serialization: false as const } : {}) });
      this.ready = Promise.resolve(this.keyv);
    }
  }

  /** @keyv/redis is loaded only for a Redis store: the others don't pay for a Redis client. */
  private async connectRedis(url: string): Promise<Keyv | undefined> {
    try {
      const { default: KeyvRedis } = await import('@keyv/redis');
      const store = new KeyvRedis(
        {
          url,
          // While Redis is away, a command fails at once instead of waiting in a queue.
          disableOfflineQueue: true,
          socket: { connectTimeout: 1000, reconnectStrategy: (attempt: number) => Math.min(250 * 2 ** attempt, 10_000) },
        },
        { namespace: 'lodestar', throwOnConnectError: false, throwOnErrors: false, connectionTimeout: 1000 },
      );
      store.on('error', (error: unknown) => this.storeFailed(error));
      this.keyv = new Keyv({ store, ttl: this.options.ttlMs, namespace: 'lodestar', useKeyPrefix: false });
      this.keyv.on('error', (error: unknown) => this.storeFailed(error));
      return this.keyv;
    } catch (error) {
      this.storeFailed(error);
      return undefined;
    }
  }

  private storeFailed(error: unknown): void {
    if (this.failing) return;
    this.failing = true;
    const message = error instanceof Error ? error.message : String(error);
    this.options.onStoreError?.(`the cache's Redis store fails (${message.replace(/\/\/[^@/\s]*@/g, '//')}); requests go on without the cache`);
  }

  private recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.options.onStoreError?.(undefined);
  }

  async get(key: string): Promise<CachedAnswer | undefined> {
    if (this.options.store !== 'redis') return ((await this.keyv?.get(key)) as CachedAnswer | undefined) ?? undefined;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), REDIS_LOOKUP_MS);
    });
    try {
      const lookup = this.ready.then((keyv) => keyv?.get(key) as Promise<CachedAnswer | undefined> | undefined);
      const answer = await Promise.race([lookup, timeout]);
      if (answer) this.recovered();
      return answer ?? undefined;
    } catch (error) {
      this.storeFailed(error);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  async set(key: string, answer: CachedAnswer): Promise<void> {
    try {
      const keyv = await this.ready;
      await keyv?.set(key, answer);
      if (this.options.store === 'redis') this.recovered();
    } catch (error) {
      this.storeFailed(error);
    }
  }

  async clear(): Promise<void> {
    await (await this.ready)?.clear();
  }

  /** Entries held here; undefined for a shared store, which others fill too. */
  get entries(): number {
    return this.store?.size ?? 0;
  }

  /** Lets go of a Redis connection (at shutdown). */
  async close(): Promise<void> {
    if (this.options.store !== 'redis') return;
    const keyv = await this.ready;
    await (keyv?.store as { disconnect?: () => Promise<void> } | undefined)?.disconnect?.().catch(() => undefined);
  }
}
