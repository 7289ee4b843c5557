import { TranslationError } from '../../providers/spec/translation-error.js';
import { UpstreamError } from '../../providers/spec/upstream-error.js';
import type { Candidate } from '../../router/resolve-model.js';
import type { ProviderId } from '../../shared/provider-ids.js';

/**
 * Which of a request's candidates are still worth trying after some have failed. A provider
 * that failed as a whole (5xx, overloaded, unreachable, timed out, our key refused) is one
 * outage: its other models are not tried for this request, and the next candidate comes from
 * another provider. A 429 is one model's limit (or the account's, which a sibling then meets at
 * once): a sibling at the same provider may still be tried. The bound counts providers, not
 * models, so a long list of one provider's models can't keep a client waiting.
 */
export class FallbackPlan {
  private readonly down = new Set<ProviderId>();
  private readonly tried = new Set<ProviderId>();

  constructor(
    private readonly candidates: readonly Candidate[],
    private readonly maxProviders: number,
  ) {}

  /** Whether this candidate is to be tried: its provider has not failed this request, and is within the bound. */
  admits(candidate: Candidate): boolean {
    if (this.down.has(candidate.provider)) return false;
    return this.tried.has(candidate.provider) || this.tried.size < this.maxProviders;
  }

  /** An attempt at this candidate starts. */
  attempting(candidate: Candidate): void {
    this.tried.add(candidate.provider);
  }

  /** An attempt failed: a provider-wide failure puts the provider's other models out of this request. */
  failed(candidate: Candidate, error: unknown): void {
    if (isProviderWide(error)) this.down.add(candidate.provider);
  }

  /** Whether a candidate after this index is still to be tried. */
  hasNext(index: number): boolean {
    for (let next = index + 1; next < this.candidates.length; next++) if (this.admits(this.candidates[next] as Candidate)) return true;
    return false;
  }
}

/**
 * A failure that says the provider, not the model, is in trouble: a 5xx (529 overloaded
 * included), a connection that failed or dropped, a timeout, an answer not in its format, or
 * our key refused or out of credit. Not a 429 (a model's rate limit), a 404 (a model it lacks)
 * or the upstream's verdict on the request itself (400, 413, 422).
 */
export function isProviderWide(error: unknown): boolean {
  if (error instanceof TranslationError || !(error instanceof UpstreamError)) return false;
  if (error.kind === 'aborted') return false;
  if (error.kind !== 'http' || error.status === undefined) return true;
  return error.status >= 500 || error.status === 401 || error.status === 402 || error.status === 403;
}
