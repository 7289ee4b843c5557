import { errorBody, type Failure } from './openai-flavors.js';
import { positionAfter, type JsonPath } from './json-position.js';
import { isRecord } from './scenario.js';

/**
 * DeepSeek's own checks (responses-api.md section 7, providers.md 3.1). Its API is a Rust
 * service: a body that does not fit its types fails at deserialization with serde's wording
 * and the position it reached; thinking mode (the default of its V4-era models) wants the
 * reasoning of a tool-call turn back.
 */

const ROLES = ['system', 'user', 'assistant', 'tool', 'latest_reminder'];

/** What a reply says while thinking when the test scripts no reasoning (CONSTRUCTED text). */
export const DEFAULT_DEEPSEEK_REASONING = 'The user wants a short answer; I will give one.';

/** 3.1: thinking is on by default on V4 models; `thinking: {type: "disabled"}` turns it off. */
export function deepseekThinking(body: Record<string, unknown>): boolean {
  return !(isRecord(body.thinking) && body.thinking.type === 'disabled');
}

const bad = (message: string): Failure => ({ status: 400, body: errorBody('deepseek', { status: 400, message, type: 'invalid_request_error', code: 'invalid_request_error' }) });

/**
 * serde's refusals, in document order: a role outside its enum ("messages[1].role: unknown
 * variant `developer`, expected one of `system`, `user`, `assistant`, `tool`, `latest_reminder`
 * at line 1 column 51036", 9router#773, ccx#149, 2026) and a content part other than text
 * ("messages[7]: unknown variant `image_url`, expected `text` at line 1 column 114708",
 * jcode#310, Zoo-Code#1106, 2026). Status 400 with DeepSeek's envelope (422 in 2025 reports).
 */
export function deepseekDeserializationError(body: Record<string, unknown>, raw: string): Failure | undefined {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  for (const [index, message] of messages.entries()) {
    if (!isRecord(message)) continue;
    if (typeof message.role === 'string' && !ROLES.includes(message.role)) {
      const expected = ROLES.map((role) => `\`${role}\``).join(', ');
      return bad(serde(`messages[${index}].role: unknown variant \`${message.role}\`, expected one of ${expected}`, raw, ['messages', index, 'role']));
    }
    if (!Array.isArray(message.content)) continue;
    for (const [partIndex, part] of message.content.entries()) {
      if (isRecord(part) && typeof part.type === 'string' && part.type !== 'text') {
        return bad(serde(`messages[${index}]: unknown variant \`${part.type}\`, expected \`text\``, raw, ['messages', index, 'content', partIndex, 'type']));
      }
    }
  }
  return undefined;
}

function serde(what: string, raw: string, path: JsonPath): string {
  const at = positionAfter(raw, path);
  return `Failed to deserialize the JSON body into the target type: ${what}${at ? ` at line ${at.line} column ${at.column}` : ''}`;
}

/**
 * Thinking mode: an assistant turn with tool calls must carry its reasoning_content back.
 * V4 wording (9router#773, modelparams.dev#29, oai-compatible-copilot#215, 2026-04/05); before
 * V4 it read "Missing `reasoning_content` field in the assistant message at message index N".
 */
export function deepseekThinkingRejection(body: Record<string, unknown>): Failure | undefined {
  if (!deepseekThinking(body)) return undefined;
  const messages = Array.isArray(body.messages) ? body.messages : [];
  for (const message of messages) {
    if (!isRecord(message) || message.role !== 'assistant') continue;
    const calls = Array.isArray(message.tool_calls) && message.tool_calls.length > 0;
    if (calls && typeof message.reasoning_content !== 'string') return bad('The `reasoning_content` in the thinking mode must be passed back to the API.');
  }
  return undefined;
}
