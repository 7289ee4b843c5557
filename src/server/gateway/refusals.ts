import type { Candidate } from '../../router/resolve-model.js';
import { HttpError } from '../../shared/http-error.js';
import type { KeyIdentity, User } from '../identity/identity-store.js';
import type { ReserveResult } from '../quota/redis-budgets.js';
import type { RateDecision } from '../quota/redis-rate-limits.js';

/**
 * Whether a team's allowed models (undefined: every model) take a candidate: its id
 * (`anthropic/claude-sonnet-5`) listed, its bare name (`claude-sonnet-5`, as `team add --models`
 * takes them), or its provider's models all (`anthropic/*`).
 */
export function allowedBy(allowed: readonly string[] | undefined, candidate: Candidate): boolean {
  if (!allowed) return true;
  return allowed.includes(candidate.id) || allowed.includes(candidate.model) || allowed.includes(`${candidate.provider}/*`);
}

/** Over a rate: 429 with retry-after, as a provider says it (the OpenAI and Anthropic SDKs wait and retry). */
export function rateRefusal(rate: Extract<RateDecision, { allowed: false }>, user: User): HttpError {
  if (rate.retryAfterSeconds === undefined) {
    return new HttpError(429, `This request needs more tokens than your limit of ${user.tpm} tokens per minute allows at all: send less context, or ask your admin to raise it (lodestar admin budget set --user ${user.email} --tpm N)`, {
      type: 'rate_limit_error',
      code: 'tokens_per_minute_exceeded',
    });
  }
  const what = rate.limit === 'rpm' ? `${user.rpm} requests per minute` : `${user.tpm} tokens per minute`;
  return new HttpError(429, `Rate limit reached: your limit is ${what}; retry in ${rate.retryAfterSeconds} s`, {
    type: 'rate_limit_error',
    code: rate.limit === 'rpm' ? 'requests_per_minute_exceeded' : 'tokens_per_minute_exceeded',
    headers: { 'retry-after': String(rate.retryAfterSeconds) },
  });
}

/** A hard budget with no room: 402 naming whose budget, its period and where it stands; Redis unreachable under a hard budget: 503. */
export function budgetRefusal(refused: Extract<ReserveResult, { ok: false }>, identity: KeyIdentity, requestedModel: string): HttpError {
  if (refused.reason === 'unavailable') {
    return new HttpError(503, 'Budgets cannot be checked right now (the team server cannot reach Redis) and a hard budget applies: the request is refused rather than spent unchecked. Try again shortly', {
      type: 'api_error',
      code: 'quota_store_unavailable',
      headers: { 'retry-after': '5' },
    });
  }
  const { budget } = refused;
  const whose = budget.owner === 'user' ? `Your (${identity.user.email})` : `Team ${identity.team.name}'s`;
  const flag = budget.owner === 'user' ? `--user ${identity.user.email}` : `--team ${identity.team.name}`;
  return new HttpError(
    402,
    `${whose} ${budget.period} budget of $${budget.limitUsd.toFixed(2)} for ${budget.periodKey} is used up ($${budget.spentUsd.toFixed(2)} spent, $${budget.reservedUsd.toFixed(2)} in flight): ` +
      `${requestedModel} is refused. An admin can raise it: lodestar admin budget set ${flag} --${budget.period} <USD>`,
    { type: 'insufficient_quota', code: 'budget_exhausted' },
  );
}
