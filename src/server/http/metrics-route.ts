import type pg from 'pg';
import { METRICS_CONTENT_TYPE, type MetricFamily, type Metrics } from '../../daemon/metrics.js';
import type { LedgerWriterMetrics } from '../ledger/ledger-writer-options.js';
import { requireAdmin } from './credentials.js';
import type { ServerRoute } from './router.js';

/**
 * GET /metrics: the daemon's metrics (requests, tokens, spend, latency, providers' circuits) for
 * this instance, and the team server's own (the ledger writer's backlog and spool, settles
 * waiting for Redis). An admin key is required: spend is the team's business.
 */
export function metricsRoute(deps: { pool: pg.Pool; metrics: Metrics }): ServerRoute {
  return {
    method: 'GET',
    path: '/metrics',
    handle: async (request, response) => {
      await requireAdmin(deps.pool, request);
      const body = deps.metrics.render();
      response.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
      response.end(body);
    },
  };
}

/** The team server's own gauges and counters, for the daemon's Metrics to render with its own. */
export function teamServerCollector(ledger: () => LedgerWriterMetrics, pendingSettles: () => number): () => MetricFamily[] {
  return () => {
    const state = ledger();
    const gauge = (name: string, help: string, value: number): MetricFamily => ({ name, help, type: 'gauge', samples: [{ value }] });
    const counter = (name: string, help: string, value: number): MetricFamily => ({ name, help, type: 'counter', samples: [{ value }] });
    return [
      gauge('lodestar_ledger_pending_events', 'Answered requests whose events PostgreSQL has not confirmed yet (they are in the spool, on disk).', state.pending),
      gauge('lodestar_ledger_spool_bytes', "The spool's size on disk.", state.spoolBytes),
      gauge('lodestar_ledger_database_down', 'Whether the last write to PostgreSQL failed (1) or not (0).', state.databaseDown ? 1 : 0),
      counter('lodestar_ledger_written_events_total', 'Events this instance wrote to PostgreSQL.', state.written),
      counter('lodestar_ledger_rejected_events_total', 'Events PostgreSQL refused, kept in the spool folder as rejected.jsonl.', state.rejected),
      gauge('lodestar_budget_settles_pending', 'Budget settles and token corrections waiting for Redis.', pendingSettles()),
    ];
  };
}
