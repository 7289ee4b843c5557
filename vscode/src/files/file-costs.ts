import { formatMoney } from '../../../src/shared/format.js';
import type { Report } from '../../../src/shared/report-facts.js';

export const PERIODS = ['today', 'week', 'month', 'last-month'] as const;
export type CostPeriod = (typeof PERIODS)[number];

export interface FileCost {
  /** Relative to the project's root, with "/" separators, as the ledger keeps it. */
  path: string;
  costUsd: number;
  requests: number;
}

/** The words of GET /api/usage for a period, in the user's local calendar. */
export function periodQuery(period: CostPeriod, now: Date = new Date()): Record<string, string> {
  const day = (date: Date): string => `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
  switch (period) {
    case 'today':
      return { day: day(now) };
    case 'week':
      return { since: day(new Date(now.getFullYear(), now.getMonth(), now.getDate() - 6)), until: day(now) };
    case 'month':
      return { month: day(now).slice(0, 7) };
    case 'last-month':
      return { month: day(new Date(now.getFullYear(), now.getMonth() - 1, 1)).slice(0, 7) };
  }
}

export function periodLabel(period: CostPeriod): string {
  return { today: 'today', week: 'in the last 7 days', month: 'this month', 'last-month': 'last month' }[period];
}

/** /api/usage?by=file&project=P rows, by path, most expensive first. */
export function fileCosts(report: Pick<Report, 'rows'>): FileCost[] {
  return report.rows
    .map((row) => ({ path: row.key, costUsd: row.costUsd, requests: row.requests }))
    .sort((a, b) => b.costUsd - a.costUsd || a.path.localeCompare(b.path));
}

/** "AI edits of this file: $0.42 this month (3 requests)". */
export function describeFileCost(cost: FileCost, period: CostPeriod): string {
  return `AI edits of this file: ${formatMoney(cost.costUsd)} ${periodLabel(period)} (${cost.requests} request${cost.requests === 1 ? '' : 's'})`;
}

/** The badge on a file: two characters at most (VS Code refuses more), so the amount goes in the tooltip. */
export function fileBadge(cost: FileCost): string {
  return cost.costUsd >= 1 ? '$$' : '$';
}
