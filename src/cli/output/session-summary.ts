import type { SessionSummary } from '../../ledger/session.js';
import { formatMoney, formatTokens, savings } from '../../shared/format.js';
import { renderTable } from './table.js';

/** What `lodestar aider` and `lodestar claude` print at exit: the session's requests, tokens, spend and savings, from the ledger. */
export function describeSummary(session: string, project: string, summary: SessionSummary): string[] {
  if (!summary.requests) return [`Lodestar: no requests in this session (${session}, project ${project}).`];
  const lines = [
    '',
    `Lodestar session ${session} (project ${project}): ${summary.requests} requests${summary.failed ? `, ${summary.failed} failed` : ''}, ${formatTokens(summary.inputTokens)} tokens in${summary.cachedInputTokens ? ` (${formatTokens(summary.cachedInputTokens)} from the provider's cache)` : ''}, ${formatTokens(summary.outputTokens)} out.`,
    `Spent ${formatMoney(summary.costUsd)}${summary.unpriced ? ` plus ${summary.unpriced} requests of unknown price` : ''}; the same tokens on ${summary.baselineModel ?? 'the baseline'}: ${formatMoney(summary.baselineCostUsd)}; ${savings(summary.savedUsd, summary.baselineCostUsd)}.`,
    renderTable(
      [{ header: 'model', flexible: true }, { header: 'requests', align: 'right' }, { header: 'in', align: 'right' }, { header: 'out', align: 'right' }, { header: 'cost', align: 'right' }],
      summary.byModel.map((row) => [row.model, String(row.requests), formatTokens(row.inputTokens), formatTokens(row.outputTokens), row.unpriced && !row.costUsd ? 'unknown' : formatMoney(row.costUsd)]),
      120,
    ),
  ];
  return lines;
}

