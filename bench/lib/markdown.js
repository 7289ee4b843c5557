// Markdown helpers: tables, number formatting, and replacing one marked section of BENCHMARKS.md.

export function table(headers, rows, align = []) {
  const line = (cells) => `| ${cells.map((cell) => String(cell ?? '').replace(/\|/g, '\\|')).join(' | ')} |`;
  const rule = headers.map((_, index) => (align[index] === 'right' ? '---:' : align[index] === 'center' ? ':---:' : '---'));
  return [line(headers), `| ${rule.join(' | ')} |`, ...rows.map(line)].join('\n');
}

/** A plain-text table for the terminal, columns padded. */
export function textTable(headers, rows, align = []) {
  const cells = [headers, ...rows].map((row) => row.map((cell) => String(cell ?? '')));
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => row[column].length)));
  const pad = (text, column) => (align[column] === 'right' ? text.padStart(widths[column]) : text.padEnd(widths[column]));
  const render = (row) => row.map(pad).join('  ').trimEnd();
  return [render(cells[0]), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.slice(1).map(render)].join('\n');
}

export function fixed(value, digits = 3) {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

export function signed(value, digits = 3) {
  if (!Number.isFinite(value)) return 'n/a';
  return `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
}

export function integer(value) {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';
}

export function verdict(met) {
  if (met === undefined) return 'not measured';
  return met ? 'met' : 'NOT met';
}

export const FILE_HEADER = `# Benchmarks

Numbers measured on this project's development machine by \`npm run bench\` (bench/run.js). Each
section below is written by its benchmark between its markers; re-running a benchmark replaces
its own section only, and text outside the markers is kept.
`;

const markers = (id) => [`<!-- bench:${id}:start -->`, `<!-- bench:${id}:end -->`];

/**
 * The file's text with the section `id` replaced by `body` (markers included), or appended when
 * the file has no such section yet. `existing` undefined = a new file.
 */
export function replaceSection(existing, id, body) {
  const [start, end] = markers(id);
  const block = `${start}\n${body.trim()}\n${end}`;
  if (existing === undefined || !existing.trim()) return `${FILE_HEADER}\n${block}\n`;
  const from = existing.indexOf(start);
  const to = existing.indexOf(end);
  if (from !== -1 && to > from) return existing.slice(0, from) + block + existing.slice(to + end.length);
  // The same section written by hand, without markers: its heading up to the next "## ".
  const heading = body.trim().split('\n')[0];
  if (heading.startsWith('## ')) {
    const at = existing.split('\n').findIndex((line) => line.trim() === heading.trim());
    if (at !== -1) {
      const lines = existing.split('\n');
      let stop = lines.findIndex((line, index) => index > at && /^## /.test(line));
      if (stop === -1) stop = lines.length;
      return [...lines.slice(0, at), block, '', ...lines.slice(stop)].join('\n');
    }
  }
  return `${existing.replace(/\s*$/, '')}\n\n${block}\n`;
}
