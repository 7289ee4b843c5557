import { toolFromUserAgent } from '../shared/tools.js';
import type { RequestEvent } from './request-event.js';

/**
 * Rollups: the ledger's events summed per 15-minute slot (UTC) x project x model x provider x
 * task x tool (the client: aider, claude, codex, opencode, qwen, other) x A/B arm ("<experiment>/a", or - for none). 15 minutes because every time zone's offset is a multiple of it, so a report can group
 * by day in any time zone exactly, without reading events.
 */
export const METRICS = [
  'requests',
  'errors',
  'inputTokens',
  'cachedInputTokens',
  'cacheWriteTokens',
  'outputTokens',
  'reasoningTokens',
  'costUsd',
  'baselineCostUsd',
  'cacheHits',
  /** Requests whose model had no known price: their cost is missing from costUsd. */
  'unpriced',
  /** Requests priced by a loose match. */
  'approximate',
  /** Requests whose usage the upstream never reported. */
  'unknownUsage',
  'latencyMs',
] as const;

export type Metric = (typeof METRICS)[number];
export type Metrics = Record<Metric, number>;

export const DIMENSIONS = ['slot', 'project', 'model', 'provider', 'task', 'tool', 'arm'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface Bucket {
  slot: string;
  project: string;
  model: string;
  provider: string;
  task: string;
  tool: string;
  arm: string;
  metrics: number[];
}

/**
 * The tool that sent a request. Events from before the field existed: Claude Code by its user
 * agent; a session's requests otherwise came from `lodestar aider`, the only launcher then.
 */
export function toolOf(event: RequestEvent): string {
  if (event.tool) return event.tool;
  const byAgent = toolFromUserAgent(event.client);
  if (byAgent !== 'other') return byAgent;
  return event.session ? 'aider' : 'other';
}

/** "2026-11-24T03:17:42.123Z" -> "2026-11-24T03:15". */
export function slotOf(isoTime: string): string {
  const minute = Number(isoTime.slice(14, 16));
  const floored = minute - (minute % 15);
  return `${isoTime.slice(0, 14)}${floored < 10 ? '0' : ''}${floored}`;
}

export const NONE = '-';

const INDEX: Readonly<Record<Metric, number>> = Object.fromEntries(METRICS.map((metric, index) => [metric, index])) as Record<Metric, number>;

export function metricOf(bucket: Bucket, metric: Metric): number {
  return bucket.metrics[INDEX[metric]] ?? 0;
}

/** Adds one event to the buckets (creating its bucket when new). */
export function addEvent(buckets: Map<string, Bucket>, event: RequestEvent): void {
  const slot = slotOf(event.time);
  const project = event.project ?? NONE;
  const model = event.model ?? NONE;
  const provider = event.provider ?? NONE;
  const task = event.task ?? NONE;
  const tool = toolOf(event);
  const arm = event.ab ? `${event.ab.experiment}/${event.ab.arm}` : NONE;
  const key = `${slot}\u0000${project}\u0000${model}\u0000${provider}\u0000${task}\u0000${tool}\u0000${arm}`; // as bucketKey() in rollup-store
  let bucket = buckets.get(key);
  if (!bucket) {
    bucket = { slot, project, model, provider, task, tool, arm, metrics: new Array<number>(METRICS.length).fill(0) };
    buckets.set(key, bucket);
  }
  addEventMetrics(bucket.metrics, event, 1);
}

/**
 * Adds one event to a bucket's metrics (METRICS order). `share`, the part of the request a
 * bucket stands for (a file's share of an answer's edits), scales its tokens, costs and
 * latency; the counts (requests, errors, cache hits, unpriced, ...) stay whole: a file's
 * `requests` is the number of requests that edited it.
 */
export function addEventMetrics(metrics: number[], event: RequestEvent, share: number): void {
  const usage = event.usage;
  metrics[0]! += 1;
  if (event.status === 'error') metrics[1]! += 1;
  metrics[2]! += (usage.inputTokens ?? 0) * share;
  metrics[3]! += (usage.cachedInputTokens ?? 0) * share;
  metrics[4]! += (usage.cacheWriteTokens ?? 0) * share;
  metrics[5]! += (usage.outputTokens ?? 0) * share;
  metrics[6]! += (usage.reasoningTokens ?? 0) * share;
  metrics[7]! += (event.costUsd ?? 0) * share;
  // Savings compare like with like: a request whose own price is unknown adds no baseline.
  if (event.costUsd !== undefined) metrics[8]! += (event.baselineCostUsd ?? 0) * share;
  if (event.cacheHit) metrics[9]! += 1;
  const hasUsage = usage.inputTokens !== undefined || usage.outputTokens !== undefined;
  if (event.costUsd === undefined && hasUsage) metrics[10]! += 1;
  if (event.price?.approximate) metrics[11]! += 1;
  if (!hasUsage && event.model !== undefined && event.status !== 'error') metrics[12]! += 1;
  metrics[13]! += event.latencyMs * share;
}

/** Sums are kept as plain arrays in METRICS order (a report adds up tens of thousands of buckets). */
export function emptySums(): number[] {
  return new Array<number>(METRICS.length).fill(0);
}

export function addSums(into: number[], metrics: readonly number[]): void {
  for (let index = 0; index < into.length; index++) into[index]! += metrics[index] ?? 0;
}

export function toMetrics(sums: readonly number[]): Metrics {
  return Object.fromEntries(METRICS.map((metric, index) => [metric, sums[index] ?? 0])) as Metrics;
}
