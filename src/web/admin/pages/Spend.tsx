import { useState } from 'preact/hooks';
import { formatMoney, formatTokens } from '../../../shared/format.js';
import { NO_GROUP } from '../../../shared/team-report-facts.js';
import { Card } from '../../components/Card.js';
import { ErrorNote, Loading } from '../../components/Status.js';
import { ShareCell, TableCard } from '../../components/TableCard.js';
import { formatCount, monthLabel, todayIn } from '../../format.js';
import { useResource } from '../../hooks.js';
import { adminApi, type TeamReport } from '../admin-api.js';

/** This month and the eleven before it, newest first, YYYY-MM. */
function recentMonths(timeZone: string): string[] {
  const [year, month] = todayIn(timeZone).split('-').map(Number) as [number, number];
  return Array.from({ length: 12 }, (_, index) => {
    const date = new Date(Date.UTC(year, month - 1 - index, 1));
    return date.toISOString().slice(0, 7);
  });
}

function SpendTable({ report, title, who, testid }: { report: TeamReport; title: string; who: string; testid: string }) {
  const most = Math.max(1e-12, ...report.rows.map((row) => row.costUsd));
  const columns = [{ label: who }, { label: 'Requests', num: true }, { label: 'Tokens in / out', num: true, hideNarrow: true }, { label: 'Cost', num: true }, { label: 'Saved', num: true, hideNarrow: true }];
  return (
    <TableCard title={title} testid={testid} class="span-2" tableClass="table compact" columns={columns} count={report.rows.length} empty="No requests in this month.">
      {report.rows.map((row) => (
        <tr key={row.key} data-testid={`${testid}-row`} data-key={row.key}>
          <ShareCell label={row.key === NO_GROUP ? 'no owner (refused before a key was known)' : row.key} share={row.costUsd / most} />
          <td class="num">{formatCount(row.requests)}</td>
          <td class="num hide-narrow muted nowrap">
            {formatTokens(row.inputTokens)} / {formatTokens(row.outputTokens)}
          </td>
          <td class="num" data-testid={`${testid}-cost`}>
            {formatMoney(row.costUsd)}
          </td>
          <td class="num hide-narrow good">{formatMoney(row.savedUsd)}</td>
        </tr>
      ))}
    </TableCard>
  );
}

/** Spend by user and by team over a month, from the team ledger (the same sums as `lodestar admin report`). */
export function Spend({ timeZone }: { timeZone: string }) {
  const months = recentMonths(timeZone);
  const [month, setMonth] = useState(months[0] as string);
  const spend = useResource(async () => {
    const [users, teams] = await Promise.all([adminApi.report('user', month), adminApi.report('team', month)]);
    return { users, teams };
  }, [month]);
  const data = spend.data;
  const unpriced = data?.users.flags.unpricedModels ?? [];

  return (
    <>
      <div class="page-head page-head-row">
        <div>
          <h1>Spend</h1>
          <p class="muted">
            By user and by team, {monthLabel(month)} in {timeZone}, from the team ledger.
          </p>
        </div>
        <label class="field month-field">
          <span>Month</span>
          <select value={month} data-testid="spend-month" onChange={(event) => setMonth((event.target as HTMLSelectElement).value)}>
            {months.map((item) => (
              <option key={item} value={item}>
                {monthLabel(item)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {spend.error && <ErrorNote error={spend.error} retry={spend.reload} />}
      {!data && !spend.error && <Loading what="Adding up the ledger" />}
      {data && (
        <div class="grid admin-grid">
          <Card title="Spent" testid="spend-total">
            <p class="figure">
              <span class="figure-value" data-testid="spend-total-value">
                {formatMoney(data.users.totals.costUsd)}
              </span>
            </p>
            <p class="figure-note muted">{formatCount(data.users.totals.requests)} requests</p>
          </Card>
          <Card title="Saved against the baseline" testid="spend-saved">
            <p class="figure">
              <span class="figure-value good">{formatMoney(data.users.totals.savedUsd)}</span>
            </p>
            <p class="figure-note muted">the baseline would have cost {formatMoney(data.users.totals.baselineCostUsd)}</p>
          </Card>
          <Card title="Who spent" testid="spend-who">
            <p class="figure">
              <span class="figure-value">{formatCount(data.users.rows.filter((row) => row.key !== NO_GROUP).length)}</span>
              <span class="figure-of">users</span>
            </p>
            <p class="figure-note muted">in {formatCount(data.teams.rows.filter((row) => row.key !== NO_GROUP).length)} teams</p>
          </Card>
          <Card title="Errors" testid="spend-errors">
            <p class="figure">
              <span class="figure-value">{formatCount(data.users.totals.errors)}</span>
              <span class="figure-of">of {formatCount(data.users.totals.requests)}</span>
            </p>
            <p class="figure-note muted">requests that failed or were refused</p>
          </Card>
          {unpriced.length > 0 && (
            <div class="notice warn span-full" role="note">
              <span>No known price for {unpriced.join(', ')}: their requests are not in these costs.</span>
            </div>
          )}
          <SpendTable report={data.users} title="Spend by user" who="User" testid="spend-by-user" />
          <SpendTable report={data.teams} title="Spend by team" who="Team" testid="spend-by-team" />
        </div>
      )}
    </>
  );
}
