import { formatTokens } from '../../../shared/format.js';
import type { ReportTotals } from '../../api.js';
import { Card } from '../../components/Card.js';
import { formatCount } from '../../format.js';

/** How many requests this month, and what became of them. */
export function RequestsCard({ totals }: { totals: ReportTotals }) {
  return (
    <Card title="Requests this month" testid="requests-month">
      <p class="figure">
        <span class="figure-value">{formatCount(totals.requests)}</span>
      </p>
      <dl class="facts">
        <div>
          <dt>Tokens in / out</dt>
          <dd>
            {formatTokens(totals.inputTokens)} / {formatTokens(totals.outputTokens)}
          </dd>
        </div>
        <div>
          <dt>Cache hits</dt>
          <dd>{formatCount(totals.cacheHits)}</dd>
        </div>
        <div>
          <dt>Errors</dt>
          <dd class={totals.errors > 0 ? 'bad' : undefined}>{formatCount(totals.errors)}</dd>
        </div>
      </dl>
    </Card>
  );
}
