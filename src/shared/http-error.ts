import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * The one error type of the daemon's HTTP layer. Every failure a client sees goes through
 * `sendError`, in OpenAI's envelope {"error":{"message","type","param","code"}}, so the openai
 * SDKs (and Aider through litellm) raise the right exception class.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly type: string;
  readonly param: string | null;
  readonly code: string | null;
  readonly headers: Record<string, string> | undefined;

  constructor(
    status: number,
    message: string,
    options: { type?: string; param?: string | null; code?: string | null; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.type = options.type ?? defaultType(status);
    this.param = options.param ?? null;
    this.code = options.code ?? null;
    this.headers = options.headers;
  }

  /** The same error (status, type, code, headers) with another message. */
  withMessage(message: string): HttpError {
    return new HttpError(this.status, message, { type: this.type, param: this.param, code: this.code, ...(this.headers ? { headers: this.headers } : {}) });
  }

  toJSON(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

function defaultType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status === 402) return 'insufficient_quota';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

export function sendError(response: ServerResponse, error: HttpError): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  sendJson(response, error.status, error.toJSON(), error.headers);
}

/**
 * The same error in Anthropic's envelope, {"type":"error","error":{"type","message"}}, for the
 * Messages endpoint: Anthropic's SDK (and Claude Code's recovery) read the type.
 */
export function sendAnthropicError(response: ServerResponse, error: HttpError): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  sendJson(response, error.status, { type: 'error', error: { type: anthropicErrorType(error.status), message: error.message } }, error.headers);
}

/** Anthropic's error type for a status (platform.claude.com/docs/en/api/errors). */
function anthropicErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 402) return 'billing_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status === 504) return 'timeout_error';
  if (status === 529 || status === 503) return 'overloaded_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

/**
 * What Node's HTTP parser refuses before any route sees it (a malformed request line, a header
 * block over 16 KB, a bad chunk size): answered in the same JSON envelope as every other error,
 * rather than Node's bare "400 Bad Request", then the connection is closed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  // A request whose headers were taken has a response object; once that has begun, only closing is left.
  const started = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || started?.headersSent) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const timedOut = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  const status = tooLarge ? 431 : timedOut ? 408 : 400;
  const message = tooLarge
    ? 'The request headers are larger than 16 KB'
    : timedOut
      ? 'The request took too long to arrive'
      : `The request is not valid HTTP/1.1 (${error.code ?? 'parse error'})`;
  const body = JSON.stringify(new HttpError(status, message, { code: tooLarge ? 'headers_too_large' : timedOut ? 'request_timeout' : 'malformed_request' }).toJSON());
  const reason = tooLarge ? 'Request Header Fields Too Large' : timedOut ? 'Request Timeout' : 'Bad Request';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}
