import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashApiKey, hashesMatch, isApiKey, keyPrefix, newApiKey } from './api-key.js';

describe('API keys', () => {
  it('are lsk_ and 43 base62 characters, each one new, with their SHA-256 and a short prefix', () => {
    const keys = Array.from({ length: 200 }, () => newApiKey());
    for (const { key, prefix, hash } of keys) {
      expect(key).toMatch(/^lsk_[0-9A-Za-z]{43}$/);
      expect(isApiKey(key)).toBe(true);
      expect(prefix).toBe(key.slice(0, 8));
      expect(hash.equals(createHash('sha256').update(key).digest())).toBe(true);
    }
    expect(new Set(keys.map(({ key }) => key)).size).toBe(keys.length);
  });

  it('draw every base62 character about equally often (no modulo bias)', () => {
    const counts = new Map<string, number>();
    for (let index = 0; index < 400; index++) for (const character of newApiKey().key.slice(4)) counts.set(character, (counts.get(character) ?? 0) + 1);
    expect(counts.size).toBe(62);
    // 17,200 draws, 277 expected of each. A byte taken mod 62 without dropping 248-255 would give
    // '0'-'7' 5/256 each instead of 4/256: together 2,688 rather than 2,219 (sd ~44).
    for (const count of counts.values()) expect(count).toBeGreaterThan(190);
    const first8 = [...'01234567'].reduce((sum, character) => sum + (counts.get(character) ?? 0), 0);
    expect(first8).toBeGreaterThan(2_000);
    expect(first8).toBeLessThan(2_450);
  });

  it('refuse anything of another shape before any lookup', () => {
    const { key } = newApiKey();
    for (const wrong of ['', 'lsk_', key.slice(0, -1), `${key}x`, key.replace('lsk_', 'sk-'), `${key.slice(0, -1)}-`, ` ${key}`, key.toUpperCase()]) {
      expect(isApiKey(wrong), wrong).toBe(false);
    }
  });

  it('compare hashes of any length without throwing', () => {
    const hash = hashApiKey(newApiKey().key);
    expect(hashesMatch(hash, Buffer.from(hash))).toBe(true);
    expect(hashesMatch(hash, hashApiKey(newApiKey().key))).toBe(false);
    expect(hashesMatch(hash, hash.subarray(1))).toBe(false);
    expect(keyPrefix('lsk_AbCdEfGh')).toBe('lsk_AbCd');
  });
});
