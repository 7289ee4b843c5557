import type { Command } from 'commander';
import { Ledger } from '../../ledger/ledger.js';
import type { Report, ReportRow } from '../../ledger/report.js';
import { parseReportQuery, ReportQueryError, type ReportWords } from '../../ledger/report-query.js';
import { UsageError } from '../../shared/errors.js';
import type { CliContext } from '../context.js';
import { findDaemon } from '../daemon-control.js';
import { formatMoney, formatTokens, savings } from '../../shared/format.js';
import { renderTable } from '../output/table.js';

interface ReportOptions extends ReportWords {
  json?: boolean;
  csv?: boolean;
}

export function registerReport(program: Command, context: CliContext): void {
  program
    .command('report')
    .description('spend, tokens and savings from the ledger (works with the daemon stopped)')
    .option('--month [YYYY-MM]', 'a calendar month (default: this month)')
    .option('--day [YYYY-MM-DD]', 'one day (default: today)')
    .option('--since <YYYY-MM-DD>', 'from this day')
    .option('--until <YYYY-MM-DD>', 'to this day, inclusive (default: today)')
    .option('--project <name>', 'only this project')
    .option('--by <group>', 'group rows by model, provider, project, day, task, tool (aider, claude, codex, opencode, qwen, other), arm (of A/B experiments) or file (what AI edits of each file cost)', 'model')
    .option('--timezone <zone>', 'days in this IANA time zone (default: the system\'s)')
    .option('--json', 'print JSON only')
    .option('--csv', 'print CSV only')
    .action((options: ReportOptions) => {
      if (options.json && options.csv) throw new UsageError('choose one of --json and --csv');
      let query;
      try {
        query = parseReportQuery(options);
      } catch (error) {
        if (error instanceof ReportQueryError) throw new UsageError(error.message);
        throw error;
      }
      const { paths, config } = context.config();
      const ledger = Ledger.forReading(paths.ledger);
      const report = ledger.report(query);
      // Save the rollups this brought up to date, unless the daemon (which owns them) is running.
      if (findDaemon(paths).kind !== 'alive') ledger.save();
      if (options.json) context.output.json(report);
      else if (options.csv) context.output.line(toCsv(report));
      else for (const line of describe(report, config.baseline, context.output.isTTY ? context.output.columns : 160)) context.output.line(line);
    });
}

const COLUMNS: Array<{ header: string; value: (row: ReportRow) => string }> = [
  { header: 'requests', value: (row) => String(row.requests) },
  { header: 'input', value: (row) => formatTokens(row.inputTokens) },
  { header: 'cached', value: (row) => formatTokens(row.cachedInputTokens) },
  { header: 'output', value: (row) => formatTokens(row.outputTokens) },
  { header: 'cost', value: (row) => `${formatMoney(row.costUsd)}${row.unpricedRequests ? '*' : ''}${row.approximateRequests ? '~' : ''}` },
  { header: 'baseline', value: (row) => formatMoney(row.baselineCostUsd) },
  { header: 'saved', value: (row) => `${formatMoney(row.savedUsd)} (${row.savedPercent.toFixed(1)}%)` },
];

function describe(report: Report, baseline: string, width: number): string[] {
  const scope = report.project ? `, project ${report.project}` : '';
  const period = report.period.from === report.period.to ? report.period.from : `${report.period.from} to ${report.period.to}`;
  const lines = [`Lodestar spend, ${period} (${report.timeZone})${scope}, by ${report.by}`, ''];
  if (report.totals.requests === 0) {
    lines.push(report.by === 'file' ? 'No AI edits of files in this period.' : 'No requests in this period.');
    return lines;
  }
  const rows = report.rows.map((row) => [row.key, ...COLUMNS.map((column) => column.value(row))]);
  const total = { key: 'total', ...report.totals };
  rows.push(['total', ...COLUMNS.map((column) => column.value(total))]);
  lines.push(
    renderTable(
      [{ header: report.by, flexible: true }, ...COLUMNS.map((column) => ({ header: column.header, align: 'right' as const }))],
      rows,
      width,
    ),
  );
  lines.push('');
  const totals = report.totals;
  if (report.by === 'file') {
    lines.push(
      `${totals.requests} request${totals.requests === 1 ? '' : 's'} edited files; each one's cost is split between the files it edited by the bytes it wrote to each. Requests that edited no file are not counted here.`,
    );
  }
  lines.push(
    `Spent ${formatMoney(totals.costUsd)}; the same tokens on ${baseline} would have cost ${formatMoney(totals.baselineCostUsd)}: ${savings(totals.savedUsd, totals.baselineCostUsd)}.` +
      ` Cache hits: ${totals.cacheHits}. Failed requests: ${totals.errors}.`,
  );
  if (totals.unpricedRequests) {
    lines.push(
      `* ${totals.unpricedRequests} request${totals.unpricedRequests === 1 ? '' : 's'} to ${report.flags.unpricedModels.join(', ')} had no known price: not in these costs or savings. Set one under "prices" in $LODESTAR_HOME/config.json.`,
    );
  }
  if (totals.approximateRequests) {
    lines.push(`~ ${totals.approximateRequests} request${totals.approximateRequests === 1 ? ' was' : 's were'} priced by a near match (${report.flags.approximateModels.join(', ')}); check them or set exact prices.`);
  }
  return lines;
}

const CSV_FIELDS: Array<keyof ReportRow> = [
  'key',
  'requests',
  'inputTokens',
  'cachedInputTokens',
  'outputTokens',
  'costUsd',
  'baselineCostUsd',
  'savedUsd',
  'savedPercent',
  'cacheHits',
  'errors',
  'unpricedRequests',
  'approximateRequests',
];

export function toCsv(report: Report): string {
  const escape = (value: string | number): string => {
    const text = String(value);
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [CSV_FIELDS.join(',')];
  for (const row of report.rows) lines.push(CSV_FIELDS.map((field) => escape(row[field])).join(','));
  lines.push(CSV_FIELDS.map((field) => escape(field === 'key' ? 'total' : report.totals[field])).join(','));
  return lines.join('\n');
}
