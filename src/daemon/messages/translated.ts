import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { ChatStreamToMessages } from '../../providers/messages/chat-stream-to-messages.js';
import { completionToMessage } from '../../providers/messages/chat-to-message.js';
import type { ChatCompletionRequest } from '../../providers/spec/chat-request.js';
import { UpstreamError } from '../../providers/spec/upstream-error.js';
import { reasons } from '../../router/catalog.js';
import type { Attempt, DispatchResult } from '../chat/candidate-loop.js';
import { lodestarHeaders } from '../chat/dispatch.js';
import { drained } from '../chat/stream-writer.js';
import { withCeiling } from '../chat/output-ceiling.js';
import type { OutputCeiling } from '../../router/model-limits.js';
import type { MessagesBody } from './validate-messages-request.js';

/** A stream silent this long gets a `ping` event (Anthropic sends them too): proxies and clients see it alive. */
export const PING_MS = 10_000;

export interface TranslatedInput {
  body: MessagesBody;
  /** The request in the OpenAI shape every provider takes. */
  chat: ChatCompletionRequest;
  stream: boolean;
  response: ServerResponse;
  extraHeaders: Record<string, string>;
  /** Says what the request loses on this candidate (logged once a kind). */
  dropped: (note: string) => void;
  /** max_tokens lowered to what this model can write, when the client asked for more. */
  ceiling?: OutputCeiling | undefined;
}

/**
 * A candidate that is not Anthropic's, for a Messages request: the request goes in the OpenAI
 * shape (translated once, before routing), and the answer comes back as Anthropic's Message, or
 * as its stream events in Anthropic's order, a block opened before its deltas, with pings in
 * long silences. The model the client named is the one the answer names.
 */
export async function translatedAttempt(attempt: Attempt, input: TranslatedInput, finished: (result: DispatchResult) => void): Promise<void> {
  const request: ChatCompletionRequest = withCeiling({ ...input.chat, model: attempt.candidate.model }, input.ceiling);
  // Thinking goes as the model's reasoning where it has some, and is left out where it has none.
  if (request.reasoning_effort !== undefined && !reasons(attempt.candidate.id)) {
    delete request.reasoning_effort;
    input.dropped(`thinking dropped for ${attempt.candidate.id}: it does not reason`);
  }
  // A Messages request without thinking asks for none; DeepSeek thinks unless it is told not to.
  if (request.reasoning_effort === undefined && attempt.candidate.provider === 'deepseek' && request.thinking === undefined) request.thinking = { type: 'disabled' };
  const call = { request, signal: attempt.signal };
  const response = input.response;
  if (!input.stream) {
    const completion = await attempt.provider.complete(call);
    const readyAt = attempt.ready();
    const overheadMs = attempt.overheadMs + (performance.now() - readyAt);
    const text = JSON.stringify(completionToMessage(completion.body, input.body.model));
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
  const converter = new ChatStreamToMessages({ model: input.body.model });
  const result = (status: DispatchResult['status'], error?: string): DispatchResult => ({ status, httpStatus: 200, candidate: attempt.candidate, outcome: upstream.outcome, error, fallbacks: attempt.fallbacks, firstByteAt, overheadMs });
  let lastWrite = performance.now();
  const ping = setInterval(() => {
    if (performance.now() - lastWrite >= PING_MS && !response.writableEnded) write('event: ping\ndata: {"type": "ping"}\n\n');
  }, PING_MS / 2);
  const write = (text: string): boolean => {
    lastWrite = performance.now();
    return response.write(text);
  };
  try {
    let next = first;
    while (!next.done) {
      const frames = converter.push(next.value.data);
      if (frames.length && !write(frames.join(''))) await drained(response);
      if (response.destroyed) throw new UpstreamError(attempt.candidate.provider, 'aborted', 'the client went away');
      next = await upstream.chunks.next();
    }
  } catch (error) {
    clearInterval(ping);
    attempt.controller.abort();
    if (response.destroyed || (error instanceof UpstreamError && error.kind === 'aborted')) {
      finished(result('aborted', 'the client went away mid-stream'));
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    finished(result('error', message));
    const type = error instanceof UpstreamError && error.status === 429 ? 'rate_limit_error' : 'api_error';
    response.end(converter.errorFrame(type, `${message} (after part of the answer was sent)`));
    return;
  }
  clearInterval(ping);
  const last = converter.end();
  // The ledger before the last event goes out.
  finished(result('ok'));
  response.end(last.join(''));
}
