import { createHash, randomBytes } from 'node:crypto';
import { REDIS_COMMAND_TIMEOUT_MS, withTimeout, type RedisCommander } from '../quota/redis-connection.js';

export const ADMIN_SESSION_COOKIE = 'lodestar_admin_session';
/** A session ends after this long without a request (an open page polls, so only a closed one lapses). */
export const SESSION_IDLE_MS = 60 * 60_000;
/** And this long after the login, whatever happens: an admin logs in again each working day. */
export const SESSION_LIFETIME_MS = 12 * 60 * 60_000;

/** Who logged in: the admin key by its hash (as admin_keys holds it) and its prefix, and when. */
export interface AdminSession {
  keyHash: string;
  keyPrefix: string;
  createdAt: number;
}

export interface AdminSessionsOptions {
  client: RedisCommander;
  idleMs?: number;
  lifetimeMs?: number;
  /** Default `lodestar`. */
  keyPrefix?: string;
  timeoutMs?: number;
  now?: () => number;
}

/** A session id as this class makes it: 32 random bytes, base64url. */
const SESSION_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/**
 * The admin pages' logins, in Redis: every instance of the server knows every session (a load
 * balancer may send each request elsewhere), a logout or an expiry holds everywhere at once, and
 * a restarted instance keeps its users logged in. A session id is a random 256-bit value that
 * lives only in the browser's HttpOnly cookie; Redis holds its SHA-256, so a copy of Redis (a
 * dump, a replica) has no session in it that a browser could present. Redis expires a session
 * after SESSION_IDLE_MS without a request (each check extends it, GETEX), and the check refuses
 * one older than SESSION_LIFETIME_MS.
 */
export class AdminSessions {
  private readonly client: RedisCommander;
  private readonly idleMs: number;
  private readonly lifetimeMs: number;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(options: AdminSessionsOptions) {
    this.client = options.client;
    this.idleMs = options.idleMs ?? SESSION_IDLE_MS;
    this.lifetimeMs = options.lifetimeMs ?? SESSION_LIFETIME_MS;
    this.prefix = options.keyPrefix ?? 'lodestar';
    this.timeoutMs = options.timeoutMs ?? REDIS_COMMAND_TIMEOUT_MS;
    this.now = options.now ?? Date.now;
  }

  /** A new session for a checked admin key: its id, for the cookie. Throws QuotaStoreUnavailable while Redis can't be reached. */
  async open(admin: Omit<AdminSession, 'createdAt'>): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    const session: AdminSession = { ...admin, createdAt: this.now() };
    await this.command(['SET', this.key(id), JSON.stringify(session), 'PX', String(this.idleMs), 'NX']);
    return id;
  }

  /** The live session of a cookie's id, extended; undefined for none, an unknown, an idle or an old one. */
  async check(id: string | undefined): Promise<AdminSession | undefined> {
    if (id === undefined || !SESSION_SHAPE.test(id)) return undefined;
    const stored = await this.command<string | null>(['GETEX', this.key(id), 'PX', String(this.idleMs)]);
    const session = stored ? parse(stored) : undefined;
    if (!session) return undefined;
    if (this.now() - session.createdAt > this.lifetimeMs) {
      await this.end(id);
      return undefined;
    }
    return session;
  }

  /** Logout: the session is gone on every instance. */
  async end(id: string | undefined): Promise<void> {
    if (id === undefined || !SESSION_SHAPE.test(id)) return;
    await this.command(['DEL', this.key(id)]);
  }

  private key(id: string): string {
    return `${this.prefix}:admin-session:${createHash('sha256').update(id).digest('base64url')}`;
  }

  private command<T>(args: string[]): Promise<T> {
    return withTimeout(this.client.sendCommand<T>(args), this.timeoutMs);
  }
}

function parse(text: string): AdminSession | undefined {
  try {
    const value = JSON.parse(text) as Partial<AdminSession>;
    if (typeof value.keyHash === 'string' && typeof value.keyPrefix === 'string' && typeof value.createdAt === 'number') return value as AdminSession;
  } catch {
    // not ours: no session
  }
  return undefined;
}
