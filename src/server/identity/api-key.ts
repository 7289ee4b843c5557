import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A user's key: `lsk_` and 43 base62 characters, 256 bits from the CSPRNG. Base62, not base64url:
 * no `-` in it, so a double-click in a terminal or a browser selects the whole key.
 *
 * Stored as its SHA-256 only, unkeyed. With 256 bits of entropy a leaked hash can't be reversed by
 * search (what a slow KDF protects is low-entropy passwords), so a keyed HMAC would add a server
 * secret to share across instances, back up apart from the database and never lose or rotate,
 * for no protection a dump lacks. The hash is the lookup key (a unique index), then compared once
 * more in constant time.
 */
export const API_KEY_PREFIX = 'lsk_';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BODY_LENGTH = 43; // 43 × log2(62) ≈ 256 bits
/** lsk_ and the first four characters of the random part: ~24 of its 256 bits, enough to tell keys apart in a list. */
const DISPLAY_LENGTH = API_KEY_PREFIX.length + 4;
const SHAPE = new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{${BODY_LENGTH}}$`);

export interface NewApiKey {
  /** The key itself: given to its user once, stored nowhere. */
  key: string;
  prefix: string;
  hash: Buffer;
}

export function newApiKey(): NewApiKey {
  let body = '';
  while (body.length < BODY_LENGTH) {
    for (const byte of randomBytes(64)) {
      // 248 = 4 × 62: bytes above it are dropped, so that every character is equally likely.
      if (byte < 248 && body.length < BODY_LENGTH) body += ALPHABET[byte % 62];
    }
  }
  const key = `${API_KEY_PREFIX}${body}`;
  return { key, prefix: keyPrefix(key), hash: hashApiKey(key) };
}

/** The text has the shape of a key (checked before any lookup: anything else is refused unread). */
export function isApiKey(text: string): boolean {
  return SHAPE.test(text);
}

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

export function keyPrefix(key: string): string {
  return key.slice(0, DISPLAY_LENGTH);
}

/** Constant-time, so response times say nothing of how much of a hash matched. */
export function hashesMatch(stored: Buffer, presented: Buffer): boolean {
  return stored.length === presented.length && timingSafeEqual(stored, presented);
}
