import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgresOrSkip, startPostgres, type Postgres } from '../../../test/helpers/postgres.js';
import { migrate, migrationChecksum, MIGRATION_LOCK_KEY, MigrationError } from './migrate.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

describe('the migrations as written', () => {
  it('are never destructive: nothing is dropped, truncated, deleted or renamed', () => {
    for (const migration of MIGRATIONS) {
      const code = migration.sql.replace(/--.*$/gm, '');
      expect(code, `migration ${migration.version}`).not.toMatch(/\b(drop|truncate|delete|rename)\b/i);
    }
  });

  it('keep the text they were released with (a change is a new migration)', () => {
    // Pinned: a database migrated by a released Lodestar refuses an edited text. Until migration 1
    // is first released, an edit to it may update this line; after that, never.
    expect(MIGRATIONS.map((migration) => `${migration.version} ${migration.name} ${migrationChecksum(migration)}`)).toEqual([
      '1 identity-and-ledger a208e1f5d14ed8087eca694432cf4d17b8baf9d686c612aa1ca81ed51a7e1506',
      `2 admin-keys ${migrationChecksum(MIGRATIONS[1] as Migration)}`,
      `3 ledger-report-index ${migrationChecksum(MIGRATIONS[2] as Migration)}`,
      `4 team-routing ${migrationChecksum(MIGRATIONS[3] as Migration)}`,
    ]);
  });

  it('checksum text, not line endings', () => {
    const migration = MIGRATIONS[0] as Migration;
    expect(migrationChecksum({ ...migration, sql: migration.sql.replace(/\n/g, '\r\n') })).toBe(migrationChecksum(migration));
  });
});

const HAVE = requirePostgresOrSkip();

describe.skipIf(!HAVE)(`migrate() against a real PostgreSQL${HAVE ? '' : ': SKIPPED, no PostgreSQL'}`, () => {
  let postgres: Postgres;
  beforeAll(async () => {
    postgres = await startPostgres();
  });
  afterAll(async () => {
    await postgres?.stop();
  });

  async function query<R extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<R[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<R>(text, values)).rows;
    } finally {
      await client.end();
    }
  }

  const tables = async (url: string) => (await query<{ name: string }>(url, "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).map((row) => row.name);

  it('applies every step once when two instances start together (an advisory lock), and re-running does nothing', async () => {
    const url = await postgres.createDatabase();
    const reports = await Promise.all([migrate(url), migrate(url)]);
    const everything = MIGRATIONS.map(({ version, name }) => ({ version, name }));
    expect(reports.map((report) => report.applied).sort((a, b) => b.length - a.length)).toEqual([everything, []]);
    expect(reports.map((report) => report.version)).toEqual([MIGRATIONS.length, MIGRATIONS.length]);
    expect(await tables(url)).toEqual(['admin_keys', 'api_keys', 'ledger_events', 'lodestar_migrations', 'team_routing', 'teams', 'users']);
    const recorded = await query<{ version: number; name: string; checksum: string; applied_at: Date }>(url, 'SELECT * FROM lodestar_migrations ORDER BY version');
    expect(recorded.map(({ version, name, checksum }) => ({ version, name, checksum }))).toEqual(MIGRATIONS.map((migration) => ({ version: migration.version, name: migration.name, checksum: migrationChecksum(migration) })));

    expect(await migrate(url)).toEqual({ applied: [], version: MIGRATIONS.length });
    const again = await query<{ applied_at: Date }>(url, 'SELECT applied_at FROM lodestar_migrations ORDER BY version');
    expect(again.map((row) => row.applied_at.toISOString())).toEqual(recorded.map((row) => row.applied_at.toISOString()));
  });

  it('waits while another instance holds the lock, and gives up after lockTimeoutMs saying why', async () => {
    const url = await postgres.createDatabase();
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
      await expect(migrate(url, { lockTimeoutMs: 200 })).rejects.toThrow(/another Lodestar server has been migrating this database/);
      let finished = false;
      const waiting = migrate(url).then((report) => {
        finished = true;
        return report;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(finished).toBe(false);
      expect(await tables(url)).toEqual([]);
      await holder.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
      expect((await waiting).applied).toHaveLength(MIGRATIONS.length);
    } finally {
      await holder.end();
    }
  });

  it('refuses a database whose applied step has since changed, naming it, and changes nothing', async () => {
    const url = await postgres.createDatabase();
    await migrate(url);
    const edited = MIGRATIONS.map((migration, index) => (index === 0 ? { ...migration, sql: `${migration.sql}\nCREATE TABLE sneaked_in (x int);` } : migration));
    const refusal = migrate(url, { migrations: [...edited, { version: MIGRATIONS.length + 1, name: 'later', sql: 'CREATE TABLE later (x int)' }] });
    await expect(refusal).rejects.toThrow(MigrationError);
    await expect(refusal).rejects.toThrow(/^migration 1 \(identity-and-ledger\) was applied with a different text/);
    expect(await tables(url)).not.toContain('sneaked_in');
    expect(await tables(url)).not.toContain('later');
  });

  it('refuses a database migrated by a newer Lodestar', async () => {
    const url = await postgres.createDatabase();
    const newer: Migration[] = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'from-the-future', sql: 'CREATE TABLE future (x int)' }];
    await migrate(url, { migrations: newer });
    await expect(migrate(url)).rejects.toThrow(`the database has migration ${MIGRATIONS.length + 1} (from-the-future), which this Lodestar does not know`);
  });

  it('rolls a failed step back whole, keeps the steps before it, and applies it at the next start once fixed', async () => {
    const url = await postgres.createDatabase();
    const first: Migration = { version: 1, name: 'first', sql: 'CREATE TABLE first_table (x int)' };
    const broken: Migration = { version: 2, name: 'second', sql: 'CREATE TABLE half_done (x int); SELECT no_such_column FROM first_table' };
    await expect(migrate(url, { migrations: [first, broken] })).rejects.toThrow(/^migration 2 \(second\) failed: column "no_such_column" does not exist/);
    expect(await tables(url)).toEqual(['first_table', 'lodestar_migrations']);
    // Never applied, so its text may still change.
    const fixed: Migration = { ...broken, sql: 'CREATE TABLE half_done (x int)' };
    expect(await migrate(url, { migrations: [first, fixed] })).toEqual({ applied: [{ version: 2, name: 'second' }], version: 2 });
  });

  it('refuses a list out of order', async () => {
    await expect(migrate(postgres.url, { migrations: [{ version: 2, name: 'two', sql: 'SELECT 1' }] })).rejects.toThrow('migration "two" has version 2 where 1 was due');
  });
});
