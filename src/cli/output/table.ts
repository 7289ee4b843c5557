/**
 * One table helper for every command that prints rows: columns sized to their content, numbers
 * right-aligned, and the widest flexible column trimmed to fit the terminal.
 */
export interface Column {
  header: string;
  align?: 'left' | 'right';
  /** May be shortened (with an ellipsis) when the table is too wide. */
  flexible?: boolean;
}

export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[], maxWidth = 120): string {
  const widths = columns.map((column, index) =>
    Math.max(visibleLength(column.header), ...rows.map((row) => visibleLength(row[index] ?? ''))),
  );
  const gap = 2;
  let total = widths.reduce((sum, width) => sum + width, 0) + gap * (columns.length - 1);
  while (total > maxWidth) {
    let widest = -1;
    columns.forEach((column, index) => {
      if (column.flexible && (widths[index] ?? 0) > 8 && (widest === -1 || (widths[index] ?? 0) > (widths[widest] ?? 0))) widest = index;
    });
    if (widest === -1) break;
    widths[widest] = (widths[widest] ?? 0) - 1;
    total--;
  }
  const format = (cells: readonly string[]): string =>
    cells
      .map((cell, index) => {
        const width = widths[index] ?? 0;
        const text = visibleLength(cell) > width ? `${cell.slice(0, Math.max(0, width - 1))}…` : cell;
        const pad = ' '.repeat(Math.max(0, width - visibleLength(text)));
        return columns[index]?.align === 'right' ? pad + text : text + pad;
      })
      .join(' '.repeat(gap))
      .trimEnd();
  const lines = [format(columns.map((column) => column.header)), format(widths.map((width) => '─'.repeat(width)))];
  for (const row of rows) lines.push(format(row));
  return lines.join('\n');
}

function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}
