import { randomBytes } from 'node:crypto';
import type { Usage } from '../spec/usage.js';
import type { AnthropicStopReason, AnthropicUsage } from './messages-types.js';

/**
 * The fields of an Anthropic message that the completion and the stream converters compute
 * the same way, so that a streamed answer and a whole one describe the same message.
 */

/**
 * Usage in Anthropic's semantics (reference/providers.md 2.3): input_tokens is the uncached
 * input only, cache reads and writes are counted apart, and the three add up to the whole
 * input, which the one shape (like OpenAI's prompt_tokens) counts as inputTokens. A count the
 * upstream did not report is 0 here: Anthropic's wire has no "unknown".
 */
export function toAnthropicUsage(usage: Usage): AnthropicUsage {
  const read = usage.cachedInputTokens ?? 0;
  const write = usage.cacheWriteTokens ?? 0;
  return {
    input_tokens: Math.max(0, (usage.inputTokens ?? 0) - read - write),
    cache_creation_input_tokens: write,
    cache_read_input_tokens: read,
    output_tokens: usage.outputTokens ?? 0,
  };
}

/**
 * OpenAI's finish_reason as Anthropic's stop_reason, the inverse of mapAnthropicStopReason.
 * OpenAI can't tell a stop sequence from a natural end, so both are end_turn. Some upstreams
 * answer tool calls with finish_reason "stop"; a message with tool_use blocks is tool_use,
 * since that is what makes Anthropic clients run the tools.
 */
export function mapFinishReason(finishReason: string | null | undefined, hasToolUse: boolean): AnthropicStopReason {
  switch (finishReason) {
    case 'length':
      return 'max_tokens';
    case 'content_filter':
      return 'refusal';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    default:
      return hasToolUse ? 'tool_use' : 'end_turn';
  }
}

/** The message id for an OpenAI completion id: prefixed msg_, or a fresh one when there is none. */
export function toMessageId(completionId: string | undefined): string {
  if (!completionId) return `msg_${randomBytes(12).toString('base64url')}`;
  return completionId.startsWith('msg_') ? completionId : `msg_${completionId}`;
}

/**
 * A tool call id as Anthropic accepts it in later turns (^[a-zA-Z0-9_-]+$): some upstreams use
 * ids such as "functions.get_weather:0", which Anthropic would refuse if the conversation is
 * later routed there. The client echoes the id in its tool_result, so the pair still matches.
 */
export function toToolUseId(id: string | null | undefined): string {
  return id ? id.replace(/[^a-zA-Z0-9_-]/g, '_') : `toolu_${randomBytes(12).toString('base64url')}`;
}
