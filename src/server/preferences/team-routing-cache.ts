import { IdentityError } from '../identity/identity-error.js';
import { RedisChannel } from '../quota/redis-channel.js';
import type { RedisClient } from '../quota/redis-connection.js';
import type { PostgresTeamRoutingStore } from './postgres-team-routing-store.js';
import { frozen, type TeamRouting } from './team-routing.js';

/** The most a team's routing in memory may lag the database, on an instance that heard nothing of a change (the key cache's bound too). */
export const MAX_ROUTING_REFRESH_MS = 1000;
export const ROUTING_CHANNEL = 'lodestar:team-routing';

export interface TeamRoutingCacheOptions {
  store: Pick<PostgresTeamRoutingStore, 'readTeamRoutings'>;
  /** The server's Redis client: a change made on one instance is read at once by the others. Undefined: the refresh alone (≤ 1 s). */
  redis?: RedisClient | undefined;
  channel?: string;
  /** How often the teams in memory are read again (default and most: 1 s). */
  refreshMs?: number;
  /** A team no request asked for in this long is forgotten, and no longer read (default 10 minutes). */
  idleMs?: number;
  /** Told once when reading or Redis fails, and once when reading works again (no password in it). */
  onError?: (message: string) => void;
}

interface Entry {
  value: TeamRouting | IdentityError;
  /** The text of value, to keep the same object while the routing is unchanged. */
  text: string;
  /** The number of the read that gave it: an older read answering late never overwrites it. */
  readNumber: number;
  /** Asked for since the last refresh; turned into lastUsed by the refresh, not by each request. */
  used: boolean;
  lastUsed: number;
}

/**
 * Teams' routing, from memory, for the hot path: a request never waits for the database except
 * for the first request of a team on this instance. Every team asked for in the last idleMs is
 * read again every second, all in one query, so what a request gets is at most about a second
 * behind the database (the key cache's bound): a change made on another instance is heard at
 * once through Redis when Redis is up. While the database is down, the last value read is
 * served and the failure told once.
 *
 * The object returned stays the same (===) while the team's routing is unchanged, and is frozen:
 * a caller may key a memo on it, and none may change it.
 */
export class TeamRoutingCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<TeamRouting>>();
  private readonly store: TeamRoutingCacheOptions['store'];
  private readonly refreshMs: number;
  private readonly idleMs: number;
  private readonly onError: (message: string) => void;
  private readonly changes: RedisChannel | undefined;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private reads = 0;
  private failing = false;
  private closed = false;

  constructor(options: TeamRoutingCacheOptions) {
    this.store = options.store;
    this.refreshMs = options.refreshMs ?? MAX_ROUTING_REFRESH_MS;
    if (!(this.refreshMs > 0 && this.refreshMs <= MAX_ROUTING_REFRESH_MS)) throw new RangeError(`refreshMs must be above 0 and at most ${MAX_ROUTING_REFRESH_MS}, not ${this.refreshMs}`);
    this.idleMs = options.idleMs ?? 10 * 60_000;
    this.onError = options.onError ?? (() => undefined);
    this.changes = options.redis && new RedisChannel({
      redis: options.redis,
      channel: options.channel ?? ROUTING_CHANNEL,
      listening: 'listening for routing changes',
      publishing: 'publishing a routing change',
      onMessage: (teamId) => this.readAgain(teamId),
      onResync: () => void this.refresh(),
      onError: (problem) => this.onError(`${problem}; a team's routing changed elsewhere is seen here within ${this.refreshMs} ms`),
    });
  }

  /** Starts listening for changes made on other instances; resolves once subscribed, or at once while Redis is down. */
  async start(): Promise<void> {
    await this.changes?.start();
  }

  /**
   * A team's routing (by id, as a key's identity gives it): from memory, or read from the
   * database the first time this instance is asked for the team (requests for it meanwhile share
   * that read). Rejects when that first read fails, for a team that does not exist, and for a
   * team whose stored routing no longer passes the checks (its forbidden models must not be
   * ignored): an IdentityError for the last two.
   */
  get(teamId: string): Promise<TeamRouting> {
    const entry = this.entries.get(teamId);
    if (entry) {
      entry.used = true;
      return entry.value instanceof IdentityError ? Promise.reject(entry.value) : Promise.resolve(entry.value);
    }
    return this.load(teamId);
  }

  /** A team's routing if this instance holds it, without waiting: undefined before its first read (then call get). */
  current(teamId: string): TeamRouting | undefined {
    const entry = this.entries.get(teamId);
    if (!entry || entry.value instanceof IdentityError) return undefined;
    entry.used = true;
    return entry.value;
  }

  /** A team's routing was just changed by this instance: read here now, and tell the other instances. */
  async changed(teamId: string): Promise<void> {
    await Promise.all([this.readAgain(teamId), this.changes?.publish(teamId)]);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Subscribed to changes made elsewhere. */
  get listening(): boolean {
    return this.changes?.listening === true;
  }

  close(): void {
    this.closed = true;
    this.changes?.close();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.entries.clear();
    this.loading.clear();
  }

  private load(teamId: string): Promise<TeamRouting> {
    let pending = this.loading.get(teamId);
    if (!pending) {
      pending = this.read([teamId]).then(() => {
        const entry = this.entries.get(teamId);
        if (!entry) throw new IdentityError('not_found', 'team', `no team with id ${JSON.stringify(teamId)}`);
        if (entry.value instanceof IdentityError) throw entry.value;
        return entry.value;
      });
      const settled = pending.finally(() => {
        if (this.loading.get(teamId) === settled) this.loading.delete(teamId);
      });
      this.loading.set(teamId, settled);
      pending = settled;
    }
    return pending;
  }

  /** A team held here, read now (a change heard of); one not held is read when first asked for. */
  private async readAgain(teamId: string): Promise<void> {
    if (this.entries.has(teamId)) await this.read([teamId]).catch(() => undefined);
  }

  /** Reads these teams and keeps what is newer than what is held. */
  private async read(teamIds: string[]): Promise<void> {
    const readNumber = ++this.reads;
    let found;
    try {
      found = await this.store.readTeamRoutings(teamIds);
    } catch (error) {
      if (!this.failing) this.onError(`reading teams' routing fails (${error instanceof Error ? error.message : String(error)}); the last routing read is used meanwhile`);
      this.failing = true;
      throw error;
    }
    if (this.failing) this.onError("reading teams' routing works again");
    this.failing = false;
    if (this.closed) return;
    for (const teamId of teamIds) {
      const value = found.get(teamId);
      const held = this.entries.get(teamId);
      if (held && held.readNumber > readNumber) continue;
      if (value === undefined) {
        this.entries.delete(teamId);
        continue;
      }
      const text = value instanceof IdentityError ? `error:${value.message}` : JSON.stringify(value);
      if (held && held.text === text) held.readNumber = readNumber;
      else this.entries.set(teamId, { value: value instanceof IdentityError ? value : frozen(value), text, readNumber, used: held?.used ?? true, lastUsed: held?.lastUsed ?? Date.now() });
    }
    this.schedule();
  }

  /** Every team held, read again; those not asked for in idleMs forgotten first. */
  private refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      const now = Date.now();
      for (const [teamId, entry] of this.entries) {
        if (entry.used) {
          entry.used = false;
          entry.lastUsed = now;
        } else if (now - entry.lastUsed > this.idleMs) this.entries.delete(teamId);
      }
      if (this.entries.size > 0) await this.read([...this.entries.keys()]).catch(() => undefined);
    })().finally(() => {
      this.refreshing = undefined;
      this.schedule();
    });
    return this.refreshing;
  }

  /** The refresh runs while teams are held, and stops when none is (an idle server reads nothing). */
  private schedule(): void {
    if (this.entries.size > 0 && !this.timer) {
      this.timer = setInterval(() => void this.refresh(), this.refreshMs);
      this.timer.unref();
    } else if (this.entries.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
