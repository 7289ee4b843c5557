import { isApiKey } from './api-key.js';
import type { IdentityStore, KeyIdentity } from './identity-store.js';

/** Why a presented key was refused; all three are a 401 to the client, told apart in logs and metrics. */
export type KeyRefusal = 'malformed' | 'unknown' | 'revoked';

export type KeyCheck = { ok: true; identity: KeyIdentity } | { ok: false; reason: KeyRefusal };

/**
 * The decision on a request's key (from `Authorization: Bearer lsk_...` or `x-api-key`): a key
 * of the wrong shape is refused before any lookup, an unknown or revoked one after it.
 */
export async function authenticateKey(store: Pick<IdentityStore, 'lookupKey'>, presented: string | undefined): Promise<KeyCheck> {
  if (presented === undefined || !isApiKey(presented)) return { ok: false, reason: 'malformed' };
  const identity = await store.lookupKey(presented);
  if (!identity) return { ok: false, reason: 'unknown' };
  if (identity.key.revokedAt !== undefined) return { ok: false, reason: 'revoked' };
  return { ok: true, identity };
}
