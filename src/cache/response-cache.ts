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
  /** "disk" keeps entries in $LODESTAR_HOME/cache and across restarts. */
  store: 'memory' | 'disk';
  directory: string;
}

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
 * The response cache, on keyv: deterministic requests answered again from memory (or disk)
 * for `ttlMs`, at no cost.
 */
export class ResponseCache {
  private readonly keyv: Keyv;
  private readonly store: Map<string, unknown>;

  constructor(options: CacheOptions) {
    this.store = options.store === 'disk' ? new DiskMap(options.directory) : new BoundedMap(options.maxEntries, options.maxBytes);
    this.keyv = new Keyv({ store: this.store, ttl: options.ttlMs, namespace: 'lodestar' });
  }

  async get(key: string): Promise<CachedAnswer | undefined> {
    return ((await this.keyv.get(key)) as CachedAnswer | undefined) ?? undefined;
  }

  async set(key: string, answer: CachedAnswer): Promise<void> {
    await this.keyv.set(key, answer);
  }

  async clear(): Promise<void> {
    await this.keyv.clear();
  }

  get entries(): number {
    return this.store.size;
  }
}
