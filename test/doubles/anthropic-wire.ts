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

/** `windowCut`: the answer ran into the context window before max_tokens (Sonnet 4.5 and later). */
export function stopReason(reply: PlannedReply, windowCut = false): string {
  if (reply.finishReason === 'length') return windowCut ? 'model_context_window_exceeded' : 'max_tokens';
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

/**
 * The content blocks of a non-streamed Message: thinking, then text, then tool_use. With the
 * thinking display omitted the block stays, its text empty (claude-code#56356).
 */
export function contentBlocks(reply: PlannedReply, toolUseIds: string[], signature: string, omitThinking = false): unknown[] {
  const blocks: unknown[] = [];
  if (reply.reasoning) blocks.push({ type: 'thinking', thinking: omitThinking ? '' : reply.reasoning, signature });
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
  capabilities: null;
  line: null;
  lifecycle: 'active' | 'deprecated';
  deprecated_at: string | null;
  retires_at: string | null;
}

/** How a model behaves beyond its limits, kept apart from what /v1/models shows. */
export interface ModelTraits {
  /** The dated id the API names in its max_tokens refusal, where the model has one. */
  snapshot?: string;
  /**
   * Released after Claude Opus 4.6: temperature (other than 1) is refused ("`temperature` is
   * deprecated for this model.", inspect_ai#3721 for opus-4-7, pr-agent#2456 for opus-4-8;
   * platform docs via edsl#2458: only 1.0 accepted), and so is thinking.type "enabled"
   * (pi#3297, opencode#23007 for opus-4-7; Sonnet 5 "Manual extended thinking ... not supported",
   * docs.oxen.ai). Thinking text is omitted unless display is "summarized" (claude-code#56356,
   * quoting platform docs for Opus 4.7). For the 5.5 models this is ASSUMED from their docs'
   * "adaptive thinking with the effort parameter".
   */
  adaptiveOnly: boolean;
}

const model = (id: string, display_name: string, created_at: string, max_input_tokens: number, max_tokens: number, deprecation?: { at: string; retires: string }): ModelInfo => ({
  id,
  display_name,
  created_at,
  max_input_tokens,
  max_tokens,
  capabilities: null,
  line: null,
  lifecycle: deprecation ? 'deprecated' : 'active',
  deprecated_at: deprecation?.at ?? null,
  retires_at: deprecation?.retires ?? null,
});

/**
 * Appendix C's names, newest first, with the limits and release dates of the makers' pages:
 * platform.claude.com model overviews for haiku-5-5 (1M / 128K, 2026-10-07), sonnet-5
 * (1M / 128K, 2026-06-30) and sonnet-4-5 (200K / 64K, 2025-09-29, deprecated, retires
 * 2026-11-30); the Vertex and Bedrock model cards for opus-4-7 (1M / 128K, 2026-04-16); the
 * lineup tables for opus-5-5 and sonnet-5-5 (1M / 128K). sonnet-4-6's 128K output is quoted
 * from its overview page by two PRs (aws-solutions-library-samples#424, celeste-python#387).
 * ASSUMED: the release dates of opus-5-5 and sonnet-5-5 (no page found), sonnet-4-6's and
 * haiku-4-5's (kept from before). Lodestar's catalog states lower outputs for opus-4-7 (32K),
 * sonnet-4-6 and sonnet-5 (64K); the double follows the makers.
 */
export const ANTHROPIC_MODELS: readonly ModelInfo[] = [
  model('claude-haiku-5-5', 'Claude Haiku 5.5', '2026-10-07T00:00:00Z', 1_000_000, 128_000),
  model('claude-sonnet-5-5', 'Claude Sonnet 5.5', '2026-09-29T00:00:00Z', 1_000_000, 128_000),
  model('claude-opus-5-5', 'Claude Opus 5.5', '2026-09-01T00:00:00Z', 1_000_000, 128_000),
  model('claude-sonnet-5', 'Claude Sonnet 5', '2026-06-30T00:00:00Z', 1_000_000, 128_000),
  model('claude-opus-4-7', 'Claude Opus 4.7', '2026-04-16T00:00:00Z', 1_000_000, 128_000),
  model('claude-sonnet-4-6', 'Claude Sonnet 4.6', '2026-02-17T00:00:00Z', 1_000_000, 128_000),
  model('claude-haiku-4-5', 'Claude Haiku 4.5', '2025-10-15T00:00:00Z', 200_000, 64_000),
  model('claude-sonnet-4-5', 'Claude Sonnet 4.5', '2025-09-29T00:00:00Z', 200_000, 64_000, { at: '2026-05-30T00:00:00Z', retires: '2026-11-30T00:00:00Z' }),
];

const TRAITS: Readonly<Record<string, ModelTraits>> = {
  'claude-haiku-5-5': { adaptiveOnly: true },
  'claude-sonnet-5-5': { adaptiveOnly: true },
  'claude-opus-5-5': { adaptiveOnly: true },
  'claude-sonnet-5': { adaptiveOnly: true },
  'claude-opus-4-7': { adaptiveOnly: true },
  'claude-sonnet-4-6': { adaptiveOnly: false },
  'claude-haiku-4-5': { adaptiveOnly: false, snapshot: 'claude-haiku-4-5-20251001' },
  'claude-sonnet-4-5': { adaptiveOnly: false, snapshot: 'claude-sonnet-4-5-20250929' },
};

/** A model this double does not list: generous limits, the older sampling rules. */
const UNLISTED = { max_input_tokens: 10_000_000, max_tokens: 1_000_000 };

export function anthropicModel(id: string): { info: Pick<ModelInfo, 'max_input_tokens' | 'max_tokens'>; traits: ModelTraits } {
  const info = ANTHROPIC_MODELS.find((candidate) => candidate.id === id) ?? ANTHROPIC_MODELS.find((candidate) => TRAITS[candidate.id]?.snapshot === id);
  const traits = (info && TRAITS[info.id]) ?? { adaptiveOnly: false };
  return { info: info ?? UNLISTED, traits };
}

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
