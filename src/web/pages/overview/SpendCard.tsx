import { formatMoney } from '../../../shared/format.js';
import type { BudgetStatus } from '../../api.js';
import { Card } from '../../components/Card.js';
import { Meter } from '../../components/Meter.js';
import { Badge } from '../../components/Status.js';
import { formatPercent } from '../../format.js';

interface Props {
  title: string;
  testid: string;
  /** Spend from the usage report, for when no budget is set. */
  spentUsd: number;
  budget: BudgetStatus | undefined;
  detail: string;
}

/** Spend in a period against its budget: spent of limit and a bar, or "no budget". */
export function SpendCard({ title, testid, spentUsd, budget, detail }: Props) {
  const spent = budget ? budget.spentUsd : spentUsd;
  return (
    <Card
      title={title}
      testid={testid}
      aside={budget && <Badge tone={budget.reached ? 'bad' : budget.mode === 'hard' ? 'info' : 'muted'}>{budget.reached ? 'limit reached' : `${budget.mode} limit`}</Badge>}
    >
      <p class="figure">
        <span class="figure-value" data-testid={`${testid}-value`}>{formatMoney(spent)}</span>
        {budget && <span class="figure-of">of {formatMoney(budget.limitUsd)}</span>}
      </p>
      {budget ? (
        <>
          <Meter percent={budget.percent} label={`${title}: ${formatPercent(budget.percent)} of the budget`} />
          <p class="figure-note">
            {formatPercent(budget.percent)} of the budget
            {budget.reservedUsd > 0 && ` · ${formatMoney(budget.reservedUsd)} in flight`}
          </p>
        </>
      ) : (
        <p class="figure-note">
          No budget · <a href="#/settings">set one</a>
        </p>
      )}
      <p class="figure-note muted">{detail}</p>
    </Card>
  );
}
