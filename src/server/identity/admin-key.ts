import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { inTransaction } from '../db/database.js';
import { hashApiKey, hashesMatch } from './api-key.js';

/**
 * The admin keys (`lsa_` and 43 base62 characters, 256 bits): they open the admin API. Stored as
 * their SHA-256, as a user's keys are (api-key.ts says why a plain hash is enough).
 */
export const ADMIN_KEY_PREFIX = 'lsa_';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BODY_LENGTH = 43;
/** A key given by LODESTAR_ADMIN_KEY: lsa_ and at least this many characters of [0-9A-Za-z_-]. */
const MIN_GIVEN_BODY = 24;
const GIVEN_SHAPE = new RegExp(`^${ADMIN_KEY_PREFIX}[0-9A-Za-z_-]{${MIN_GIVEN_BODY},200}$`);
/** "lodestar-admin-key" as a bigint: the lock under which instances decide on the first admin key. */
const FIRST_KEY_LOCK = '7813577346079040627';

export function newAdminKey(): string {
  let body = '';
  while (body.length < BODY_LENGTH) {
    for (const byte of randomBytes(64)) if (byte < 248 && body.length < BODY_LENGTH) body += ALPHABET[byte % 62];
  }
  return `${ADMIN_KEY_PREFIX}${body}`;
}

/** The shape of an admin key, made here or given: checked before any lookup. */
export function isAdminKey(text: string): boolean {
  return GIVEN_SHAPE.test(text);
}

/** Why LODESTAR_ADMIN_KEY can't be used, or undefined. */
export function givenAdminKeyProblem(key: string): string | undefined {
  return isAdminKey(key) ? undefined : `must be "${ADMIN_KEY_PREFIX}" and ${MIN_GIVEN_BODY} to 200 letters, digits, "_" or "-"`;
}

export interface AdminKeySetup {
  /** A key made now, to be shown once; undefined when one existed already or one was given. */
  created: string | undefined;
}

/**
 * At start: the given key (LODESTAR_ADMIN_KEY) is stored as an admin key if it is not yet; with no
 * key given and no admin key at all, one is made and returned, to be shown once. Instances that
 * start together decide under a transaction-scoped advisory lock, so only one of them makes it.
 */
export async function ensureAdminKey(pool: pg.Pool, given: string | undefined): Promise<AdminKeySetup> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [FIRST_KEY_LOCK]);
    if (given !== undefined) {
      await client.query(`INSERT INTO admin_keys (prefix, hash, source) VALUES ($1, $2, 'environment') ON CONFLICT (hash) DO NOTHING`, [given.slice(0, 8), hashApiKey(given)]);
      return { created: undefined };
    }
    const { rows } = await client.query('SELECT 1 FROM admin_keys WHERE revoked_at IS NULL LIMIT 1');
    if (rows.length > 0) return { created: undefined };
    const key = newAdminKey();
    await client.query(`INSERT INTO admin_keys (prefix, hash, source) VALUES ($1, $2, 'generated')`, [key.slice(0, 8), hashApiKey(key)]);
    return { created: key };
  });
}

/** Whether a presented text is a valid (stored, unrevoked) admin key. */
export async function checkAdminKey(pool: pg.Pool, presented: string): Promise<boolean> {
  if (!isAdminKey(presented)) return false;
  const hash = hashApiKey(presented);
  const { rows } = await pool.query<{ hash: Buffer }>('SELECT hash FROM admin_keys WHERE hash = $1 AND revoked_at IS NULL', [hash]);
  return rows[0] !== undefined && hashesMatch(rows[0].hash, hash);
}
