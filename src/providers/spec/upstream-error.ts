import type { ProviderId } from '../../shared/provider-ids.js';

/**
 * Why an upstream call failed:
 * - http: the upstream answered with an error status (before any content);
 * - connection: it could not be reached, or dropped the connection;
 * - timeout: connect, first byte or the gap between chunks took too long;
 * - protocol: it answered with something that is not its documented format, or reported an
 *   error in the middle of a stream;
 * - aborted: our own client went away, so we hung up.
 */
export type UpstreamFailureKind = 'http' | 'connection' | 'timeout' | 'protocol' | 'aborted';

export class UpstreamError extends Error {
  readonly provider: ProviderId;
  readonly kind: UpstreamFailureKind;
  readonly status: number | undefined;
  /** The upstream's own error type, e.g. "overloaded_error", "rate_limit_exceeded". */
  readonly upstreamType: string | undefined;
  readonly retryAfterMs: number | undefined;
  /** Whether another attempt (the same model later, or another candidate) could succeed. */
  readonly retryable: boolean;
  /** An error answer as the upstream sent it (its body, and the headers a client may need), for a pass-through that relays it unwrapped. */
  readonly answer: { body: string; headers: Record<string, string> } | undefined;

  constructor(
    provider: ProviderId,
    kind: UpstreamFailureKind,
    message: string,
    options: { status?: number; upstreamType?: string; retryAfterMs?: number; retryable?: boolean; cause?: unknown; answer?: { body: string; headers: Record<string, string> } } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UpstreamError';
    this.provider = provider;
    this.kind = kind;
    this.status = options.status;
    this.upstreamType = options.upstreamType;
    this.retryAfterMs = options.retryAfterMs;
    this.retryable = options.retryable ?? defaultRetryable(kind, options.status);
    this.answer = options.answer;
  }
}

function defaultRetryable(kind: UpstreamFailureKind, status: number | undefined): boolean {
  if (kind === 'aborted') return false;
  if (kind !== 'http') return true;
  if (status === undefined) return true;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** `retry-after-ms`, then `retry-after` in seconds or as an HTTP date, as the official SDKs read them. */
export function parseRetryAfter(headers: Record<string, string | string[] | undefined>): number | undefined {
  const milliseconds = single(headers['retry-after-ms']);
  if (milliseconds && Number.isFinite(Number(milliseconds))) return Math.max(0, Number(milliseconds));
  const value = single(headers['retry-after']);
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
