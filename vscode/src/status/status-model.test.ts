import { describe, expect, it } from 'vitest';
import type { BudgetStatus } from '../../../src/shared/report-facts.js';
import { downView, statusView, tightestBudget } from './status-model.js';

const budget = (scope: string, period: 'monthly' | 'daily', limitUsd: number, spentUsd: number, mode: 'hard' | 'soft' = 'hard'): BudgetStatus => ({
  scope,
  period,
  periodKey: period === 'monthly' ? '2026-12' : '2026-12-07',
  limitUsd,
  mode,
  spentUsd,
  reservedUsd: 0,
  percent: (spentUsd / limitUsd) * 100,
  alertsFired: [],
  reached: spentUsd >= limitUsd,
});

const edit = { task: 'edit', floor: 60, chosen: null, chosenFrom: null, routerChoice: 'deepseek/deepseek-chat' };

describe('statusView', () => {
  it("shows the router's pick, today's spend and what is left of the tightest budget", () => {
    const view = statusView({ project: 'app', edit, todaySpendUsd: 0.42, budgets: [budget('all', 'monthly', 50, 10), budget('app', 'daily', 2, 0.42), budget('other', 'daily', 1, 0.99)] });
    expect(view.text).toBe('$(compass) deepseek-chat · $0.42 today · $1.58 left');
    expect(view.level).toBe('ok');
    expect(view.tooltip).toContain("Edits go to deepseek/deepseek-chat (the router's pick).");
    expect(view.tooltip).toContain('daily, this project, hard');
    expect(view.command).toBe('lodestar.pickModel');
  });

  it("names the project's own choice, and warns near a budget", () => {
    const view = statusView({ project: 'app', edit: { ...edit, chosen: 'openai/gpt-4o-mini', chosenFrom: 'project' }, todaySpendUsd: 8.5, budgets: [budget('all', 'daily', 10, 8.5, 'soft')] });
    expect(view.text).toBe('$(compass) gpt-4o-mini · $8.50 today · $1.50 left');
    expect(view.tooltip).toContain("your choice, set in the project's .lodestarrc");
    expect(view.level).toBe('warning');
  });

  it('turns red when a hard budget is reached, and leaves the budget out when there is none', () => {
    expect(statusView({ project: 'app', edit, todaySpendUsd: 3, budgets: [budget('app', 'daily', 2, 3)] })).toMatchObject({ level: 'error', text: '$(compass) deepseek-chat · $3.00 today · $0 left' });
    expect(statusView({ project: 'app', edit, todaySpendUsd: 0, budgets: [] }).text).toBe('$(compass) deepseek-chat · $0 today');
  });

  it('says the daemon is down, and a click starts it', () => {
    expect(downView('the daemon is not running')).toEqual({ text: '$(error) Lodestar: daemon down', tooltip: 'Lodestar: the daemon is not running.\nClick to start the daemon (lodestar start).', level: 'error', command: 'lodestar.startDaemon' });
  });

  it('picks the budget with the least left among the global ones and the project own', () => {
    expect(tightestBudget([budget('all', 'monthly', 100, 90), budget('app', 'daily', 20, 1)], 'app')?.left).toBe(10);
    expect(tightestBudget([budget('other', 'daily', 1, 1)], 'app')).toBeUndefined();
  });
});
