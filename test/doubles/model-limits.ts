import type { OpenAIFlavor } from './openai-flavors.js';

/**
 * What each model a double serves can take and give: its context window (prompt and answer
 * together, as the maker states it) and its output limit. The values are Lodestar's catalog's
 * (src/router/catalog.ts) for the same ids, except where the maker's own wording gives a
 * different number; the comment then names the source. A model in no table gets a generous
 * default, so that an id a test makes up is never refused for its size.
 */
export interface ModelLimits {
  contextWindow: number;
  maxOutputTokens: number;
}

export const GENEROUS_LIMITS: ModelLimits = { contextWindow: 10_000_000, maxOutputTokens: 1_000_000 };

const limits = (contextWindow: number, maxOutputTokens: number): ModelLimits => ({ contextWindow, maxOutputTokens });

const TABLES: Readonly<Record<OpenAIFlavor, Readonly<Record<string, ModelLimits>>>> = {
  openai: {
    'gpt-4o': limits(128_000, 16_384),
    'gpt-4o-mini': limits(128_000, 16_384),
    'gpt-4.1': limits(1_047_576, 32_768),
    'gpt-4.1-mini': limits(1_047_576, 32_768),
    'gpt-5': limits(400_000, 128_000),
    'gpt-5-mini': limits(400_000, 128_000),
    'gpt-5-nano': limits(400_000, 128_000),
    o3: limits(200_000, 100_000),
    'o4-mini': limits(200_000, 100_000),
  },
  // DeepSeek's own numbers: "the valid range of max_tokens is [1, 393216]" (384K, kimi-code#509
  // and #2656, 2026) and a 1,048,576-token window (its Codex guide's models.json, responses-api.md
  // 6.2). The catalog rounds them down to 384,000 and 1,000,000.
  deepseek: {
    'deepseek-flash': limits(1_048_576, 393_216),
    'deepseek-v4-flash': limits(1_048_576, 393_216),
    'deepseek-v4-pro': limits(1_048_576, 393_216),
  },
  openrouter: {
    'openai/gpt-4o-mini': limits(128_000, 16_384),
    'anthropic/claude-sonnet-4.5': limits(1_000_000, 64_000),
    'anthropic/claude-sonnet-4.6': limits(1_000_000, 128_000),
    'deepseek/deepseek-flash': limits(1_048_576, 393_216),
    'deepseek/deepseek-v3.2-exp': limits(163_840, 65_536),
    'moonshotai/kimi-k2': limits(131_072, 32_768),
  },
  groq: {
    'llama-3.3-70b-versatile': limits(131_072, 32_768),
    'openai/gpt-oss-20b': limits(131_072, 65_536),
    'openai/gpt-oss-120b': limits(131_072, 65_536),
    'moonshotai/kimi-k2-instruct': limits(131_072, 16_384),
  },
  mistral: {
    'codestral-latest': limits(256_000, 32_768),
    'devstral-medium-latest': limits(256_000, 32_768),
    'mistral-large-latest': limits(128_000, 32_768),
  },
  gemini: {
    'gemini-2.5-flash': limits(1_048_576, 65_536),
    'gemini-2.5-pro': limits(1_048_576, 65_536),
  },
};

/** The limits of a model as the flavor's service knows it (Gemini's "models/" prefix ignored). */
export function limitsOf(flavor: OpenAIFlavor, model: string): ModelLimits {
  const id = flavor === 'gemini' ? model.replace(/^models\//, '') : model;
  return TABLES[flavor][id] ?? GENEROUS_LIMITS;
}

/** The models of the flavor's table, for a model list that states limits (OpenRouter's). */
export function tableOf(flavor: OpenAIFlavor): Readonly<Record<string, ModelLimits>> {
  return TABLES[flavor];
}

/**
 * OpenAI's reasoning models (GPT-5 and the o-series): they take reasoning_effort and
 * max_completion_tokens, and refuse max_tokens and a temperature other than 1. gpt-5-chat-*
 * is GPT-5 without reasoning.
 */
export function isOpenAIReasoningModel(model: string): boolean {
  return /^(gpt-5(?!-chat)|o\d)/.test(model);
}

/** Tokens by the doubles' convention: a quarter of the characters, rounded up. */
export function tokensOf(chars: number): number {
  return Math.ceil(chars / 4);
}
