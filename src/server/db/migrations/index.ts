import type { Migration } from './migration.js';
import { identityAndLedger } from './001-identity-and-ledger.js';
import { adminKeys } from './002-admin-keys.js';
import { ledgerReportIndex } from './003-ledger-report-index.js';
import { teamRouting } from './004-team-routing.js';

export type { Migration } from './migration.js';

/** Every migration, in order. Append only: a released entry is never edited, removed or reordered. */
export const MIGRATIONS: readonly Migration[] = [identityAndLedger, adminKeys, ledgerReportIndex, teamRouting];
