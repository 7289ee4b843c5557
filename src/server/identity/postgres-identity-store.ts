import type pg from 'pg';
import { brokenConstraint, inTransaction, sqlState } from '../db/database.js';
import { hashApiKey, hashesMatch, isApiKey, newApiKey } from './api-key.js';
import { IdentityError } from './identity-error.js';
import { aliased, KEY_COLUMNS, keyFrom, TEAM_COLUMNS, teamFrom, USER_COLUMNS, userFrom } from './identity-rows.js';
import type { ApiKeyRecord, BudgetChange, BudgetField, BudgetUpdate, CreatedUser, IdentityStore, IssuedKey, KeyIdentity, NewTeam, NewUser, Team, User, UserListing } from './identity-store.js';
import { checkBudgetChange, checkTeam, checkUser, id, isUuid, teamReference } from './validate-identity.js';

const UNIQUE_VIOLATION = '23505';

/** The column of each limit `budget set` changes, in both tables; a constant, never input. */
const BUDGET_COLUMNS: Readonly<Record<BudgetField, string>> = { monthlyBudgetUsd: 'monthly_budget_usd', dailyBudgetUsd: 'daily_budget_usd', budgetMode: 'budget_mode', rpm: 'rpm', tpm: 'tpm' };

/**
 * The identity store in the team server's PostgreSQL (tables of migration 1). Every value is a
 * bind parameter. Keys are stored as their SHA-256 (api-key.ts); the key itself leaves this module
 * once, in the answer to createUser or createKey.
 */
export class PostgresIdentityStore implements IdentityStore {
  constructor(private readonly pool: pg.Pool) {}

  async createTeam(input: NewTeam): Promise<Team> {
    const team = checkTeam(input);
    try {
      const { rows } = await this.pool.query(
        `INSERT INTO teams (name, monthly_budget_usd, daily_budget_usd, budget_mode, allowed_models)
         VALUES ($1, $2, $3, $4, $5) RETURNING ${TEAM_COLUMNS.join(', ')}`,
        [team.name, team.monthlyBudgetUsd ?? null, team.dailyBudgetUsd ?? null, team.budgetMode, team.allowedModels ?? null],
      );
      return teamFrom(rows[0]);
    } catch (error) {
      if (sqlState(error) === UNIQUE_VIOLATION && brokenConstraint(error) === 'teams_name_unique') {
        throw new IdentityError('conflict', 'name', `a team named ${JSON.stringify(team.name)} already exists`);
      }
      throw error;
    }
  }

  async createUser(input: NewUser): Promise<CreatedUser> {
    const user = checkUser(input);
    return inTransaction(this.pool, async (client) => {
      const team = await findTeam(client, user.team);
      if (!team) throw new IdentityError('not_found', 'team', `no team ${JSON.stringify(user.team)}`);
      let created;
      try {
        created = await client.query(
          `INSERT INTO users (email, team_id, monthly_budget_usd, daily_budget_usd, budget_mode, rpm, tpm)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${USER_COLUMNS.join(', ')}`,
          [user.email, team.id, user.monthlyBudgetUsd ?? null, user.dailyBudgetUsd ?? null, user.budgetMode ?? null, user.rpm ?? null, user.tpm ?? null],
        );
      } catch (error) {
        if (sqlState(error) === UNIQUE_VIOLATION && brokenConstraint(error) === 'users_email_unique') {
          throw new IdentityError('conflict', 'email', `a user with email ${JSON.stringify(user.email)} already exists`);
        }
        throw error;
      }
      const made = userFrom(created.rows[0]);
      const issued = await insertKey(client, made.id);
      return { user: made, team, ...issued };
    });
  }

  async createKey(userId: string): Promise<IssuedKey> {
    const user = id(userId, 'userId', 'user');
    const { rows } = await this.pool.query('SELECT 1 FROM users WHERE id = $1', [user]);
    if (rows.length === 0) throw new IdentityError('not_found', 'userId', `no user with userId ${JSON.stringify(userId)}`);
    return insertKey(this.pool, user);
  }

  async listTeams(): Promise<Team[]> {
    const { rows } = await this.pool.query(`SELECT ${TEAM_COLUMNS.join(', ')} FROM teams ORDER BY lower(name)`);
    return rows.map((row) => teamFrom(row));
  }

  async listUsers(filter: { team?: string } = {}): Promise<UserListing[]> {
    let teamId: string | undefined;
    if (filter.team !== undefined) {
      const team = await findTeam(this.pool, teamReference(filter.team));
      if (!team) throw new IdentityError('not_found', 'team', `no team ${JSON.stringify(filter.team)}`);
      teamId = team.id;
    }
    const { rows } = await this.pool.query(
      `SELECT ${aliased('u', USER_COLUMNS)}, ${aliased('t', TEAM_COLUMNS)}
       FROM users u JOIN teams t ON t.id = u.team_id
       WHERE $1::uuid IS NULL OR u.team_id = $1
       ORDER BY lower(u.email)`,
      [teamId ?? null],
    );
    const listings = rows.map((row) => ({ user: userFrom(row, 'u_'), team: teamFrom(row, 't_'), keys: [] as ApiKeyRecord[] }));
    if (listings.length === 0) return listings;
    const keys = await this.pool.query(`SELECT ${KEY_COLUMNS.join(', ')} FROM api_keys WHERE user_id = ANY($1::uuid[]) ORDER BY created_at, id`, [listings.map((listing) => listing.user.id)]);
    const byUser = new Map(listings.map((listing) => [listing.user.id, listing]));
    for (const row of keys.rows) {
      const key = keyFrom(row);
      byUser.get(key.userId)?.keys.push(key);
    }
    return listings;
  }

  async revokeKey(keyId: string): Promise<ApiKeyRecord> {
    const key = id(keyId, 'id', 'key');
    const { rows } = await this.pool.query(`UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING ${KEY_COLUMNS.join(', ')}`, [key]);
    if (rows.length === 0) throw new IdentityError('not_found', 'id', `no key with id ${JSON.stringify(keyId)}`);
    return keyFrom(rows[0]);
  }

  async setBudget(input: BudgetChange): Promise<BudgetUpdate> {
    const { target, values } = checkBudgetChange(input);
    const fields = Object.keys(values) as BudgetField[];
    // The columns from the constant map, every value a parameter ($1 is the row's id).
    const assignments = fields.map((field, index) => `${BUDGET_COLUMNS[field]} = $${index + 2}`).join(', ');
    const parameters = fields.map((field) => values[field]);
    // The row is locked from its lookup to its update: `changes` says what this update replaced.
    return inTransaction(this.pool, async (client) => {
      if (target.kind === 'team') {
        const team = await findTeam(client, target.reference, true);
        if (!team) throw new IdentityError('not_found', 'team', `no team ${JSON.stringify(target.reference)}`);
        const { rows } = await client.query(`UPDATE teams SET ${assignments} WHERE id = $1 RETURNING ${TEAM_COLUMNS.join(', ')}`, [team.id, ...parameters]);
        const updated = teamFrom(rows[0]);
        return { team: updated, user: undefined, changes: changesOf(fields, team, updated) };
      }
      const found = await findUser(client, target.reference);
      if (!found) throw new IdentityError('not_found', 'user', `no user ${JSON.stringify(target.reference)}`);
      const { rows } = await client.query(`UPDATE users SET ${assignments} WHERE id = $1 RETURNING ${USER_COLUMNS.join(', ')}`, [found.user.id, ...parameters]);
      const updated = userFrom(rows[0]);
      return { team: found.team, user: updated, changes: changesOf(fields, found.user, updated) };
    });
  }

  async lookupKey(key: string): Promise<KeyIdentity | undefined> {
    if (typeof key !== 'string' || !isApiKey(key)) return undefined;
    const hash = hashApiKey(key);
    const { rows } = await this.pool.query(
      `SELECT k.hash AS k_hash, ${aliased('k', KEY_COLUMNS)}, ${aliased('u', USER_COLUMNS)}, ${aliased('t', TEAM_COLUMNS)}
       FROM api_keys k JOIN users u ON u.id = k.user_id JOIN teams t ON t.id = u.team_id
       WHERE k.hash = $1`,
      [hash],
    );
    const row = rows[0];
    if (!row || !hashesMatch(row.k_hash as Buffer, hash)) return undefined;
    const identity = { key: keyFrom(row, 'k_'), user: userFrom(row, 'u_'), team: teamFrom(row, 't_') };
    if (identity.key.revokedAt === undefined) this.markUsed(identity.key.id);
    return identity;
  }

  /**
   * When a key was last used, to the minute (a lookup happens when a key in use left an
   * instance's cache, so about once a second): off the request's path, and a failure only leaves
   * the time older.
   */
  private markUsed(keyId: string): void {
    this.pool
      .query("UPDATE api_keys SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')", [keyId])
      .catch(() => undefined);
  }
}

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/** By name, whatever its case, or by id; `lock`: FOR UPDATE, in a transaction. */
async function findTeam(db: Queryable, reference: string, lock = false): Promise<Team | undefined> {
  const locking = lock ? ' FOR UPDATE' : '';
  const { rows } = isUuid(reference)
    ? await db.query(`SELECT ${TEAM_COLUMNS.join(', ')} FROM teams WHERE id = $1${locking}`, [reference])
    : await db.query(`SELECT ${TEAM_COLUMNS.join(', ')} FROM teams WHERE lower(name) = lower($1)${locking}`, [reference]);
  return rows[0] ? teamFrom(rows[0]) : undefined;
}

/** By email, whatever its case, or by id, with the user's team; the user's row locked until the transaction ends. */
async function findUser(db: Queryable, reference: string): Promise<{ user: User; team: Team } | undefined> {
  const { rows } = await db.query(
    `SELECT ${aliased('u', USER_COLUMNS)}, ${aliased('t', TEAM_COLUMNS)}
     FROM users u JOIN teams t ON t.id = u.team_id
     WHERE ${isUuid(reference) ? 'u.id = $1' : 'lower(u.email) = lower($1)'}
     FOR UPDATE OF u`,
    [reference],
  );
  return rows[0] ? { user: userFrom(rows[0], 'u_'), team: teamFrom(rows[0], 't_') } : undefined;
}

function changesOf(fields: readonly BudgetField[], before: Team | User, after: Team | User): BudgetUpdate['changes'] {
  return Object.fromEntries(fields.map((field) => [field, { from: (before as Partial<Record<BudgetField, number | string>>)[field], to: (after as Partial<Record<BudgetField, number | string>>)[field] }]));
}

async function insertKey(db: Queryable, userId: string): Promise<IssuedKey> {
  const issued = newApiKey();
  const { rows } = await db.query(`INSERT INTO api_keys (user_id, prefix, hash) VALUES ($1, $2, $3) RETURNING ${KEY_COLUMNS.join(', ')}`, [userId, issued.prefix, issued.hash]);
  return { key: issued.key, record: keyFrom(rows[0]) };
}
