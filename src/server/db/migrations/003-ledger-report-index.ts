import type { Migration } from './migration.js';

/**
 * What makes a month's report (src/server/report/) read an index instead of the table.
 *
 * A ledger row is ~750 bytes (two price records in jsonb, the client, the session...): a month
 * of 1M events is ~740 MB of table, and reading it took 0.7-1.5 s on the 2-core test machine
 * whatever the plan (the BRIN index of migration 1 finds the month, then every page of it is
 * read). ledger_events_report holds just what a report reads, in time order, ~160 bytes a row:
 * the same month is an index-only scan of ~160 MB, ~0.37 s. It costs each insert one more
 * b-tree entry at the right-hand edge (time only grows): batched inserts went from ~23,000 to
 * ~18,000 events/s here, far above the ledger's 5,000.
 *
 * The price (jsonb) is too big to carry: the few requests priced by a loose match are found
 * through a partial index of their own, empty while there are none.
 *
 * An index-only scan reads the table for any page not yet marked all-visible by a vacuum, and
 * autovacuum's default for an insert-only table waits for 20% of the table in new rows: a year's
 * ledger would leave more than the current month unmarked, and its report back on the table.
 * A vacuum every 100,000 new rows keeps the unmarked part to at most that (each such vacuum
 * reads only the pages added since the last).
 *
 * Built in the migration's transaction (CREATE INDEX CONCURRENTLY can't run in one): on an
 * existing ledger, inserts wait for the build (~2 s a million rows here), and the ledger's
 * writer spools meanwhile, as it does when the database is slow.
 */
export const ledgerReportIndex: Migration = {
  version: 3,
  name: 'ledger-report-index',
  sql: `
CREATE INDEX ledger_events_report ON ledger_events (time)
  INCLUDE (user_id, team_id, key_id, model, project, tool, status, input_tokens, cached_input_tokens, output_tokens, cost_usd, baseline_cost_usd, cache_hit);
CREATE INDEX ledger_events_approximate ON ledger_events (time) WHERE price @> '{"approximate": true}';
ALTER TABLE ledger_events SET (autovacuum_vacuum_insert_threshold = 100000, autovacuum_vacuum_insert_scale_factor = 0);
`,
};
