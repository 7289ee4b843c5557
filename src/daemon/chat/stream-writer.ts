import type { ServerResponse } from 'node:http';

/**
 * Writes server-sent events to the client, one `data:` frame per chunk as soon as it exists,
 * and waits when the client reads slower than the upstream writes (backpressure), so a slow
 * client never makes the daemon buffer a whole answer.
 */
export class StreamWriter {
  private readonly response: ServerResponse;
  private closed = false;

  constructor(response: ServerResponse) {
    this.response = response;
    response.once('close', () => {
      this.closed = true;
    });
  }

  get clientGone(): boolean {
    return this.closed || this.response.destroyed;
  }

  open(headers: Record<string, string>): void {
    this.response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
      ...headers,
    });
  }

  /** Resolves when the frame is handed to the socket, or once the client drained it. */
  write(data: string): Promise<void> | undefined {
    if (this.clientGone) return undefined;
    if (this.response.write(`data: ${data}\n\n`)) return undefined;
    return drained(this.response);
  }

  /** The stream's clean end. */
  done(): void {
    if (!this.clientGone) this.response.end('data: [DONE]\n\n');
  }

  /**
   * A failure after the first byte: an error frame in OpenAI's envelope (the openai SDKs raise
   * it as an APIError), then the end, never a [DONE] that would pass a cut answer for a whole one.
   */
  fail(error: { message: string; type: string; code: string | null }): void {
    if (this.clientGone) return;
    this.response.end(`data: ${JSON.stringify({ error: { message: error.message, type: error.type, param: null, code: error.code } })}\n\n`);
  }
}

/** Until the client's socket takes more (or is gone): the wait of every stream relayed to a client. */
export function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.once('drain', done);
    response.once('close', done);
  });
}
