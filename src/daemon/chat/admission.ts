import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { DaemonContext } from '../context.js';
import { HttpError } from '../../shared/http-error.js';
import type { Candidate } from '../../router/resolve-model.js';
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
  /** The candidates to try: the budget's, narrowed to what a team member may use in team mode. */
  candidates: Candidate[];
  /** Of fallbacks worked out later, those this request may use. */
  allow(candidates: readonly Candidate[]): Candidate[];
}

/**
 * A request past routing and budgets, in any inbound format: its estimate reserved against the
 * budgets until it ends (the daemon's own, or in team mode the caller's and their team's, with
 * their rate limits), its client watched, and its end published with whether a budget limited
 * it. A refusal here (team mode: over a budget or a rate) is published, then thrown.
 */
export async function admit(context: DaemonContext, response: ServerResponse, budget: BudgetDecision, meta: RequestMeta, after?: (result: DispatchResult) => void): Promise<Admission> {
  let candidates = budget.candidates;
  let allow = (more: readonly Candidate[]): Candidate[] => [...more];
  const headers: Record<string, string> = {};
  let budgetLimited = budget.skipped.length > 0;
  if (context.tenancy) {
    try {
      const tenant = await context.tenancy.admit(meta.request, { requestId: meta.id, requestedModel: meta.requestedModel, candidates, estimateUsd: budget.reserveUsd, tokens: budget.tokens });
      ({ candidates, allow } = tenant);
      Object.assign(headers, tenant.headers);
      budgetLimited ||= tenant.budgetLimited;
    } catch (error) {
      publishRefusal(context, error, meta);
      throw error;
    }
  }
  const release = context.budgets.reserve(meta.project, budget.reserveUsd);
  if (budget.skipped.length) headers['x-lodestar-budget'] = candidates.every((candidate) => candidate.provider === 'ollama') ? 'local-only' : 'limited';
  const abort = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) abort.abort();
  });
  return {
    signal: abort.signal,
    headers,
    candidates,
    allow,
    finished(result) {
      release();
      publish(context, result, { ...meta, budgetLimited });
      after?.(result);
    },
  };
}
