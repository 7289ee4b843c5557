import type pg from 'pg';
import { inTransaction } from '../db/database.js';
import { IdentityError } from '../identity/identity-error.js';
import { isUuid, teamReference } from '../identity/validate-identity.js';
import { checkTeamRouting, DEFAULT_TEAM_ROUTING, frozen, patchTeamRouting, routingChanges, settingsOf, type TeamRouting } from './team-routing.js';

/** A team's routing with whose it is and who set it last. */
export interface TeamRoutingRecord {
  team: { id: string; name: string };
  routing: TeamRouting;
  /** ISO 8601 UTC; undefined while the team has never set its routing. */
  updatedAt: string | undefined;
  /** The admin who set it last (their key's prefix, lsa_AbCd); undefined as updatedAt. */
  updatedBy: string | undefined;
}

/** A change an admin made: the routing before and after, and each field that differs. */
export interface TeamRoutingChange {
  before: TeamRoutingRecord;
  after: TeamRoutingRecord;
  changes: ReturnType<typeof routingChanges>;
}

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;
type Row = Record<string, unknown>;

// A team, its allowed models and its routing row (absent while it set none). Constant text: every value is a parameter.
const SELECT = `SELECT t.id, t.name, t.allowed_models, r.settings, r.project_overrides, r.free_when_over_budget, r.updated_at, r.updated_by
  FROM teams t LEFT JOIN team_routing r ON r.team_id = t.id`;

/**
 * Teams' routing in the team server's PostgreSQL (team_routing, migration 4; the allowed models
 * in teams.allowed_models). A write checks the routing whole before its first query, and runs
 * with the team's row locked, so that two admins' changes apply one after the other and neither
 * is lost.
 */
export class PostgresTeamRoutingStore {
  constructor(private readonly pool: pg.Pool) {}

  /** A team's routing, by its name (any case) or id. */
  async getTeamRouting(team: string): Promise<TeamRoutingRecord> {
    return recordFrom(await findTeam(this.pool, team));
  }

  /** Replaces a team's whole routing (PUT): a field left out goes back to its default. Also mends a stored routing that no longer passes the checks. */
  async setTeamRouting(team: string, routing: unknown, adminLabel: string): Promise<TeamRoutingChange> {
    const next = checkTeamRouting(routing);
    return this.write(team, adminLabel, () => next);
  }

  /** Changes the fields a JSON Merge Patch names (PATCH), the others as they are. */
  async patchTeamRouting(team: string, patch: unknown, adminLabel: string): Promise<TeamRoutingChange> {
    // The patch's shape is refused before any query; the result is checked under the lock.
    patchTeamRouting(DEFAULT_TEAM_ROUTING, patch);
    return this.write(team, adminLabel, (current) => {
      if (current instanceof IdentityError) throw current;
      return patchTeamRouting(current, patch);
    });
  }

  /**
   * The routing of each of these teams (ids), in one query: what TeamRoutingCache refreshes from.
   * A team that does not exist is left out; one whose stored routing no longer passes the checks
   * is there as the IdentityError saying so (the others are not held up by it).
   */
  async readTeamRoutings(teamIds: readonly string[]): Promise<Map<string, TeamRouting | IdentityError>> {
    const ids = teamIds.filter(isUuid);
    const found = new Map<string, TeamRouting | IdentityError>();
    if (ids.length === 0) return found;
    const { rows } = await this.pool.query(`${SELECT} WHERE t.id = ANY($1::uuid[])`, [ids]);
    for (const row of rows as Row[]) found.set(row.id as string, routingOrError(row));
    return found;
  }

  private async write(team: string, adminLabel: string, change: (current: TeamRouting | IdentityError) => TeamRouting): Promise<TeamRoutingChange> {
    const label = checkLabel(adminLabel);
    const reference = teamReference(team);
    return inTransaction(this.pool, async (client) => {
      // The team's row locked first (NO KEY: a user added to the team meanwhile is not held up),
      // then its routing read by a statement of its own: one statement that waited for the lock
      // would still see the routing as it was before the change it waited for.
      const { id } = await findTeam(client, reference, 'SELECT t.id FROM teams t', 'FOR NO KEY UPDATE');
      const row = await findTeam(client, id as string);
      const current = routingOrError(row);
      const routing = change(current);
      const { rows } = await client.query(
        `INSERT INTO team_routing (team_id, settings, project_overrides, free_when_over_budget, updated_by)
         VALUES ($1, $2::jsonb, $3, $4, $5)
         ON CONFLICT (team_id) DO UPDATE SET settings = EXCLUDED.settings, project_overrides = EXCLUDED.project_overrides,
           free_when_over_budget = EXCLUDED.free_when_over_budget, updated_at = now(), updated_by = EXCLUDED.updated_by
         RETURNING updated_at, updated_by`,
        [id, JSON.stringify(settingsOf(routing)), routing.projectOverrides, routing.freeWhenOverBudget, label],
      );
      await client.query('UPDATE teams SET allowed_models = $2 WHERE id = $1 AND allowed_models IS DISTINCT FROM $2', [id, routing.allowedModels ?? null]);
      const team = { id: id as string, name: row.name as string };
      // A stored routing that no longer passed the checks is logged as if it were the defaults.
      const previous = current instanceof IdentityError ? DEFAULT_TEAM_ROUTING : current;
      const before: TeamRoutingRecord = { team, routing: previous, updatedAt: iso(row.updated_at), updatedBy: (row.updated_by as string | null) ?? undefined };
      const written = rows[0] as Row;
      const after: TeamRoutingRecord = { team, routing: frozen(routing), updatedAt: iso(written.updated_at), updatedBy: written.updated_by as string };
      return { before, after, changes: routingChanges(previous, routing) };
    });
  }
}

async function findTeam(db: Queryable, team: string, select = SELECT, lock = ''): Promise<Row> {
  const reference = teamReference(team);
  const { rows } = isUuid(reference)
    ? await db.query(`${select} WHERE t.id = $1 ${lock}`, [reference])
    : await db.query(`${select} WHERE lower(t.name) = lower($1) ${lock}`, [reference]);
  if (!rows[0]) throw new IdentityError('not_found', 'team', `no team ${JSON.stringify(reference)}`);
  return rows[0] as Row;
}

function recordFrom(row: Row): TeamRoutingRecord {
  return {
    team: { id: row.id as string, name: row.name as string },
    routing: routingFrom(row),
    updatedAt: iso(row.updated_at),
    updatedBy: (row.updated_by as string | null) ?? undefined,
  };
}

/**
 * A row as a TeamRouting, checked again by today's rules: a routing written under an older,
 * looser rule is an error naming its field (and the team), rather than settings applied
 * half-understood.
 */
function routingFrom(row: Row): TeamRouting {
  const stored = {
    ...((row.settings as Record<string, unknown> | null) ?? {}),
    allowedModels: row.allowed_models ?? undefined,
    projectOverrides: row.project_overrides ?? undefined,
    freeWhenOverBudget: row.free_when_over_budget ?? undefined,
  };
  try {
    return frozen(checkTeamRouting(stored));
  } catch (error) {
    if (!(error instanceof IdentityError)) throw error;
    throw new IdentityError('invalid', error.field, `the stored routing of team ${JSON.stringify(row.name)} is no longer valid: ${error.message}; replace it whole (lodestar admin team set NAME --routing-file FILE)`);
  }
}

function routingOrError(row: Row): TeamRouting | IdentityError {
  try {
    return routingFrom(row);
  } catch (error) {
    if (error instanceof IdentityError) return error;
    throw error;
  }
}

function checkLabel(label: string): string {
  if (typeof label !== 'string' || label.trim() === '' || label.length > 200) throw new IdentityError('invalid', 'updatedBy', 'the admin who makes a change must be named (1-200 characters)');
  return label.trim();
}

function iso(value: unknown): string | undefined {
  return value instanceof Date ? value.toISOString() : undefined;
}
