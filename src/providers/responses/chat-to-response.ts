import { reasoningOf, usageOf, type CompletionBody } from '../messages/openai-answer.js';
import { newMessageItemId, newReasoningItemId, responseEnding } from './response-fields.js';
import { createdAtOf, messageItem, reasoningItem, responseIdOf, responseObject, toolCallItem, uniqueCallId, wantsEncryptedReasoning, type ResponseContext } from './response-object.js';
import type { ResponseObject, ResponseOutputItem } from './responses-types.js';

/**
 * A provider's chat.completion (Completion.body) as a Responses response object (section 3):
 * a reasoning item when the answer has reasoning text, then a message item with the text, then
 * one item per tool call, as ChatStreamToResponses emits them, so that a streamed answer and a
 * whole one describe the same output. finish_reason length and content_filter make the response
 * incomplete. Usage the upstream did not report is 0, which this wire can't tell from unknown.
 */
export function completionToResponse(completionBody: string, context: ResponseContext): ResponseObject {
  const completion = JSON.parse(completionBody) as CompletionBody;
  const choice = completion.choices?.[0];
  const message = choice?.message ?? {};
  const output: ResponseOutputItem[] = [];
  const reasoning = reasoningOf(message);
  if (reasoning) output.push(reasoningItem(newReasoningItemId(), reasoning, wantsEncryptedReasoning(context)));
  if (message.content) output.push(messageItem(newMessageItemId(), message.content));
  const callIds = new Set<string>();
  for (const call of message.tool_calls ?? []) {
    const origin = context.tools.originOf(call.function?.name ?? '');
    output.push(toolCallItem(origin, uniqueCallId(call.id, callIds), call.function?.arguments ?? ''));
  }
  const ending = responseEnding(choice?.finish_reason);
  return responseObject(context, {
    id: responseIdOf(context),
    createdAt: createdAtOf(context),
    status: ending.status,
    incompleteDetails: ending.incomplete_details,
    output,
    usage: usageOf(completion) ?? {},
  });
}
