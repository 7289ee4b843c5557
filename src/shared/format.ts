/** Dollars with as many decimals as a small amount needs ($0.00042), never "$0.00" for a cost. */
export function formatMoney(value: number | undefined): string {
  if (value === undefined) return 'unknown';
  if (value === 0) return '$0';
  const sign = value < 0 ? '-' : '';
  const amount = Math.abs(value);
  if (amount >= 1) return `${sign}$${amount.toFixed(2)}`;
  if (amount >= 0.01) return `${sign}$${amount.toFixed(4).replace(/(\.\d{2,}?)0+$/, '$1')}`;
  return `${sign}$${amount.toPrecision(2)}`;
}

/**
 * "saved $0.31 (62.0%)"; a session or a period that cost more than the baseline would have says
 * so in words ("$0.0050 more than on the baseline (+98.4%)") rather than as a negative saving.
 */
export function savings(savedUsd: number, baselineCostUsd: number): string {
  const share = (amount: number, sign: string): string => (baselineCostUsd > 0 ? ` (${sign}${((amount / baselineCostUsd) * 100).toFixed(1)}%)` : '');
  if (savedUsd < 0) return `${formatMoney(-savedUsd)} more than on the baseline${share(-savedUsd, '+')}`;
  if (savedUsd === 0) return 'nothing saved: the same as on the baseline';
  return `saved ${formatMoney(savedUsd)}${share(savedUsd, '')}`;
}

/** Token counts as people read them: 950, 12.3k, 4.56M. */
export function formatTokens(value: number): string {
  if (value < 1000) return String(value);
  if (value < 1_000_000) return `${(value / 1000).toFixed(value < 10_000 ? 2 : 1)}k`;
  return `${(value / 1_000_000).toFixed(2)}M`;
}
