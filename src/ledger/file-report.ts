import { ALL_EDITS, type FileBucket } from './file-rollup.js';
import { bySpend, localDayFormatter, toRow, type Report, type ReportQuery, type ReportRow } from './report.js';
import { addSums, emptySums, NONE, toMetrics } from './rollup.js';

/**
 * `report --by file` from the per-file rollups: a row per file, keyed by its path (relative to
 * the project's root) with --project, by "<project>/<path>" without ("-/<path>" for requests
 * with no project; a project name never holds a "/"), most expensive first. A row sums its
 * file's share of each request that edited it; `requests` counts those requests. The totals
 * are those of the requests that edited any file, whole: the rows' costs add up to them, and
 * requests that edited nothing are in no row and not in the totals.
 */
export function buildFileReport(buckets: Iterable<FileBucket>, query: ReportQuery): Report {
  const dayOf = localDayFormatter(query.timeZone);
  const groups = new Map<string, number[]>();
  const totals = emptySums();
  const unpriced = new Set<string>();
  const approximate = new Set<string>();
  for (const bucket of buckets) {
    if (query.project !== undefined && bucket.project !== query.project) continue;
    const day = dayOf(bucket.slot);
    if (day < query.from || day > query.to) continue;
    if (bucket.path === ALL_EDITS) {
      addSums(totals, bucket.metrics);
      if ((bucket.metrics[10] ?? 0) > 0) unpriced.add(bucket.model);
      if ((bucket.metrics[11] ?? 0) > 0) approximate.add(bucket.model);
      continue;
    }
    const key = query.project !== undefined ? bucket.path : `${bucket.project}/${bucket.path}`;
    let sums = groups.get(key);
    if (!sums) {
      sums = emptySums();
      groups.set(key, sums);
    }
    addSums(sums, bucket.metrics);
  }
  const rows = [...groups].map(([key, sums]) => wholeTokens(toRow(key, toMetrics(sums)))).sort(bySpend);
  const { key: _key, ...total } = toRow('total', toMetrics(totals));
  return {
    period: { from: query.from, to: query.to },
    timeZone: query.timeZone,
    by: 'file',
    project: query.project,
    totals: total,
    rows,
    flags: { unpricedModels: [...unpriced].filter((model) => model !== NONE).sort(), approximateModels: [...approximate].sort() },
  };
}

/** A file's share of a request's tokens, to the whole token. */
function wholeTokens(row: ReportRow): ReportRow {
  row.inputTokens = Math.round(row.inputTokens);
  row.cachedInputTokens = Math.round(row.cachedInputTokens);
  row.outputTokens = Math.round(row.outputTokens);
  return row;
}
