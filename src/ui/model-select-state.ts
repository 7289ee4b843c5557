/**
 * The terminal model selector with no React in it: the daemon's model table and task choices,
 * the filter, the sort, the cursor, and where the choose, preview, confirm flow stands. Keys go
 * through `update`, a reducer; model-select-lines.ts turns the state into the screen's lines.
 */

import type { ChoicePreview, ModelRow, TaskChoice } from '../shared/model-facts.js';

// What the daemon's /api/ui/models endpoints answer (src/shared/model-facts.ts, src/web/API.md).
export type TaskChoiceView = TaskChoice;
export type ModelRowView = ModelRow;
export type PreviewView = ChoicePreview;

export interface SavedView {
  file: string;
  task: string;
  model: string | null;
}

export const SORTS = ['cost', 'quality', 'context'] as const;
export type SortKey = (typeof SORTS)[number];

export type Phase =
  | { kind: 'browse'; problem?: string }
  | { kind: 'previewing'; task: string; model: string | null }
  | { kind: 'confirm'; preview: PreviewView }
  | { kind: 'saving'; preview: PreviewView }
  | { kind: 'saved'; saved: SavedView }
  | { kind: 'quit' };

/** How the selector ended: what the command prints once Ink is gone. */
export type Outcome = Extract<Phase, { kind: 'saved' | 'quit' }>;

export interface SelectState {
  tasks: TaskChoiceView[];
  models: ModelRowView[];
  project: string | undefined;
  taskIndex: number;
  filter: string;
  sort: SortKey;
  /** The model under the cursor, by id, so that filtering and sorting keep it where they can. */
  cursor: string | undefined;
  /** The first row on screen, and how many rows fit. */
  top: number;
  pageSize: number;
  phase: Phase;
}

/** The keys as Ink's useInput reports them, those the selector reads. */
export interface KeyPress {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  return?: boolean;
  escape?: boolean;
  tab?: boolean;
  shift?: boolean;
  ctrl?: boolean;
  meta?: boolean;
  backspace?: boolean;
  delete?: boolean;
}

export type Action =
  | { type: 'key'; input: string; key: KeyPress }
  | { type: 'resize'; rows: number }
  | { type: 'previewed'; preview: PreviewView }
  | { type: 'saved'; saved: SavedView }
  | { type: 'failed'; message: string };

/** Lines around the list on the browse screen: two of header, filter, column names, status, keys, and one spare (a full screen makes Ink clear it at each frame). */
const CHROME_LINES = 7;

function listHeight(terminalRows: number): number {
  return Math.max(3, terminalRows - CHROME_LINES);
}

export function initialState(data: { tasks: TaskChoiceView[]; models: ModelRowView[] }, options: { task: string; project: string | undefined; terminalRows: number }): SelectState {
  const taskIndex = Math.max(0, data.tasks.findIndex((choice) => choice.task === options.task));
  const current = data.tasks[taskIndex];
  const state: SelectState = {
    tasks: data.tasks,
    models: data.models,
    project: options.project,
    taskIndex,
    filter: '',
    sort: 'cost',
    // The cursor starts on what the task uses now.
    cursor: current?.chosen ?? current?.routerChoice ?? undefined,
    top: 0,
    pageSize: listHeight(options.terminalRows),
    phase: { kind: 'browse' },
  };
  return follow(state);
}

export function currentTask(state: SelectState): TaskChoiceView | undefined {
  return state.tasks[state.taskIndex];
}

/** The models the filter lets through (every word of it in the id), available first, then by the sort. */
export function visibleRows(state: Pick<SelectState, 'models' | 'filter' | 'sort'>): ModelRowView[] {
  const words = state.filter.toLowerCase().split(/\s+/).filter(Boolean);
  const order = ORDERS[state.sort];
  return state.models
    .filter((row) => words.every((word) => row.id.toLowerCase().includes(word)))
    .sort((a, b) => Number(b.available) - Number(a.available) || order.reduce((found, compare) => found || compare(a, b), 0) || a.id.localeCompare(b.id));
}

type Compare = (a: ModelRowView, b: ModelRowView) => number;

/** Unknown values last, whichever the direction. */
function byNumber(value: (row: ModelRowView) => number | null | undefined, direction: 1 | -1): Compare {
  return (a, b) => {
    const left = value(a);
    const right = value(b);
    if (left === null || left === undefined) return right === null || right === undefined ? 0 : 1;
    if (right === null || right === undefined) return -1;
    return (left - right) * direction;
  };
}

const cheapest = byNumber((row) => row.sessionCostUsd, 1);
const best = byNumber((row) => row.quality, -1);
const ORDERS: Record<SortKey, Compare[]> = {
  cost: [cheapest, best],
  quality: [best, cheapest],
  context: [byNumber((row) => row.contextWindow, -1), cheapest],
};

export function update(state: SelectState, action: Action): SelectState {
  const { phase } = state;
  switch (action.type) {
    case 'resize':
      return follow({ ...state, pageSize: listHeight(action.rows) });
    case 'previewed':
      return phase.kind === 'previewing' ? { ...state, phase: { kind: 'confirm', preview: action.preview } } : state;
    case 'saved':
      return phase.kind === 'saving' ? { ...state, phase: { kind: 'saved', saved: action.saved } } : state;
    case 'failed':
      return phase.kind === 'previewing' || phase.kind === 'saving' ? { ...state, phase: { kind: 'browse', problem: action.message } } : state;
    case 'key':
      return onKey(state, action.input, action.key);
  }
}

function onKey(state: SelectState, input: string, key: KeyPress): SelectState {
  const { phase } = state;
  // A save under way is not interrupted: it takes a moment, and quitting would leave unsaid whether it happened.
  if (phase.kind === 'saving') return state;
  if (key.ctrl && input === 'c') return { ...state, phase: { kind: 'quit' } };
  if (phase.kind === 'browse') return browseKey(state, input, key);
  if (phase.kind === 'previewing') return key.escape ? { ...state, phase: { kind: 'browse' } } : state;
  if (phase.kind === 'confirm') {
    if (input === 'y' || input === 'Y') return { ...state, phase: { kind: 'saving', preview: phase.preview } };
    if (input === 'n' || input === 'N' || key.escape) return { ...state, phase: { kind: 'browse' } };
  }
  return state;
}

/**
 * Printable characters always go to the filter (model ids hold nearly every letter: "qwen",
 * "sonnet", "openrouter"...), so the commands are on keys no id can hold: arrows, Tab, Enter,
 * Esc, and Ctrl-S (sort), Ctrl-R (the router's choice).
 */
function browseKey(state: SelectState, input: string, key: KeyPress): SelectState {
  const rows = visibleRows(state);
  const index = rows.findIndex((row) => row.id === state.cursor);
  // Any key of the list clears the last problem shown.
  const calm: SelectState = { ...state, phase: { kind: 'browse' } };
  if (key.escape) return { ...state, phase: { kind: 'quit' } };
  if (key.upArrow) return moveTo(calm, rows, index - 1);
  if (key.downArrow) return moveTo(calm, rows, index + 1);
  if (key.pageUp) return moveTo(calm, rows, index - state.pageSize);
  if (key.pageDown) return moveTo(calm, rows, index + state.pageSize);
  if (key.home) return moveTo(calm, rows, 0);
  if (key.end) return moveTo(calm, rows, rows.length - 1);
  if (key.tab) return cycleTask(calm, key.shift ? -1 : 1);
  if (key.leftArrow) return cycleTask(calm, -1);
  if (key.rightArrow) return cycleTask(calm, 1);
  const task = currentTask(state)?.task;
  if (key.return) return state.cursor === undefined || task === undefined ? state : { ...state, phase: { kind: 'previewing', task, model: state.cursor } };
  if (key.ctrl && input === 'r') return task === undefined ? state : { ...state, phase: { kind: 'previewing', task, model: null } };
  if (key.ctrl && input === 's') return follow({ ...calm, sort: SORTS[(SORTS.indexOf(state.sort) + 1) % SORTS.length] as SortKey });
  if (key.backspace || key.delete) return refilter(calm, Array.from(state.filter).slice(0, -1).join(''));
  if (!key.ctrl && !key.meta && input && !/\p{Cc}/u.test(input)) return refilter(calm, state.filter + input);
  return state;
}

function moveTo(state: SelectState, rows: readonly ModelRowView[], index: number): SelectState {
  if (!rows.length) return state;
  return follow({ ...state, cursor: rows[Math.min(rows.length - 1, Math.max(0, index))]?.id });
}

function cycleTask(state: SelectState, step: 1 | -1): SelectState {
  const count = state.tasks.length;
  return count ? { ...state, taskIndex: (state.taskIndex + step + count) % count } : state;
}

function refilter(state: SelectState, filter: string): SelectState {
  return follow({ ...state, filter, top: 0 });
}

/** The cursor on a row that is shown (the first when its own is filtered out), and the window around it. */
function follow(state: SelectState): SelectState {
  const rows = visibleRows(state);
  const found = rows.findIndex((row) => row.id === state.cursor);
  const index = Math.max(0, found);
  let top = Math.min(state.top, Math.max(0, rows.length - state.pageSize));
  if (index < top) top = index;
  else if (index >= top + state.pageSize) top = index - state.pageSize + 1;
  return { ...state, cursor: found >= 0 ? state.cursor : rows[0]?.id, top };
}

/** "edit -> anthropic/claude-sonnet-4-5 for project shop" */
export function describeChoice(task: string, model: string | null, project: string | undefined): string {
  return `${task} -> ${model ?? "the router's choice"} ${project ? `for project ${project}` : 'globally'}`;
}

/** The one line the command prints once the selector is gone. */
export function describeOutcome(outcome: Outcome, project: string | undefined): string {
  if (outcome.kind === 'quit') return 'Nothing changed.';
  return `Saved: ${describeChoice(outcome.saved.task, outcome.saved.model, project)} in ${outcome.saved.file}`;
}
