/** A failed call to the daemon, with the daemon's own message when it gave one. */
export class DaemonCallError extends Error {
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
}

export interface CallOptions {
  method?: 'GET' | 'POST' | 'PUT';
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** The daemon's HTTP API with its bearer token: JSON in, JSON out, errors named. */
export interface DaemonClient {
  readonly url: string;
  call<T>(path: string, options?: CallOptions): Promise<T>;
}

export function daemonClient(url: string, token: string, fetchImpl: typeof fetch = fetch): DaemonClient {
  return {
    url,
    async call<T>(path: string, options: CallOptions = {}): Promise<T> {
      const timeout = AbortSignal.timeout(options.timeoutMs ?? 5000);
      const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
      let response: Response;
      try {
        response = await fetchImpl(`${url}${path}`, {
          method: options.method ?? 'GET',
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
            ...options.headers,
          },
          ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
          signal,
        });
      } catch (error) {
        if (options.signal?.aborted) throw error;
        if (timeout.aborted) throw new DaemonCallError(`the daemon at ${url} did not answer ${path} in time`);
        throw new DaemonCallError(`the daemon at ${url} is not reachable (${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message})`);
      }
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: the text is the message
      }
      if (!response.ok) throw new DaemonCallError(`${path}: ${errorMessage(body) ?? `HTTP ${response.status}`}`, response.status);
      return body as T;
    },
  };
}

/** The message of an OpenAI- or Anthropic-style error envelope. */
function errorMessage(body: unknown): string | undefined {
  if (typeof body === 'string') return body.slice(0, 300) || undefined;
  const error = (body as { error?: { message?: unknown } } | undefined)?.error;
  return typeof error?.message === 'string' ? error.message : undefined;
}
