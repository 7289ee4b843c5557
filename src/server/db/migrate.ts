import { createHash } from 'node:crypto';
import pg from 'pg';
import { LodestarError } from '../../shared/errors.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

/**
 * The key of the session advisory lock that makes instances migrate one at a time: "lodestar" in
 * ASCII, as a bigint. Any other user of advisory locks in the same database must pick another.
 */
export const MIGRATION_LOCK_KEY = '7813577346079040626';

export interface MigrateOptions {
  /** The steps to apply; Lodestar's own by default (tests pass others). */
  migrations?: readonly Migration[];
  /** How long to wait for another instance's migration to finish, in ms (default 60 s). */
  lockTimeoutMs?: number;
}

export interface MigrationReport {
  /** What this call applied, in order; empty when the database was up to date. */
  applied: Array<{ version: number; name: string }>;
  /** The schema's version now. */
  version: number;
}

/** The database can't be migrated: a step failed, or the database disagrees with this Lodestar's steps. */
export class MigrationError extends LodestarError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

/**
 * Brings the database's schema up to date, as `lodestar server` does at start. One instance at a
 * time: the others wait on a session advisory lock, held on a connection of its own (never one of
 * a pool: a session lock must not outlive this call on a connection that someone else borrows
 * next), then find the work done. Each step runs in its own transaction with its row in
 * lodestar_migrations, so a failed step leaves nothing of itself behind and is retried whole at
 * the next start. A step already applied whose text has changed since is an error, never re-run.
 */
export async function migrate(connection: string | pg.ClientConfig, options: MigrateOptions = {}): Promise<MigrationReport> {
  const migrations = checkedList(options.migrations ?? MIGRATIONS);
  const client = new pg.Client(typeof connection === 'string' ? { connectionString: connection, application_name: 'lodestar-migrate' } : connection);
  // A connection lost mid-way is reported by the query that was running; this only keeps the
  // client's own 'error' event from being an uncaught exception.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await lock(client, options.lockTimeoutMs ?? 60_000);
    try {
      return await applyPending(client, migrations);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    // Ending the session releases the lock too, whatever happened above.
    await client.end().catch(() => undefined);
  }
}

/** The SHA-256 of a step's text (line endings normalised, so a checkout's CRLF changes nothing). */
export function migrationChecksum(migration: Migration): string {
  return createHash('sha256').update(migration.sql.replace(/\r\n/g, '\n')).digest('hex');
}

async function lock(client: pg.Client, timeoutMs: number): Promise<void> {
  await client.query(`SET lock_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
  try {
    await client.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
  } catch (error) {
    if (error instanceof pg.DatabaseError && error.code === '55P03') {
      throw new MigrationError(`another Lodestar server has been migrating this database for over ${Math.round(timeoutMs / 1000)} s`, {
        hint: 'Wait for it to finish, or find what holds the lock: SELECT * FROM pg_locks WHERE locktype = \'advisory\'.',
        cause: error,
      });
    }
    throw error;
  }
  await client.query('SET lock_timeout = 0');
}

async function applyPending(client: pg.Client, migrations: readonly Migration[]): Promise<MigrationReport> {
  await client.query(`
    CREATE TABLE IF NOT EXISTS lodestar_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
  const { rows } = await client.query<{ version: number; name: string; checksum: string }>('SELECT version, name, checksum FROM lodestar_migrations ORDER BY version');
  const known = new Map(migrations.map((migration) => [migration.version, migration]));
  for (const row of rows) {
    const migration = known.get(row.version);
    if (!migration) {
      throw new MigrationError(`the database has migration ${row.version} (${row.name}), which this Lodestar does not know: it was migrated by a newer version`, {
        hint: 'Run the newest Lodestar against it.',
      });
    }
    if (migrationChecksum(migration) !== row.checksum) {
      throw new MigrationError(`migration ${row.version} (${row.name}) was applied with a different text than this Lodestar's: a released migration must never change`, {
        hint: 'Put the change in a new migration, and give this one its original text back.',
      });
    }
  }
  const done = new Set(rows.map((row) => row.version));
  const applied: MigrationReport['applied'] = [];
  for (const migration of migrations) {
    if (done.has(migration.version)) continue;
    await client.query('BEGIN');
    try {
      await client.query(migration.sql);
      await client.query('INSERT INTO lodestar_migrations (version, name, checksum) VALUES ($1, $2, $3)', [migration.version, migration.name, migrationChecksum(migration)]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw new MigrationError(`migration ${migration.version} (${migration.name}) failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    applied.push({ version: migration.version, name: migration.name });
  }
  const latest = Math.max(0, ...rows.map((row) => row.version), ...applied.map((step) => step.version));
  return { applied, version: latest };
}

/** Versions 1, 2, 3, ... in order, names kebab-case: a mistake here is a bug in Lodestar, caught by its tests. */
function checkedList(migrations: readonly Migration[]): readonly Migration[] {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new MigrationError(`migration "${migration.name}" has version ${migration.version} where ${index + 1} was due: versions run 1, 2, 3, ... in order`);
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(migration.name)) throw new MigrationError(`migration ${migration.version}'s name "${migration.name}" is not kebab-case`);
  });
  return migrations;
}
