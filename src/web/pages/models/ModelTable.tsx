import { formatMoney } from '../../../shared/format.js';
import type { ModelRow } from '../../api.js';
import { Badge, Empty } from '../../components/Status.js';
import { formatContext } from '../../format.js';
import type { ModelFilter, SortKey } from './filter.js';

interface Props {
  rows: ModelRow[];
  filter: ModelFilter;
  onSort: (sort: SortKey) => void;
  /** The candidate being previewed, the task's model now, and the router's pick for it. */
  selected: string | null | undefined;
  chosen: string | null;
  routerChoice: string | null;
  floor: number;
  /** The benchmark the quality column is on: the agent task's is SWE-bench Verified. */
  scale: string;
  onSelect: (id: string) => void;
}

function SortHeader({ label, sort, filter, onSort }: { label: string; sort: SortKey; filter: ModelFilter; onSort: (sort: SortKey) => void }) {
  const active = filter.sort === sort;
  return (
    <th scope="col" class="num" aria-sort={active ? (filter.descending ? 'descending' : 'ascending') : 'none'}>
      <button type="button" class={`sort${active ? ' active' : ''}`} data-testid={`sort-${sort}`} onClick={() => onSort(sort)}>
        {label}
        <span aria-hidden="true">{active ? (filter.descending ? ' ↓' : ' ↑') : ' ↕'}</span>
      </button>
    </th>
  );
}

function Quality({ row, floor }: { row: ModelRow; floor: number }) {
  if (row.quality === null) return <span class="muted">{row.tier ? `? (${row.tier})` : '?'}</span>;
  return (
    <span class={row.quality < floor ? 'warn-text' : undefined} title={row.qualitySource ?? undefined}>
      {row.quality}%{row.qualityError !== null && <span class="muted"> ±{row.qualityError}</span>}
      <span class="sub">{row.qualityKind ?? 'measured'}</span>
    </span>
  );
}

function Price({ row }: { row: ModelRow }) {
  if (!row.price) return <span class="muted">{row.local ? 'free' : 'unknown'}</span>;
  if (row.local && row.price.inputPerMTok === 0 && row.price.outputPerMTok === 0) return <>free</>;
  return (
    <>
      {formatMoney(row.price.inputPerMTok)} / {formatMoney(row.price.outputPerMTok)}
    </>
  );
}

function Vram({ row }: { row: ModelRow }) {
  if (!row.local) return <span class="muted">–</span>;
  if (row.loaded) return <Badge tone="good">in VRAM</Badge>;
  if (row.fitsVram === true) return <Badge tone="info">fits</Badge>;
  if (row.fitsVram === false) return <Badge tone="warn">too big</Badge>;
  return <span class="muted">unknown</span>;
}

/** Every model the router knows, as filtered and sorted; a click makes a row the candidate. */
export function ModelTable({ rows, filter, onSort, selected, chosen, routerChoice, floor, scale, onSelect }: Props) {
  if (rows.length === 0) return <Empty>No model matches these filters.</Empty>;
  return (
    <div class="table-wrap">
      <table class="table stack models">
        <thead>
          <tr>
            <th scope="col">Model</th>
            <SortHeader label={`Quality (${scale})`} sort="quality" filter={filter} onSort={onSort} />
            <SortHeader label="$/M in · out" sort="price" filter={filter} onSort={onSort} />
            <SortHeader label="Context" sort="context" filter={filter} onSort={onSort} />
            <th scope="col">VRAM</th>
            <SortHeader label="Session" sort="session" filter={filter} onSort={onSort} />
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr
              key={row.id}
              data-testid={`model-row-${row.id}`}
              class={`selectable${row.id === selected ? ' selected' : ''}${row.available ? '' : ' unavailable'}`}
              onClick={() => onSelect(row.id)}
            >
              <td data-label="Model" class="model-cell wide">
                {/* The row takes a click anywhere; the button is how a keyboard or a screen reader picks it. */}
                <button
                  type="button"
                  class="model-id row-select"
                  aria-pressed={row.id === selected}
                  onClick={(event) => {
                    event.stopPropagation();
                    onSelect(row.id);
                  }}
                >
                  {row.id}
                </button>
                <span class="model-meta">
                  <span class="muted">{row.provider}</span>
                  <Badge tone={row.local ? 'good' : 'muted'}>{row.local ? 'local' : 'paid'}</Badge>
                  {row.id === chosen && <Badge tone="info">chosen</Badge>}
                  {row.id === routerChoice && <Badge tone="info">router's pick</Badge>}
                  {!row.available && (
                    <Badge tone="bad" title={row.unavailable}>
                      unavailable
                    </Badge>
                  )}
                </span>
                {!row.available && row.unavailable && <span class="sub">{row.unavailable}</span>}
              </td>
              <td data-label="Quality" class="num">
                <Quality row={row} floor={floor} />
              </td>
              <td data-label="$/M in · out" class="num">
                <Price row={row} />
              </td>
              <td data-label="Context" class="num">
                {formatContext(row.contextWindow)}
              </td>
              <td data-label="VRAM">
                <Vram row={row} />
              </td>
              <td data-label="Session" class="num">
                {row.sessionCostUsd === null ? <span class="muted">?</span> : formatMoney(row.sessionCostUsd)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
