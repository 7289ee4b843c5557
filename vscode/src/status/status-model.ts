import { formatMoney } from '../../../src/shared/format.js';
import type { TaskChoice } from '../../../src/shared/model-facts.js';
import type { BudgetStatus } from '../../../src/shared/report-facts.js';

/** What the status bar item shows, decided without the editor. */
export interface StatusView {
  text: string;
  tooltip: string;
  /** ok: plain; warning: a budget is near (80%) its limit; error: the daemon is down or a hard budget is reached. */
  level: 'ok' | 'warning' | 'error';
  /** The command a click runs. */
  command: 'lodestar.pickModel' | 'lodestar.startDaemon';
}

/** At this share of a budget the item turns to the warning colour (the daemon's first alert is at 80% too). */
export const NEAR_BUDGET = 0.8;

export interface StatusFacts {
  project: string;
  /** The edit task's choice for the project (GET /api/ui/models?project=P). */
  edit: TaskChoice | undefined;
  todaySpendUsd: number;
  /** GET /api/budget's budgets: the global ones and the project's own apply. */
  budgets: readonly BudgetStatus[];
  problem?: string;
}

/** "model · $0.42 today · $9.58 left", and why, as the status bar shows it. */
export function statusView(facts: StatusFacts): StatusView {
  const model = facts.edit?.chosen ?? facts.edit?.routerChoice ?? null;
  const budget = tightestBudget(facts.budgets, facts.project);
  const parts = [`$(compass) ${model ? shortModel(model) : 'no model'}`, `${formatMoney(facts.todaySpendUsd)} today`];
  if (budget) parts.push(`${formatMoney(Math.max(0, budget.left))} left`);
  const lines = [
    `Lodestar: project ${facts.project}`,
    model
      ? `Edits go to ${model} (${facts.edit?.chosen ? `your choice, set in the ${facts.edit.chosenFrom === 'project' ? "project's .lodestarrc" : 'global config'}` : "the router's pick"}).`
      : 'No model is available for edits: check the daemon (lodestar doctor).',
    `Spent today: ${formatMoney(facts.todaySpendUsd)}.`,
  ];
  if (budget) lines.push(`Budget: ${formatMoney(budget.status.spentUsd + budget.status.reservedUsd)} of ${formatMoney(budget.status.limitUsd)} (${budget.status.period}, ${budget.status.scope === 'all' ? 'all projects' : 'this project'}, ${budget.status.mode}); ${formatMoney(Math.max(0, budget.left))} left.`);
  if (facts.problem) lines.push(facts.problem);
  lines.push('Click to pick the model.');
  const reached = budget !== undefined && budget.status.reached && budget.status.mode === 'hard';
  const near = budget !== undefined && (budget.status.spentUsd + budget.status.reservedUsd) >= NEAR_BUDGET * budget.status.limitUsd;
  return { text: parts.join(' · '), tooltip: lines.join('\n'), level: reached ? 'error' : near ? 'warning' : 'ok', command: 'lodestar.pickModel' };
}

/** The item when the daemon can't be reached: red, and a click starts it. */
export function downView(reason: string): StatusView {
  return { text: '$(error) Lodestar: daemon down', tooltip: `Lodestar: ${reason}.\nClick to start the daemon (lodestar start).`, level: 'error', command: 'lodestar.startDaemon' };
}

/** The budget with the least left among those that apply to the project (global or its own). */
export function tightestBudget(budgets: readonly BudgetStatus[], project: string): { status: BudgetStatus; left: number } | undefined {
  let best: { status: BudgetStatus; left: number } | undefined;
  for (const status of budgets) {
    if (status.scope !== 'all' && status.scope !== project) continue;
    const left = status.limitUsd - status.spentUsd - status.reservedUsd;
    if (!best || left < best.left) best = { status, left };
  }
  return best;
}

/** "anthropic/claude-sonnet-5" -> "claude-sonnet-5": the status bar is narrow; the tooltip has it whole. */
export function shortModel(model: string): string {
  const slash = model.indexOf('/');
  return slash === -1 ? model : model.slice(slash + 1);
}
