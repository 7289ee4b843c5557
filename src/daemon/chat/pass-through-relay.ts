import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { UpstreamResponse } from '../../providers/http/upstream-client.js';
import { newOutcome, type CallOutcome } from '../../providers/spec/provider.js';
import { UpstreamError } from '../../providers/spec/upstream-error.js';
import type { ProviderId } from '../../shared/provider-ids.js';
import type { AnswerObserver } from './answer-capture.js';
import type { Attempt, DispatchResult } from './candidate-loop.js';
import { lodestarHeaders } from './dispatch.js';
import { drained } from './stream-writer.js';

/** What a pass-through reads on the side of a stream it relays: the terminal event's outcome, once a chunk completes it. */
export interface SideReader {
  push(chunk: Buffer): 'ok' | 'error' | undefined;
  /** Why the answer failed, when the terminal event says it did. */
  failure?: string | undefined;
}

/** What differs between the formats a provider serves in its own shape (Anthropic's Messages, OpenAI's Responses). */
export interface PassThroughFormat {
  provider: ProviderId;
  /** The upstream's headers a client may need (its request id). */
  relayedHeaders: readonly string[];
  /** A whole answer's usage, stop reason and model, for the ledger; 'error' when the answer says it failed. */
  readWhole(text: string, outcome: CallOutcome): 'ok' | 'error';
  reader(outcome: CallOutcome): SideReader;
  /** The frame that ends a stream broken after it began, in the format's own words. */
  errorFrame(reader: SideReader, message: string): string;
  /** The event a stream must end with, for the message when it does not. */
  terminal: string;
}

/**
 * An answer in the client's own format, relayed as the upstream sent it, byte for byte, and read
 * on the side for the ledger. `finished` runs before the terminal event goes out (a daemon
 * killed right after still has the request); a stream that breaks, or ends without its terminal
 * event, ends with the format's error frame, never as if complete.
 */
export async function relayPassThrough(
  attempt: Attempt,
  upstream: UpstreamResponse,
  options: { stream: boolean; response: ServerResponse; extraHeaders: Record<string, string>; observer?: AnswerObserver | undefined },
  format: PassThroughFormat,
  finished: (result: DispatchResult) => void,
): Promise<void> {
  const readyAt = attempt.ready();
  const outcome = newOutcome();
  const overheadMs = attempt.overheadMs + (performance.now() - readyAt);
  const headers: Record<string, string> = { ...lodestarHeaders(attempt.candidate, attempt.fallbacks, overheadMs), ...options.extraHeaders };
  for (const name of format.relayedHeaders) {
    const value = upstream.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const result = (status: DispatchResult['status'], error?: string, firstByteAt?: number): DispatchResult => ({ status, httpStatus: 200, candidate: attempt.candidate, outcome, error, fallbacks: attempt.fallbacks, firstByteAt, overheadMs });
  const response = options.response;

  if (!options.stream) {
    let text: string;
    try {
      text = await upstream.body.text();
    } catch (error) {
      throw error instanceof UpstreamError ? error : new UpstreamError(format.provider, 'connection', `${format.provider}'s answer was cut off: ${String(error)}`);
    }
    options.observer?.whole(text);
    finished(result(format.readWhole(text, outcome)));
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
    response.end(text);
    return;
  }

  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...headers });
  const firstByteAt = performance.now();
  const reader = format.reader(outcome);
  let ended = false;
  try {
    for await (const chunk of upstream.body) {
      // Read for the files it edits before the terminal event can publish the request.
      options.observer?.push(chunk);
      const terminal = reader.push(chunk);
      if (terminal && !ended) {
        ended = true;
        finished(result(terminal, terminal === 'error' ? reader.failure : undefined, firstByteAt));
      }
      if (!response.write(chunk)) await drained(response);
      if (response.destroyed) throw new UpstreamError(format.provider, 'aborted', 'the client went away');
    }
  } catch (error) {
    attempt.controller.abort();
    if (ended) return;
    if (response.destroyed || (error instanceof UpstreamError && error.kind === 'aborted')) {
      finished(result('aborted', 'the client went away mid-stream', firstByteAt));
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    finished(result('error', message, firstByteAt));
    response.end(format.errorFrame(reader, `${message} (after part of the answer was sent)`));
    return;
  }
  if (!ended) {
    const message = `${format.provider} ended the stream without ${format.terminal}`;
    finished(result('error', message, firstByteAt));
    response.end(format.errorFrame(reader, `${message} (after part of the answer was sent)`));
    return;
  }
  response.end();
}
