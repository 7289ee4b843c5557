import * as vscode from 'vscode';
import type { TaskChoice } from '../../../src/shared/model-facts.js';
import type { BudgetStatus, Report } from '../../../src/shared/report-facts.js';
import type { Connection } from '../connection.js';
import { downView, statusView, type StatusView } from './status-model.js';

/** The status bar item's id: its DOM id is "lodestar.lodestar-vscode.lodestar.status". */
export const STATUS_ID = 'lodestar.status';

/**
 * The status bar item: the model the workspace's edits go to, today's spend for the project and
 * what is left of its budget, redrawn on each of the daemon's events (coalesced); red when the
 * daemon is down, with a click that starts it.
 */
export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(STATUS_ID, vscode.StatusBarAlignment.Left, 100);
  private timer: NodeJS.Timeout | undefined;
  private generation = 0;

  constructor(private readonly connection: Connection) {
    this.item.name = 'Lodestar';
    this.show(downView('looking for the daemon'));
    this.item.show();
  }

  /** Redraws soon: several events in a burst make one round of requests. */
  refreshSoon(delayMs = 150): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), delayMs);
  }

  async refresh(): Promise<void> {
    const generation = ++this.generation;
    const client = this.connection.client;
    if (!client) return this.show(downView(this.connection.downReason));
    const project = this.connection.project.name;
    try {
      const query = new URLSearchParams({ project });
      const [models, today, budget] = await Promise.all([
        client.call<{ tasks: TaskChoice[] }>(`/api/ui/models?${query}`),
        client.call<Report>(`/api/usage?day=&${query}`),
        client.call<{ budgets: BudgetStatus[] }>('/api/budget'),
      ]);
      if (generation !== this.generation) return;
      this.show(
        statusView({
          project,
          edit: models.tasks.find((task) => task.task === 'edit'),
          todaySpendUsd: today.totals.costUsd,
          budgets: budget.budgets,
          ...(this.connection.project.problem ? { problem: this.connection.project.problem } : {}),
        }),
      );
    } catch (error) {
      if (generation !== this.generation) return;
      if (!this.connection.client) return this.show(downView(this.connection.downReason));
      this.show({ text: '$(warning) Lodestar', tooltip: `Lodestar: ${(error as Error).message}`, level: 'warning', command: 'lodestar.pickModel' });
    }
  }

  private show(view: StatusView): void {
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.command = view.command;
    this.item.backgroundColor = view.level === 'ok' ? undefined : new vscode.ThemeColor(view.level === 'error' ? 'statusBarItem.errorBackground' : 'statusBarItem.warningBackground');
    this.item.accessibilityInformation = { label: `${view.text.replace(/\$\([a-z-]+\)\s*/g, '')}. ${view.tooltip}` };
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.item.dispose();
  }
}
