import type { ComponentChildren } from 'preact';
import { Card } from './Card.js';
import { Empty } from './Status.js';

export interface Column {
  label: string;
  /** Right-aligned, for figures. */
  num?: boolean;
  /** Left out on a phone. */
  hideNarrow?: boolean;
}

interface Props {
  title: string;
  testid?: string;
  class?: string;
  aside?: ComponentChildren;
  columns: readonly Column[];
  /** How many rows there are: with none, `empty` is shown instead of the table. */
  count: number;
  empty: ComponentChildren;
  /** The table's classes; by default one card per row on a phone. */
  tableClass?: string;
  /** The rows. */
  children: ComponentChildren;
}

/** A card holding one table (scrolling sideways when it must), or a line saying there is nothing to list. */
export function TableCard({ title, testid, class: extra, aside, columns, count, empty, tableClass = 'table stack', children }: Props) {
  return (
    <Card title={title} testid={testid} class={extra} aside={aside}>
      {count === 0 ? (
        <Empty>{empty}</Empty>
      ) : (
        <div class="table-wrap">
          <table class={tableClass}>
            <thead>
              <tr>
                {columns.map((column) => (
                  <th key={column.label} scope="col" class={[column.num ? 'num' : '', column.hideNarrow ? 'hide-narrow' : ''].filter(Boolean).join(' ') || undefined}>
                    {column.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>{children}</tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

/** A row's name with a bar beneath of its share (0 to 1) of the largest row. */
export function ShareCell({ label, share }: { label: ComponentChildren; share: number }) {
  return (
    <td class="key-cell">
      <span class="key-text">{label}</span>
      <span class="share" aria-hidden="true">
        <span class="share-fill" style={{ width: `${Math.max(0, Math.min(1, share)) * 100}%` }} />
      </span>
    </td>
  );
}
