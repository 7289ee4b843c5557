import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { ledgerFile, ledgerMonths } from './ledger-writer.js';
import type { RequestEvent } from './request-event.js';

/** Where each month's ledger file ended at some moment: a session reads only what came after. */
export type LedgerMark = Record<string, number>;

export function markLedger(directory: string): LedgerMark {
  const mark: LedgerMark = {};
  for (const month of ledgerMonths(directory)) {
    try {
      mark[month] = statSync(ledgerFile(directory, month)).size;
    } catch {
      // gone meanwhile
    }
  }
  return mark;
}

/**
 * The ledger's events of one session (x-lodestar-session), read from `since` on: a month file
 * that existed then from where it ended, a newer one whole. A line torn by a crash is skipped.
 */
export function sessionEvents(directory: string, session: string, since: LedgerMark): RequestEvent[] {
  const newest = Object.keys(since).sort().at(-1);
  const events: RequestEvent[] = [];
  for (const month of ledgerMonths(directory)) {
    if (since[month] === undefined && newest !== undefined && month < newest) continue;
    for (const line of readLines(ledgerFile(directory, month), since[month] ?? 0)) {
      // Cheap test first: most lines of a busy ledger belong to other sessions.
      if (!line.includes(session)) continue;
      try {
        const event = JSON.parse(line) as RequestEvent;
        if (event.session === session) events.push(event);
      } catch {
        // a torn line
      }
    }
  }
  return events;
}

/** The lines of a ledger file from `offset` on (all of it from 0); none when it is missing. */
export function readLines(path: string, offset = 0): string[] {
  let descriptor: number;
  try {
    descriptor = openSync(path, 'r');
  } catch {
    return [];
  }
  try {
    const chunks: Buffer[] = [];
    const buffer = Buffer.allocUnsafe(1 << 20);
    let position = offset;
    for (;;) {
      const read = readSync(descriptor, buffer, 0, buffer.length, position);
      if (read === 0) break;
      chunks.push(Buffer.from(buffer.subarray(0, read)));
      position += read;
    }
    return Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean);
  } finally {
    closeSync(descriptor);
  }
}

export interface SessionSummary {
  requests: number;
  failed: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  /** What the priced requests cost; `unpriced` counts the others (their cost is unknown, not 0). */
  costUsd: number;
  baselineCostUsd: number;
  savedUsd: number;
  unpriced: number;
  cacheHits: number;
  baselineModel: string | undefined;
  byModel: Array<{ model: string; requests: number; inputTokens: number; outputTokens: number; costUsd: number; unpriced: number }>;
}

/** Totals as `lodestar report` counts them: baseline only where the request's own cost is known. */
export function summarizeSession(events: readonly RequestEvent[]): SessionSummary {
  const summary: SessionSummary = { requests: 0, failed: 0, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, costUsd: 0, baselineCostUsd: 0, savedUsd: 0, unpriced: 0, cacheHits: 0, baselineModel: undefined, byModel: [] };
  const byModel = new Map<string, SessionSummary['byModel'][number]>();
  for (const event of events) {
    summary.requests++;
    if (event.status !== 'ok') summary.failed++;
    if (event.cacheHit) summary.cacheHits++;
    const input = event.usage.inputTokens ?? 0;
    const output = event.usage.outputTokens ?? 0;
    summary.inputTokens += input;
    summary.cachedInputTokens += event.usage.cachedInputTokens ?? 0;
    summary.outputTokens += output;
    summary.baselineModel ??= event.baselineModel;
    const key = event.model ?? 'none';
    let row = byModel.get(key);
    if (!row) byModel.set(key, (row = { model: key, requests: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, unpriced: 0 }));
    row.requests++;
    row.inputTokens += input;
    row.outputTokens += output;
    if (event.costUsd !== undefined) {
      summary.costUsd += event.costUsd;
      summary.baselineCostUsd += event.baselineCostUsd ?? 0;
      row.costUsd += event.costUsd;
    } else if (event.usage.inputTokens !== undefined || event.usage.outputTokens !== undefined) {
      summary.unpriced++;
      row.unpriced++;
    }
  }
  summary.savedUsd = summary.baselineCostUsd - summary.costUsd;
  summary.byModel = [...byModel.values()].sort((a, b) => b.costUsd - a.costUsd || b.requests - a.requests);
  return summary;
}
