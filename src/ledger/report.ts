import { addSums, emptySums, NONE, toMetrics, type Bucket, type Metrics } from './rollup.js';
import type { GroupBy, Report, ReportRow } from '../shared/report-facts.js';

export { GROUPS, type GroupBy, type Report, type ReportRow } from '../shared/report-facts.js';

export interface ReportQuery {
  /** First day, YYYY-MM-DD, in `timeZone`. */
  from: string;
  /** Last day, inclusive. */
  to: string;
  timeZone: string;
  project?: string;
  by: GroupBy;
}

/**
 * A report from rollup buckets: filter by the period (days in the user's time zone) and
 * project, group, total. Its cost grows with the number of buckets, not of events.
 */
export function buildReport(buckets: Iterable<Bucket>, query: ReportQuery): Report {
  const sums = new ReportSums(query);
  for (const bucket of buckets) {
    const day = sums.dayIn(bucket);
    if (day === undefined) continue;
    // By file, the rollups of files answer (file-report.ts): not these.
    sums.addToRow(query.by === 'day' ? day : bucket[query.by as Exclude<GroupBy, 'day' | 'file'>], bucket.metrics);
    sums.addToTotals(bucket.model, bucket.metrics);
  }
  return sums.report(query.by, query.by === 'day' ? (a, b) => a.key.localeCompare(b.key) : bySpend);
}

/**
 * What a report adds up from rollup buckets: rows by key, the totals, and the models whose
 * prices were unknown or loosely matched; then the report itself. Both kinds of rollups (by
 * slot x model x ..., and by file) go through it.
 */
export class ReportSums {
  private readonly dayOf: (slot: string) => string;
  private readonly groups = new Map<string, number[]>();
  private readonly totals = emptySums();
  private readonly unpriced = new Set<string>();
  private readonly approximate = new Set<string>();

  constructor(private readonly query: ReportQuery) {
    this.dayOf = localDayFormatter(query.timeZone);
  }

  /** The bucket's day in the query's time zone, when the bucket is in its period and project. */
  dayIn(bucket: { slot: string; project: string }): string | undefined {
    if (this.query.project !== undefined && bucket.project !== this.query.project) return undefined;
    const day = this.dayOf(bucket.slot);
    return day < this.query.from || day > this.query.to ? undefined : day;
  }

  addToRow(key: string, metrics: readonly number[]): void {
    let sums = this.groups.get(key);
    if (!sums) {
      sums = emptySums();
      this.groups.set(key, sums);
    }
    addSums(sums, metrics);
  }

  addToTotals(model: string, metrics: readonly number[]): void {
    addSums(this.totals, metrics);
    if ((metrics[10] ?? 0) > 0) this.unpriced.add(model);
    if ((metrics[11] ?? 0) > 0) this.approximate.add(model);
  }

  report(by: GroupBy, order: (a: ReportRow, b: ReportRow) => number, shape: (row: ReportRow) => ReportRow = (row) => row): Report {
    const rows = [...this.groups].map(([key, sums]) => shape(toRow(key, toMetrics(sums)))).sort(order);
    const { key: _key, ...total } = toRow('total', toMetrics(this.totals));
    return {
      period: { from: this.query.from, to: this.query.to },
      timeZone: this.query.timeZone,
      by,
      project: this.query.project,
      totals: total,
      rows,
      flags: { unpricedModels: [...this.unpriced].filter((model) => model !== NONE).sort(), approximateModels: [...this.approximate].sort() },
    };
  }
}

/** Most expensive first; requests that reached no model ("-") last. */
export function bySpend(a: ReportRow, b: ReportRow): number {
  return Number(a.key === NONE) - Number(b.key === NONE) || b.costUsd - a.costUsd || b.requests - a.requests || a.key.localeCompare(b.key);
}

export function toRow(key: string, metrics: Metrics): ReportRow {
  const saved = metrics.baselineCostUsd - metrics.costUsd;
  return {
    key,
    requests: metrics.requests,
    inputTokens: metrics.inputTokens,
    cachedInputTokens: metrics.cachedInputTokens,
    outputTokens: metrics.outputTokens,
    costUsd: round(metrics.costUsd),
    baselineCostUsd: round(metrics.baselineCostUsd),
    savedUsd: round(saved),
    savedPercent: metrics.baselineCostUsd > 0 ? Math.round((saved / metrics.baselineCostUsd) * 1000) / 10 : 0,
    cacheHits: metrics.cacheHits,
    errors: metrics.errors,
    unpricedRequests: metrics.unpriced,
    approximateRequests: metrics.approximate,
  };
}

/** Dollars to a tenth of a micro-dollar: enough for any token count, without float dust. */
function round(value: number): number {
  return Math.round(value * 1e7) / 1e7;
}

/** The local calendar day of a UTC slot ("2026-11-24T23:45") in a time zone, memoized per slot. */
export function localDayFormatter(timeZone: string): (slot: string) => string {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const cache = new Map<string, string>();
  return (slot) => {
    let day = cache.get(slot);
    if (day === undefined) {
      day = format.format(new Date(`${slot}:00Z`));
      cache.set(slot, day);
    }
    return day;
  };
}

/** The UTC months whose ledgers can hold events of these local days (a day either side covers any time zone). */
export function monthsCovering(from: string, to: string): string[] {
  const months: string[] = [];
  const start = new Date(`${from}T00:00:00Z`);
  start.setUTCDate(start.getUTCDate() - 1);
  const end = new Date(`${to}T00:00:00Z`);
  end.setUTCDate(end.getUTCDate() + 1);
  const cursor = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1));
  while (cursor <= end) {
    months.push(cursor.toISOString().slice(0, 7));
    cursor.setUTCMonth(cursor.getUTCMonth() + 1);
  }
  return months;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Today in a time zone, YYYY-MM-DD. */
export function today(timeZone: string, now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

export function lastDayOfMonth(month: string): string {
  const [year = 0, monthNumber = 1] = month.split('-').map(Number);
  const last = new Date(Date.UTC(year, monthNumber, 0)).getUTCDate();
  return `${month}-${String(last).padStart(2, '0')}`;
}
