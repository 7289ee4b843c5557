import type { ModelRow } from '../../api.js';

export type SortKey = 'quality' | 'price' | 'context' | 'session';

export interface ModelFilter {
  text: string;
  availableOnly: boolean;
  /** all, only local models, or only paid ones. */
  kind: 'all' | 'local' | 'paid';
  fitsVram: boolean;
  sort: SortKey;
  descending: boolean;
}

export const DEFAULT_FILTER: ModelFilter = { text: '', availableOnly: true, kind: 'all', fitsVram: false, sort: 'quality', descending: true };

/** Input and output price per million tokens together: what one sorts "cheapest" by. */
const priceOf = (row: ModelRow): number | null => (row.price ? row.price.inputPerMTok + row.price.outputPerMTok : row.local ? 0 : null);

const SORT_VALUE: Record<SortKey, (row: ModelRow) => number | null> = {
  quality: (row) => row.quality,
  price: priceOf,
  context: (row) => row.contextWindow ?? null,
  session: (row) => row.sessionCostUsd,
};

export const fitsVram = (row: ModelRow): boolean => row.local && (row.loaded || row.fitsVram === true);

/** The rows the filter keeps, sorted; a row without the sorted value goes last either way. */
export function applyFilter(rows: readonly ModelRow[], filter: ModelFilter): ModelRow[] {
  const text = filter.text.trim().toLowerCase();
  const value = SORT_VALUE[filter.sort];
  return rows
    .filter(
      (row) =>
        (!text || row.id.toLowerCase().includes(text)) &&
        (!filter.availableOnly || row.available) &&
        (filter.kind === 'all' || (filter.kind === 'local') === row.local) &&
        (!filter.fitsVram || fitsVram(row)),
    )
    .sort((a, b) => {
      const x = value(a);
      const y = value(b);
      if (x === null || y === null) return x === y ? a.id.localeCompare(b.id) : x === null ? 1 : -1;
      return (filter.descending ? y - x : x - y) || a.id.localeCompare(b.id);
    });
}
