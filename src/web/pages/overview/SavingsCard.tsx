import { formatMoney } from '../../../shared/format.js';
import type { ReportTotals } from '../../api.js';
import { Card } from '../../components/Card.js';
import { Meter } from '../../components/Meter.js';
import { formatPercent } from '../../format.js';

/** What this month's requests saved against the same tokens on the baseline model. */
export function SavingsCard({ totals }: { totals: ReportTotals }) {
  const { savedUsd, savedPercent, baselineCostUsd, costUsd } = totals;
  return (
    <Card title="Saved this month" testid="saved-month">
      <p class="figure">
        <span class={`figure-value${savedUsd > 0 ? ' good' : ''}`} data-testid="saved-month-value">
          {formatMoney(savedUsd)}
        </span>
        {baselineCostUsd > 0 && <span class="figure-of">{formatPercent(savedPercent)} less</span>}
      </p>
      <Meter percent={savedPercent} label={`Saved ${formatPercent(savedPercent)} of the baseline cost`} tone="good" />
      <p class="figure-note">
        {formatMoney(costUsd)} spent vs {formatMoney(baselineCostUsd)} on the baseline model
      </p>
    </Card>
  );
}
