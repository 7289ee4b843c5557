import type { Migration } from './migration.js';
import { identityAndLedger } from './001-identity-and-ledger.js';
import { adminKeys } from './002-admin-keys.js';

export type { Migration } from './migration.js';

/** Every migration, in order. Append only: a released entry is never edited, removed or reordered. */
export const MIGRATIONS: readonly Migration[] = [identityAndLedger, adminKeys];
