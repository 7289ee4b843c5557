import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgresOrSkip, startPostgres, type Postgres } from '../../../test/helpers/postgres.js';
import type { RequestEvent } from '../../ledger/request-event.js';
import { createPool } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { EVENT_COLUMNS, eventFromRow, eventRow, type EventOwner } from './event-row.js';

const HAVE = requirePostgresOrSkip();

/** Every field set, the optional ones included; costs that are not short decimals. */
const FULL: RequestEvent = {
  id: randomUUID(),
  time: '2026-12-03T10:07:31.123Z',
  project: 'shop',
  session: 'aider-1',
  client: 'claude-cli/2.1.337 (external, cli)',
  tool: 'claude',
  task: 'edit',
  requestedModel: 'lodestar/auto',
  model: 'anthropic/claude-sonnet-4-5',
  provider: 'anthropic',
  stream: true,
  status: 'ok',
  httpStatus: 200,
  error: undefined,
  usage: { inputTokens: 12_345, cachedInputTokens: 10_000, cacheWriteTokens: 2_000, outputTokens: 456, reasoningTokens: 12, providerCostUsd: 0.0123 },
  costUsd: 0.1 + 0.2,
  price: { source: 'genai-prices', matched: 'claude-sonnet-4-5', inputPerMTok: 3, outputPerMTok: 15, cacheReadPerMTok: 0.3, cacheWritePerMTok: 3.75 },
  baselineModel: 'anthropic/claude-sonnet-4-5',
  baselineCostUsd: 1 / 3,
  baselinePrice: { source: 'lodestar', matched: 'x', inputPerMTok: 3, outputPerMTok: 15, approximate: true },
  finishReason: 'stop',
  latencyMs: 1234.567,
  ttftMs: 321.5,
  overheadMs: 0.321,
  fallbacks: [{ model: 'deepseek/deepseek-chat', provider: 'deepseek', error: 'timed out', status: 504 }],
  loadDurationMs: 12.5,
  cacheHit: false,
  budgetLimited: true,
  ab: { experiment: 'ab-edit-1', arm: 'b' },
  editFailed: false,
  consensus: { id: 'c1', role: 'member', chosen: true },
  files: [{ path: 'src/app.py', share: 0.75 }, { path: 'README.md', share: 0.25 }],
};

/** Only what every event has: unknown usage, no price, no optional field. */
const BARE: RequestEvent = {
  id: randomUUID(),
  time: '2026-12-04T00:00:00.000Z',
  project: undefined,
  client: undefined,
  task: undefined,
  requestedModel: 'openai/gpt-5',
  model: undefined,
  provider: undefined,
  stream: false,
  status: 'error',
  httpStatus: 503,
  error: 'no provider available',
  usage: {},
  costUsd: undefined,
  price: undefined,
  baselineModel: 'anthropic/claude-sonnet-4-5',
  baselineCostUsd: undefined,
  baselinePrice: undefined,
  finishReason: undefined,
  latencyMs: 3,
  ttftMs: undefined,
  overheadMs: 0.2,
  fallbacks: [],
  loadDurationMs: undefined,
};

describe.skipIf(!HAVE)(`the ledger's events in PostgreSQL${HAVE ? '' : ': SKIPPED, no PostgreSQL'}`, () => {
  let postgres: Postgres;
  let pool: pg.Pool;
  const owner: EventOwner = { userId: randomUUID(), teamId: randomUUID(), keyId: randomUUID() };
  const insert = `INSERT INTO ledger_events (${EVENT_COLUMNS.join(', ')}) VALUES (${EVENT_COLUMNS.map((_, index) => `$${index + 1}`).join(', ')}) ON CONFLICT (id) DO NOTHING RETURNING id`;

  beforeAll(async () => {
    postgres = await startPostgres();
    const url = await postgres.createDatabase();
    await migrate(url);
    pool = createPool(url, { max: 2 });
  });
  afterAll(async () => {
    await pool?.end();
    await postgres?.stop();
  });

  it('has a column for every field of the event, and the table has no other', async () => {
    const { rows } = await pool.query<{ name: string }>("SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'ledger_events'");
    expect(rows.map((row) => row.name).sort()).toEqual([...EVENT_COLUMNS, 'recorded_at'].sort());
  });

  it('gives back the event it was given, whole: unknown stays unknown, costs to the last bit', async () => {
    for (const event of [FULL, BARE]) {
      await pool.query(insert, eventRow(event, owner));
      const { rows } = await pool.query('SELECT * FROM ledger_events WHERE id = $1', [event.id]);
      const back = eventFromRow(rows[0]);
      expect(back.owner).toEqual(owner);
      // The JSONL form, which is what "the same event" means to the ledger.
      expect(JSON.parse(JSON.stringify(back.event))).toEqual(JSON.parse(JSON.stringify(event)));
      // Optional fields present only when they were, as in the JSONL.
      expect(Object.keys(back.event).sort()).toEqual(Object.keys(event).sort());
    }
    const { rows } = await pool.query<{ cost_usd: number; baseline_cost_usd: number; input_tokens: number | null }>('SELECT cost_usd, baseline_cost_usd, input_tokens FROM ledger_events ORDER BY time');
    expect(rows).toEqual([
      { cost_usd: 0.30000000000000004, baseline_cost_usd: 0.3333333333333333, input_tokens: 12_345 },
      { cost_usd: null, baseline_cost_usd: null, input_tokens: null },
    ]);
  });

  it('stores an event once, however often it is inserted (a retry, a spool replayed)', async () => {
    const event = { ...BARE, id: randomUUID() };
    expect((await pool.query(insert, eventRow(event, owner))).rows).toEqual([{ id: event.id }]);
    expect((await pool.query(insert, eventRow({ ...event, costUsd: 99 }, owner))).rows).toEqual([]);
    const { rows } = await pool.query('SELECT count(*) AS n, max(cost_usd) AS cost FROM ledger_events WHERE id = $1', [event.id]);
    expect(rows[0]).toEqual({ n: 1, cost: null });
  });
});
