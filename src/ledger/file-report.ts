import { ALL_EDITS, type FileBucket } from './file-rollup.js';
import { bySpend, ReportSums, type Report, type ReportQuery, type ReportRow } from './report.js';

/**
 * `report --by file` from the per-file rollups: a row per file, keyed by its path (relative to
 * the project's root) with --project, by "<project>/<path>" without ("-/<path>" for requests
 * with no project; a project name never holds a "/"), most expensive first. A row sums its
 * file's share of each request that edited it; `requests` counts those requests. The totals
 * are those of the requests that edited any file, whole: the rows' costs add up to them, and
 * requests that edited nothing are in no row and not in the totals.
 */
export function buildFileReport(buckets: Iterable<FileBucket>, query: ReportQuery): Report {
  const sums = new ReportSums(query);
  for (const bucket of buckets) {
    if (sums.dayIn(bucket) === undefined) continue;
    if (bucket.path === ALL_EDITS) sums.addToTotals(bucket.model, bucket.metrics);
    else sums.addToRow(query.project !== undefined ? bucket.path : `${bucket.project}/${bucket.path}`, bucket.metrics);
  }
  return sums.report('file', bySpend, wholeTokens);
}

/** A file's share of a request's tokens, to the whole token. */
function wholeTokens(row: ReportRow): ReportRow {
  row.inputTokens = Math.round(row.inputTokens);
  row.cachedInputTokens = Math.round(row.cachedInputTokens);
  row.outputTokens = Math.round(row.outputTokens);
  return row;
}
