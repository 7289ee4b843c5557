import { formatMoney, formatTokens, savings } from '../../src/shared/format.js';
import type { Report } from '../../src/shared/report-facts.js';

/** `lodestar report` as a Markdown page: the period's totals, then a table by what the report is grouped by. */
export function reportMarkdown(report: Report, title: string): string {
  const totals = report.totals;
  const lines = [
    `# ${title}`,
    '',
    `${report.period.from} to ${report.period.to} (${report.timeZone})${report.project ? `, project ${report.project}` : ''}`,
    '',
    `**${formatMoney(totals.costUsd)}** for ${totals.requests} request${totals.requests === 1 ? '' : 's'}; ${savings(totals.savedUsd, totals.baselineCostUsd)} against the baseline (${formatMoney(totals.baselineCostUsd)}).`,
    '',
    `| ${report.by} | requests | input | output | cost | baseline | saved |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...report.rows.map((row) => `| ${row.key.replace(/\|/g, '\\|')} | ${row.requests} | ${formatTokens(row.inputTokens)} | ${formatTokens(row.outputTokens)} | ${formatMoney(row.costUsd)} | ${formatMoney(row.baselineCostUsd)} | ${row.savedPercent.toFixed(1)}% |`),
  ];
  if (report.rows.length === 0) lines.push('| (no requests) | | | | | | |');
  const flags = report.flags;
  if (flags.unpricedModels.length) lines.push('', `Not in the cost (no known price): ${flags.unpricedModels.join(', ')}.`);
  if (flags.approximateModels.length) lines.push('', `Priced by a loose match: ${flags.approximateModels.join(', ')}.`);
  return `${lines.join('\n')}\n`;
}
