/** The model selector's screen as lines of text, from its state alone; ModelSelect.tsx only draws them. */
import { formatMoney, formatTokens } from '../shared/format.js';
import { formatPrice, formatQuality, qualityEvidence } from '../shared/model-cells.js';
import { currentTask, describeChoice, visibleRows, type ModelRowView, type PreviewView, type SelectState, type TaskChoiceView } from './model-select-state.js';

export interface Line {
  text: string;
  color?: 'yellow' | 'red' | 'cyan';
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
}

/** The whole screen for a terminal of `width` by `height`; no line longer than `width`. */
export function selectorLines(state: SelectState, width: number, height: number): Line[] {
  const { phase } = state;
  if (phase.kind === 'saved' || phase.kind === 'quit') return [];
  const lines = headerLines(state);
  if (phase.kind === 'browse') lines.push(...browseLines(state, width, phase.problem));
  else if (phase.kind === 'previewing') lines.push({ text: '' }, { text: `Working out what ${describeChoice(phase.task, phase.model, state.project)} would do...` });
  else lines.push(...previewLines(phase.preview, state.project, phase.kind === 'saving'));
  // One line spare (a full screen makes Ink clear it at each frame); what gives way is above the last line, the keys or the question.
  const room = Math.max(2, height - 1);
  const kept = lines.length > room ? [...lines.slice(0, room - 1), lines.at(-1) as Line] : lines;
  return kept.map((line) => ({ ...line, text: fit(line.text, width) }));
}

function headerLines(state: SelectState): Line[] {
  const task = currentTask(state);
  const tabs = state.tasks.map((choice, index) => (index === state.taskIndex ? `[${choice.task}]` : choice.task)).join(' ');
  const chosen = task?.chosen ? `${task.chosen}${task.chosenFrom ? ` (${task.chosenFrom})` : ''}` : 'none';
  return [
    { text: `Task: ${tabs} · ${state.project ? `project ${state.project}` : 'global (config.json)'}`, bold: true },
    { text: `${task?.floor ? `Floor ${task.floor}%` : 'No quality floor'} · ● chosen: ${chosen} · ○ router's choice: ${task?.routerChoice ?? 'none available'}` },
  ];
}

const COLUMNS = ['', 'model', 'available', 'quality', 'evidence', '$/M in/out', 'context', 'session'];
const RIGHT_ALIGNED = new Set([3, 5, 6, 7]);
/** The columns that give way, in this order, when the terminal is narrow: why a model is unavailable, the evidence (down to none), the id. */
const SHRINKS: Array<[column: number, minimum: number]> = [
  [2, 9],
  [4, 0],
  [1, 16],
];

function browseLines(state: SelectState, width: number, problem: string | undefined): Line[] {
  const rows = visibleRows(state);
  const task = currentTask(state);
  const shown = rows.slice(state.top, state.top + state.pageSize);
  const range = rows.length > shown.length ? `, ${state.top + 1}-${state.top + shown.length} shown` : '';
  const lines: Line[] = [{ text: `Filter: ${state.filter}▏ ${rows.length} of ${state.models.length} models${range} · sorted by ${state.sort}`, color: 'cyan' }];
  // Widths from every model, not the filtered ones: the columns stay put while the filter changes.
  const widths = columnWidths([COLUMNS, ...state.models.map((row) => rowCells(row, task, false))], width);
  lines.push({ text: layoutRow(COLUMNS, widths), bold: true });
  if (!rows.length) lines.push({ text: `No model id holds "${state.filter}".` });
  for (const row of shown) {
    const selected = row.id === state.cursor;
    lines.push({ text: layoutRow(rowCells(row, task, selected), widths), ...(selected ? { inverse: true } : {}), ...(row.available ? {} : { dim: true }) });
  }
  for (let filler = shown.length || 1; filler < state.pageSize; filler++) lines.push({ text: '' });
  lines.push(problem ? { text: problem, color: 'red' } : { text: '' });
  // The keys most needed first: a narrow terminal cuts the end.
  lines.push({ text: `Enter choose · Esc quit · Tab ←→ task · ^S sort (${state.sort}) · ^R router's choice · ↑↓ PgUp PgDn move · type to filter`, dim: true });
  return lines;
}

/** The cells of one model's row: cursor and mark, id, availability, quality and how it is known, price, context, typical-session cost. */
function rowCells(row: ModelRowView, task: TaskChoiceView | undefined, selected: boolean): string[] {
  const mark = row.id === task?.chosen ? '●' : row.id === task?.routerChoice ? '○' : ' ';
  const available = row.available ? (row.loaded ? 'in VRAM' : 'yes') : `no: ${row.unavailable ?? 'not available'}`;
  return [`${selected ? '›' : ' '}${mark}`, row.id, available, formatQuality(row), qualityEvidence(row), formatPrice(row), row.contextWindow === undefined ? '?' : formatTokens(row.contextWindow), row.sessionCostUsd === null ? '?' : formatMoney(row.sessionCostUsd)];
}

/** Each column as wide as its widest cell, then narrowed as SHRINKS says until the row fits; 0 drops a column. */
function columnWidths(table: readonly string[][], width: number): number[] {
  const widths = COLUMNS.map((_, column) => Math.max(...table.map((cells) => length(cells[column] ?? ''))));
  const used = (): number => widths.reduce((sum, each) => sum + each + (each ? 1 : 0), -1);
  for (const [column, minimum] of SHRINKS) {
    const excess = used() - width;
    if (excess > 0) widths[column] = Math.max(minimum, (widths[column] as number) - excess);
    // Narrower than a short word, a column says nothing: it goes, and its gap with it.
    if (minimum === 0 && (widths[column] as number) < 5) widths[column] = 0;
  }
  return widths;
}

function layoutRow(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .flatMap((cell, column) => {
      const size = widths[column] as number;
      if (!size) return [];
      const text = fit(cell, size);
      return [RIGHT_ALIGNED.has(column) ? text.padStart(size) : text.padEnd(size)];
    })
    .join(' ')
    .trimEnd();
}

const RANKED_ID = 30;

function previewLines(preview: PreviewView, project: string | undefined, saving: boolean): Line[] {
  const session = preview.typicalSession;
  const money = (value: number | null): string => (value === null ? 'unknown' : formatMoney(value));
  const lines: Line[] = [
    { text: '' },
    { text: describeChoice(preview.task, preview.model, project), bold: true },
    { text: `A typical Aider session (${session.requests} requests) would cost ${money(session.costUsd)}, against ${money(session.baselineCostUsd)} on the baseline model.` },
    { text: '' },
    { text: `The router's order for a typical ${preview.task} request, with this choice:` },
    { text: `   # ${'model'.padEnd(RANKED_ID)} ${'$/request'.padStart(9)} ${'quality'.padStart(7)}  why`, bold: true },
    ...preview.ranking.slice(0, 5).map((entry) => ({
      text: `  ${`${entry.rank}.`.padStart(2)} ${entry.id.padEnd(RANKED_ID)} ${(entry.estimatedCostUsd === null ? '?' : formatMoney(entry.estimatedCostUsd)).padStart(9)} ${(entry.quality === null ? '?' : `${entry.quality}%`).padStart(7)}  ${entry.why}`,
    })),
  ];
  if (!preview.ranking.length) lines.push({ text: '  No model available now can serve it.' });
  lines.push({ text: '' }, ...preview.warnings.map((warning) => ({ text: `! ${warning}`, color: 'yellow' as const })));
  lines.push(saving ? { text: 'Saving...' } : { text: 'Save? y/n (n or Esc: back to the list)', bold: true });
  return lines;
}

/** Characters, not UTF-16 units: "●" and "…" are one column each. */
function length(text: string): number {
  return Array.from(text).length;
}

function fit(text: string, width: number): string {
  const characters = Array.from(text);
  return characters.length <= width ? text : `${characters.slice(0, Math.max(0, width - 1)).join('')}…`;
}
