import * as vscode from 'vscode';
import { formatMoney } from '../../../src/shared/format.js';
import { describeFileCost, fileBadge, periodLabel, type FileCost } from './file-costs.js';
import type { FileCostStore } from './file-cost-store.js';

/** A "$" badge on each file AI edits have cost something, the amount in its tooltip (a badge holds two characters). */
export function fileDecorations(store: FileCostStore): vscode.FileDecorationProvider {
  const changed = new vscode.EventEmitter<undefined>();
  store.onChange(() => changed.fire(undefined));
  return {
    onDidChangeFileDecorations: changed.event,
    provideFileDecoration(uri) {
      const cost = store.costOf(uri);
      if (!cost || cost.costUsd <= 0) return undefined;
      return new vscode.FileDecoration(fileBadge(cost), describeFileCost(cost, store.period), new vscode.ThemeColor('charts.yellow'));
    },
  };
}

/** A lens at the top of a file: what AI edits of it have cost, and a click opens the cost-by-file view. */
export function fileCostLens(store: FileCostStore): vscode.CodeLensProvider {
  const changed = new vscode.EventEmitter<void>();
  store.onChange(() => changed.fire());
  return {
    onDidChangeCodeLenses: changed.event,
    provideCodeLenses(document) {
      const cost = store.costOf(document.uri);
      if (!cost) return [];
      return [new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), { title: `$(pulse) Lodestar: ${describeFileCost(cost, store.period)}`, command: 'lodestar.fileCosts.focus' })];
    },
  };
}

/** "Lodestar: cost by file": the project's files by what AI edits of them cost, most first. */
export class FileCostTree implements vscode.TreeDataProvider<FileCost> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly store: FileCostStore) {
    store.onChange(() => this.changed.fire());
  }

  getChildren(element?: FileCost): FileCost[] {
    return element ? [] : this.store.costs;
  }

  getTreeItem(cost: FileCost): vscode.TreeItem {
    const uri = this.store.uriOf(cost);
    const item = new vscode.TreeItem(uri, vscode.TreeItemCollapsibleState.None);
    item.id = cost.path;
    item.label = cost.path;
    item.description = `${formatMoney(cost.costUsd)} · ${cost.requests} req`;
    item.tooltip = describeFileCost(cost, this.store.period);
    item.command = { command: 'vscode.open', title: 'Open', arguments: [uri] };
    return item;
  }

  /** The view's message: the period, and why it is empty. */
  message(connected: boolean): string {
    if (!connected) return 'The Lodestar daemon is down.';
    const total = this.store.costs.reduce((sum, cost) => sum + cost.costUsd, 0);
    return this.store.costs.length ? `${formatMoney(total)} on ${this.store.costs.length} file(s) ${periodLabel(this.store.period)}` : `No AI edits recorded ${periodLabel(this.store.period)}.`;
  }
}
