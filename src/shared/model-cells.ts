import type { ModelRow } from './model-facts.js';

/**
 * A model's facts as one short cell each: the terminal selector and the VS Code extension's
 * Quick Pick show them alike.
 */

/** "70.2%", "78.4%±10.9" for a calibrated score (its typical error), "?" when unknown. */
export function formatQuality(row: Pick<ModelRow, 'quality' | 'qualityError'>): string {
  if (row.quality === null) return '?';
  return `${row.quality}%${row.qualityError === null ? '' : `±${row.qualityError}`}`;
}

/** How the score is known; for an unknown one, the tier the router goes by. */
export function qualityEvidence(row: Pick<ModelRow, 'quality' | 'qualityKind' | 'tier'>): string {
  if (row.quality === null) return row.tier ? `tier ${row.tier}` : '';
  return row.qualityKind ?? 'measured';
}

/** "3/15" (USD per million tokens in and out), "free", "?" when unknown. */
export function formatPrice(row: Pick<ModelRow, 'price'>): string {
  if (!row.price) return '?';
  if (row.price.inputPerMTok === 0 && row.price.outputPerMTok === 0) return 'free';
  return `${row.price.inputPerMTok}/${row.price.outputPerMTok}`;
}
