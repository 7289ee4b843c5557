import type pg from 'pg';
import { expect } from 'vitest';
import type { RequestEvent } from '../../src/ledger/request-event.js';
import type { EventOwner } from '../../src/server/ledger/event-row.js';
import { insertEvents } from '../../src/server/ledger/ledger-insert.js';
import { NO_GROUP, type TeamGroupBy, type TeamReport } from '../../src/shared/team-report-facts.js';
import { syntheticEvent } from './ledger-events.js';

/**
 * A known team ledger for the report's tests: events of several owners, models, projects, tools
 * and days (some outside December 2026, some with an unknown price, a loosely matched price, an
 * error, a cache hit, no owner at all), and what the report must say of them, added up here in
 * plain JS, event by event, as the JSONL ledger's rollups add them up.
 */
export interface Owner extends EventOwner {
  /** The label the report gives each grouping of this owner: email, team name, key prefix and id. */
  labels: { user: string; team: string; key: string };
}

export interface OwnedEvent {
  event: RequestEvent;
  owner: Owner | undefined;
}

/** Events of these owners (undefined: no owner), from 2026-11-30 to 2027-01-01, the same ones every time. */
export function knownEvents(owners: readonly (Owner | undefined)[], prefix = 'known'): OwnedEvent[] {
  const events: OwnedEvent[] = [];
  const tools = ['aider', 'claude', 'codex', undefined] as const;
  for (let index = 0; index < 240; index++) {
    const event = syntheticEvent(prefix, index);
    // From 2026-11-30T12:00Z every ~3 h 5 min: past the end of December too, across midnights in any zone.
    event.time = new Date(Date.UTC(2026, 10, 30, 12) + index * 11_100_000).toISOString();
    event.project = index % 7 === 0 ? undefined : index % 3 === 0 ? 'web' : "api's";
    const tool = tools[index % tools.length];
    if (tool) event.tool = tool;
    else delete event.tool;
    if (index % 11 === 0) event.costUsd = undefined; // a model with no known price
    if (index % 13 === 0 && event.price) event.price = { ...event.price, approximate: true };
    if (index % 17 === 0) Object.assign(event, { status: 'error', httpStatus: 502, error: 'upstream failed', usage: {}, costUsd: undefined, model: index % 2 ? undefined : event.model });
    if (index % 19 === 0) event.cacheHit = true;
    events.push({ event, owner: owners[index % owners.length] });
  }
  return events;
}

export async function insertOwned(pool: pg.Pool, events: readonly OwnedEvent[]): Promise<void> {
  const none: EventOwner = { userId: undefined, teamId: undefined, keyId: undefined };
  await insertEvents(pool, events.map(({ event, owner }) => ({ event, owner: owner ? { userId: owner.userId, teamId: owner.teamId, keyId: owner.keyId } : none })), 30_000);
}

export interface ExpectedRow {
  key: string;
  requests: number;
  errors: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  costUsd: number;
  baselineCostUsd: number;
  cacheHits: number;
  unpricedRequests: number;
  approximateRequests: number;
}

/** The rows (by label) and totals a report of these events must show, for the days from..to (inclusive) in timeZone. */
export function expectedReport(events: readonly OwnedEvent[], by: TeamGroupBy, period: { from: string; to: string; timeZone: string; project?: string }): { rows: Map<string, ExpectedRow>; totals: ExpectedRow } {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: period.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const rows = new Map<string, ExpectedRow>();
  const totals = emptyRow('total');
  for (const { event, owner } of events) {
    const local = day.format(new Date(event.time));
    if (local < period.from || local > period.to) continue;
    if (period.project !== undefined && event.project !== period.project) continue;
    const key = labelOf(event, owner, by, local);
    let row = rows.get(key);
    if (!row) rows.set(key, (row = emptyRow(key)));
    add(row, event);
    add(totals, event);
  }
  return { rows, totals };
}

function labelOf(event: RequestEvent, owner: Owner | undefined, by: TeamGroupBy, localDay: string): string {
  if (by === 'user' || by === 'team' || by === 'key') return owner ? owner.labels[by] : NO_GROUP;
  if (by === 'day') return localDay;
  return event[by] ?? NO_GROUP;
}

function emptyRow(key: string): ExpectedRow {
  return { key, requests: 0, errors: 0, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, costUsd: 0, baselineCostUsd: 0, cacheHits: 0, unpricedRequests: 0, approximateRequests: 0 };
}

function add(row: ExpectedRow, event: RequestEvent): void {
  const usage = event.usage;
  row.requests++;
  if (event.status === 'error') row.errors++;
  row.inputTokens += usage.inputTokens ?? 0;
  row.cachedInputTokens += usage.cachedInputTokens ?? 0;
  row.outputTokens += usage.outputTokens ?? 0;
  // An unknown price is left out of the costs and counted apart; so is its baseline.
  if (event.costUsd !== undefined) {
    row.costUsd += event.costUsd;
    row.baselineCostUsd += event.baselineCostUsd ?? 0;
  } else if (usage.inputTokens !== undefined || usage.outputTokens !== undefined) row.unpricedRequests++;
  if (event.cacheHit) row.cacheHits++;
  if (event.price?.approximate) row.approximateRequests++;
}

/** The report's rows and totals equal what the test added up itself; costs to the report's rounding (1e-7 USD). */
export function expectMatches(report: TeamReport, expected: { rows: Map<string, ExpectedRow>; totals: ExpectedRow }): void {
  expect(report.rows.map((row) => row.key).sort()).toEqual([...expected.rows.keys()].sort());
  for (const row of [...report.rows, { ...report.totals, key: 'total' }]) {
    const want = row.key === 'total' ? expected.totals : (expected.rows.get(row.key) as ExpectedRow);
    const { costUsd, baselineCostUsd, ...counts } = want;
    expect({ ...row, costUsd: undefined, baselineCostUsd: undefined }, row.key).toMatchObject({ ...counts, costUsd: undefined, baselineCostUsd: undefined });
    expect(Math.abs(row.costUsd - costUsd), `${row.key} costUsd`).toBeLessThan(1e-6);
    expect(Math.abs(row.baselineCostUsd - baselineCostUsd), `${row.key} baselineCostUsd`).toBeLessThan(1e-6);
  }
}
