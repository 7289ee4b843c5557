import type { ProviderId } from '../shared/provider-ids.js';

/**
 * The models Lodestar knows by name, per provider, with their context windows. Any other id
 * of a configured provider still works when asked for by its full name ("openai/gpt-9"); the
 * catalog is what is listed, suggested, and routed to by the virtual models.
 */
export interface CatalogModel {
  provider: ProviderId;
  /** The upstream's own id. */
  model: string;
  /** Context window in tokens (input and output together, as the provider states it). */
  contextWindow: number;
  /** The most the model writes in one answer. */
  maxOutputTokens: number;
  /** Local models run on the user's GPU and cost nothing. */
  local: boolean;
}

export function modelId(provider: ProviderId, model: string): string {
  return `${provider}/${model}`;
}

const cloud = (provider: ProviderId, model: string, contextWindow: number, maxOutputTokens: number): CatalogModel => ({
  provider,
  model,
  contextWindow,
  maxOutputTokens,
  local: false,
});

const local = (model: string, contextWindow: number): CatalogModel => ({ provider: 'ollama', model, contextWindow, maxOutputTokens: contextWindow, local: true });

/** Sources: reference/providers.md sections 3 and 5, reference/ollama-gpu.md section 8. */
export const CATALOG: readonly CatalogModel[] = [
  cloud('anthropic', 'claude-sonnet-4-6', 1_000_000, 64_000),
  cloud('anthropic', 'claude-sonnet-4-5', 200_000, 64_000),
  cloud('anthropic', 'claude-sonnet-5', 1_000_000, 64_000),
  cloud('anthropic', 'claude-haiku-4-5', 200_000, 64_000),
  cloud('anthropic', 'claude-opus-4-7', 200_000, 32_000),
  cloud('openai', 'gpt-5', 400_000, 128_000),
  cloud('openai', 'gpt-5-mini', 400_000, 128_000),
  cloud('openai', 'gpt-5-nano', 400_000, 128_000),
  cloud('openai', 'gpt-4.1', 1_047_576, 32_768),
  cloud('openai', 'gpt-4.1-mini', 1_047_576, 32_768),
  cloud('openai', 'gpt-4o', 128_000, 16_384),
  cloud('openai', 'gpt-4o-mini', 128_000, 16_384),
  cloud('openai', 'o3', 200_000, 100_000),
  cloud('openai', 'o4-mini', 200_000, 100_000),
  cloud('deepseek', 'deepseek-flash', 1_000_000, 384_000),
  cloud('deepseek', 'deepseek-v4-pro', 1_000_000, 384_000),
  cloud('gemini', 'gemini-2.5-pro', 1_048_576, 65_536),
  cloud('gemini', 'gemini-2.5-flash', 1_048_576, 65_536),
  cloud('groq', 'llama-3.3-70b-versatile', 131_072, 32_768),
  cloud('groq', 'openai/gpt-oss-120b', 131_072, 65_536),
  cloud('groq', 'moonshotai/kimi-k2-instruct', 131_072, 16_384),
  cloud('mistral', 'codestral-latest', 256_000, 32_768),
  cloud('mistral', 'devstral-medium-latest', 128_000, 32_768),
  cloud('mistral', 'mistral-large-latest', 128_000, 32_768),
  cloud('openrouter', 'deepseek/deepseek-v3.2-exp', 163_840, 65_536),
  cloud('openrouter', 'moonshotai/kimi-k2', 131_072, 32_768),
  cloud('openrouter', 'anthropic/claude-sonnet-4.5', 1_000_000, 64_000),
  local('qwen2.5-coder:1.5b', 32_768),
  local('qwen2.5-coder:3b', 32_768),
  local('qwen2.5-coder:7b', 32_768),
  local('llama3.2:3b', 131_072),
  local('deepseek-coder:1.3b', 16_384),
];

const BY_ID = new Map(CATALOG.map((entry) => [modelId(entry.provider, entry.model), entry]));

export function catalogEntry(provider: ProviderId, model: string): CatalogModel | undefined {
  return BY_ID.get(modelId(provider, model));
}

/** Catalog entries whose upstream id is `model`, for requests that name no provider. */
export function findByBareName(model: string): CatalogModel[] {
  return CATALOG.filter((entry) => entry.model === model);
}
