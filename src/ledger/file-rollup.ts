import type { RequestEvent } from './request-event.js';
import { addEventMetrics, METRICS, NONE, slotOf } from './rollup.js';

/**
 * Per-file rollups, kept beside the others (same 15-minute slots, same file, same offset):
 * - a file's bucket, slot x project x path, sums each request that edited it scaled by the
 *   file's share (tokens, costs, latency; `requests` counts the requests that edited it);
 * - the "all edits" bucket (path ""), slot x project x model, sums each request that edited
 *   any file, whole: the by-file report's totals and its unpriced models.
 * So the files' costs add up to the totals, and the totals to the ledger's requests with edits.
 */
export interface FileBucket {
  slot: string;
  project: string;
  /** The file, relative to the project's root; "" for the bucket of all edits. */
  path: string;
  /** The model, in the buckets of all edits only ("" in a file's). */
  model: string;
  metrics: number[];
}

export const ALL_EDITS = '';

export function addFileEvent(buckets: Map<string, FileBucket>, event: RequestEvent): void {
  const files = event.files;
  if (!Array.isArray(files) || files.length === 0) return;
  const slot = slotOf(event.time);
  const project = event.project ?? NONE;
  addEventMetrics(bucketOf(buckets, slot, project, ALL_EDITS, event.model ?? NONE), event, 1);
  for (const file of files) {
    if (typeof file?.path !== 'string' || file.path === ALL_EDITS || typeof file.share !== 'number') continue;
    addEventMetrics(bucketOf(buckets, slot, project, file.path, ''), event, file.share);
  }
}

export function fileBucketKey(bucket: Pick<FileBucket, 'slot' | 'project' | 'path' | 'model'>): string {
  return `${bucket.slot}\u0000${bucket.project}\u0000${bucket.path}\u0000${bucket.model}`;
}

function bucketOf(buckets: Map<string, FileBucket>, slot: string, project: string, path: string, model: string): number[] {
  const key = `${slot}\u0000${project}\u0000${path}\u0000${model}`; // as fileBucketKey()
  let bucket = buckets.get(key);
  if (!bucket) {
    bucket = { slot, project, path, model, metrics: new Array<number>(METRICS.length).fill(0) };
    buckets.set(key, bucket);
  }
  return bucket.metrics;
}
