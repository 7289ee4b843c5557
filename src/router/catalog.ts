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
  /**
   * The model's class within its maker's line-up, as the maker positions it: what the router
   * goes by when no score, rule or calibration says how good it is (never instead of one).
   */
  tier: Tier;
}

import type { Tier } from '../shared/model-facts.js';

export type { Tier };

export const TIERS: readonly Tier[] = ['frontier', 'mid', 'small'];

export function modelId(provider: ProviderId, model: string): string {
  return `${provider}/${model}`;
}

const cloud = (provider: ProviderId, model: string, contextWindow: number, maxOutputTokens: number, tier: Tier): CatalogModel => ({
  provider,
  model,
  contextWindow,
  maxOutputTokens,
  local: false,
  tier,
});

const local = (model: string, contextWindow: number): CatalogModel => ({ provider: 'ollama', model, contextWindow, maxOutputTokens: contextWindow, local: true, tier: 'small' });

/**
 * Sources: reference/providers.md sections 3 and 5, reference/ollama-gpu.md section 8; the
 * Anthropic models' limits from their makers' pages (platform.claude.com model overviews, the
 * Vertex and Bedrock model cards: 128K out for Sonnet 4.6, Sonnet 5 and Opus 4.7, whose window
 * is 1M), DeepSeek's from its own errors and Codex guide (1,048,576 in, 393,216 out), as
 * test/doubles/model-limits.ts and anthropic-wire.ts cite them.
 */
export const CATALOG: readonly CatalogModel[] = [
  cloud('anthropic', 'claude-sonnet-4-6', 1_000_000, 128_000, 'frontier'),
  cloud('anthropic', 'claude-sonnet-4-5', 200_000, 64_000, 'frontier'),
  cloud('anthropic', 'claude-sonnet-5', 1_000_000, 128_000, 'frontier'),
  cloud('anthropic', 'claude-haiku-4-5', 200_000, 64_000, 'mid'),
  cloud('anthropic', 'claude-opus-4-7', 1_000_000, 128_000, 'frontier'),
  cloud('openai', 'gpt-5', 400_000, 128_000, 'frontier'),
  cloud('openai', 'gpt-5-mini', 400_000, 128_000, 'mid'),
  cloud('openai', 'gpt-5-nano', 400_000, 128_000, 'small'),
  cloud('openai', 'gpt-4.1', 1_047_576, 32_768, 'mid'),
  cloud('openai', 'gpt-4.1-mini', 1_047_576, 32_768, 'small'),
  cloud('openai', 'gpt-4o', 128_000, 16_384, 'mid'),
  cloud('openai', 'gpt-4o-mini', 128_000, 16_384, 'small'),
  cloud('openai', 'o3', 200_000, 100_000, 'frontier'),
  cloud('openai', 'o4-mini', 200_000, 100_000, 'mid'),
  cloud('deepseek', 'deepseek-flash', 1_048_576, 393_216, 'frontier'),
  cloud('deepseek', 'deepseek-v4-pro', 1_048_576, 393_216, 'frontier'),
  cloud('gemini', 'gemini-2.5-pro', 1_048_576, 65_536, 'frontier'),
  cloud('gemini', 'gemini-2.5-flash', 1_048_576, 65_536, 'mid'),
  cloud('groq', 'llama-3.3-70b-versatile', 131_072, 32_768, 'mid'),
  cloud('groq', 'openai/gpt-oss-120b', 131_072, 65_536, 'mid'),
  cloud('groq', 'moonshotai/kimi-k2-instruct', 131_072, 16_384, 'frontier'),
  cloud('mistral', 'codestral-latest', 256_000, 32_768, 'small'),
  cloud('mistral', 'devstral-medium-latest', 256_000, 32_768, 'frontier'),
  cloud('mistral', 'mistral-large-latest', 128_000, 32_768, 'frontier'),
  cloud('openrouter', 'deepseek/deepseek-v3.2-exp', 163_840, 65_536, 'frontier'),
  cloud('openrouter', 'moonshotai/kimi-k2', 131_072, 32_768, 'frontier'),
  cloud('openrouter', 'anthropic/claude-sonnet-4.5', 1_000_000, 64_000, 'frontier'),
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

/**
 * Whether a model reasons before it answers (takes reasoning_effort or a thinking switch): the
 * model lines that do, as their makers document them (OpenAI's gpt-5 and o-series, DeepSeek's
 * current models in thinking mode, Gemini 2.5 and later, gpt-oss). A translated request with
 * thinking on keeps it only for these; the others would refuse the field or ignore it.
 */
export function reasons(id: string): boolean {
  return /^(openai\/(gpt-5|o\d)|deepseek\/|gemini\/gemini-(2\.5|[3-9])|groq\/openai\/gpt-oss|openrouter\/(openai\/(gpt-5|o\d|gpt-oss)|deepseek\/|google\/gemini-(2\.5|[3-9])))/.test(id);
}

/** What a request needs of a model besides a window: to read images, to call tools. */
export interface Needs {
  images?: boolean;
  tools?: boolean;
}

/**
 * What a model can't do, as far as its maker documents it; undefined means it can, or nobody
 * knows (then it is not held against it). Text-only lines: DeepSeek's API, the Groq and
 * OpenRouter models of text-only makers (Llama 3.3, gpt-oss, Kimi K2, DeepSeek), Mistral's code
 * models; local models read images only when they are vision models by name (llava, -vl, ...).
 * Tools: the local code-completion families that have no tool template in Ollama.
 */
export function capabilities(id: string): { vision?: false; tools?: false } {
  const local = id.startsWith('ollama/');
  const vision = local
    ? /(llava|vision|-vl\b|vl:|gemma3|minicpm-v|moondream)/.test(id)
    : !/^(deepseek\/|groq\/(llama-3\.3|openai\/gpt-oss|moonshotai\/kimi)|mistral\/(codestral|devstral)|openrouter\/(deepseek|moonshotai)\/)/.test(id);
  const tools = !(local && /^ollama\/(deepseek-coder|codellama|starcoder|codegemma|phi)/.test(id));
  return { ...(vision ? {} : { vision: false }), ...(tools ? {} : { tools: false }) };
}
