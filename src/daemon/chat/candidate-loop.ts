import { performance } from 'node:perf_hooks';
import type { FallbackAttempt } from '../../ledger/request-event.js';
import type { CallOutcome, ChatProvider } from '../../providers/spec/provider.js';
import { TranslationError } from '../../providers/spec/translation-error.js';
import { UpstreamError } from '../../providers/spec/upstream-error.js';
import type { CircuitBreakers } from '../../router/circuit-breaker.js';
import type { Candidate } from '../../router/resolve-model.js';
import type { ProviderId } from '../../shared/provider-ids.js';
import { HttpError } from '../../shared/http-error.js';
import { FallbackPlan, isProviderWide } from './fallback-plan.js';
import { upstreamErrorResponse } from './upstream-error-response.js';
import { pause } from '../../shared/pause.js';

export interface RetryPolicy {
  /** Extra attempts on the last candidate when it fails in a way worth retrying. */
  retries: number;
  /** Providers one request may try, each with as many of its models as fail only by rate limit. */
  maxProviders: number;
  /** First backoff pause, doubled each retry. */
  backoffMs: number;
  /** An upstream's retry-after longer than this is passed to the client instead of waited for. */
  maxRetryAfterMs: number;
}

export interface DispatchResult {
  status: 'ok' | 'error' | 'aborted';
  httpStatus: number;
  candidate: Candidate | undefined;
  outcome: CallOutcome | undefined;
  error: string | undefined;
  fallbacks: FallbackAttempt[];
  /** performance.now() when the first byte of a stream went out. */
  firstByteAt: number | undefined;
  /** A non-streamed answer's body as sent (for the cache). */
  body?: string;
  overheadMs: number;
}

/** One try of one candidate, as runCandidates hands it to an inbound format. */
export interface Attempt {
  candidate: Candidate;
  provider: ChatProvider;
  /** Aborted when the client goes away or the attempt is abandoned. */
  signal: AbortSignal;
  controller: AbortController;
  /** The candidates tried before this one, and why each failed. */
  fallbacks: FallbackAttempt[];
  /** Lodestar's own time so far. */
  overheadMs: number;
  /** The upstream accepted (its first byte, or its whole answer, is in): counts a success for its circuit; returns when. */
  ready(): number;
}

export interface CandidateLoopInput {
  candidates: readonly Candidate[];
  /**
   * More candidates, worked out only once those given have all failed or been skipped (the
   * router's choices behind a model named outright): a request that the first answers never
   * pays for them.
   */
  more?: () => readonly Candidate[];
  providers: ReadonlyMap<ProviderId, ChatProvider>;
  /** Aborted when the client goes away. */
  clientSignal: AbortSignal;
  /** performance.now() when the request arrived (headers parsed): the start of Lodestar's own time. */
  arrivedAt: number;
  breakers: CircuitBreakers;
  policy: RetryPolicy;
}

/**
 * The candidate loop every inbound format shares: circuits, fallback across providers, retries
 * with backoff, the client going away. `attempt` calls one candidate and answers the client
 * (calling `finished` itself); it throws before the first byte for the next candidate to be
 * tried. When none answers, `finished` gets the failure and `fail` sends it in the format's own
 * error envelope.
 */
export async function runCandidates(input: CandidateLoopInput, attempt: (attempt: Attempt) => Promise<void>, finished: (result: DispatchResult) => void, fail: (failure: HttpError, last: unknown) => void): Promise<void> {
  const fallbacks: FallbackAttempt[] = [];
  const { breakers, policy } = input;
  let lastError: unknown;
  let overheadMs = 0;
  let retriesLeft = policy.retries;
  // Lodestar's own time: from the request's arrival (or the last attempt failing) to dispatch,
  // then from the upstream's answer to ours. Reading the body and parsing it count as ours.
  let cursor = input.arrivedAt;
  const candidates = [...input.candidates];
  const plan = new FallbackPlan(candidates, policy.maxProviders);
  let retrying = false;
  let more = input.more;
  /** Past the last candidate given: the further ones, if there are. */
  const grow = (index: number): void => {
    if (!more || index < candidates.length - 1) return;
    const extra = more();
    more = undefined;
    for (const candidate of extra) if (!candidates.some((known) => known.id === candidate.id)) candidates.push(candidate);
  };

  for (let index = 0; index < candidates.length; index++) {
    const candidate = candidates[index] as Candidate;
    // The same candidate again after a pause is a retry, whatever its provider did before.
    if (!retrying && !plan.admits(candidate)) continue;
    retrying = false;
    const provider = input.providers.get(candidate.provider);
    if (!provider) {
      fallbacks.push({ model: candidate.id, provider: candidate.provider, error: `${candidate.provider} is not configured` });
      grow(index);
      continue;
    }
    if (!breakers.tryAcquire(candidate.provider)) {
      const health = breakers.health(candidate.provider);
      const message = `${candidate.provider} is skipped: its circuit is open after ${health.consecutiveFailures} failures in a row (last: ${health.lastError ?? 'unknown'}); it is tried again from ${health.retryAt ?? 'soon'}`;
      fallbacks.push({ model: candidate.id, provider: candidate.provider, error: message });
      if (lastError === undefined) {
        lastError = new UpstreamError(candidate.provider, 'connection', message, { retryable: true });
        circuitSkips.add(lastError as UpstreamError);
      }
      grow(index);
      continue;
    }
    // One signal per attempt, aborted when the client goes away or the attempt is abandoned.
    // (A listener rather than AbortSignal.any, which costs ~10 us a request in this path.)
    const controller = new AbortController();
    const follow = (): void => controller.abort();
    input.clientSignal.addEventListener('abort', follow, { once: true });
    plan.attempting(candidate);
    const dispatchedAt = performance.now();
    overheadMs += dispatchedAt - cursor;
    try {
      await attempt({
        candidate,
        provider,
        signal: controller.signal,
        controller,
        fallbacks,
        overheadMs,
        ready: () => {
          const readyAt = performance.now();
          breakers.success(candidate.provider, readyAt - dispatchedAt);
          return readyAt;
        },
      });
      input.clientSignal.removeEventListener('abort', follow);
      return;
    } catch (error) {
      input.clientSignal.removeEventListener('abort', follow);
      controller.abort();
      cursor = performance.now();
      if (input.clientSignal.aborted || (error instanceof UpstreamError && error.kind === 'aborted')) {
        breakers.release(candidate.provider);
        finished({ status: 'aborted', httpStatus: 499, candidate, outcome: undefined, error: 'the client went away', fallbacks, firstByteAt: undefined, overheadMs });
        return;
      }
      lastError = error;
      const retryable = error instanceof UpstreamError && error.retryable;
      // The provider's failures count against its circuit; a request it refused as invalid does not.
      if (retryable) breakers.failure(candidate.provider, error.message);
      else breakers.release(candidate.provider);
      fallbacks.push({
        model: candidate.id,
        provider: candidate.provider,
        error: error instanceof Error ? error.message : String(error),
        ...(error instanceof UpstreamError && error.status !== undefined ? { status: error.status } : {}),
      });
      plan.failed(candidate, error);
      if (!plan.hasNext(index)) grow(index);
      const last = !plan.hasNext(index);
      if (last && retryable && retriesLeft > 0) {
        // No other candidate: try this one again after a pause (retry-after, if within bounds).
        const wait = retryDelay(error, policy, policy.retries - retriesLeft);
        if (wait !== undefined) {
          retriesLeft--;
          if (!(await pause(wait, input.clientSignal))) {
            finished({ status: 'aborted', httpStatus: 499, candidate, outcome: undefined, error: 'the client went away', fallbacks, firstByteAt: undefined, overheadMs });
            return;
          }
          cursor = performance.now();
          index--;
          retrying = true;
          continue;
        }
      }
      // A candidate that does not have the model (a local model not pulled, say) is skipped too.
      const missing = error instanceof UpstreamError && error.status === 404;
      const canTryNext = !last && (error instanceof TranslationError || retryable || missing || isProviderWide(error));
      if (!canTryNext) break;
    }
  }

  const failure = toHttpError(lastError, candidates, fallbacks);
  // The last attempt is the failure itself, not a fallback: the request is counted against it.
  const attempts = lastError === undefined ? fallbacks : fallbacks.slice(0, -1);
  const failed = lastError === undefined ? undefined : candidates.find((candidate) => candidate.id === fallbacks.at(-1)?.model);
  finished({ status: 'error', httpStatus: failure.status, candidate: failed, outcome: undefined, error: failure.message, fallbacks: attempts, firstByteAt: undefined, overheadMs });
  fail(failure, fallbacks.length > 1 ? undefined : lastError);
}

/**
 * How long to wait before trying the same candidate again: the upstream's retry-after when it
 * gives one within the bound (beyond it, no retry: the client gets the 429 and the time), else
 * exponential backoff with jitter.
 */
export function retryDelay(error: UpstreamError, policy: RetryPolicy, attempt: number): number | undefined {
  if (error.retryAfterMs !== undefined) return error.retryAfterMs <= policy.maxRetryAfterMs ? error.retryAfterMs : undefined;
  const base = policy.backoffMs * 2 ** attempt;
  return base / 2 + Math.random() * (base / 2);
}

/** The failures that are only "every circuit was open": the answer is 503, no provider available. */
const circuitSkips = new WeakSet<UpstreamError>();

function toHttpError(error: unknown, candidates: readonly Candidate[], attempts: readonly FallbackAttempt[]): HttpError {
  if (error instanceof UpstreamError && circuitSkips.has(error)) {
    return new HttpError(503, `No provider is available: ${error.message}`, { type: 'api_error', code: 'no_provider_available', headers: { 'retry-after': '5' } });
  }
  if (error instanceof UpstreamError) {
    const response = upstreamErrorResponse(error);
    // Several tried: the answer is the last one's status, and the message names each and what it answered.
    return attempts.length > 1 ? response.withMessage(`Every candidate failed: ${attempts.map(describeAttempt).join('; ')}`) : response;
  }
  if (error instanceof TranslationError) {
    return new HttpError(400, `${error.message} (${candidates.map((candidate) => candidate.id).join(', ')})`, { param: error.param, code: 'unsupported_parameter' });
  }
  if (error === undefined) return new HttpError(503, 'No provider is available to serve this request', { code: 'no_provider_available' });
  const message = error instanceof Error ? error.message : String(error);
  return new HttpError(500, `Lodestar failed while calling the upstream: ${message}`, { code: 'internal_error' });
}

const ATTEMPT_WORDS = 160;

/** "openai/gpt-5 (openai answered 500): <its message>", shortened. */
function describeAttempt(attempt: FallbackAttempt): string {
  const message = attempt.error.length > ATTEMPT_WORDS ? `${attempt.error.slice(0, ATTEMPT_WORDS)}...` : attempt.error;
  return `${attempt.model} (${attempt.status === undefined ? 'no answer' : `${attempt.provider} answered ${attempt.status}`}): ${message}`;
}
