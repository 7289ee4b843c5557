import type { Rates } from './compute-cost.js';

/**
 * Lodestar's own prices, for models the bundled table lacks or prices wrongly
 * (reference/providers.md section 5, DeepSeek's pricing page checked 2026-11-15).
 * USD per million tokens.
 */
export interface OverridePrice {
  /** What the rates apply to, shown in reports. */
  matched: string;
  rates: Rates;
  /** Rates at peak hours, where the provider charges more then. */
  peak?: { rates: Rates; isPeak: (at: Date) => boolean };
}

/**
 * DeepSeek's peak: Monday to Friday, 01:00-04:00 and 06:00-10:00 UTC (Beijing 09-12, 14-18);
 * off-peak is half the peak price.
 */
export function isDeepSeekPeak(at: Date): boolean {
  const day = at.getUTCDay();
  if (day === 0 || day === 6) return false;
  const hour = at.getUTCHours();
  return (hour >= 1 && hour < 4) || (hour >= 6 && hour < 10);
}

const deepseekFlash: OverridePrice = {
  matched: 'deepseek-flash',
  rates: { inputPerMTok: 0.15, outputPerMTok: 0.6, cacheReadPerMTok: 0.003 },
  peak: { rates: { inputPerMTok: 0.3, outputPerMTok: 1.2, cacheReadPerMTok: 0.006 }, isPeak: isDeepSeekPeak },
};

export const PRICE_OVERRIDES: Readonly<Record<string, OverridePrice>> = {
  'deepseek/deepseek-flash': deepseekFlash,
  // Legacy names DeepSeek still accepts, all served (and billed) as V4.1 Flash.
  'deepseek/deepseek-v4-flash': deepseekFlash,
  'deepseek/deepseek-v4-pro': deepseekFlash,
  // Retired on 2026-07-24; Lodestar sends them as deepseek-flash.
  'deepseek/deepseek-chat': deepseekFlash,
  'deepseek/deepseek-reasoner': deepseekFlash,
};
