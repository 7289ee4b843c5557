import type { BudgetStatus, BudgetTracker } from '../../ledger/budgets.js';
import { computeCost } from '../../ledger/pricing/compute-cost.js';
import type { Pricing } from '../../ledger/pricing/pricing.js';
import type { ChatCompletionRequest } from '../../providers/spec/chat-request.js';
import type { Candidate } from '../../router/resolve-model.js';
import { HttpError } from '../../shared/http-error.js';

/** When the client sets no output limit, a reservation assumes an answer this long. */
export const ASSUMED_OUTPUT_TOKENS = 4096;

export interface BudgetDecision {
  candidates: Candidate[];
  /** Paid candidates a hard budget took out. */
  skipped: Candidate[];
  /** What to hold against the budgets while the request runs. */
  reserveUsd: number;
  /** The prompt's estimate plus the most any kept candidate may write: a rate limit's tokens. */
  tokens: number;
}

/**
 * Applies hard budgets to a request's candidates: a paid candidate whose estimated cost
 * (prompt estimate in, max_tokens (lowered to what the model can write) or 4096 out, at its price) would take spend plus what is in
 * flight over a hard limit is skipped; free local ones always stay. None left: 402.
 */
export function applyBudgets(
  candidates: readonly Candidate[],
  options: {
    budgets: BudgetTracker;
    pricing: Pricing;
    project: string | undefined;
    request: ChatCompletionRequest;
    promptTokens: number;
    requestedModel: string;
    /** What a candidate may really be asked to write, where less than the request's max_tokens (its output limit). */
    ceiling?: (candidate: Candidate) => number | undefined;
  },
): BudgetDecision {
  const kept: Candidate[] = [];
  const skipped: Candidate[] = [];
  let blockedBy: BudgetStatus | undefined;
  let reserveUsd = 0;
  let mostOutput = 0;
  const outputTokens = options.request.max_completion_tokens ?? options.request.max_tokens ?? ASSUMED_OUTPUT_TOKENS;
  const at = new Date();
  for (const candidate of candidates) {
    const written = options.ceiling?.(candidate) ?? outputTokens;
    if (candidate.provider === 'ollama') {
      kept.push(candidate);
      mostOutput = Math.max(mostOutput, written);
      continue;
    }
    const price = options.pricing.rates(candidate.provider, candidate.model, { inputTokens: options.promptTokens }, at);
    // A model with no known price can't be estimated; it is still stopped once a limit is reached.
    const estimate = price ? (computeCost({ inputTokens: options.promptTokens, outputTokens: written }, price) ?? 0) : 0;
    const blocking = options.budgets.blocking(options.project, estimate);
    if (blocking) {
      skipped.push(candidate);
      blockedBy ??= blocking;
      continue;
    }
    kept.push(candidate);
    reserveUsd = Math.max(reserveUsd, estimate);
    mostOutput = Math.max(mostOutput, written);
  }
  if (!kept.length && blockedBy) throw budgetExhausted(blockedBy, options.requestedModel);
  return { candidates: kept, skipped, reserveUsd, tokens: options.promptTokens + mostOutput };
}

function budgetExhausted(budget: BudgetStatus, requestedModel: string): HttpError {
  const whose = budget.scope === 'all' ? 'The' : `Project ${budget.scope}'s`;
  const flag = budget.period === 'monthly' ? '--monthly' : '--daily';
  const project = budget.scope === 'all' ? '' : ` --project ${budget.scope}`;
  return new HttpError(
    402,
    `${whose} ${budget.period} budget of $${budget.limitUsd.toFixed(2)} for ${budget.periodKey} is used up ($${budget.spentUsd.toFixed(2)} spent, $${budget.reservedUsd.toFixed(2)} in flight): ` +
      `paid models are blocked and no free local model can serve ${requestedModel}. Raise it with \`lodestar budget set ${flag} <USD>${project}\`, or ask for lodestar/local.`,
    { type: 'insufficient_quota', code: 'budget_exhausted' },
  );
}
