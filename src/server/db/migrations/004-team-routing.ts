import type { Migration } from './migration.js';

/**
 * A team's shared routing (src/server/preferences/), set by an admin. A table of its own rather
 * than columns on teams: every key lookup reads the teams row (joined, cached ≤ 1 s), and has no
 * use for a routing document; the routing has its own who-and-when (updated_at, updated_by);
 * and a team that never set one has no row, so nothing is backfilled. The team's allowed models
 * stay where they are, teams.allowed_models.
 *
 * settings holds the part shaped as the config's (floors, preferred, forbidden, taskModels,
 * claude), checked by the config's own schema before it is written: a routing key added to the
 * config later needs no migration. The two switches that only a team has are columns.
 */
export const teamRouting: Migration = {
  version: 4,
  name: 'team-routing',
  sql: `
CREATE TABLE team_routing (
  team_id uuid PRIMARY KEY REFERENCES teams (id),
  settings jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(settings) = 'object'),
  -- Whether a member's project settings (.lodestarrc routing sent by their client) apply under the team's.
  project_overrides boolean NOT NULL DEFAULT true,
  -- Over budget: a free model serves the request instead of a 402.
  free_when_over_budget boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- Which admin key set it (its prefix, lsa_ and four more characters): never the key.
  updated_by text NOT NULL CHECK (btrim(updated_by) <> '')
);
`,
};
