import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgresOrSkip, startPostgres, type Postgres } from '../../../test/helpers/postgres.js';
import { expectedReport, expectMatches, insertOwned, knownEvents, type Owner, type OwnedEvent } from '../../../test/helpers/team-ledger.js';
import { ReportQueryError } from '../../ledger/report-query.js';
import { NO_GROUP, TEAM_GROUPS } from '../../shared/team-report-facts.js';
import { createPool, inTransaction } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { PostgresIdentityStore } from '../identity/postgres-identity-store.js';
import { approximateStatement, REPORT_SETTINGS, statementParameters, sumsStatement } from './report-statement.js';
import { teamReport, type TeamReportQuery } from './team-report.js';

const HAVE = requirePostgresOrSkip();
const DECEMBER = { from: '2026-12-01', to: '2026-12-31', timeZone: 'UTC' };

describe.skipIf(!HAVE)(`the team report over ledger_events${HAVE ? '' : ': SKIPPED, no PostgreSQL'}`, () => {
  let postgres: Postgres;
  let pool: pg.Pool;
  let events: OwnedEvent[];
  let ghost: Owner;

  beforeAll(async () => {
    postgres = await startPostgres();
    const url = await postgres.createDatabase();
    await migrate(url);
    pool = createPool(url, { max: 4 });
    const store = new PostgresIdentityStore(pool);
    await store.createTeam({ name: 'Platform' });
    await store.createTeam({ name: 'Research' });
    const owners: Array<Owner | undefined> = [];
    for (const [email, team] of [['ana@example.com', 'Platform'], ['bo@example.com', 'Platform'], ['cy@example.com', 'Research']] as const) {
      const made = await store.createUser({ email, team });
      const keys = [made.record, ...(email === 'ana@example.com' ? [(await store.createKey(made.user.id)).record] : [])];
      for (const key of keys) owners.push({ userId: made.user.id, teamId: made.team.id, keyId: key.id, labels: { user: email, team, key: `${key.prefix}... ${key.id}` } });
    }
    // Events of an owner the identity tables don't know (no foreign keys on the ledger): shown by id.
    const [userId, teamId, keyId] = [randomUUID(), randomUUID(), randomUUID()];
    ghost = { userId, teamId, keyId, labels: { user: userId, team: teamId, key: keyId } };
    events = knownEvents([...owners, undefined, ghost]);
    await insertOwned(pool, events);
  });
  afterAll(async () => {
    await pool?.end();
    await postgres?.stop();
  });

  it.each(TEAM_GROUPS)('by %s: each row and the totals are the sums of the ledger, an unknown cost counted apart', async (by) => {
    const report = await teamReport(pool, { ...DECEMBER, by });
    expectMatches(report, expectedReport(events, by, DECEMBER));
    expect(report).toMatchObject({ period: { from: '2026-12-01', to: '2026-12-31' }, timeZone: 'UTC', by, project: undefined });
    expect(report.totals.unpricedRequests).toBeGreaterThan(0);
    expect(report.totals.approximateRequests).toBeGreaterThan(0);
    if (by === 'day') expect(report.rows.map((row) => row.key)).toEqual(report.rows.map((row) => row.key).sort());
    else {
      const ranked = report.rows.filter((row) => row.key !== NO_GROUP);
      expect(ranked.map((row) => row.costUsd)).toEqual(ranked.map((row) => row.costUsd).sort((a, b) => b - a));
      if (report.rows.some((row) => row.key === NO_GROUP)) expect(report.rows.at(-1)?.key).toBe(NO_GROUP);
    }
  });

  it("by user, team or key: each row carries the owner's id; events of no owner are '(none)', those of an unknown one its id", async () => {
    const byUser = await teamReport(pool, { ...DECEMBER, by: 'user' });
    expect(byUser.rows.find((row) => row.key === 'ana@example.com')?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(byUser.rows.find((row) => row.key === NO_GROUP)?.id).toBeUndefined();
    expect(byUser.rows.find((row) => row.key === ghost.userId)?.id).toBe(ghost.userId);
    const byKey = await teamReport(pool, { ...DECEMBER, by: 'key' });
    expect(byKey.rows.filter((row) => row.key.startsWith('lsk_'))).toHaveLength(4);
    for (const row of byKey.rows.filter((entry) => entry.key.startsWith('lsk_'))) expect(row.key).toBe(`${row.key.slice(0, 8)}... ${row.id}`);
    expect((await teamReport(pool, { ...DECEMBER, by: 'model' })).rows.every((row) => row.id === undefined)).toBe(true);
  });

  it("names the models it could not price, or priced by a loose match; a failed request that used nothing is not 'unpriced'", async () => {
    const report = await teamReport(pool, { ...DECEMBER, by: 'model' });
    const unpriced = new Set(events.filter(({ event }) => event.time.startsWith('2026-12') && event.costUsd === undefined && event.usage.inputTokens !== undefined).map(({ event }) => event.model));
    expect(report.flags.unpricedModels).toEqual([...unpriced].sort());
    expect(report.flags.approximateModels.length).toBeGreaterThan(0);
  });

  it('days, and the period, are those of the time zone asked for', async () => {
    const period = { from: '2026-12-01', to: '2026-12-31', timeZone: 'America/New_York' };
    const report = await teamReport(pool, { ...period, by: 'day' });
    expectMatches(report, expectedReport(events, 'day', period));
    expect(report.rows[0]?.key).toBe('2026-12-01');
    // New York's December ends five hours after UTC's: it holds events UTC's does not.
    expect(report.totals.requests).not.toBe((await teamReport(pool, { ...DECEMBER, by: 'day' })).totals.requests);
    const oneDay = { from: '2026-12-24', to: '2026-12-24', timeZone: 'Asia/Kolkata' };
    expectMatches(await teamReport(pool, { ...oneDay, by: 'user' }), expectedReport(events, 'user', oneDay));
  });

  it('one project only, whatever its name holds (a bind parameter, never SQL text)', async () => {
    const query: TeamReportQuery = { ...DECEMBER, by: 'team', project: "api's" };
    const report = await teamReport(pool, query);
    expectMatches(report, expectedReport(events, 'team', { ...DECEMBER, project: "api's" }));
    expect(report.project).toBe("api's");
    expect((await teamReport(pool, { ...DECEMBER, by: 'team', project: "x' OR '1'='1" })).totals.requests).toBe(0);
  });

  it('an empty period is an empty report, not an error', async () => {
    const report = await teamReport(pool, { from: '2030-01-01', to: '2030-01-31', timeZone: 'UTC', by: 'user' });
    expect(report.rows).toEqual([]);
    expect(report.totals).toMatchObject({ requests: 0, costUsd: 0, unpricedRequests: 0 });
  });

  it("a time zone the database doesn't know is a ReportQueryError naming timezone", async () => {
    const refused = await teamReport(pool, { ...DECEMBER, timeZone: 'Mars/Olympus_Mons', by: 'user' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ReportQueryError);
    expect((refused as ReportQueryError).word).toBe('timezone');
  });
});

describe.skipIf(!HAVE)(`the team report's plan${HAVE ? '' : ': SKIPPED, no PostgreSQL'}`, () => {
  let postgres: Postgres;
  let pool: pg.Pool;

  beforeAll(async () => {
    postgres = await startPostgres();
    const url = await postgres.createDatabase();
    await migrate(url);
    pool = createPool(url, { max: 2 });
    // Three months of 100,000 events each, in time order as the ledger receives them.
    await pool.query(`
      INSERT INTO ledger_events (id, time, user_id, team_id, key_id, project, tool, requested_model, model, stream, status, http_status,
        input_tokens, output_tokens, cost_usd, price, baseline_model, baseline_cost_usd, latency_ms, overhead_ms)
      SELECT 'plan-' || i, timestamptz '2026-10-01 00:00:00+00' + i * interval '79 seconds',
        ('00000000-0000-4000-8000-' || lpad((i % 50)::text, 12, '0'))::uuid, ('00000000-0000-4000-9000-' || lpad((i % 5)::text, 12, '0'))::uuid,
        ('00000000-0000-4000-a000-' || lpad((i % 60)::text, 12, '0'))::uuid, 'web', 'aider', 'lodestar/auto', 'anthropic/claude-sonnet-4-5', false, 'ok', 200,
        1000 + i % 997, 50 + i % 89, 0.003, '{"source":"genai-prices","matched":"claude-sonnet-4-5","inputPerMTok":3,"outputPerMTok":15}', 'anthropic/claude-sonnet-4-5', 0.004, 120, 0.2
      FROM generate_series(0, 299999) i`);
    await pool.query('VACUUM ANALYZE ledger_events');
  }, 120_000);
  afterAll(async () => {
    await pool?.end();
    await postgres?.stop();
  });

  interface PlanNode {
    'Node Type': string;
    'Relation Name'?: string;
    'Index Name'?: string;
    Plans?: PlanNode[];
  }

  /** Every node of the statement's plan, as the report runs it (its settings, its parameters). */
  async function planNodes(statement: string, values: unknown[]): Promise<PlanNode[]> {
    const root = await inTransaction(pool, async (client) => {
      await client.query(REPORT_SETTINGS);
      const { rows } = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (FORMAT JSON) ${statement}`, values);
      return rows[0]?.['QUERY PLAN'][0]?.Plan as PlanNode;
    });
    const nodes: PlanNode[] = [];
    const walk = (node: PlanNode): void => {
      nodes.push(node);
      for (const child of node.Plans ?? []) walk(child);
    };
    walk(root);
    return nodes;
  }

  it.each(['user', 'day'] as const)('a month by %s reads the covering index alone, never the table', async (by) => {
    const values = statementParameters(by, { start: new Date('2026-11-01T00:00:00Z'), end: new Date('2026-12-01T00:00:00Z') }, undefined, 'UTC');
    const sums = await planNodes(sumsStatement(by), values);
    const scans = sums.filter((node) => node['Relation Name'] === 'ledger_events').map((node) => `${node['Node Type']} ${node['Index Name'] ?? ''}`.trim());
    expect(scans).toEqual(['Index Only Scan ledger_events_report']);
    expect(sums.map((node) => node['Node Type'])).not.toContain('Gather');
    const approximate = await planNodes(approximateStatement(by), values);
    expect(approximate.filter((node) => node['Relation Name'] === 'ledger_events').map((node) => node['Index Name'])).toEqual(['ledger_events_approximate']);
  });
});
