import { relative, sep } from 'node:path';
import * as vscode from 'vscode';
import type { Report } from '../../../src/shared/report-facts.js';
import type { Connection } from '../connection.js';
import { readSettings } from '../settings.js';
import { fileCosts, periodQuery, type CostPeriod, type FileCost } from './file-costs.js';

/**
 * What AI edits of each file of the project have cost over the chosen period, from the daemon's
 * /api/usage?by=file (the ledger's own attribution), fetched again after each of the project's
 * requests. The badges, CodeLens and the cost-by-file view read it.
 */
export class FileCostStore implements vscode.Disposable {
  costs: FileCost[] = [];
  period: CostPeriod = 'month';
  private byPath = new Map<string, FileCost>();
  private readonly changes = new vscode.EventEmitter<void>();
  readonly onChange = this.changes.event;
  private timer: NodeJS.Timeout | undefined;
  private generation = 0;

  constructor(private readonly connection: Connection) {}

  refreshSoon(delayMs = 200): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), delayMs);
  }

  async refresh(): Promise<void> {
    const generation = ++this.generation;
    this.period = readSettings().costPeriod;
    const client = this.connection.client;
    let costs: FileCost[] = [];
    if (client) {
      const query = new URLSearchParams({ by: 'file', project: this.connection.project.name, ...periodQuery(this.period) });
      try {
        costs = fileCosts(await client.call<Report>(`/api/usage?${query}`));
      } catch {
        return; // keep what is shown; the status bar says what is wrong
      }
    }
    if (generation !== this.generation) return;
    this.costs = costs;
    this.byPath = new Map(costs.map((cost) => [cost.path, cost]));
    this.changes.fire();
  }

  /** A file's cost, when AI edits of it cost anything in the period. */
  costOf(uri: vscode.Uri): FileCost | undefined {
    if (uri.scheme !== 'file') return undefined;
    const path = relative(this.connection.project.root, uri.fsPath);
    if (path.startsWith('..') || path === '') return undefined;
    return this.byPath.get(path.split(sep).join('/'));
  }

  uriOf(cost: FileCost): vscode.Uri {
    return vscode.Uri.joinPath(vscode.Uri.file(this.connection.project.root), ...cost.path.split('/'));
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.changes.dispose();
  }
}
