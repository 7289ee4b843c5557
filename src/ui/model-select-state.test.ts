import { describe, expect, it } from 'vitest';
import { selectorLines } from './model-select-lines.js';
import { describeOutcome, initialState, update, visibleRows, type Action, type KeyPress, type ModelRowView, type PreviewView, type SelectState, type TaskChoiceView } from './model-select-state.js';

function model(id: string, facts: Partial<ModelRowView> = {}): ModelRowView {
  return { id, local: false, available: true, contextWindow: 128_000, price: { inputPerMTok: 1, outputPerMTok: 2 }, quality: null, qualityKind: null, qualityError: null, tier: 'mid', sessionCostUsd: 0.5, loaded: false, ...facts };
}

const MODELS: ModelRowView[] = [
  model('anthropic/claude-sonnet-4-5', { quality: 78.4, qualityKind: 'calibrated', qualityError: 10.9, sessionCostUsd: 1.365, contextWindow: 200_000, price: { inputPerMTok: 3, outputPerMTok: 15 } }),
  model('deepseek/deepseek-flash', { quality: 70.2, qualityKind: 'lineage', sessionCostUsd: 0.06477, contextWindow: 1_000_000 }),
  model('openai/gpt-5', { quality: 86.7, qualityKind: 'measured', sessionCostUsd: 0.65575, contextWindow: 400_000 }),
  model('ollama/qwen2.5-coder:3b', { local: true, sessionCostUsd: 0, contextWindow: 8192, tier: 'small', loaded: true, price: { inputPerMTok: 0, outputPerMTok: 0 } }),
  model('gemini/gemini-2.5-pro', { available: false, unavailable: 'GEMINI_API_KEY is not set', quality: 79.1, qualityKind: 'lineage', sessionCostUsd: 0.65575, contextWindow: 1_048_576 }),
  model('mistral/devstral-medium-latest', { available: false, unavailable: 'MISTRAL_API_KEY is not set', quality: 73.6, sessionCostUsd: null, price: null }),
  model('openai/o4-mini', { sessionCostUsd: null, contextWindow: undefined }),
];

const TASKS: TaskChoiceView[] = [
  { task: 'commit', floor: 0, chosen: null, chosenFrom: null, routerChoice: 'ollama/qwen2.5-coder:3b' },
  { task: 'edit', floor: 70, chosen: 'anthropic/claude-sonnet-4-5', chosenFrom: 'project', routerChoice: 'deepseek/deepseek-flash' },
  { task: 'chat', floor: 0, chosen: null, chosenFrom: null, routerChoice: 'openai/gpt-5' },
];

const PREVIEW: PreviewView = {
  task: 'edit',
  floor: 70,
  model: 'openai/gpt-5',
  typicalSession: { costUsd: 0.9, baselineCostUsd: 1.2, requests: 40 },
  ranking: [
    { rank: 1, id: 'openai/gpt-5', why: 'chosen for edit (routing.taskModels)', estimatedCostUsd: 0.023, quality: 86.7 },
    { rank: 2, id: 'deepseek/deepseek-flash', why: 'eligible', estimatedCostUsd: 0.00228, quality: 70.2 },
  ],
  warnings: [],
};

/** The selector on `edit` for project shop (`project: ''`: the global settings), in a terminal of 30 rows. */
function start(options: { task?: string; project?: string; rows?: number } = {}): SelectState {
  return initialState({ tasks: TASKS, models: MODELS }, { task: options.task ?? 'edit', project: (options.project ?? 'shop') || undefined, terminalRows: options.rows ?? 30 });
}

/** Keys as Ink reports them: printable text, or a named key. */
function press(state: SelectState, ...keys: Array<string | KeyPress>): SelectState {
  return keys.reduce<SelectState>((current, key) => update(current, typeof key === 'string' ? { type: 'key', input: key, key: {} } : { type: 'key', input: '', key }), state);
}

const ctrl = (letter: string): Action => ({ type: 'key', input: letter, key: { ctrl: true } });
const ids = (state: SelectState): string[] => visibleRows(state).map((row) => row.id);

describe('the model list', () => {
  it('puts the available models first, cheapest typical session first, unknown costs last, then the unavailable ones', () => {
    expect(ids(start())).toEqual([
      'ollama/qwen2.5-coder:3b',
      'deepseek/deepseek-flash',
      'openai/gpt-5',
      'anthropic/claude-sonnet-4-5',
      'openai/o4-mini',
      'gemini/gemini-2.5-pro',
      'mistral/devstral-medium-latest',
    ]);
  });

  it('sorts by quality (best first) and by context window (largest first) on Ctrl-S, keeping the cursor on its model', () => {
    let state = start();
    expect(state.cursor).toBe('anthropic/claude-sonnet-4-5');
    state = update(state, ctrl('s'));
    expect(state.sort).toBe('quality');
    expect(ids(state)).toEqual(['openai/gpt-5', 'anthropic/claude-sonnet-4-5', 'deepseek/deepseek-flash', 'ollama/qwen2.5-coder:3b', 'openai/o4-mini', 'gemini/gemini-2.5-pro', 'mistral/devstral-medium-latest']);
    state = update(state, ctrl('s'));
    expect(state.sort).toBe('context');
    expect(ids(state).slice(0, 5)).toEqual(['deepseek/deepseek-flash', 'openai/gpt-5', 'anthropic/claude-sonnet-4-5', 'ollama/qwen2.5-coder:3b', 'openai/o4-mini']);
    expect(update(state, ctrl('s')).sort).toBe('cost');
    expect(state.cursor).toBe('anthropic/claude-sonnet-4-5');
  });

  it('filters by what is typed, every word somewhere in the id, any case; Backspace takes back a character', () => {
    let state = press(start(), 's', 'o', 'n', 'n', 'e', 't');
    expect(state.filter).toBe('sonnet');
    expect(ids(state)).toEqual(['anthropic/claude-sonnet-4-5']);
    state = press(state, { backspace: true }, { backspace: true }, { backspace: true }, { backspace: true }, { backspace: true }, { backspace: true });
    expect(state.filter).toBe('');
    expect(ids(state)).toHaveLength(MODELS.length);
    // A paste comes as one string; the letters that would be commands elsewhere (q, r, s) are text here.
    state = press(start(), 'OPENAI 5');
    expect(ids(state)).toEqual(['openai/gpt-5']);
    expect(press(start(), 'qwen').filter).toBe('qwen');
    expect(ids(press(start(), 'nothing-like-this'))).toEqual([]);
    expect(press(start(), { delete: true }).filter).toBe('');
  });

  it('keeps the cursor on its model while the filter lets it through, and moves it to the first row when not', () => {
    let state = press(start(), 'a');
    expect(state.cursor).toBe('anthropic/claude-sonnet-4-5');
    state = press(state, 'i');
    expect(ids(state)).toEqual(['openai/gpt-5', 'openai/o4-mini']);
    expect(state.cursor).toBe('openai/gpt-5');
    state = press(state, 'zz');
    expect(state.cursor).toBeUndefined();
    expect(update(state, { type: 'key', input: '', key: { return: true } }).phase).toEqual({ kind: 'browse' });
  });
});

describe('moving', () => {
  it('starts on the task given, with the cursor on what it uses now: its chosen model, else the router’s pick', () => {
    expect(start().cursor).toBe('anthropic/claude-sonnet-4-5');
    expect(start({ task: 'chat' }).cursor).toBe('openai/gpt-5');
    expect(start({ task: 'commit' }).taskIndex).toBe(0);
  });

  it('moves with the arrows, stops at the ends, and pages by the rows that fit, the window following the cursor', () => {
    // 10 rows of terminal: 3 of list.
    let state = start({ rows: 10 });
    expect(state.pageSize).toBe(3);
    expect(state).toMatchObject({ cursor: 'anthropic/claude-sonnet-4-5', top: 1 });
    state = press(state, { upArrow: true }, { upArrow: true }, { upArrow: true }, { upArrow: true });
    expect(state).toMatchObject({ cursor: 'ollama/qwen2.5-coder:3b', top: 0 });
    state = press(state, { pageDown: true });
    expect(state).toMatchObject({ cursor: 'anthropic/claude-sonnet-4-5', top: 1 });
    state = press(state, { pageDown: true }, { pageDown: true });
    expect(state).toMatchObject({ cursor: 'mistral/devstral-medium-latest', top: 4 });
    state = press(state, { downArrow: true });
    expect(state.cursor).toBe('mistral/devstral-medium-latest');
    state = press(state, { pageUp: true });
    expect(state).toMatchObject({ cursor: 'anthropic/claude-sonnet-4-5', top: 3 });
    state = press(state, { home: true });
    expect(state).toMatchObject({ cursor: 'ollama/qwen2.5-coder:3b', top: 0 });
    state = press(state, { end: true });
    expect(state).toMatchObject({ cursor: 'mistral/devstral-medium-latest', top: 4 });
  });

  it('fits the list to a resized terminal, the cursor still in sight', () => {
    let state = press(start({ rows: 30 }), { end: true });
    expect(state.top).toBe(0);
    state = update(state, { type: 'resize', rows: 10 });
    expect(state).toMatchObject({ pageSize: 3, top: 4, cursor: 'mistral/devstral-medium-latest' });
    expect(update(state, { type: 'resize', rows: 40 }).top).toBe(0);
  });

  it('cycles the task with Tab and Shift-Tab, and Right and Left, round the ends', () => {
    const state = start();
    expect(press(state, { tab: true }).taskIndex).toBe(2);
    expect(press(state, { tab: true }, { tab: true }).taskIndex).toBe(0);
    expect(press(state, { tab: true, shift: true }).taskIndex).toBe(0);
    expect(press(state, { leftArrow: true }, { leftArrow: true }).taskIndex).toBe(2);
    expect(press(state, { rightArrow: true }).taskIndex).toBe(2);
    // The cursor stays on its model: the list is the same whatever the task.
    expect(press(state, { tab: true }).cursor).toBe('anthropic/claude-sonnet-4-5');
  });
});

describe('choosing', () => {
  it('previews the model under the cursor on Enter, saves on y, and says where', () => {
    let state = press(start(), 'gpt-5', { return: true });
    expect(state.phase).toEqual({ kind: 'previewing', task: 'edit', model: 'openai/gpt-5' });
    // Keys wait while the daemon works out the preview.
    expect(press(state, 'y').phase.kind).toBe('previewing');
    state = update(state, { type: 'previewed', preview: PREVIEW });
    expect(state.phase).toEqual({ kind: 'confirm', preview: PREVIEW });
    state = press(state, 'y');
    expect(state.phase).toEqual({ kind: 'saving', preview: PREVIEW });
    // A save under way is not interrupted, not even by Ctrl-C.
    expect(update(state, ctrl('c')).phase.kind).toBe('saving');
    expect(press(state, { escape: true }).phase.kind).toBe('saving');
    const saved = { file: '/work/shop/.lodestarrc', task: 'edit', model: 'openai/gpt-5' };
    state = update(state, { type: 'saved', saved });
    expect(state.phase).toEqual({ kind: 'saved', saved });
    expect(describeOutcome({ kind: 'saved', saved }, 'shop')).toBe('Saved: edit -> openai/gpt-5 for project shop in /work/shop/.lodestarrc');
    expect(describeOutcome({ kind: 'saved', saved: { file: '/home/me/.lodestar/config.json', task: 'commit', model: null } }, undefined)).toBe(
      "Saved: commit -> the router's choice globally in /home/me/.lodestar/config.json",
    );
  });

  it("previews the router's own choice on Ctrl-R, and goes back to the list on n or Esc", () => {
    let state = update(start({ task: 'chat' }), ctrl('r'));
    expect(state.phase).toEqual({ kind: 'previewing', task: 'chat', model: null });
    state = update(state, { type: 'previewed', preview: { ...PREVIEW, task: 'chat', model: null } });
    expect(press(state, 'n').phase).toEqual({ kind: 'browse' });
    expect(press(state, { escape: true }).phase).toEqual({ kind: 'browse' });
    // Other keys do nothing there: typing is for the list.
    expect(press(state, 'x').phase.kind).toBe('confirm');
  });

  it('drops a preview that comes after Esc left it', () => {
    let state = press(start(), { return: true }, { escape: true });
    expect(state.phase).toEqual({ kind: 'browse' });
    state = update(state, { type: 'previewed', preview: PREVIEW });
    expect(state.phase).toEqual({ kind: 'browse' });
  });

  it('shows a failed preview or save in the list, until the next key', () => {
    let state = update(press(start(), { return: true }), { type: 'failed', message: 'no answer from the daemon within 30000 ms' });
    expect(state.phase).toEqual({ kind: 'browse', problem: 'no answer from the daemon within 30000 ms' });
    state = press(state, { downArrow: true });
    expect(state.phase).toEqual({ kind: 'browse' });
    state = update(state, { type: 'failed', message: 'late' });
    expect(state.phase).toEqual({ kind: 'browse' });
  });

  it('quits on Esc or Ctrl-C, changing nothing', () => {
    const quit = press(start(), 'son', { escape: true });
    expect(quit.phase).toEqual({ kind: 'quit' });
    expect(describeOutcome({ kind: 'quit' }, 'shop')).toBe('Nothing changed.');
    expect(update(start(), ctrl('c')).phase).toEqual({ kind: 'quit' });
    expect(update(update(start(), ctrl('r')), ctrl('c')).phase).toEqual({ kind: 'quit' });
  });
});

describe('the screen', () => {
  const text = (state: SelectState, width: number, height = 30): string[] => selectorLines(state, width, height).map((line) => line.text);
  /** A model's row: after the cursor and the mark, its id. */
  const rowOf = <T extends string | { text: string }>(lines: readonly T[], id: string): T | undefined =>
    lines.find((line) => (typeof line === 'string' ? line : line.text).slice(3).startsWith(`${id} `));

  it.each([80, 120])('fits %i columns: the task and scope, the floor, the choice and the router’s, then the models and the keys', (width) => {
    const lines = selectorLines(start(), width, 30);
    expect(lines.length).toBeLessThanOrEqual(29);
    for (const line of lines) expect(Array.from(line.text).length, line.text).toBeLessThanOrEqual(width);
    expect(lines[0]).toEqual({ text: 'Task: commit [edit] chat · project shop', bold: true });
    expect(lines[1]?.text).toBe(fit("Floor 70% · ● chosen: anthropic/claude-sonnet-4-5 (project) · ○ router's choice: deepseek/deepseek-flash", width));
    expect(lines[2]?.text).toBe('Filter: ▏ 7 of 7 models · sorted by cost');
    expect(lines.at(-1)?.text).toBe(fit("Enter choose · Esc quit · Tab ←→ task · ^S sort (cost) · ^R router's choice · ↑↓ PgUp PgDn move · type to filter", width));

    const row = (id: string) => rowOf(lines, id);
    expect(row('anthropic/claude-sonnet-4-5')).toMatchObject({ inverse: true });
    expect(row('anthropic/claude-sonnet-4-5')?.text).toMatch(/^›● anthropic\/claude-sonnet-4-5 +yes +78\.4%±10\.9 +(calibrated +)?3\/15 +200\.0k +\$1\.36$/);
    expect(row('deepseek/deepseek-flash')?.text).toMatch(/^ ○ deepseek\/deepseek-flash +yes +70\.2% /);
    expect(row('gemini/gemini-2.5-pro')).toMatchObject({ dim: true });
    expect(row('openai/gpt-5')).not.toHaveProperty('dim');
    expect(selectorLines(start({ project: '' }), width, 30)[0]?.text).toBe('Task: commit [edit] chat · global (config.json)');
  });

  it('gives way in a narrow terminal: first the reason a model is unavailable, then the evidence; the ids and numbers stay', () => {
    const wide = text(start(), 120);
    expect(wide[3]).toBe('   model                          available                         quality evidence   $/M in/out context session');
    expect(rowOf(wide, 'gemini/gemini-2.5-pro')).toBe('   gemini/gemini-2.5-pro          no: GEMINI_API_KEY is not set       79.1% lineage           1/2   1.05M $0.6558');
    expect(rowOf(wide, 'ollama/qwen2.5-coder:3b')).toBe('   ollama/qwen2.5-coder:3b        in VRAM                                 ? tier small       free   8.19k      $0');
    expect(rowOf(wide, 'mistral/devstral-medium-latest')).toBe('   mistral/devstral-medium-latest no: MISTRAL_API_KEY is not set      73.6% measured            ?  128.0k       ?');
    const narrow = text(start(), 80);
    expect(narrow[3]).toBe('   model                         available    quality $/M in/out context session');
    expect(rowOf(narrow, 'gemini/gemini-2.5-pro')).toBe('   gemini/gemini-2.5-pro         no: GEMI…      79.1%        1/2   1.05M $0.6558');
    expect(rowOf(narrow, 'anthropic/claude-sonnet-4-5')).toBe('›● anthropic/claude-sonnet-4-5   yes       78.4%±10.9       3/15  200.0k   $1.36');
  });

  it('shows as many rows as fit, and which', () => {
    const lines = text(start({ rows: 10 }), 120, 10);
    expect(lines).toHaveLength(9);
    expect(lines[2]).toContain('7 of 7 models, 2-4 shown');
    expect(lines.slice(4, 7).map((line) => line.match(/\S+\/\S+/)?.[0])).toEqual(['deepseek/deepseek-flash', 'openai/gpt-5', 'anthropic/claude-sonnet-4-5']);
    expect(text(press(start(), 'xyz'), 120)).toContain('No model id holds "xyz".');
  });

  it('previews a choice: the session against the baseline, the router’s first five, the warnings, then the question', () => {
    const warned = { ...PREVIEW, warnings: ['openai/gpt-5 is not available now (OPENAI_API_KEY is not set)'] };
    let state = update(press(start(), 'gpt-5', { return: true }), { type: 'previewed', preview: warned });
    const lines = selectorLines(state, 120, 30);
    const all = lines.map((line) => line.text);
    expect(all).toContain('edit -> openai/gpt-5 for project shop');
    expect(all).toContain('A typical Aider session (40 requests) would cost $0.90, against $1.20 on the baseline model.');
    expect(all.find((line) => line.startsWith('  1.'))).toMatch(/^ +1\. openai\/gpt-5 +\$0\.023 +86\.7% +chosen for edit \(routing\.taskModels\)$/);
    expect(lines.find((line) => line.text.startsWith('! '))).toEqual({ text: '! openai/gpt-5 is not available now (OPENAI_API_KEY is not set)', color: 'yellow' });
    expect(all.at(-1)).toBe('Save? y/n (n or Esc: back to the list)');
    // In a short terminal the question stays.
    expect(text(state, 120, 8).at(-1)).toBe('Save? y/n (n or Esc: back to the list)');
    state = press(state, 'y');
    expect(text(state, 120).at(-1)).toBe('Saving...');
    expect(text(update(start(), ctrl('r')), 120).at(-1)).toBe("Working out what edit -> the router's choice for project shop would do...");
    expect(selectorLines(press(start(), { escape: true }), 120, 30)).toEqual([]);
  });
});

function fit(line: string, width: number): string {
  return Array.from(line).length <= width ? line : `${Array.from(line).slice(0, width - 1).join('')}…`;
}
