import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { FallbackAttempt } from '../../ledger/request-event.js';
import type { ChatCompletionRequest } from '../../providers/spec/chat-request.js';
import type { ChunkStream, StreamChunk } from '../../providers/spec/provider.js';
import { UpstreamError } from '../../providers/spec/upstream-error.js';
import type { Candidate } from '../../router/resolve-model.js';
import { sendError } from '../../shared/http-error.js';
import { runCandidates, type CandidateLoopInput, type DispatchResult } from './candidate-loop.js';
import { StreamWriter } from './stream-writer.js';
import { withCeiling, type OutputCeilings } from './output-ceiling.js';

export interface DispatchInput extends CandidateLoopInput {
  request: ChatCompletionRequest;
  stream: boolean;
  /** The client asked for the usage chunk (stream_options.include_usage). */
  includeUsage: boolean;
  response: ServerResponse;
  /** Extra response headers (cache state, routing notes). */
  headers?: Record<string, string>;
  /** Sees every chunk of a successful stream (the cache assembles the answer from them). */
  onChunk?: (data: string) => void;
  /** What each candidate may be asked to write (max_tokens lowered to its limits). */
  ceilings?: OutputCeilings;
}

/**
 * Sends the request to the first candidate that accepts it. A failure before the first byte
 * reaches the client moves on to the next candidate; after it, the stream ends with an explicit
 * error. `finished` runs once, before the last byte goes out, so that whatever records the
 * request (the ledger) has it even if the daemon dies right after answering.
 */
export function dispatchChat(input: DispatchInput, finished: (result: DispatchResult) => void): Promise<void> {
  return runCandidates(
    input,
    async (attempt) => {
      const call = { request: withCeiling({ ...input.request, model: attempt.candidate.model }, input.ceilings?.for(attempt.candidate)), signal: attempt.signal };
      if (input.stream) {
        const upstream = await attempt.provider.stream(call);
        const first = await upstream.chunks.next();
        const readyAt = attempt.ready();
        await relayStream(input, attempt.candidate, upstream, first, attempt.fallbacks, attempt.overheadMs, readyAt, attempt.controller, finished);
        return;
      }
      const completion = await attempt.provider.complete(call);
      const readyAt = attempt.ready();
      const body = completion.body;
      // The ledger is written first; the overhead header then counts it with the rest of our time.
      finished({ status: 'ok', httpStatus: 200, candidate: attempt.candidate, outcome: completion.outcome, error: undefined, fallbacks: attempt.fallbacks, firstByteAt: undefined, overheadMs: attempt.overheadMs + (performance.now() - readyAt), body });
      const headers = {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        ...lodestarHeaders(attempt.candidate, attempt.fallbacks, attempt.overheadMs + (performance.now() - readyAt)),
        ...input.headers,
      };
      input.response.writeHead(200, headers);
      input.response.end(body);
    },
    finished,
    (failure) => sendError(input.response, failure),
  );
}

async function relayStream(
  input: DispatchInput,
  candidate: Candidate,
  upstream: ChunkStream,
  first: IteratorResult<StreamChunk>,
  fallbacks: FallbackAttempt[],
  overheadBefore: number,
  readyAt: number,
  attempt: AbortController,
  finished: (result: DispatchResult) => void,
): Promise<void> {
  const writer = new StreamWriter(input.response);
  const overheadMs = overheadBefore + (performance.now() - readyAt);
  writer.open({ ...lodestarHeaders(candidate, fallbacks, overheadMs), ...input.headers });
  const firstByteAt = performance.now();
  const onChunk = input.onChunk;
  const send = (chunk: StreamChunk): Promise<void> | undefined => {
    onChunk?.(chunk.data);
    return chunk.usageOnly && !input.includeUsage ? undefined : writer.write(chunk.data);
  };
  const result = (status: DispatchResult['status'], error?: string): DispatchResult => ({
    status,
    httpStatus: 200,
    candidate,
    outcome: upstream.outcome,
    error,
    fallbacks,
    firstByteAt,
    overheadMs,
  });
  try {
    if (!first.done) await send(first.value);
    for (;;) {
      const next = await upstream.chunks.next();
      if (next.done) break;
      const wait = send(next.value);
      if (wait) await wait;
      if (writer.clientGone) throw new UpstreamError(candidate.provider, 'aborted', 'the client went away');
    }
  } catch (error) {
    attempt.abort();
    if (writer.clientGone || input.clientSignal.aborted || (error instanceof UpstreamError && error.kind === 'aborted')) {
      finished(result('aborted', 'the client went away mid-stream'));
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    finished(result('error', message));
    const type = error instanceof UpstreamError && error.upstreamType ? error.upstreamType : 'api_error';
    writer.fail({ message: `${message} (after part of the answer was sent)`, type, code: 'upstream_failed_mid_stream' });
    return;
  }
  finished(result('ok'));
  writer.done();
}

export function lodestarHeaders(candidate: Candidate, fallbacks: readonly FallbackAttempt[], overheadMs: number): Record<string, string> {
  const headers: Record<string, string> = {
    'x-lodestar-model': candidate.id,
    'x-lodestar-provider': candidate.provider,
    'x-lodestar-overhead-ms': overheadMs.toFixed(3),
  };
  // How good the router took the model that answered to be, and how it knows (a virtual model's candidates only).
  if (candidate.quality !== undefined) headers['x-lodestar-quality'] = candidate.quality;
  if (fallbacks.length) headers['x-lodestar-fallbacks'] = fallbacks.map((attempt) => attempt.model).join(', ');
  return headers;
}
