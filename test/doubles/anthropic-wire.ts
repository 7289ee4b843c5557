import { randomBytes } from 'node:crypto';
import { randomAlphanumeric, type DoubleUsage, type PlannedReply } from './scenario.js';

/**
 * Wire shapes of Anthropic's Messages API (/work/shared/reference/providers.md section 2).
 * "CONSTRUCTED" marks message wording the sources did not give verbatim.
 */

/** 2.5: error type per status; other 4xx are invalid_request_error, other 5xx api_error. */
const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

// CONSTRUCTED default messages, except 'Overloaded' (2.4 error event example).
const DEFAULT_MESSAGES: Record<string, string> = {
  invalid_request_error: 'Invalid request',
  authentication_error: 'invalid x-api-key',
  billing_error: 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
  permission_error: 'Your API key does not have permission to use the specified resource.',
  not_found_error: 'Not found',
  request_too_large: 'Request exceeds the maximum allowed number of bytes.',
  rate_limit_error: 'This request would exceed the rate limit for your organization of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits.',
  api_error: 'Internal server error',
  timeout_error: 'Request timed out',
  overloaded_error: 'Overloaded',
};

export function errorType(status: number): string {
  return ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

export function statusOfErrorType(type: string): number {
  for (const [status, name] of Object.entries(ERROR_TYPES)) if (name === type) return Number(status);
  return 500;
}

/** 2.5: {"type":"error","error":{"type","message"},"request_id"}. */
export function errorBody(status: number, requestId: string, message?: string, type?: string): unknown {
  const resolvedType = type ?? errorType(status);
  return { type: 'error', error: { type: resolvedType, message: message ?? DEFAULT_MESSAGES[resolvedType] ?? 'Error' }, request_id: requestId };
}

export const newRequestId = (): string => `req_011C${randomAlphanumeric(20)}`;
export const newMessageId = (): string => `msg_01${randomAlphanumeric(22)}`;
export const newToolUseId = (): string => `toolu_01${randomAlphanumeric(22)}`;
export const newSignature = (): string => randomBytes(72).toString('base64');

export function stopReason(reply: PlannedReply): string {
  if (reply.finishReason === 'length') return 'max_tokens';
  if (reply.finishReason === 'tool_calls') return 'tool_use';
  return 'end_turn';
}

/** 2.3: input_tokens EXCLUDES cache reads and writes; their sum is the total input. */
export function usageBody(usage: DoubleUsage, outputTokens: number): Record<string, unknown> {
  return {
    input_tokens: Math.max(0, usage.inputTokens - usage.cacheReadTokens - usage.cacheWriteTokens),
    cache_creation_input_tokens: usage.cacheWriteTokens,
    cache_read_input_tokens: usage.cacheReadTokens,
    output_tokens: outputTokens,
    service_tier: 'standard',
  };
}

export function parseToolInput(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return {};
  }
}

/** The content blocks of a non-streamed Message: thinking, then text, then tool_use. */
export function contentBlocks(reply: PlannedReply, toolUseIds: string[], signature: string): unknown[] {
  const blocks: unknown[] = [];
  if (reply.reasoning) blocks.push({ type: 'thinking', thinking: reply.reasoning, signature });
  if (reply.text || (!reply.toolCalls.length && !reply.reasoning)) blocks.push({ type: 'text', text: reply.text });
  reply.toolCalls.forEach((call, index) => blocks.push({ type: 'tool_use', id: toolUseIds[index], name: call.name, input: parseToolInput(call.arguments) }));
  return blocks;
}

/** One SSE event exactly as the API frames it: `event: <type>\ndata: <json>\n\n`. */
export function sseEvent(type: string, data: unknown): string {
  return `event: ${type}\ndata: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

// Appendix A / 2.4 fixtures: the ping payload has a space after the colon.
export const PING_EVENT = sseEvent('ping', '{"type": "ping"}');

export interface ModelInfo {
  id: string;
  display_name: string;
  created_at: string;
  max_input_tokens: number;
  max_tokens: number;
}

// Appendix C: names the current SDK knows; limits are CONSTRUCTED round numbers.
export const ANTHROPIC_MODELS: readonly ModelInfo[] = [
  { id: 'claude-opus-4-7', display_name: 'Claude Opus 4.7', created_at: '2026-05-14T00:00:00Z', max_input_tokens: 200000, max_tokens: 64000 },
  { id: 'claude-sonnet-5', display_name: 'Claude Sonnet 5', created_at: '2026-04-02T00:00:00Z', max_input_tokens: 1000000, max_tokens: 64000 },
  { id: 'claude-sonnet-4-6', display_name: 'Claude Sonnet 4.6', created_at: '2026-02-17T00:00:00Z', max_input_tokens: 1000000, max_tokens: 64000 },
  { id: 'claude-haiku-4-5', display_name: 'Claude Haiku 4.5', created_at: '2025-10-15T00:00:00Z', max_input_tokens: 200000, max_tokens: 64000 },
];

/** 2.6: a page of the model list, newest first, with has_more/first_id/last_id. */
export function modelsPage(query: URLSearchParams): Record<string, unknown> {
  const limit = Math.min(1000, Math.max(1, Number(query.get('limit') ?? 20) || 20));
  let models = ANTHROPIC_MODELS.map((model) => ({ type: 'model', ...model }));
  const after = query.get('after_id');
  const before = query.get('before_id');
  if (after) models = models.slice(models.findIndex((model) => model.id === after) + 1);
  if (before) models = models.slice(0, Math.max(0, models.findIndex((model) => model.id === before)));
  const data = models.slice(0, limit);
  return { data, has_more: models.length > data.length, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null };
}
