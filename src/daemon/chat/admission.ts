import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { DaemonContext } from '../context.js';
import { HttpError } from '../../shared/http-error.js';
import type { BudgetDecision } from './budget-gate.js';
import type { DispatchResult } from './candidate-loop.js';
import { publish, type RequestMeta } from './publish.js';

/**
 * A request refused before any upstream (an unknown model, a budget used up) is still one the
 * user made: it goes in the ledger as failed, whatever its inbound format.
 */
export function publishRefusal(context: DaemonContext, error: unknown, meta: RequestMeta): void {
  if (!(error instanceof HttpError)) return;
  publish(context, { status: 'error', httpStatus: error.status, candidate: undefined, outcome: undefined, error: error.message, fallbacks: [], firstByteAt: undefined, overheadMs: performance.now() - meta.arrivedAt }, meta);
}

/** What an admitted request holds while its candidates are tried. */
export interface Admission {
  /** Aborted when the client goes away before the answer is whole. */
  signal: AbortSignal;
  /** The end of the request, once: the budget released, the event published, then `after`. */
  finished(result: DispatchResult): void;
  /** x-lodestar-budget, when a hard budget left paid candidates out. */
  headers: Record<string, string>;
}

/**
 * A request past routing and budgets, in any inbound format: its estimate reserved against the
 * budgets until it ends, its client watched, and its end published with whether a budget
 * limited it.
 */
export function admit(context: DaemonContext, response: ServerResponse, budget: BudgetDecision, meta: RequestMeta, after?: (result: DispatchResult) => void): Admission {
  const release = context.budgets.reserve(meta.project, budget.reserveUsd);
  const headers: Record<string, string> = {};
  if (budget.skipped.length) headers['x-lodestar-budget'] = budget.candidates.every((candidate) => candidate.provider === 'ollama') ? 'local-only' : 'limited';
  const abort = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) abort.abort();
  });
  const budgetLimited = budget.skipped.length > 0;
  return {
    signal: abort.signal,
    headers,
    finished(result) {
      release();
      publish(context, result, { ...meta, budgetLimited });
      after?.(result);
    },
  };
}
