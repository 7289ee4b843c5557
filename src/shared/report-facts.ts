/**
 * What a report and a budget's status look like (`lodestar report --json`, GET /api/usage, GET
 * /api/budget): one definition for the ledger that computes them and the clients that read them
 * (the CLI, the dashboard, the web UI).
 */

/**
 * `file`: what AI edits of each file cost (rows keyed by the path relative to the project's
 * root, "<project>/<path>" without a project); its totals are those of the requests that edited
 * files, which the rows' costs add up to.
 */
export const GROUPS = ['model', 'provider', 'project', 'day', 'task', 'tool', 'arm', 'file'] as const;
export type GroupBy = (typeof GROUPS)[number];

export interface ReportTotals {
  requests: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  costUsd: number;
  baselineCostUsd: number;
  savedUsd: number;
  savedPercent: number;
  cacheHits: number;
  errors: number;
  /** Requests with no known price: not in costUsd, nor in the baseline it is compared with. */
  unpricedRequests: number;
  /** Requests priced by a loose match. */
  approximateRequests: number;
}

export interface ReportRow extends ReportTotals {
  key: string;
}

export interface Report {
  period: { from: string; to: string };
  timeZone: string;
  by: GroupBy;
  project: string | undefined;
  totals: ReportTotals;
  rows: ReportRow[];
  /** Which models had unknown or approximate prices in this period. */
  flags: { unpricedModels: string[]; approximateModels: string[] };
}

export type BudgetPeriod = 'monthly' | 'daily';
export type BudgetMode = 'hard' | 'soft';

export interface BudgetStatus {
  /** "all" for the global budgets, else the project's name. */
  scope: string;
  period: BudgetPeriod;
  /** "2026-11" or "2026-11-24", in the budgets' time zone. */
  periodKey: string;
  limitUsd: number;
  mode: BudgetMode;
  spentUsd: number;
  /** Estimates of paid requests in flight, not yet settled. */
  reservedUsd: number;
  percent: number;
  alertsFired: number[];
  reached: boolean;
}

export interface BudgetAlert {
  scope: string;
  period: BudgetPeriod;
  periodKey: string;
  threshold: number;
  spentUsd: number;
  limitUsd: number;
  mode: BudgetMode;
  message: string;
}
