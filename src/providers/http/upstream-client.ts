import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Timeouts } from '../../config/defaults.js';
import type { ProviderId } from '../../shared/provider-ids.js';
import { Redactor } from '../../shared/redact.js';
import { parseRetryAfter, UpstreamError } from '../spec/upstream-error.js';

export interface UpstreamBody extends AsyncIterable<Buffer> {
  /** The whole body as text (for non-streamed answers and error bodies). */
  text(): Promise<string>;
  /** Discards the rest of the body. */
  dump(): void;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: UpstreamBody;
}

export interface PostOptions {
  signal: AbortSignal;
  /** A streamed answer: the first byte is due within firstByteMs, then chunks within idleMs. */
  stream: boolean;
}

const redactor = new Redactor();

/** A timeout of ours, told apart from the socket errors it causes. */
class TimeoutFailure extends Error {
  readonly phase: 'connect' | 'first-byte' | 'idle';
  constructor(phase: 'connect' | 'first-byte' | 'idle') {
    super(phase);
    this.phase = phase;
  }
}

/**
 * One keep-alive connection pool per upstream (node:http's Agent: native HTTP parser, no extra
 * dependency), with connect, first-byte and between-chunk timeouts, and every failure turned
 * into an UpstreamError that names the provider and the cause (never a key).
 */
export class UpstreamClient {
  readonly provider: ProviderId;
  readonly baseUrl: string;
  private readonly url: URL;
  private readonly basePath: string;
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;
  private readonly timeouts: Timeouts;

  constructor(provider: ProviderId, baseUrl: string, timeouts: Timeouts, options: { connections?: number; env?: NodeJS.ProcessEnv } = {}) {
    this.provider = provider;
    this.baseUrl = baseUrl;
    this.timeouts = timeouts;
    this.url = new URL(baseUrl);
    this.basePath = this.url.pathname.replace(/\/+$/, '');
    const secure = this.url.protocol === 'https:';
    const proxyEnv = proxySettings(this.url, options.env ?? process.env);
    const agentOptions = { keepAlive: true, maxSockets: options.connections ?? 128, scheduling: 'lifo' as const, timeout: 60_000, ...(proxyEnv ? { proxyEnv } : {}) };
    this.agent = secure ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
    this.send = secure ? httpsRequest : httpRequest;
  }

  async post(path: string, body: string, headers: Record<string, string>, options: PostOptions): Promise<UpstreamResponse> {
    return this.checked(await this.exchange('POST', path, body, headers, options));
  }

  async get(path: string, headers: Record<string, string>, options: PostOptions): Promise<UpstreamResponse> {
    return this.checked(await this.exchange('GET', path, undefined, headers, options));
  }

  private async checked(response: UpstreamResponse): Promise<UpstreamResponse> {
    if (response.status < 400) return response;
    let text = '';
    try {
      text = (await response.body.text()).slice(0, 4000);
    } catch {
      // the body failed too: the status alone will do
    }
    const { message, type } = describeErrorBody(text);
    throw new UpstreamError(this.provider, 'http', `${this.provider} answered ${response.status}${message ? `: ${message}` : ''}`, {
      status: response.status,
      upstreamType: type,
      retryAfterMs: parseRetryAfter(response.headers),
      answer: { body: text, headers: relayedHeaders(response.headers) },
    });
  }

  /**
   * Sends once, and once more when a reused keep-alive connection turns out to have been closed
   * by the upstream just before we wrote to it (Node's documented keep-alive race): the
   * upstream never saw the request, so sending it again is safe.
   */
  private async exchange(method: string, path: string, body: string | undefined, headers: Record<string, string>, options: PostOptions): Promise<UpstreamResponse> {
    try {
      return await this.attempt(method, path, body, headers, options);
    } catch (error) {
      if ((error as { retryStale?: boolean }).retryStale) return this.attempt(method, path, body, headers, options);
      throw error;
    }
  }

  private attempt(method: string, path: string, body: string | undefined, headers: Record<string, string>, options: PostOptions): Promise<UpstreamResponse> {
    return new Promise((resolve, reject) => {
      if (options.signal.aborted) {
        reject(this.translate(abortError(), 'before'));
        return;
      }
      const requestOptions: RequestOptions = {
        protocol: this.url.protocol,
        hostname: this.url.hostname,
        port: this.url.port || undefined,
        path: this.basePath + path,
        method,
        agent: this.agent,
        headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) },
      };
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const outgoing: ClientRequest = this.send(requestOptions);
      const fail = (error: unknown): void => {
        clearTimeout(timer);
        options.signal.removeEventListener('abort', onAbort);
        if (settled) return;
        settled = true;
        const stale = outgoing.reusedSocket && (error as { code?: string }).code === 'ECONNRESET';
        const translated = this.translate(error, 'before');
        if (stale) Object.assign(translated, { retryStale: true });
        reject(translated);
      };
      const onAbort = (): void => {
        outgoing.destroy(abortError());
      };
      options.signal.addEventListener('abort', onAbort, { once: true });
      const firstByteMs = options.stream ? this.timeouts.firstByteMs : this.timeouts.requestMs;
      outgoing.once('socket', (socket) => {
        if (socket.connecting) {
          timer = setTimeout(() => outgoing.destroy(new TimeoutFailure('connect')), this.timeouts.connectMs);
          socket.once('connect', () => {
            clearTimeout(timer);
            timer = setTimeout(() => outgoing.destroy(new TimeoutFailure('first-byte')), firstByteMs);
          });
        } else {
          timer = setTimeout(() => outgoing.destroy(new TimeoutFailure('first-byte')), firstByteMs);
        }
      });
      outgoing.once('error', fail);
      outgoing.once('response', (incoming) => {
        clearTimeout(timer);
        settled = true;
        outgoing.off('error', fail);
        // Errors after this point reach the body's reader; these keep an unread one from crashing.
        outgoing.on('error', ignore);
        incoming.on('error', ignore);
        resolve({
          status: incoming.statusCode ?? 0,
          headers: incoming.headers,
          body: this.wrapBody(incoming, outgoing, options),
        });
      });
      outgoing.end(body);
    });
  }

  /** The answer's body, with the between-chunk timeout and the caller's abort applied. */
  private wrapBody(incoming: IncomingMessage, outgoing: ClientRequest, options: PostOptions): UpstreamBody {
    const idleMs = options.stream ? this.timeouts.idleMs : this.timeouts.requestMs;
    let idle: NodeJS.Timeout | undefined;
    let released = false;
    // One timer for the whole answer, pushed back on each chunk (refresh, not a new timer a chunk).
    const arm = (): void => {
      if (released) return;
      if (idle) idle.refresh();
      else idle = setTimeout(() => incoming.destroy(new TimeoutFailure('idle')), idleMs);
    };
    const onAbort = (): void => {
      incoming.destroy(abortError());
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    const done = (): void => {
      released = true;
      clearTimeout(idle);
      options.signal.removeEventListener('abort', onAbort);
    };
    incoming.once('close', done);
    arm();
    const client = this;
    return {
      async *[Symbol.asyncIterator]() {
        let ended = false;
        try {
          // Re-armed per chunk read (a 'data' listener would start the stream flowing early).
          // Not destroyed when the reader stops early: see drainForReuse.
          for await (const chunk of incoming.iterator({ destroyOnReturn: false })) {
            arm();
            yield chunk as Buffer;
          }
          ended = true;
        } catch (error) {
          throw client.translate(error, 'during');
        } finally {
          if (!ended) await drainForReuse(incoming);
          done();
        }
        // A body cut short (the upstream closed the connection mid-answer) ends without an error
        // event in some Node versions; the socket tells.
        if (!incoming.complete) throw client.translate(Object.assign(new Error('premature close'), { code: 'ECONNRESET' }), 'during');
      },
      // A whole answer read with plain listeners: the async iterator above costs a promise and a
      // generator step per chunk, which a non-streamed answer (every request's hot path) needn't pay.
      text() {
        return new Promise<string>((resolve, reject) => {
          const chunks: Buffer[] = [];
          let finished = false;
          const finish = (error: unknown, text?: string): void => {
            if (finished) return;
            finished = true;
            done();
            if (error === undefined) resolve(text as string);
            else reject(client.translate(error, 'during'));
          };
          incoming.on('data', (chunk: Buffer) => {
            arm();
            chunks.push(chunk);
          });
          incoming.once('end', () => {
            if (!incoming.complete) finish(Object.assign(new Error('premature close'), { code: 'ECONNRESET' }));
            else finish(undefined, chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8'));
          });
          incoming.once('error', (error) => finish(error));
          incoming.once('close', () => finish(Object.assign(new Error('premature close'), { code: 'ECONNRESET' })));
        });
      },
      dump() {
        done();
        incoming.resume();
        if (!incoming.complete) outgoing.destroy();
      },
    };
  }

  /** Turns an error of the transport (connect, timeouts, resets, aborts) into an UpstreamError. */
  translate(error: unknown, phase: 'before' | 'during'): UpstreamError {
    if (error instanceof UpstreamError) return error;
    const code = (error as { code?: string }).code;
    const name = (error as { name?: string }).name;
    const where = `${this.provider} at ${this.baseUrl}`;
    if (error instanceof TimeoutFailure) {
      if (error.phase === 'connect') return new UpstreamError(this.provider, 'timeout', `connecting to ${where} took longer than ${this.timeouts.connectMs} ms`, { cause: error });
      if (error.phase === 'idle') return new UpstreamError(this.provider, 'timeout', `${where} stopped sending for ${this.timeouts.idleMs} ms in the middle of its answer`, { cause: error });
      return new UpstreamError(this.provider, 'timeout', `${where} sent nothing within ${this.timeouts.firstByteMs} ms`, { cause: error });
    }
    if (name === 'AbortError' || code === 'ABORT_ERR') {
      return new UpstreamError(this.provider, 'aborted', `the request to ${this.provider} was cancelled because the client went away`, { cause: error });
    }
    const cause = code ?? (error instanceof Error ? error.message : String(error));
    if (phase === 'during') return new UpstreamError(this.provider, 'connection', `${where} broke off its answer (${cause})`, { cause: error });
    return new UpstreamError(this.provider, 'connection', `could not reach ${where} (${cause})`, { cause: error });
  }

  /** Called at shutdown, once in-flight requests have ended or been cut. */
  close(): Promise<void> {
    this.agent.destroy();
    return Promise.resolve();
  }
}

function ignore(): void {}

/** Of an upstream's error answer, the headers a client acts on: its type, its request id, when to retry. */
const RELAYED = ['content-type', 'request-id', 'retry-after', 'retry-after-ms', 'x-should-retry'];

function relayedHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of RELAYED) {
    const value = headers[name];
    if (typeof value === 'string') kept[name] = value;
  }
  return kept;
}

const PROXY_VARIABLES = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'] as const;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * The proxy an upstream is reached through, from the environment `lodestar start` ran in
 * (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, in either case, as curl and Node read them), for Node's
 * own proxy support (an Agent's proxyEnv: CONNECT tunnels for https, absolute URLs for http).
 * Never for an upstream on this machine (Ollama, an SSH tunnel), whatever NO_PROXY says.
 */
export function proxySettings(url: URL, env: NodeJS.ProcessEnv): Record<string, string> | undefined {
  if (LOOPBACK_HOSTS.has(url.hostname) || url.hostname.startsWith('127.')) return undefined;
  const settings: Record<string, string> = {};
  for (const name of PROXY_VARIABLES) {
    const value = env[name]?.trim();
    if (value) settings[name] = value;
  }
  const proxy = url.protocol === 'https:' ? (settings.https_proxy ?? settings.HTTPS_PROXY) : (settings.http_proxy ?? settings.HTTP_PROXY);
  return proxy ? settings : undefined;
}

/** How long a body the reader is done with may take to end before its connection is closed. */
const DRAIN_MS = 250;

/**
 * The reader stopped early, as a stream's reader does at `data: [DONE]` or `message_stop`, just
 * before the upstream ends its body. Destroying the body there would close the connection, and
 * every streamed request would pay a new connection (a TLS handshake, with a real provider).
 * Instead the rest is read and thrown away, and the connection goes back to the pool once the
 * body ends; an upstream that doesn't end it within DRAIN_MS loses the connection.
 */
function drainForReuse(incoming: IncomingMessage): Promise<void> {
  if (incoming.destroyed || incoming.closed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => incoming.destroy(), DRAIN_MS);
    incoming.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    incoming.resume();
  });
}

function abortError(): Error {
  return Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
}

/** The message and type of an error body in OpenAI's, Anthropic's or Ollama's shape. */
export function describeErrorBody(text: string): { message: string | undefined; type: string | undefined } {
  if (!text) return { message: undefined, type: undefined };
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown; detail?: unknown };
    const error = Array.isArray(body) ? (body[0] as { error?: unknown } | undefined)?.error : body.error;
    if (typeof error === 'string') return { message: clean(error), type: undefined };
    if (error && typeof error === 'object') {
      const { message, type, code, status } = error as { message?: unknown; type?: unknown; code?: unknown; status?: unknown };
      return {
        message: typeof message === 'string' ? clean(message) : undefined,
        type: typeof type === 'string' ? type : typeof code === 'string' ? code : typeof status === 'string' ? status : undefined,
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
