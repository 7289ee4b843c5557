import { parseReportQuery, ReportQueryError, type ReportWords } from '../../ledger/report-query.js';
import { TEAM_GROUPS, type TeamGroupBy } from '../../shared/team-report-facts.js';
import type { TeamReportQuery } from './team-report.js';

/**
 * GET /admin/report's words: those of `lodestar report` and GET /api/usage (month, day, since,
 * until, project, timezone; `month` or `day` without a value is this month or today), with `by`
 * one of TEAM_GROUPS (default user). The period is this month in the server's time zone unless
 * told otherwise. A word it doesn't know, or one given twice, is a ReportQueryError naming it
 * rather than ignored: a typo must not quietly report another period.
 */
const WORDS = ['by', 'month', 'day', 'since', 'until', 'project', 'timezone'] as const;

export function teamReportQuery(search: URLSearchParams, serverTimeZone: string, now: Date = new Date()): TeamReportQuery {
  const words: ReportWords = {};
  for (const name of new Set(search.keys())) {
    if (!(WORDS as readonly string[]).includes(name)) throw new ReportQueryError(name, `unknown word ${JSON.stringify(name)}: the report takes ${WORDS.join(', ')}`);
    const values = search.getAll(name);
    if (values.length > 1) throw new ReportQueryError(name, `${name} is given ${values.length} times: give it once`);
    const value = values[0] as string;
    if (name === 'month' || name === 'day') words[name] = value === '' || value === 'true' ? true : value;
    else words[name as Exclude<(typeof WORDS)[number], 'month' | 'day'>] = value;
  }
  const by = (words.by ?? 'user') as TeamGroupBy;
  if (!TEAM_GROUPS.includes(by)) throw new ReportQueryError('by', `by must be one of ${TEAM_GROUPS.join(', ')}, got ${JSON.stringify(words.by)}`);
  if (words.project === '') throw new ReportQueryError('project', 'project must name a project');
  // The period's words as the local report reads them; `by` is ours.
  const period = parseReportQuery({ ...words, by: undefined }, now, serverTimeZone);
  // parseReportQuery checks the dates' shape; the database would refuse a 2026-02-30 with a 500.
  for (const word of ['day', 'since', 'until'] as const) {
    const value = words[word];
    if (typeof value === 'string' && !isCalendarDay(value)) throw new ReportQueryError(word, `${word} ${JSON.stringify(value)} is not a day of the calendar`);
  }
  return { from: period.from, to: period.to, timeZone: period.timeZone, by, ...(period.project === undefined ? {} : { project: period.project }) };
}

function isCalendarDay(day: string): boolean {
  const date = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === day;
}
