import type pg from 'pg';
import { toRow, type ReportQuery } from '../../ledger/report.js';
import { addSums, emptySums, METRICS, toMetrics } from '../../ledger/rollup.js';
import { ReportQueryError } from '../../ledger/report-query.js';
import type { ReportRow } from '../../shared/report-facts.js';
import { NO_GROUP, type TeamGroupBy, type TeamReport, type TeamReportRow } from '../../shared/team-report-facts.js';
import { inTransaction, sqlState } from '../db/database.js';
import { approximateStatement, REPORT_SETTINGS, statementParameters, sumsStatement } from './report-statement.js';

/** The local report's query (period, time zone, project), grouped by one of the team's groupings. */
export interface TeamReportQuery extends Omit<ReportQuery, 'by'> {
  by: TeamGroupBy;
}

const APPROXIMATE = METRICS.indexOf('approximate');
const INVALID_PARAMETER_VALUE = '22023';
const OWNERS: ReadonlySet<TeamGroupBy> = new Set(['user', 'team', 'key']);

interface Group {
  label: string;
  id: string | undefined;
  sums: number[];
}

/**
 * The team server's report over ledger_events: what the local `lodestar report` says, from
 * PostgreSQL, by user, team, key, model, project, day or tool. The rows add up to the totals, and
 * the totals to the ledger's own sums over the period (an unknown cost is counted as unpriced,
 * never as 0). One read-only transaction: the period's bounds in the time zone, as PostgreSQL
 * reckons them (so that they agree with its days `by day`), then the sums.
 */
export async function teamReport(pool: pg.Pool, query: TeamReportQuery): Promise<TeamReport> {
  const { sums, approximate } = await inTransaction(pool, async (client) => {
    await client.query(REPORT_SETTINGS);
    const bounds = await periodBounds(client, query);
    const values = statementParameters(query.by, bounds, query.project, query.timeZone);
    return {
      sums: (await client.query<Record<string, unknown>>(sumsStatement(query.by), values)).rows,
      approximate: (await client.query<Record<string, unknown>>(approximateStatement(query.by), values)).rows,
    };
  });

  const groups = new Map<string | null, Group>();
  const totals = emptySums();
  const unpricedModels = new Set<string>();
  const approximateModels = new Set<string>();
  for (const row of sums) {
    const value = (row.group_key as string | null) ?? null;
    let group = groups.get(value);
    if (!group) {
      group = { label: label(value, row.label as string | null), id: value !== null && OWNERS.has(query.by) ? value : undefined, sums: emptySums() };
      groups.set(value, group);
    }
    const metrics = METRICS.map((metric) => Number(row[metric] ?? 0));
    addSums(group.sums, metrics);
    addSums(totals, metrics);
    if ((row.unpriced as number) > 0 && row.model !== null) unpricedModels.add(row.model as string);
  }
  for (const row of approximate) {
    const group = groups.get((row.group_key as string | null) ?? null);
    const count = row.approximate as number;
    if (group) group.sums[APPROXIMATE]! += count;
    totals[APPROXIMATE]! += count;
    if (row.model !== null) approximateModels.add(row.model as string);
  }

  const rows: TeamReportRow[] = [...groups.values()].map((group) => withId(toRow(group.label, toMetrics(group.sums)), group.id));
  rows.sort(query.by === 'day' ? (a, b) => a.key.localeCompare(b.key) : bySpend);
  const { key: _key, ...total } = toRow('total', toMetrics(totals));
  return {
    period: { from: query.from, to: query.to },
    timeZone: query.timeZone,
    by: query.by,
    project: query.project,
    totals: total,
    rows,
    flags: { unpricedModels: [...unpricedModels].sort(), approximateModels: [...approximateModels].sort() },
  };
}

/** Midnight of the first day and of the day after the last, in the query's time zone. */
async function periodBounds(client: pg.PoolClient, query: TeamReportQuery): Promise<{ start: Date; end: Date }> {
  try {
    const { rows } = await client.query<{ start: Date; end: Date }>(
      `SELECT $1::date::timestamp AT TIME ZONE $3::text AS start, ($2::date + 1)::timestamp AT TIME ZONE $3::text AS "end"`,
      [query.from, query.to, query.timeZone],
    );
    return rows[0] as { start: Date; end: Date };
  } catch (error) {
    // A name Intl knows and PostgreSQL's time zone data doesn't (22023, invalid_parameter_value).
    if (sqlState(error) === INVALID_PARAMETER_VALUE) throw new ReportQueryError('timezone', `--timezone ${JSON.stringify(query.timeZone)} is not a time zone the database knows: use an IANA name such as Europe/Paris or UTC`);
    throw error;
  }
}

/** An owner's label (email, team name, key prefix and id) or, for one no longer known, its id; no value at all: NO_GROUP. */
function label(value: string | null, joined: string | null): string {
  if (value === null) return NO_GROUP;
  return joined ?? value;
}

function withId(row: ReportRow, id: string | undefined): TeamReportRow {
  return id === undefined ? row : { ...row, id };
}

/** Most spent first; the requests of no group last. */
function bySpend(a: ReportRow, b: ReportRow): number {
  return Number(a.key === NO_GROUP) - Number(b.key === NO_GROUP) || b.costUsd - a.costUsd || b.requests - a.requests || a.key.localeCompare(b.key);
}
