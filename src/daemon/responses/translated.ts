import type { ServerResponse } from 'node:http';
import { ChatStreamToResponses } from '../../providers/responses/chat-stream-to-responses.js';
import { completionToResponse } from '../../providers/responses/chat-to-response.js';
import type { ResponsesTranslation } from '../../providers/responses/responses-to-chat.js';
import type { ResponsesRequest } from '../../providers/responses/responses-types.js';
import type { ChatCompletionRequest } from '../../providers/spec/chat-request.js';
import { UpstreamError } from '../../providers/spec/upstream-error.js';
import { reasons } from '../../router/catalog.js';
import type { OutputCeiling } from '../../router/model-limits.js';
import type { AnswerObserver } from '../chat/answer-capture.js';
import type { Attempt, DispatchResult } from '../chat/candidate-loop.js';
import { answerConverted } from '../chat/converted-relay.js';
import { withCeiling } from '../chat/output-ceiling.js';

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
  /** Reads the answer as it goes out, for the files it edits. */
  observer?: AnswerObserver | undefined;
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
  await answerConverted(
    attempt,
    { request, signal: attempt.signal },
    input.stream,
    {
      whole: (body) => JSON.stringify(completionToResponse(body, context)),
      converter: () => {
        const converter = new ChatStreamToResponses(context);
        return {
          push: (data) => converter.push(data),
          end: () => converter.end(),
          // Codex retries a failed response whose code is server_error, and waits before retrying a rate limit.
          fail: (error, message) => converter.failed(error instanceof UpstreamError && error.status === 429 ? 'rate_limit_exceeded' : 'server_error', message).join(''),
        };
      },
      response: input.response,
      extraHeaders: input.extraHeaders,
      observer: input.observer,
    },
    finished,
  );
}
