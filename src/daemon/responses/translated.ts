import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { ChatStreamToResponses } from '../../providers/responses/chat-stream-to-responses.js';
import { completionToResponse } from '../../providers/responses/chat-to-response.js';
import type { ResponsesTranslation } from '../../providers/responses/responses-to-chat.js';
import type { ResponsesRequest } from '../../providers/responses/responses-types.js';
import type { ChatCompletionRequest } from '../../providers/spec/chat-request.js';
import { UpstreamError } from '../../providers/spec/upstream-error.js';
import { reasons } from '../../router/catalog.js';
import type { OutputCeiling } from '../../router/model-limits.js';
import type { Attempt, DispatchResult } from '../chat/candidate-loop.js';
import { lodestarHeaders } from '../chat/dispatch.js';
import { withCeiling } from '../chat/output-ceiling.js';
import { drained } from '../chat/stream-writer.js';

export interface TranslatedResponsesInput {
  body: ResponsesRequest & { model: string };
  /** The request in the OpenAI Chat shape every provider takes, and the tools' names both ways. */
  translation: ResponsesTranslation;
  stream: boolean;
  response: ServerResponse;
  extraHeaders: Record<string, string>;
  /** Says what the request loses on this candidate (logged once a kind). */
  dropped: (note: string) => void;
  /** max_output_tokens lowered to what this model can write, when the client asked for more. */
  ceiling: OutputCeiling | undefined;
}

/**
 * A candidate that is not OpenAI's, for a Responses request: the request goes in the Chat shape
 * (translated once), and the answer comes back as a Responses object, or as the Responses event
 * sequence, chunk by chunk, every item added and done and the whole output again in
 * response.completed. The model the client named is the one the answer names.
 */
export async function translatedResponsesAttempt(attempt: Attempt, input: TranslatedResponsesInput, finished: (result: DispatchResult) => void): Promise<void> {
  const request: ChatCompletionRequest = withCeiling({ ...input.translation.request, model: attempt.candidate.model }, input.ceiling);
  if (request.reasoning_effort !== undefined && !reasons(attempt.candidate.id)) {
    delete request.reasoning_effort;
    input.dropped(`reasoning effort dropped for ${attempt.candidate.id}: it does not reason`);
  }
  const context = { model: input.body.model, request: input.body, tools: input.translation.tools };
  const call = { request, signal: attempt.signal };
  const response = input.response;
  if (!input.stream) {
    const completion = await attempt.provider.complete(call);
    const readyAt = attempt.ready();
    const overheadMs = attempt.overheadMs + (performance.now() - readyAt);
    const text = JSON.stringify(completionToResponse(completion.body, context));
    finished({ status: 'ok', httpStatus: 200, candidate: attempt.candidate, outcome: completion.outcome, error: undefined, fallbacks: attempt.fallbacks, firstByteAt: undefined, overheadMs });
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...lodestarHeaders(attempt.candidate, attempt.fallbacks, overheadMs), ...input.extraHeaders });
    response.end(text);
    return;
  }

  const upstream = await attempt.provider.stream(call);
  const first = await upstream.chunks.next();
  const readyAt = attempt.ready();
  const overheadMs = attempt.overheadMs + (performance.now() - readyAt);
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...lodestarHeaders(attempt.candidate, attempt.fallbacks, overheadMs), ...input.extraHeaders });
  const firstByteAt = performance.now();
  const converter = new ChatStreamToResponses(context);
  const result = (status: DispatchResult['status'], error?: string): DispatchResult => ({ status, httpStatus: 200, candidate: attempt.candidate, outcome: upstream.outcome, error, fallbacks: attempt.fallbacks, firstByteAt, overheadMs });
  try {
    let next = first;
    while (!next.done) {
      const frames = converter.push(next.value.data);
      if (frames.length && !response.write(frames.join(''))) await drained(response);
      if (response.destroyed) throw new UpstreamError(attempt.candidate.provider, 'aborted', 'the client went away');
      next = await upstream.chunks.next();
    }
  } catch (error) {
    attempt.controller.abort();
    if (response.destroyed || (error instanceof UpstreamError && error.kind === 'aborted')) {
      finished(result('aborted', 'the client went away mid-stream'));
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    finished(result('error', message));
    // Codex retries a failed response whose code is server_error, and waits before retrying a rate limit.
    const code = error instanceof UpstreamError && error.status === 429 ? 'rate_limit_exceeded' : 'server_error';
    response.end(converter.failed(code, `${message} (after part of the answer was sent)`).join(''));
    return;
  }
  const last = converter.end();
  // The ledger before the terminal event goes out.
  finished(result('ok'));
  response.end(last.join(''));
}
