import type { Usage } from '../../providers/spec/usage.js';

/** Rates per million tokens; a missing cache rate falls back to the input rate. */
export interface Rates {
  inputPerMTok: number;
  outputPerMTok: number;
  cacheReadPerMTok?: number;
  cacheWritePerMTok?: number;
}

/**
 * The cost of one request: uncached input at the input rate, cache reads and writes at their
 * own rates, output (reasoning included) at the output rate. Input counts include the cached
 * tokens (the normalized usage's convention), so they are taken out of the uncached part.
 * Undefined when the usage itself is unknown.
 */
export function computeCost(usage: Usage, rates: Rates): number | undefined {
  if (usage.inputTokens === undefined && usage.outputTokens === undefined) return undefined;
  const input = usage.inputTokens ?? 0;
  const read = usage.cachedInputTokens ?? 0;
  const write = usage.cacheWriteTokens ?? 0;
  const uncached = Math.max(0, input - read - write);
  const micro =
    uncached * rates.inputPerMTok +
    read * (rates.cacheReadPerMTok ?? rates.inputPerMTok) +
    write * (rates.cacheWritePerMTok ?? rates.inputPerMTok) +
    (usage.outputTokens ?? 0) * rates.outputPerMTok;
  return micro / 1_000_000;
}
