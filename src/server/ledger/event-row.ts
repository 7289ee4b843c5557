import type { Usage } from '../../providers/spec/usage.js';
import type { RequestEvent } from '../../ledger/request-event.js';

/**
 * A RequestEvent as a row of ledger_events (migration 1) and back: the same event the JSONL ledger
 * holds, plus who sent it. Absent and unknown stay NULL both ways, never 0 or false.
 */
export interface EventOwner {
  userId: string | undefined;
  teamId: string | undefined;
  keyId: string | undefined;
}

const USAGE_COLUMNS = {
  inputTokens: 'input_tokens',
  cachedInputTokens: 'cached_input_tokens',
  cacheWriteTokens: 'cache_write_tokens',
  outputTokens: 'output_tokens',
  reasoningTokens: 'reasoning_tokens',
  providerCostUsd: 'provider_cost_usd',
} as const satisfies Record<keyof Usage, string>;

/**
 * Where each field of RequestEvent goes. A field added to RequestEvent (or Usage) without a column
 * here fails to compile: the PostgreSQL ledger can't silently drop it.
 */
const FIELD_COLUMNS = {
  id: ['id'],
  time: ['time'],
  project: ['project'],
  session: ['session'],
  client: ['client'],
  tool: ['tool'],
  task: ['task'],
  requestedModel: ['requested_model'],
  model: ['model'],
  provider: ['provider'],
  stream: ['stream'],
  status: ['status'],
  httpStatus: ['http_status'],
  error: ['error'],
  usage: Object.values(USAGE_COLUMNS),
  costUsd: ['cost_usd'],
  price: ['price'],
  baselineModel: ['baseline_model'],
  baselineCostUsd: ['baseline_cost_usd'],
  baselinePrice: ['baseline_price'],
  finishReason: ['finish_reason'],
  latencyMs: ['latency_ms'],
  ttftMs: ['ttft_ms'],
  overheadMs: ['overhead_ms'],
  fallbacks: ['fallbacks'],
  loadDurationMs: ['load_duration_ms'],
  cacheHit: ['cache_hit'],
  budgetLimited: ['budget_limited'],
  ab: ['ab_experiment', 'ab_arm'],
  editFailed: ['edit_failed'],
  consensus: ['consensus'],
  files: ['files'],
} as const satisfies Record<keyof RequestEvent, readonly string[]>;

/** The columns an insert names, in the order eventRow gives their values. */
export const EVENT_COLUMNS: readonly string[] = [...Object.values(FIELD_COLUMNS).flat(), 'user_id', 'team_id', 'key_id'];

/** The values of EVENT_COLUMNS for one event, ready to be bind parameters (jsonb as JSON text: pg would send a JS array as a PostgreSQL array). */
export function eventRow(event: RequestEvent, owner: EventOwner): unknown[] {
  const values: Record<string, unknown> = {
    id: event.id,
    time: event.time,
    project: event.project,
    session: event.session,
    client: event.client,
    tool: event.tool,
    task: event.task,
    requested_model: event.requestedModel,
    model: event.model,
    provider: event.provider,
    stream: event.stream,
    status: event.status,
    http_status: event.httpStatus,
    error: event.error,
    cost_usd: event.costUsd,
    price: json(event.price),
    baseline_model: event.baselineModel,
    baseline_cost_usd: event.baselineCostUsd,
    baseline_price: json(event.baselinePrice),
    finish_reason: event.finishReason,
    latency_ms: event.latencyMs,
    ttft_ms: event.ttftMs,
    overhead_ms: event.overheadMs,
    fallbacks: json(event.fallbacks ?? []),
    load_duration_ms: event.loadDurationMs,
    cache_hit: event.cacheHit,
    budget_limited: event.budgetLimited,
    ab_experiment: event.ab?.experiment,
    ab_arm: event.ab?.arm,
    edit_failed: event.editFailed,
    consensus: json(event.consensus),
    files: json(event.files),
    user_id: owner.userId,
    team_id: owner.teamId,
    key_id: owner.keyId,
  };
  for (const [field, column] of Object.entries(USAGE_COLUMNS)) values[column] = event.usage[field as keyof Usage];
  return EVENT_COLUMNS.map((column) => values[column] ?? null);
}

/** A row of ledger_events (selected with `*` or EVENT_COLUMNS) as the event and its owner. */
export function eventFromRow(row: Record<string, unknown>): { event: RequestEvent; owner: EventOwner } {
  const usage: Usage = {};
  for (const [field, column] of Object.entries(USAGE_COLUMNS)) {
    if (row[column] !== null && row[column] !== undefined) usage[field as keyof Usage] = row[column] as number;
  }
  const event: RequestEvent = {
    id: row.id as string,
    time: (row.time as Date).toISOString(),
    project: value(row.project),
    client: value(row.client),
    task: value(row.task),
    requestedModel: row.requested_model as string,
    model: value(row.model),
    provider: value(row.provider),
    stream: row.stream as boolean,
    status: row.status as RequestEvent['status'],
    httpStatus: row.http_status as number,
    error: value(row.error),
    usage,
    costUsd: value(row.cost_usd),
    price: value(row.price),
    baselineModel: row.baseline_model as string,
    baselineCostUsd: value(row.baseline_cost_usd),
    baselinePrice: value(row.baseline_price),
    finishReason: value(row.finish_reason),
    latencyMs: row.latency_ms as number,
    ttftMs: value(row.ttft_ms),
    overheadMs: row.overhead_ms as number,
    fallbacks: row.fallbacks as RequestEvent['fallbacks'],
    loadDurationMs: value(row.load_duration_ms),
  };
  // The optional fields, present only when they were.
  if (row.session !== null) event.session = row.session as string;
  if (row.tool !== null) event.tool = row.tool as NonNullable<RequestEvent['tool']>;
  if (row.cache_hit !== null) event.cacheHit = row.cache_hit as boolean;
  if (row.budget_limited !== null) event.budgetLimited = row.budget_limited as boolean;
  if (row.ab_experiment !== null && row.ab_arm !== null) event.ab = { experiment: row.ab_experiment as string, arm: row.ab_arm as 'a' | 'b' };
  if (row.edit_failed !== null) event.editFailed = row.edit_failed as boolean;
  if (row.consensus !== null) event.consensus = row.consensus as NonNullable<RequestEvent['consensus']>;
  if (row.files !== null) event.files = row.files as NonNullable<RequestEvent['files']>;
  return { event, owner: { userId: value(row.user_id), teamId: value(row.team_id), keyId: value(row.key_id) } };
}

function json(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

function value<T>(cell: unknown): T | undefined {
  return cell === null || cell === undefined ? undefined : (cell as T);
}
