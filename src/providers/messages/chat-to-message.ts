import { mapFinishReason, toAnthropicUsage, toMessageId, toToolUseId } from './message-fields.js';
import type { AnthropicContentBlock, AnthropicMessage } from './messages-types.js';
import { reasoningOf, usageOf, type CompletionBody } from './openai-answer.js';

/**
 * A provider's chat.completion (Completion.body) as an Anthropic Message: reasoning becomes a
 * thinking block, then the text, then one tool_use block per tool call. A thinking block gets
 * an empty signature: only Anthropic can sign one, and no other upstream needs it back.
 * `model` is the model named to the client.
 */
export function completionToMessage(completionBody: string, model: string): AnthropicMessage {
  const completion = JSON.parse(completionBody) as CompletionBody;
  const choice = completion.choices?.[0];
  const message = choice?.message ?? {};
  const content: AnthropicContentBlock[] = [];
  const reasoning = reasoningOf(message);
  if (reasoning) content.push({ type: 'thinking', thinking: reasoning, signature: '' });
  if (message.content) content.push({ type: 'text', text: message.content });
  for (const call of message.tool_calls ?? []) {
    content.push({ type: 'tool_use', id: toToolUseId(call.id), name: call.function?.name ?? '', input: toolInput(call.function?.arguments) });
  }
  return {
    id: toMessageId(completion.id),
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: mapFinishReason(choice?.finish_reason, content.some((block) => block.type === 'tool_use')),
    stop_sequence: null,
    usage: toAnthropicUsage(usageOf(completion) ?? {}),
  };
}

/**
 * Tool arguments as the object Anthropic's tool_use.input must be. Arguments that are not a
 * JSON object (cut off by max_tokens, or a model's malformed JSON) become {}: the client's own
 * schema check then reports the missing fields to the model, which can call again, whereas a
 * non-object input would break Anthropic clients outright.
 */
function toolInput(text: string | null | undefined): Record<string, unknown> {
  if (!text) return {};
  try {
    const input: unknown = JSON.parse(text);
    return input !== null && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
