import type { ServerResponse } from 'node:http';
import { ChatStreamToMessages } from '../../providers/messages/chat-stream-to-messages.js';
import { completionToMessage } from '../../providers/messages/chat-to-message.js';
import type { ChatCompletionRequest } from '../../providers/spec/chat-request.js';
import { UpstreamError } from '../../providers/spec/upstream-error.js';
import { reasons } from '../../router/catalog.js';
import type { AnswerObserver } from '../chat/answer-capture.js';
import type { Attempt, DispatchResult } from '../chat/candidate-loop.js';
import { answerConverted } from '../chat/converted-relay.js';
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
  /** Reads the answer as it goes out, for the files it edits. */
  observer?: AnswerObserver | undefined;
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
  await answerConverted(
    attempt,
    { request, signal: attempt.signal },
    input.stream,
    {
      whole: (body) => JSON.stringify(completionToMessage(body, input.body.model)),
      converter: () => {
        const converter = new ChatStreamToMessages({ model: input.body.model });
        return {
          push: (data) => converter.push(data),
          end: () => converter.end(),
          fail: (error, message) => converter.errorFrame(error instanceof UpstreamError && error.status === 429 ? 'rate_limit_error' : 'api_error', message),
        };
      },
      response: input.response,
      extraHeaders: input.extraHeaders,
      keepAlive: { frame: 'event: ping\ndata: {"type": "ping"}\n\n', afterMs: PING_MS },
      observer: input.observer,
    },
    finished,
  );
}
