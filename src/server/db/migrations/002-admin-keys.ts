import type { Migration } from './migration.js';

/**
 * The admin keys (`lsa_...`) that open the server's admin API: the first made at the server's
 * first start (shown once on its stderr) or the one LODESTAR_ADMIN_KEY gives. As a user's key,
 * stored as its SHA-256 only.
 */
export const adminKeys: Migration = {
  version: 2,
  name: 'admin-keys',
  sql: `
CREATE TABLE admin_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- lsa_ and four more characters, to tell keys apart in a list; never enough to use.
  prefix text NOT NULL,
  hash bytea NOT NULL CHECK (octet_length(hash) = 32),
  -- generated: made at first start; environment: given by LODESTAR_ADMIN_KEY.
  source text NOT NULL CHECK (source IN ('generated', 'environment')),
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE UNIQUE INDEX admin_keys_hash_unique ON admin_keys (hash);
`,
};
