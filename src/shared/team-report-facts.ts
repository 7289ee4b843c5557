import type { ReportRow, ReportTotals } from './report-facts.js';

/**
 * What the team server's report looks like (GET /admin/report, `lodestar admin report --json`):
 * the local report's rows and totals (report-facts.ts), grouped by who sent the requests as well
 * as by what they asked for. One definition for the server that computes it and the CLI that
 * prints it.
 */
export const TEAM_GROUPS = ['user', 'team', 'key', 'model', 'project', 'day', 'tool'] as const;
export type TeamGroupBy = (typeof TEAM_GROUPS)[number];

/** The row of the events that have no value for the grouping: no owner, no model reached, no project. */
export const NO_GROUP = '(none)';

export interface TeamReportRow extends ReportRow {
  /**
   * By user, team or key: the id of the user, team or key (`key` is the email, the team's name,
   * or the key's prefix and id). Absent for the other groupings and for the row of NO_GROUP.
   */
  id?: string;
}

export interface TeamReport {
  period: { from: string; to: string };
  /** The days of the period and of `by day` are those of this time zone (the server's, unless asked). */
  timeZone: string;
  by: TeamGroupBy;
  project: string | undefined;
  /** The sums of every event of the period: the rows add up to them. */
  totals: ReportTotals;
  /** By spend, most first, NO_GROUP last; by day, in date order. */
  rows: TeamReportRow[];
  /** Models whose requests had no known price (their cost is not in costUsd), or a loosely matched one. */
  flags: { unpricedModels: string[]; approximateModels: string[] };
}
