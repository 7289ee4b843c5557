import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ChatCall } from '../../providers/spec/provider.js';
import { UpstreamError } from '../../providers/spec/upstream-error.js';
import type { AnswerObserver } from './answer-capture.js';
import type { Attempt, DispatchResult } from './candidate-loop.js';
import { lodestarHeaders } from './dispatch.js';
import { drained } from './stream-writer.js';

/** A provider's chunk stream turned into the client's format's events, chunk by chunk. */
export interface StreamConverter {
  push(chunkData: string): string[];
  /** The closing frames (the terminal event with usage). */
  end(): string[];
  /** The frame that ends a stream broken after it began, in the client's format. */
  fail(error: unknown, message: string): string;
}

export interface ConvertedAnswer {
  /** A whole chat.completion body as the client's format's answer, as text. */
  whole(completionBody: string): string;
  converter(): StreamConverter;
  response: ServerResponse;
  extraHeaders: Record<string, string>;
  /** An event to write after this long without one (Anthropic's ping), so proxies see the stream alive. */
  keepAlive?: { frame: string; afterMs: number };
  /** Reads what goes out, in the client's format, for the files the answer edits. */
  observer?: AnswerObserver | undefined;
}

/**
 * A candidate that speaks another format than the client's: the request goes in the Chat shape
 * every provider takes, and the answer comes back converted, whole or as the client's event
 * stream, chunk by chunk (never buffered), the ledger written before the last event goes out.
 * A stream that breaks after it began ends with the format's own error frame.
 */
export async function answerConverted(attempt: Attempt, call: ChatCall, stream: boolean, answer: ConvertedAnswer, finished: (result: DispatchResult) => void): Promise<void> {
  const response = answer.response;
  if (!stream) {
    const completion = await attempt.provider.complete(call);
    const readyAt = attempt.ready();
    const overheadMs = attempt.overheadMs + (performance.now() - readyAt);
    const text = answer.whole(completion.body);
    answer.observer?.whole(text);
    finished({ status: 'ok', httpStatus: 200, candidate: attempt.candidate, outcome: completion.outcome, error: undefined, fallbacks: attempt.fallbacks, firstByteAt: undefined, overheadMs });
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...lodestarHeaders(attempt.candidate, attempt.fallbacks, overheadMs), ...answer.extraHeaders });
    response.end(text);
    return;
  }

  const upstream = await attempt.provider.stream(call);
  const first = await upstream.chunks.next();
  const readyAt = attempt.ready();
  const overheadMs = attempt.overheadMs + (performance.now() - readyAt);
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...lodestarHeaders(attempt.candidate, attempt.fallbacks, overheadMs), ...answer.extraHeaders });
  const firstByteAt = performance.now();
  const converter = answer.converter();
  const result = (status: DispatchResult['status'], error?: string): DispatchResult => ({ status, httpStatus: 200, candidate: attempt.candidate, outcome: upstream.outcome, error, fallbacks: attempt.fallbacks, firstByteAt, overheadMs });
  let lastWrite = performance.now();
  const write = (text: string): boolean => {
    lastWrite = performance.now();
    return response.write(text);
  };
  const keepAlive = answer.keepAlive;
  const timer = keepAlive
    ? setInterval(() => {
        if (performance.now() - lastWrite >= keepAlive.afterMs && !response.writableEnded) write(keepAlive.frame);
      }, keepAlive.afterMs / 2)
    : undefined;
  try {
    let next = first;
    while (!next.done) {
      const frames = converter.push(next.value.data);
      if (frames.length) {
        const text = frames.join('');
        answer.observer?.push(text);
        if (!write(text)) await drained(response);
      }
      if (response.destroyed) throw new UpstreamError(attempt.candidate.provider, 'aborted', 'the client went away');
      next = await upstream.chunks.next();
    }
  } catch (error) {
    clearInterval(timer);
    attempt.controller.abort();
    if (response.destroyed || (error instanceof UpstreamError && error.kind === 'aborted')) {
      finished(result('aborted', 'the client went away mid-stream'));
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    finished(result('error', message));
    response.end(converter.fail(error, `${message} (after part of the answer was sent)`));
    return;
  }
  clearInterval(timer);
  const last = converter.end().join('');
  answer.observer?.push(last);
  // The ledger before the last event goes out.
  finished(result('ok'));
  response.end(last);
}
