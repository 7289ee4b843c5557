import { anthropicModel } from './anthropic-wire.js';
import { isRecord } from './scenario.js';

/**
 * What the Messages API refuses before generating, in its own words: pydantic-style field
 * messages ("<path>: <what>") first, then the model's rules, then sizes. Messages without a
 * source are marked CONSTRUCTED.
 */

/**
 * Top-level fields: @anthropic-ai/sdk 1.12 MessageCreateParamsBase, plus temperature / top_p /
 * top_k (removed from the SDK's types, still taken by older models: 2.2), plus the beta fields
 * Claude Code sends with its beta headers (context_management, SDK BetaMessageCreateParams) and
 * the other beta body fields, accepted without checking the anthropic-beta header.
 */
const MESSAGE_FIELDS: ReadonlySet<string> = new Set([
  'model', 'messages', 'max_tokens', 'cache_control', 'container', 'diagnostics', 'inference_geo', 'metadata',
  'output_config', 'service_tier', 'speed', 'stop_sequences', 'stream', 'system', 'thinking', 'tool_choice', 'tools',
  'user_profile_id', 'workspace_id', 'temperature', 'top_p', 'top_k',
  'context_management', 'billing_policy', 'compaction', 'fallback_credit_token', 'fallbacks', 'mcp_servers', 'output_format', 'thread',
]);

const EFFORTS = ['low', 'medium', 'high', 'xhigh', 'max'];

/** Pydantic-style body checks, in the order the API reports them. */
/**
 * Body features a beta switches on (ASSUMED from Claude Code 2.1.337, which sends them by default
 * with these betas to Anthropic's own API: test/fixtures/claude/README.md): system turns in the
 * conversation, and the auto-mode safeguards field.
 */
const SYSTEM_TURNS_BETA = 'per-turn-control-2026-07-01';
const SAFEGUARDS_BETA = 'dangerous-tool-use-2026-09-03';

export function validateMessagesBody(body: unknown, countOnly: boolean, betas: readonly string[] = []): string | undefined {
  // CONSTRUCTED wording for an unparseable body.
  if (!isRecord(body)) return 'There was an error parsing the body of your request. Please check that it is valid JSON.';
  if (!countOnly && body.max_tokens === undefined) return 'max_tokens: Field required';
  if (!countOnly && (typeof body.max_tokens !== 'number' || !Number.isInteger(body.max_tokens) || body.max_tokens < 0)) {
    return 'max_tokens: Input should be a valid integer';
  }
  if (body.messages === undefined) return 'messages: Field required';
  if (!Array.isArray(body.messages)) return 'messages: Input should be a valid list';
  if (body.model === undefined) return 'model: Field required';
  if (typeof body.model !== 'string') return 'model: Input should be a valid string';
  for (const [index, message] of body.messages.entries()) {
    if (!isRecord(message)) return `messages.${index}: Input should be a valid dictionary`;
    // 2.2: "there is no "system" role for input messages".
    if (message.role === 'system' && !betas.includes(SYSTEM_TURNS_BETA)) {
      return 'messages: Unexpected role "system". The Messages API accepts a top-level `system` parameter, not "system" as an input message role.';
    }
    if (message.role !== 'user' && message.role !== 'assistant' && message.role !== 'system') return `messages.${index}.role: Input should be 'user' or 'assistant'`;
  }
  if (body.messages.length === 0) return 'messages: at least one message is required';
  if (!countOnly) {
    // "response_format: Extra inputs are not permitted" (oli#7), "extra_body: ..." (Aider#4404),
    // "context_management: ..." from gateways that lack it (9router#1468): the API's own wording.
    const extra = Object.keys(body).find((key) => !MESSAGE_FIELDS.has(key) && !(key === 'safeguards' && betas.includes(SAFEGUARDS_BETA)));
    if (extra !== undefined) return `${extra}: Extra inputs are not permitted`;
  }
  // 2.2: temperature ranges over 0..1 (OpenAI allows up to 2).
  if (typeof body.temperature === 'number' && body.temperature > 1) return 'temperature: Input should be less than or equal to 1';
  if (typeof body.temperature === 'number' && body.temperature < 0) return 'temperature: Input should be greater than or equal to 0';
  if (isRecord(body.output_config)) {
    const { effort, format } = body.output_config;
    // CONSTRUCTED in pydantic's words for a literal.
    if (effort !== undefined && effort !== null && !EFFORTS.includes(effort as string)) return "output_config.effort: Input should be 'low', 'medium', 'high', 'xhigh' or 'max'";
    if (isRecord(format) && format.type === 'json_schema' && !isRecord(format.schema)) return 'output_config.format.schema: Field required';
  }
  return undefined;
}

/** The model's own rules: sampling and thinking of the adaptive-only models, and max_tokens. */
export function modelRejection(body: Record<string, unknown>): string | undefined {
  const { info, traits } = anthropicModel(body.model as string);
  if (traits.adaptiveOnly) {
    if (typeof body.temperature === 'number' && body.temperature !== 1) return '`temperature` is deprecated for this model.';
    // CONSTRUCTED after the temperature wording: gateways strip top_p and top_k for Opus 4.7 too (new-api#4293).
    for (const field of ['top_p', 'top_k']) if (body[field] !== undefined && body[field] !== null) return `\`${field}\` is deprecated for this model.`;
    if (isRecord(body.thinking) && body.thinking.type === 'enabled') {
      return '"thinking.type.enabled" is not supported for this model. Use "thinking.type.adaptive" and "output_config.effort" to control thinking behavior.';
    }
  }
  const maxTokens = body.max_tokens as number;
  if (maxTokens > info.max_tokens) {
    // LiteLLM#15715, claude-code#24451, GitLab code-suggestions MR 3360.
    const named = traits.snapshot ?? (body.model as string);
    return `max_tokens: ${maxTokens} > ${info.max_tokens}, which is the maximum allowed number of output tokens for ${named}`;
  }
  return undefined;
}

/**
 * The window. An input over it: "prompt is too long: 208310 tokens > 200000 maximum"
 * (claude-code#12186, openclaw#16955). Input plus max_tokens over it is no error on Sonnet 4.5
 * and later models: the answer stops at the window with stop_reason
 * "model_context_window_exceeded" (SDK 1.12 StopReason; older models answered "input length and
 * `max_tokens` exceed context limit: ...", continue#6080).
 */
export function promptTooLong(model: string, inputTokens: number): string | undefined {
  const { info } = anthropicModel(model);
  return inputTokens > info.max_input_tokens ? `prompt is too long: ${inputTokens} tokens > ${info.max_input_tokens} maximum` : undefined;
}

/** Thinking shown or omitted: omitted when asked, and by default on the adaptive-only models. */
export function thinkingOmitted(body: Record<string, unknown>): boolean {
  const display = isRecord(body.thinking) ? body.thinking.display : undefined;
  if (display === 'omitted') return true;
  if (display === 'summarized') return false;
  return anthropicModel(body.model as string).traits.adaptiveOnly;
}
