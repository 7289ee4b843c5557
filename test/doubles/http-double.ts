import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { RecordedRequest } from './scenario.js';

/** Everything a double's handler gets for one request. */
export interface DoubleExchange {
  request: IncomingMessage;
  response: ServerResponse;
  record: RecordedRequest;
  url: URL;
  /** Fires when the connection closes for any reason (client gone, drop, close()). */
  signal: AbortSignal;
  /** Destroys the socket mid-response, as a crashed upstream would; not counted as a client abort. */
  drop(): void;
}

export interface HttpDouble {
  port: number;
  origin: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * A loopback HTTP server that records every request (raw and parsed body), tracks its sockets so
 * close() can end stalled streams at once, and marks a record aborted when the client hangs up
 * before the response ended.
 */
export function startHttpDouble(port: number, handle: (exchange: DoubleExchange) => Promise<void>): Promise<HttpDouble> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const connectionIds = new WeakMap<Socket, number>();
  let connections = 0;
  let closing = false;

  const server: Server = createServer((request, response) => {
    void serve(request, response);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    connectionIds.set(socket, ++connections);
    socket.once('close', () => sockets.delete(socket));
  });

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const receivedAt = Date.now();
    const controller = new AbortController();
    let dropped = false;
    let record: RecordedRequest | undefined;
    response.once('close', () => {
      if (record && !response.writableFinished && !dropped && !closing) record.aborted = true;
      controller.abort();
    });

    let rawBody: string;
    try {
      rawBody = await readBody(request);
    } catch {
      return; // the client went away while sending
    }
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    record = {
      method: request.method ?? 'GET',
      path: url.pathname + url.search,
      headers: { ...request.headers },
      body: parseJson(rawBody),
      rawBody,
      receivedAt,
      connection: connectionIds.get(request.socket) ?? 0,
      aborted: false,
    };
    requests.push(record);

    const exchange: DoubleExchange = {
      request,
      response,
      record,
      url,
      signal: controller.signal,
      drop() {
        dropped = true;
        response.socket?.destroy();
      },
    };
    try {
      await handle(exchange);
    } catch (error) {
      if (!response.headersSent) {
        const body = JSON.stringify({ error: `test double failure: ${(error as Error).message}` });
        response.writeHead(500, { 'content-type': 'application/json' }).end(body);
      } else {
        exchange.drop();
      }
    }
  }

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const actualPort = typeof address === 'object' && address ? address.port : port;
      resolve({
        port: actualPort,
        origin: `http://127.0.0.1:${actualPort}`,
        requests,
        close: () =>
          new Promise<void>((done) => {
            closing = true;
            server.close(() => done());
            for (const socket of sockets) socket.destroy();
          }),
      });
    });
  });
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.once('error', reject);
    request.once('aborted', () => reject(new Error('aborted')));
  });
}

function parseJson(raw: string): unknown {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

/** Sends a complete JSON response with an exact body (no trailing newline unless given). */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, contentType = 'application/json'): void {
  if (response.destroyed) return;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(text)), ...headers });
  response.end(text);
}

export function sendText(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (response.destroyed) return;
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  response.end(text);
}

/** Writes one piece of a streamed body; false when the connection is already gone. */
export function writeChunk(response: ServerResponse, text: string): boolean {
  if (response.destroyed || response.writableEnded) return false;
  response.write(text);
  return true;
}

/**
 * With LODESTAR_DOUBLE_TRACE set, prints each request a double refuses before generating, with
 * the start of the body it refused: an end-to-end test that fails on a refusal then shows which
 * request the daemon sent.
 */
export function traceRefusal(double: string, status: number, answer: unknown, rawBody: string): void {
  if (!process.env.LODESTAR_DOUBLE_TRACE) return;
  process.stderr.write(`[${double} double] ${status} ${typeof answer === 'string' ? answer : JSON.stringify(answer)}\n  for ${rawBody.slice(0, 2000)}\n`);
}
