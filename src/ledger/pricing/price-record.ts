/**
 * The rates an event was costed with, per million tokens, kept in the event so that a report
 * never re-prices history with a newer table.
 */
export interface PriceRecord {
  /** Where the rates came from. */
  source: 'genai-prices' | 'lodestar' | 'config' | 'local' | 'provider' | 'cache';
  /** The price table's id for the model (may differ from the id asked for). */
  matched: string;
  inputPerMTok: number;
  outputPerMTok: number;
  cacheReadPerMTok?: number;
  cacheWritePerMTok?: number;
  /** Found by a loose match (a near id), not an exact one or a dated snapshot. */
  approximate?: true;
}

export interface CostResult {
  /** Undefined when no price is known: never silently $0. */
  costUsd: number | undefined;
  price: PriceRecord | undefined;
}
