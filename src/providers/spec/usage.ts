/**
 * Token usage in one shape for every provider. Input counts everything the model read,
 * cache reads and writes included (OpenAI's convention); output counts everything it wrote,
 * reasoning included. A count the upstream did not report stays undefined, never 0: the
 * ledger must be able to tell "none" from "unknown".
 */
export interface Usage {
  inputTokens?: number;
  /** Of inputTokens, read from the provider's prompt cache. */
  cachedInputTokens?: number;
  /** Of inputTokens, written to the provider's prompt cache. */
  cacheWriteTokens?: number;
  outputTokens?: number;
  /** Of outputTokens, spent on reasoning. */
  reasoningTokens?: number;
  /** What the provider itself says the request cost (OpenRouter), in USD. */
  providerCostUsd?: number;
}

export function emptyUsage(): Usage {
  return {};
}

/** OpenAI's wire shape of a usage object, as a client sees it. */
export function toOpenAIUsage(usage: Usage): Record<string, unknown> {
  const prompt = usage.inputTokens ?? 0;
  const completion = usage.outputTokens ?? 0;
  const wire: Record<string, unknown> = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  if (usage.cachedInputTokens !== undefined || usage.cacheWriteTokens !== undefined) {
    wire.prompt_tokens_details = {
      cached_tokens: usage.cachedInputTokens ?? 0,
      ...(usage.cacheWriteTokens !== undefined ? { cache_write_tokens: usage.cacheWriteTokens } : {}),
    };
  }
  if (usage.reasoningTokens !== undefined) wire.completion_tokens_details = { reasoning_tokens: usage.reasoningTokens };
  return wire;
}

export function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
