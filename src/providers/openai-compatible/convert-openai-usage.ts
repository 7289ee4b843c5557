import { isNumber, type Usage } from '../spec/usage.js';

/**
 * OpenAI's usage object and its relatives into the one shape. prompt_tokens already includes
 * cached tokens, completion_tokens includes reasoning. DeepSeek reports cache hits as
 * prompt_cache_hit_tokens (prompt_tokens = hit + miss: never add them again); OpenRouter adds
 * `cost`; older Groq streams put usage under x_groq.usage.
 */
export function convertOpenAIUsage(raw: unknown): Usage | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const usage = raw as Record<string, unknown>;
  const promptDetails = (usage.prompt_tokens_details ?? undefined) as Record<string, unknown> | undefined;
  const completionDetails = (usage.completion_tokens_details ?? undefined) as Record<string, unknown> | undefined;
  const result: Usage = {};
  if (isNumber(usage.prompt_tokens)) result.inputTokens = usage.prompt_tokens;
  if (isNumber(usage.completion_tokens)) result.outputTokens = usage.completion_tokens;
  const cached = promptDetails?.cached_tokens;
  if (isNumber(cached)) result.cachedInputTokens = cached;
  else if (isNumber(usage.prompt_cache_hit_tokens)) result.cachedInputTokens = usage.prompt_cache_hit_tokens;
  if (isNumber(promptDetails?.cache_write_tokens)) result.cacheWriteTokens = promptDetails.cache_write_tokens as number;
  if (isNumber(completionDetails?.reasoning_tokens)) result.reasoningTokens = completionDetails.reasoning_tokens as number;
  if (isNumber(usage.cost)) result.providerCostUsd = usage.cost;
  return result;
}
