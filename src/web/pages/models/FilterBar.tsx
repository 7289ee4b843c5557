import type { ModelFilter, SortKey } from './filter.js';

const SORTS: Array<{ value: string; label: string }> = [
  { value: 'quality:desc', label: 'Quality, best first' },
  { value: 'session:asc', label: 'Session cost, cheapest first' },
  { value: 'price:asc', label: 'Price, cheapest first' },
  { value: 'context:desc', label: 'Context, largest first' },
];

interface Props {
  filter: ModelFilter;
  onChange: (filter: ModelFilter) => void;
  shown: number;
  total: number;
}

function Toggle({ label, checked, testid, onChange }: { label: string; checked: boolean; testid: string; onChange: (checked: boolean) => void }) {
  return (
    <label class={`chip${checked ? ' on' : ''}`}>
      <input type="checkbox" checked={checked} data-testid={testid} onChange={(event) => onChange(event.currentTarget.checked)} />
      {label}
    </label>
  );
}

/** The model table's filters: a text match on the id and four toggles. */
export function FilterBar({ filter, onChange, shown, total }: Props) {
  const sort = `${filter.sort}:${filter.descending ? 'desc' : 'asc'}`;
  return (
    <div class="filter-bar">
      <label class="field search">
        <span class="sr-only">Filter models by id</span>
        <input type="search" placeholder="Filter by model id…" value={filter.text} data-testid="model-filter" onInput={(event) => onChange({ ...filter, text: event.currentTarget.value })} />
      </label>
      <div class="chips" role="group" aria-label="Show">
        <Toggle label="Available only" testid="filter-available" checked={filter.availableOnly} onChange={(availableOnly) => onChange({ ...filter, availableOnly })} />
        <Toggle label="Local only" testid="filter-local" checked={filter.kind === 'local'} onChange={(on) => onChange({ ...filter, kind: on ? 'local' : 'all' })} />
        <Toggle label="Paid only" testid="filter-paid" checked={filter.kind === 'paid'} onChange={(on) => onChange({ ...filter, kind: on ? 'paid' : 'all' })} />
        <Toggle label="Fits VRAM" testid="filter-fits-vram" checked={filter.fitsVram} onChange={(fitsVram) => onChange({ ...filter, fitsVram })} />
      </div>
      <label class="field sort-select" for="model-sort">
        <span>Sort</span>
        <select
          id="model-sort"
          value={sort}
          onChange={(event) => {
            const [key, direction] = event.currentTarget.value.split(':');
            onChange({ ...filter, sort: key as SortKey, descending: direction === 'desc' });
          }}
        >
          {SORTS.map((item) => (
            <option key={item.value} value={item.value}>
              {item.label}
            </option>
          ))}
          {!SORTS.some((item) => item.value === sort) && <option value={sort}>{`${filter.sort}, ${filter.descending ? 'largest' : 'smallest'} first`}</option>}
        </select>
      </label>
      <span class="muted count" role="status">
        {shown} of {total} models
      </span>
    </div>
  );
}
