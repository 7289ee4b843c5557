import type { Tier } from './catalog.js';
import type { Task } from './classify-task.js';
import { TYPICAL_OUTPUT_TOKENS } from './rank.js';

/** Where a model's limits were learned: Lodestar's catalog, the user's config, the provider's own model list, Ollama's num_ctx, or a default by tier. */
export type LimitsSource = 'catalog' | 'config' | 'provider' | 'local' | 'default';

export interface ModelLimits {
  /** Input and output together, in tokens. */
  contextWindow: number;
  /** The most the model writes in one answer. */
  maxOutputTokens: number;
  source: LimitsSource;
}

/**
 * What a model of a tier is assumed to hold when nothing says: below what every current model
 * of that class takes (frontier models give 32K or more and read 200K, mid ones 16K of 128K,
 * small ones 8K of 32K), so that a request sent on the assumption is never refused for it.
 */
export const DEFAULT_LIMITS: Readonly<Record<Tier | 'none', { contextWindow: number; maxOutputTokens: number }>> = {
  frontier: { contextWindow: 200_000, maxOutputTokens: 32_000 },
  mid: { contextWindow: 128_000, maxOutputTokens: 16_384 },
  small: { contextWindow: 32_768, maxOutputTokens: 8_192 },
  none: { contextWindow: 32_768, maxOutputTokens: 8_192 },
};

/** The output a request is routed for: what its task typically needs, never more than it asked (max_tokens is a ceiling, not a need). */
export function routingOutputTokens(asked: number | null | undefined, task: Task): number {
  const typical = TYPICAL_OUTPUT_TOKENS[task];
  return typeof asked === 'number' && asked < typical ? asked : typical;
}

export interface OutputCeiling {
  /** What the upstream is asked for. */
  maxTokens: number;
  /** What lowered it below the client's ask. */
  by: 'output-limit' | 'window';
}

/**
 * What to ask a model for, when the client asked for `asked`: at most the model's output limit,
 * and at most what its window leaves after the prompt. Undefined when the ask stands as it is
 * (or there is none: the upstream's own default applies). A prompt that leaves no room at all
 * is not the ceiling's to hide: the ask is cut to the output limit only, and the upstream says
 * the prompt is too long, which is the truth.
 */
export function outputCeiling(limits: Pick<ModelLimits, 'contextWindow' | 'maxOutputTokens'>, asked: number | null | undefined, promptTokens: number): OutputCeiling | undefined {
  if (typeof asked !== 'number') return undefined;
  const room = limits.contextWindow - promptTokens;
  if (room >= 1 && room < limits.maxOutputTokens && asked > room) return { maxTokens: room, by: 'window' };
  if (asked > limits.maxOutputTokens) return { maxTokens: limits.maxOutputTokens, by: 'output-limit' };
  return undefined;
}
