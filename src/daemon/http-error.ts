import type { ServerResponse } from 'node:http';

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
