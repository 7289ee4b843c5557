import { randomBytes } from 'node:crypto';
import { tokensMatch } from '../../shared/token.js';

/** How long a login link works: long enough to click, short enough to be useless in a history file. */
export const LOGIN_CODE_MS = 60_000;
/** A browser session ends after this long without a request. */
export const SESSION_IDLE_MS = 12 * 60 * 60_000;
export const SESSION_COOKIE = 'lodestar_session';

interface Entry {
  expiresAt: number;
}

/**
 * The web UI's logins: one-time codes (made for `lodestar ui`, which holds the daemon token)
 * exchanged once for a session id that lives only in an HttpOnly cookie. Both are random
 * 256-bit values compared in constant time; both live in memory only, so a restarted daemon
 * asks for a new login.
 */
export class UiSessions {
  private readonly codes = new Map<string, Entry>();
  private readonly sessions = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /** A new one-time login code. */
  issueCode(): { code: string; expiresInSeconds: number } {
    this.sweep();
    const code = randomBytes(32).toString('base64url');
    this.codes.set(code, { expiresAt: this.now() + LOGIN_CODE_MS });
    return { code, expiresInSeconds: LOGIN_CODE_MS / 1000 };
  }

  /** Spends a code: a new session id, or undefined for a code unknown, used or expired. */
  redeem(code: string): string | undefined {
    const entry = this.find(this.codes, code);
    if (!entry) return undefined;
    this.codes.delete(entry[0]);
    if (entry[1].expiresAt < this.now()) return undefined;
    const session = randomBytes(32).toString('base64url');
    this.sessions.set(session, { expiresAt: this.now() + SESSION_IDLE_MS });
    return session;
  }

  /** Whether a session id is live; a live one is extended. */
  check(session: string | undefined): boolean {
    if (!session) return false;
    const entry = this.find(this.sessions, session);
    if (!entry) return false;
    if (entry[1].expiresAt < this.now()) {
      this.sessions.delete(entry[0]);
      return false;
    }
    entry[1].expiresAt = this.now() + SESSION_IDLE_MS;
    return true;
  }

  end(session: string | undefined): void {
    const entry = session ? this.find(this.sessions, session) : undefined;
    if (entry) this.sessions.delete(entry[0]);
  }

  private find(map: Map<string, Entry>, presented: string): [string, Entry] | undefined {
    // Constant time in what matters: every stored value is compared, whatever matches.
    let found: [string, Entry] | undefined;
    for (const pair of map) if (tokensMatch(Buffer.from(pair[0]), presented)) found = pair;
    return found;
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.codes) if (entry.expiresAt < now) this.codes.delete(key);
    for (const [key, entry] of this.sessions) if (entry.expiresAt < now) this.sessions.delete(key);
  }
}

/** The session cookie's value from a Cookie header, if any (`name`: the team server's admin pages have a cookie of their own). */
export function sessionFromCookie(header: string | undefined, name: string = SESSION_COOKIE): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index !== -1 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}
