import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync, chmodSync } from 'node:fs';
import { createFileExclusive } from './files.js';

/**
 * The daemon's bearer token: 32 random bytes, made at first start, kept in $LODESTAR_HOME/token
 * at mode 0600. Clients send it as `Authorization: Bearer <token>` or `x-api-key`.
 */
export function ensureToken(path: string): string {
  const existing = readToken(path);
  if (existing) {
    tightenMode(path);
    return existing;
  }
  const token = `ls-${randomBytes(32).toString('base64url')}`;
  if (createFileExclusive(path, `${token}\n`)) return token;
  // Another process made it at the same moment: use theirs.
  const raced = readToken(path);
  if (!raced) throw new Error(`the token file ${path} is empty`);
  return raced;
}

export function readToken(path: string): string | undefined {
  try {
    const token = readFileSync(path, 'utf8').trim();
    return token || undefined;
  } catch {
    return undefined;
  }
}

function tightenMode(path: string): void {
  try {
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  } catch {
    // best effort: doctor reports a loose mode
  }
}

/** Compares in constant time, so the token can't be guessed byte by byte from response times. */
export function tokensMatch(expected: Buffer, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const candidate = Buffer.from(presented);
  if (candidate.length !== expected.length) return false;
  return timingSafeEqual(candidate, expected);
}
