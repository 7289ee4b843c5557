import { formatMoney } from '../../../shared/format.js';
import { Meter } from '../../components/Meter.js';
import { Badge, ErrorNote, Loading } from '../../components/Status.js';
import { TableCard } from '../../components/TableCard.js';
import { formatCount, formatPercent } from '../../format.js';
import { useInterval, useResource } from '../../hooks.js';
import { adminApi, type QuotaStanding } from '../admin-api.js';

const REFRESH_MS = 5000;
const BUDGET_COLUMNS = [{ label: 'Whose' }, { label: 'Period' }, { label: 'Mode' }, { label: 'Spent', num: true }, { label: 'In flight', num: true }, { label: 'Limit', num: true }, { label: 'Used' }];
const RATE_COLUMNS = [{ label: 'User' }, { label: 'Team' }, { label: 'Requests / min', num: true }, { label: 'Tokens / min', num: true }];

/** Spent and held against the limit, as the reserve script counts them; undefined while Redis can't say. */
function percentOf(standing: QuotaStanding): number | undefined {
  if (standing.spentUsd === null) return undefined;
  if (standing.limitUsd === 0) return standing.spentUsd > 0 ? 100 : 0;
  return ((standing.spentUsd + (standing.reservedUsd ?? 0)) / standing.limitUsd) * 100;
}

function BudgetRow({ standing }: { standing: QuotaStanding }) {
  const percent = percentOf(standing);
  const reached = standing.spentUsd !== null && standing.spentUsd >= standing.limitUsd;
  return (
    <tr data-testid="quota-row" data-owner={standing.owner} data-name={standing.name} data-period={standing.period}>
      <td data-label="Whose" class="wide">
        <Badge tone={standing.owner === 'team' ? 'info' : 'muted'}>{standing.owner}</Badge> <strong>{standing.name}</strong>
        {standing.owner === 'user' && <span class="sub">{standing.team.name}</span>}
      </td>
      <td data-label="Period">
        {standing.period}
        {standing.periodKey && <span class="sub mono">{standing.periodKey}</span>}
      </td>
      <td data-label="Mode">
        <Badge tone={standing.mode === 'hard' ? 'warn' : 'muted'}>{standing.mode}</Badge>
      </td>
      <td data-label="Spent" class="num" data-testid="quota-spent">
        {standing.spentUsd === null ? '–' : formatMoney(standing.spentUsd)}
      </td>
      <td data-label="In flight" class="num muted">
        {standing.reservedUsd === null ? '–' : formatMoney(standing.reservedUsd)}
      </td>
      <td data-label="Limit" class="num">
        {formatMoney(standing.limitUsd)}
      </td>
      <td data-label="Used" class="quota-meter wide">
        {percent === undefined ? (
          <span class="muted">unknown</span>
        ) : (
          <>
            <Meter percent={percent} label={`${standing.name} ${standing.period}: ${formatPercent(percent)} of the limit`} />
            <span class={`meter-text${reached ? ' bad' : ''}`}>{reached ? 'limit reached' : formatPercent(percent)}</span>
          </>
        )}
      </td>
    </tr>
  );
}

/** Every budget and where it stands now, as the server enforces it (Redis), refreshed every few seconds; then the per-minute limits. */
export function Quotas() {
  const quotas = useResource(adminApi.quotas, []);
  useInterval(quotas.reload, REFRESH_MS);
  const data = quotas.data;

  return (
    <>
      <div class="page-head">
        <h1>Quotas</h1>
        <p class="muted">Budgets of teams and users in their current period{data ? ` (${data.timeZone})` : ''}: spent, held for requests in flight, and the limit.</p>
      </div>
      {quotas.error && <ErrorNote error={quotas.error} retry={quotas.reload} />}
      {!data && !quotas.error && <Loading what="Reading the counters" />}
      {data && (
        <div class="grid admin-stack">
          {!data.redis.reachable && (
            <div class="notice warn" role="alert">
              <span>Redis can't be reached ({data.redis.problem}): the limits are shown, not where they stand.</span>
            </div>
          )}
          <TableCard
            title="Budgets"
            testid="quota-budgets"
            columns={BUDGET_COLUMNS}
            count={data.budgets.length}
            empty={
              <>
                No budget is set. Set one with <code>lodestar admin budget set</code>.
              </>
            }
          >
            {data.budgets.map((standing) => (
              <BudgetRow key={`${standing.owner}:${standing.id}:${standing.period}`} standing={standing} />
            ))}
          </TableCard>
          <TableCard title="Per-minute limits" testid="quota-rates" columns={RATE_COLUMNS} count={data.rates.length} empty="No user has a requests- or tokens-per-minute limit.">
            {data.rates.map((rate) => (
              <tr key={rate.id}>
                <td data-label="User" class="wide">
                  {rate.email}
                </td>
                <td data-label="Team">{rate.team.name}</td>
                <td data-label="Requests / min" class="num">
                  {rate.rpm === null ? 'no limit' : formatCount(rate.rpm)}
                </td>
                <td data-label="Tokens / min" class="num">
                  {rate.tpm === null ? 'no limit' : formatCount(rate.tpm)}
                </td>
              </tr>
            ))}
          </TableCard>
        </div>
      )}
    </>
  );
}
