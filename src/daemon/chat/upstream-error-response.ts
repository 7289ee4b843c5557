import { PROVIDERS } from '../../shared/provider-ids.js';
import type { UpstreamError } from '../../providers/spec/upstream-error.js';
import { HttpError } from '../../shared/http-error.js';

/**
 * What the client sees when an upstream failed before the first byte (INTERFACE.md): the
 * upstream's own verdict on the request (400, 404, 413, 422) passes through; a rejected key
 * is our configuration's fault, not the client's token, so it becomes 502; rate limits stay
 * 429 and overload 503, with retry-after; timeouts are 504; anything else is 502. The message
 * names the provider and the cause.
 */
export function upstreamErrorResponse(error: UpstreamError): HttpError {
  const retryAfter = error.retryAfterMs !== undefined ? { 'retry-after': String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))) } : undefined;
  if (error.kind === 'timeout') return new HttpError(504, error.message, { type: 'timeout_error', code: 'upstream_timeout' });
  if (error.kind !== 'http' || error.status === undefined) {
    return new HttpError(502, error.message, { type: 'api_error', code: error.kind === 'connection' ? 'upstream_unreachable' : 'upstream_error' });
  }
  const status = error.status;
  if (status === 401 || status === 403) {
    const variable = PROVIDERS[error.provider].apiKeyEnv;
    return new HttpError(502, `${error.provider} rejected Lodestar's API key (${status})${variable ? `: check ${variable}` : ''}`, {
      type: 'api_error',
      code: 'upstream_auth_failed',
    });
  }
  if (status === 402) return new HttpError(502, error.message, { type: 'api_error', code: 'upstream_billing' });
  if (status === 429) return new HttpError(429, error.message, { type: error.upstreamType ?? 'rate_limit_error', code: 'rate_limit_exceeded', headers: retryAfter });
  if (status === 503 || status === 529) {
    return new HttpError(503, error.message, { type: 'overloaded_error', code: 'upstream_overloaded', headers: retryAfter ?? { 'retry-after': '1' } });
  }
  if (status === 504 || status === 408) return new HttpError(504, error.message, { type: 'timeout_error', code: 'upstream_timeout' });
  if (status >= 500) return new HttpError(502, error.message, { type: 'api_error', code: 'upstream_error' });
  if (status === 404) return new HttpError(404, error.message, { type: 'not_found_error', code: 'model_not_found' });
  return new HttpError(status >= 400 && status < 500 ? status : 502, error.message, { type: error.upstreamType ?? 'invalid_request_error', code: 'upstream_rejected' });
}
