import { Pool } from 'undici';
import type { Timeouts } from '../../config/defaults.js';
import type { ProviderId } from '../../shared/provider-ids.js';
import { Redactor } from '../../shared/redact.js';
import { parseRetryAfter, UpstreamError } from '../spec/upstream-error.js';

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: AsyncIterable<Buffer> & { text(): Promise<string>; dump(): Promise<void> };
}

export interface PostOptions {
  signal: AbortSignal;
  /** A streamed answer: the first byte is due within firstByteMs, then chunks within idleMs. */
  stream: boolean;
}

const redactor = new Redactor();

/**
 * One keep-alive connection pool per upstream, with the configured connect, first-byte and
 * between-chunk timeouts, and every failure turned into an UpstreamError that names the
 * provider and the cause (never a key).
 */
export class UpstreamClient {
  readonly provider: ProviderId;
  readonly baseUrl: string;
  private readonly basePath: string;
  private readonly pool: Pool;
  private readonly timeouts: Timeouts;

  constructor(provider: ProviderId, baseUrl: string, timeouts: Timeouts, options: { connections?: number } = {}) {
    this.provider = provider;
    this.baseUrl = baseUrl;
    this.timeouts = timeouts;
    const url = new URL(baseUrl);
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.pool = new Pool(url.origin, {
      connections: options.connections ?? 128,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connectTimeout: timeouts.connectMs,
      headersTimeout: timeouts.firstByteMs,
      bodyTimeout: timeouts.idleMs,
    });
  }

  async post(path: string, body: string, headers: Record<string, string>, options: PostOptions): Promise<UpstreamResponse> {
    const response = await this.send('POST', path, body, headers, options);
    if (response.status >= 400) throw await this.httpError(response);
    return response;
  }

  async get(path: string, headers: Record<string, string>, options: PostOptions): Promise<UpstreamResponse> {
    const response = await this.send('GET', path, null, headers, options);
    if (response.status >= 400) throw await this.httpError(response);
    return response;
  }

  private async send(method: 'GET' | 'POST', path: string, body: string | null, headers: Record<string, string>, options: PostOptions): Promise<UpstreamResponse> {
    try {
      const response = await this.pool.request({
        path: this.basePath + path,
        method,
        headers,
        body,
        signal: options.signal,
        headersTimeout: options.stream ? this.timeouts.firstByteMs : this.timeouts.requestMs,
        bodyTimeout: options.stream ? this.timeouts.idleMs : this.timeouts.requestMs,
      });
      return {
        status: response.statusCode,
        headers: response.headers as Record<string, string | string[] | undefined>,
        body: response.body as unknown as UpstreamResponse['body'],
      };
    } catch (error) {
      throw this.translate(error, 'before');
    }
  }

  /** An error status: read (a bounded part of) the body for the upstream's own message. */
  private async httpError(response: UpstreamResponse): Promise<UpstreamError> {
    let text = '';
    try {
      text = (await response.body.text()).slice(0, 4000);
    } catch {
      // the body failed too: the status alone will do
    }
    const { message, type } = describeErrorBody(text);
    return new UpstreamError(this.provider, 'http', `${this.provider} answered ${response.status}${message ? `: ${message}` : ''}`, {
      status: response.status,
      upstreamType: type,
      retryAfterMs: parseRetryAfter(response.headers),
    });
  }

  /** Turns an error of the transport (connect, timeouts, resets, aborts) into an UpstreamError. */
  translate(error: unknown, phase: 'before' | 'during'): UpstreamError {
    if (error instanceof UpstreamError) return error;
    const code = (error as { code?: string }).code;
    const name = (error as { name?: string }).name;
    const where = `${this.provider} at ${this.baseUrl}`;
    if (name === 'AbortError' || code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR') {
      return new UpstreamError(this.provider, 'aborted', `the request to ${this.provider} was cancelled because the client went away`, { cause: error });
    }
    if (code === 'UND_ERR_CONNECT_TIMEOUT') {
      return new UpstreamError(this.provider, 'timeout', `connecting to ${where} took longer than ${this.timeouts.connectMs} ms`, { cause: error });
    }
    if (code === 'UND_ERR_HEADERS_TIMEOUT') {
      return new UpstreamError(this.provider, 'timeout', `${where} sent nothing within ${this.timeouts.firstByteMs} ms`, { cause: error });
    }
    if (code === 'UND_ERR_BODY_TIMEOUT') {
      return new UpstreamError(this.provider, 'timeout', `${where} stopped sending for ${this.timeouts.idleMs} ms in the middle of its answer`, { cause: error });
    }
    const cause = code ?? (error instanceof Error ? error.message : String(error));
    if (phase === 'during') {
      return new UpstreamError(this.provider, 'connection', `${where} broke off its answer (${cause})`, { cause: error });
    }
    return new UpstreamError(this.provider, 'connection', `could not reach ${where} (${cause})`, { cause: error });
  }

  /** Called at shutdown, once in-flight requests have ended or been cut. */
  close(): Promise<void> {
    return this.pool.destroy();
  }
}

/** The message and type of an error body in OpenAI's, Anthropic's or Ollama's shape. */
export function describeErrorBody(text: string): { message: string | undefined; type: string | undefined } {
  if (!text) return { message: undefined, type: undefined };
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown; detail?: unknown };
    const error = body.error;
    if (typeof error === 'string') return { message: clean(error), type: undefined };
    if (error && typeof error === 'object') {
      const { message, type, code } = error as { message?: unknown; type?: unknown; code?: unknown };
      return {
        message: typeof message === 'string' ? clean(message) : undefined,
        type: typeof type === 'string' ? type : typeof code === 'string' ? code : undefined,
      };
    }
    if (typeof body.message === 'string') return { message: clean(body.message), type: undefined };
    if (typeof body.detail === 'string') return { message: clean(body.detail), type: undefined };
  } catch {
    // not JSON: a proxy's HTML page or plain text
  }
  return { message: clean(text.replace(/<[^>]+>/g, ' ')), type: undefined };
}

function clean(message: string): string {
  const single = message.replace(/\s+/g, ' ').trim();
  return redactor.redact(single.length > 300 ? `${single.slice(0, 297)}...` : single);
}
