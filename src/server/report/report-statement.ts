import type { TeamGroupBy } from '../../shared/team-report-facts.js';

/**
 * The SQL of the team report. Every value is a bind parameter; the only text that varies is the
 * grouping's, taken from the fixed map below by a `by` that was checked against TEAM_GROUPS.
 *
 * Parameters: $1 and $2 the period's bounds (timestamptz, the end excluded), $3 the project or
 * NULL, and by day $4 the time zone. Rows are per group and model: the models tell which of them
 * were unpriced, and the report adds each group's models up (a few hundred rows for a month).
 *
 * Every column these read is in the index ledger_events_report (migration 3), so a month is an
 * index-only scan of the period's range (team-report.test.ts checks the plan).
 */
interface Grouping {
  /** The group's value, over `e` (ledger_events). */
  value: string;
  /** The value as the report's text key, over `g` (the sums); default its text. */
  key?: string;
  /** Where its label comes from, over `o`, joined on the group's value; none: the key is its own label. */
  join?: string;
  label?: string;
}

const GROUPINGS: Readonly<Record<TeamGroupBy, Grouping>> = {
  user: { value: 'e.user_id', join: 'users o ON o.id = g.group_value', label: 'o.email' },
  team: { value: 'e.team_id', join: 'teams o ON o.id = g.group_value', label: 'o.name' },
  key: { value: 'e.key_id', join: 'api_keys o ON o.id = g.group_value', label: "o.prefix || '... ' || o.id" },
  model: { value: 'e.model' },
  project: { value: 'e.project' },
  tool: { value: 'e.tool' },
  // A date, formatted once a group rather than once an event (to_char on every row cost 60% more).
  day: { value: '(e.time AT TIME ZONE $4::text)::date', key: "to_char(g.group_value, 'YYYY-MM-DD')" },
};

const PERIOD = 'e.time >= $1::timestamptz AND e.time < $2::timestamptz AND ($3::text IS NULL OR e.project = $3::text)';

/**
 * The sums, named as rollup.ts's METRICS (so that the report's arithmetic is the local one's).
 * An unknown cost (NULL) is left out of costUsd and counted in `unpriced` when the request had
 * usage to price, as the JSONL ledger's rollups do; its baseline is left out too, so that savings
 * compare like with like.
 */
const SUMS = `
    count(*)::float8 AS requests,
    count(*) FILTER (WHERE e.status = 'error')::float8 AS errors,
    coalesce(sum(e.input_tokens), 0)::float8 AS "inputTokens",
    coalesce(sum(e.cached_input_tokens), 0)::float8 AS "cachedInputTokens",
    coalesce(sum(e.output_tokens), 0)::float8 AS "outputTokens",
    coalesce(sum(e.cost_usd), 0)::float8 AS "costUsd",
    coalesce(sum(e.baseline_cost_usd) FILTER (WHERE e.cost_usd IS NOT NULL), 0)::float8 AS "baselineCostUsd",
    count(*) FILTER (WHERE e.cache_hit)::float8 AS "cacheHits",
    count(*) FILTER (WHERE e.cost_usd IS NULL AND (e.input_tokens IS NOT NULL OR e.output_tokens IS NOT NULL))::float8 AS unpriced`;

/**
 * The sums of the period by group and model: `group_key` the group's value as text (NULL: none),
 * `label` what the report shows for it (NULL: no group, or an owner with no row).
 */
export function sumsStatement(by: TeamGroupBy): string {
  const grouping = GROUPINGS[by];
  const key = groupKey(grouping);
  const grouped = `SELECT ${grouping.value} AS group_value, e.model AS model, ${SUMS}
  FROM ledger_events e
  WHERE ${PERIOD}
  GROUP BY 1, 2`;
  if (!grouping.join) return `SELECT g.*, ${key} AS group_key, ${key} AS label FROM (${grouped}) g`;
  return `SELECT g.*, ${key} AS group_key, ${grouping.label} AS label FROM (${grouped}) g LEFT JOIN ${grouping.join}`;
}

/**
 * The requests priced by a loose match, by group and model. Few, and found through the partial
 * index ledger_events_approximate: the price (jsonb) is the one column the covering index lacks.
 */
export function approximateStatement(by: TeamGroupBy): string {
  const grouping = GROUPINGS[by];
  return `SELECT g.model, g.approximate, ${groupKey(grouping)} AS group_key FROM (
  SELECT ${grouping.value} AS group_value, e.model AS model, count(*)::float8 AS approximate
  FROM ledger_events e
  WHERE ${PERIOD} AND e.price @> '{"approximate": true}'
  GROUP BY 1, 2) g`;
}

function groupKey(grouping: Grouping): string {
  return grouping.key ?? 'g.group_value::text';
}

/** The bind parameters of both statements. */
export function statementParameters(by: TeamGroupBy, bounds: { start: Date; end: Date }, project: string | undefined, timeZone: string): unknown[] {
  const values: unknown[] = [bounds.start, bounds.end, project ?? null];
  // Only the day's grouping reads the time zone: a parameter no statement uses has no type.
  if (by === 'day') values.push(timeZone);
  return values;
}

/**
 * Session settings for the report's transaction (SET LOCAL: they end with it), as measured on a
 * month of 1M events on the 2-core test machine: JIT spent 100-200 ms compiling to save less;
 * parallel workers made the index-only scan three times slower (1.0 s against 0.37 s), handing
 * the index's pages to each other one at a time; and a report that took every core would take
 * them from the ledger's writes.
 */
export const REPORT_SETTINGS = 'SET TRANSACTION READ ONLY; SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0';
