import { toOpenAIUsage, type Usage } from '../spec/usage.js';
import { convertAnthropicUsage } from './convert-anthropic-usage.js';
import { mapAnthropicStopReason } from './map-anthropic-stop-reason.js';

export interface AnthropicMessage {
  id?: string;
  model?: string;
  content?: Array<{ type: string; text?: string; thinking?: string; id?: string; name?: string; input?: unknown }>;
  stop_reason?: string | null;
  usage?: unknown;
}

/** A non-streamed Anthropic message as an OpenAI chat.completion. */
export function convertAnthropicResponse(message: AnthropicMessage): { completion: Record<string, unknown>; usage: Usage; finishReason: string } {
  let text = '';
  let reasoning = '';
  const toolCalls: Array<Record<string, unknown>> = [];
  for (const block of message.content ?? []) {
    if (block.type === 'text') text += block.text ?? '';
    else if (block.type === 'thinking') reasoning += block.thinking ?? '';
    else if (block.type === 'tool_use') {
      toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
    }
  }
  const usage = convertAnthropicUsage(message.usage);
  const finishReason = mapAnthropicStopReason(message.stop_reason);
  const assistant: Record<string, unknown> = { role: 'assistant', content: text === '' && toolCalls.length ? null : text, refusal: null };
  if (toolCalls.length) assistant.tool_calls = toolCalls;
  if (reasoning) assistant.reasoning_content = reasoning;
  return {
    completion: {
      id: message.id ?? 'msg_unknown',
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: message.model ?? 'unknown',
      choices: [{ index: 0, message: assistant, logprobs: null, finish_reason: finishReason }],
      usage: toOpenAIUsage(usage),
    },
    usage,
    finishReason,
  };
}
