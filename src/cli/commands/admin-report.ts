import type { Command } from 'commander';
import { parseReportQuery, ReportQueryError } from '../../ledger/report-query.js';
import { UsageError } from '../../shared/errors.js';
import { formatMoney, formatTokens, savings } from '../../shared/format.js';
import { TEAM_GROUPS, type TeamReport, type TeamReportRow, type TeamGroupBy } from '../../shared/team-report-facts.js';
import type { CliContext } from '../context.js';
import { renderTable } from '../output/table.js';
import { callServer } from '../server-client.js';
import type { AdminWork, Common } from './admin.js';

interface ReportFlags extends Common {
  by?: string;
  month?: string | boolean;
  day?: string | boolean;
  since?: string;
  until?: string;
  project?: string;
  timezone?: string;
  csv?: boolean;
}

/**
 * `lodestar admin report`: the team server's spend by user, team, key, model, project, day or
 * tool (GET /admin/report), printed as `lodestar report` prints the local one. The flags are
 * checked here (exit 2 naming the flag) and sent as they were given: the server's time zone
 * decides what "this month" is.
 */
export function registerAdminReport(admin: Command, context: CliContext, helpers: { flags: (command: Command) => Command; run: (work: AdminWork) => (...args: unknown[]) => Promise<void> }): void {
  const { output } = context;
  helpers
    .flags(admin.command('report').description("the team's spend, tokens and savings, from the server's ledger"))
    .option('--by <group>', `group rows by ${TEAM_GROUPS.join(', ')}`, 'user')
    .option('--month [YYYY-MM]', "a calendar month (default: this month, in the server's time zone)")
    .option('--day [YYYY-MM-DD]', 'one day (default: today)')
    .option('--since <YYYY-MM-DD>', 'from this day')
    .option('--until <YYYY-MM-DD>', 'to this day, inclusive (default: today)')
    .option('--project <name>', 'only this project')
    .option('--timezone <zone>', "days in this IANA time zone (default: the server's, LODESTAR_TIMEZONE or UTC)")
    .option('--csv', 'print CSV only')
    .action(
      helpers.run(async (target, options) => {
        const flags = options as ReportFlags;
        const search = reportSearch(flags);
        const report = (await callServer(target, 'GET', `/admin/report?${search}`)) as unknown as TeamReport;
        if (flags.json) return output.json(report);
        if (flags.csv) return output.line(teamReportCsv(report));
        for (const line of describeTeamReport(report, output.isTTY ? output.columns : 160)) output.line(line);
      }),
    );
}

/** The flags as GET /admin/report's words, once checked; a wrong one is a usage error naming it. */
export function reportSearch(flags: ReportFlags): URLSearchParams {
  if (flags.json && flags.csv) throw new UsageError('choose one of --json and --csv');
  const by = flags.by ?? 'user';
  if (!TEAM_GROUPS.includes(by as TeamGroupBy)) throw new UsageError(`--by must be one of ${TEAM_GROUPS.join(', ')}, got ${JSON.stringify(by)}`);
  try {
    // For its checks alone: the server reckons the period in its own time zone.
    parseReportQuery({ month: flags.month, day: flags.day, since: flags.since, until: flags.until, timezone: flags.timezone });
  } catch (error) {
    if (error instanceof ReportQueryError) throw new UsageError(error.message);
    throw error;
  }
  const search = new URLSearchParams({ by });
  for (const word of ['month', 'day', 'since', 'until', 'project', 'timezone'] as const) {
    const value = flags[word];
    if (value !== undefined && value !== false) search.set(word, value === true ? '' : value);
  }
  return search;
}

const COLUMNS: Array<{ header: string; value: (row: TeamReportRow) => string }> = [
  { header: 'requests', value: (row) => String(row.requests) },
  { header: 'errors', value: (row) => String(row.errors) },
  { header: 'input', value: (row) => formatTokens(row.inputTokens) },
  { header: 'output', value: (row) => formatTokens(row.outputTokens) },
  { header: 'cost', value: (row) => `${formatMoney(row.costUsd)}${row.unpricedRequests ? '*' : ''}${row.approximateRequests ? '~' : ''}` },
  { header: 'baseline', value: (row) => formatMoney(row.baselineCostUsd) },
  { header: 'saved', value: (row) => `${formatMoney(row.savedUsd)} (${row.savedPercent.toFixed(1)}%)` },
];

/** The report as `lodestar report` shows its own: a title, one table with its total, what was spent and saved, and what it could not price. */
export function describeTeamReport(report: TeamReport, width: number): string[] {
  const period = report.period.from === report.period.to ? report.period.from : `${report.period.from} to ${report.period.to}`;
  const lines = [`Lodestar team spend, ${period} (${report.timeZone})${report.project ? `, project ${report.project}` : ''}, by ${report.by}`, ''];
  const { totals } = report;
  if (totals.requests === 0) return [...lines, 'No requests in this period.'];
  const cells = (row: TeamReportRow) => COLUMNS.map((column) => column.value(row));
  const rows = [...report.rows.map((row) => [row.key, ...cells(row)]), ['total', ...cells({ key: 'total', ...totals })]];
  lines.push(renderTable([{ header: report.by, flexible: true }, ...COLUMNS.map((column) => ({ header: column.header, align: 'right' as const }))], rows, width), '');
  lines.push(
    `Spent ${formatMoney(totals.costUsd)}; the same tokens on the baseline models would have cost ${formatMoney(totals.baselineCostUsd)}: ${savings(totals.savedUsd, totals.baselineCostUsd)}.` +
      ` Cache hits: ${totals.cacheHits}. Failed requests: ${totals.errors}.`,
  );
  if (totals.unpricedRequests) {
    const models = report.flags.unpricedModels.join(', ') || 'models';
    lines.push(`* ${totals.unpricedRequests} request${totals.unpricedRequests === 1 ? '' : 's'} to ${models} had no known price: not in these costs or savings. Set a price in the server's configuration.`);
  }
  if (totals.approximateRequests) {
    lines.push(`~ ${totals.approximateRequests} request${totals.approximateRequests === 1 ? ' was' : 's were'} priced by a near match (${report.flags.approximateModels.join(', ')}); check them or set exact prices.`);
  }
  return lines;
}

const CSV_FIELDS = ['key', 'id', 'requests', 'errors', 'inputTokens', 'cachedInputTokens', 'outputTokens', 'costUsd', 'baselineCostUsd', 'savedUsd', 'savedPercent', 'cacheHits', 'unpricedRequests', 'approximateRequests'] as const;

/** One line a row, then the total's (key "total", no id). */
export function teamReportCsv(report: TeamReport): string {
  const cell = (value: string | number | undefined): string => {
    const text = value === undefined ? '' : String(value);
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const line = (row: TeamReportRow) => CSV_FIELDS.map((field) => cell(row[field])).join(',');
  return [CSV_FIELDS.join(','), ...report.rows.map(line), line({ key: 'total', ...report.totals })].join('\n');
}
