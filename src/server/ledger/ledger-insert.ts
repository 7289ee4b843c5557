import pg from 'pg';
import type { LogFields } from '../../shared/logger.js';
import { EVENT_COLUMNS, eventRow } from './event-row.js';
import type { SpooledEvent } from './ledger-spool.js';

/**
 * One INSERT for a batch of events: an array parameter a column, unnested into rows
 * (reference/teams.md §3.1: a multi-row VALUES runs into the protocol's 65,535 parameters at
 * 1,524 events of 43 columns, and its text and plan change with the batch's size; this statement
 * is the same for every batch, so each connection prepares it once). `ON CONFLICT (id) DO NOTHING`:
 * a batch retried after a lost answer, or replayed from the spool after a crash, adds nothing twice.
 */

/** Each column's type in ledger_events (migration 1), for the casts of the arrays; spelled as format_type() spells it, so a test compares it with the catalog. */
export const EVENT_COLUMN_TYPES: Readonly<Record<string, string>> = {
  id: 'text',
  time: 'timestamp with time zone',
  project: 'text',
  session: 'text',
  client: 'text',
  tool: 'text',
  task: 'text',
  requested_model: 'text',
  model: 'text',
  provider: 'text',
  stream: 'boolean',
  status: 'text',
  http_status: 'smallint',
  error: 'text',
  input_tokens: 'integer',
  cached_input_tokens: 'integer',
  cache_write_tokens: 'integer',
  output_tokens: 'integer',
  reasoning_tokens: 'integer',
  provider_cost_usd: 'double precision',
  cost_usd: 'double precision',
  price: 'jsonb',
  baseline_model: 'text',
  baseline_cost_usd: 'double precision',
  baseline_price: 'jsonb',
  finish_reason: 'text',
  latency_ms: 'double precision',
  ttft_ms: 'double precision',
  overhead_ms: 'double precision',
  fallbacks: 'jsonb',
  load_duration_ms: 'double precision',
  cache_hit: 'boolean',
  budget_limited: 'boolean',
  ab_experiment: 'text',
  ab_arm: 'text',
  edit_failed: 'boolean',
  consensus: 'jsonb',
  files: 'jsonb',
  user_id: 'uuid',
  team_id: 'uuid',
  key_id: 'uuid',
};

const STATEMENT_NAME = 'lodestar_ledger_insert';
let statement: string | undefined;

/** The statement; throws when a column of EVENT_COLUMNS has no type here (a column added to event-row.ts alone). */
export function insertStatement(): string {
  if (statement) return statement;
  const missing = EVENT_COLUMNS.filter((column) => !EVENT_COLUMN_TYPES[column]);
  if (missing.length) throw new Error(`ledger-insert.ts has no type for the column(s) ${missing.join(', ')}`);
  const arrays = EVENT_COLUMNS.map((column, index) => `$${index + 1}::${EVENT_COLUMN_TYPES[column]}[]`);
  statement = `INSERT INTO ledger_events (${EVENT_COLUMNS.join(', ')}) SELECT * FROM unnest(${arrays.join(', ')}) ON CONFLICT (id) DO NOTHING`;
  return statement;
}

/** Inserts the events; returns how many rows are new (the others were there already). */
export async function insertEvents(pool: pg.Pool, events: readonly SpooledEvent[], timeoutMs: number): Promise<number> {
  if (!events.length) return 0;
  const columns: unknown[][] = EVENT_COLUMNS.map(() => new Array<unknown>(events.length));
  for (let row = 0; row < events.length; row++) {
    const { event, owner } = events[row] as SpooledEvent;
    const values = eventRow(event, owner);
    for (let column = 0; column < values.length; column++) (columns[column] as unknown[])[row] = values[column];
  }
  // query_timeout (pg's own, not in its types): a database that stops answering without closing
  // the connection fails the batch instead of holding it, and the connection is dropped.
  const query = { name: STATEMENT_NAME, text: insertStatement(), values: columns, query_timeout: timeoutMs };
  const result = await pool.query(query);
  return result.rowCount ?? 0;
}

/**
 * Inserts the events; a batch that holds a value the database refuses (isDataError) is halved
 * until that event is found: the others are written, and `refused` is told of it (it is not
 * retried). Any other failure (the database down) is thrown, for the whole batch to be retried.
 */
export async function insertSettingApart(
  pool: pg.Pool,
  events: readonly SpooledEvent[],
  timeoutMs: number,
  refused: (event: SpooledEvent, error: unknown) => void,
): Promise<{ inserted: number; rejected: number }> {
  try {
    return { inserted: await insertEvents(pool, events, timeoutMs), rejected: 0 };
  } catch (error) {
    if (!isDataError(error)) throw error;
    if (events.length === 1) {
      refused(events[0] as SpooledEvent, error);
      return { inserted: 0, rejected: 1 };
    }
    const middle = Math.ceil(events.length / 2);
    const first = await insertSettingApart(pool, events.slice(0, middle), timeoutMs, refused);
    const second = await insertSettingApart(pool, events.slice(middle), timeoutMs, refused);
    return { inserted: first.inserted + second.inserted, rejected: first.rejected + second.rejected };
  }
}

/**
 * The batch holds a value the database refuses (SQLSTATE class 22, data exception, or 23, a
 * constraint other than the key, which ON CONFLICT absorbs): retrying the same rows would fail
 * forever, so the batch is split to find the row instead.
 */
export function isDataError(error: unknown): boolean {
  return error instanceof pg.DatabaseError && /^2[23]/.test(error.code ?? '');
}

/**
 * A failure, for the log, without the events' contents: a data error's message and detail can
 * quote a row's values, so only its code and the names of what it concerns are kept.
 */
export function describeFailure(error: unknown): LogFields {
  if (error instanceof pg.DatabaseError) {
    const fields: LogFields = { code: error.code };
    if (isDataError(error)) {
      for (const key of ['table', 'column', 'constraint', 'dataType'] as const) if (error[key]) fields[key] = error[key];
    } else {
      fields.error = error.message;
    }
    return fields;
  }
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code ? { code, error: error.message } : { error: error.message };
  }
  return { error: String(error) };
}
