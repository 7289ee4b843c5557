import { useRef, useState } from 'preact/hooks';
import { api, type BudgetAlert, type Report, type RequestEvent } from '../api.js';
import { ErrorNote, Loading } from '../components/Status.js';
import { formatCount, todayIn } from '../format.js';
import { useThrottled, useEvents, useResource } from '../hooks.js';
import { Breakdown } from './overview/Breakdown.js';
import { DailyChart } from './overview/DailyChart.js';
import { ExperimentsCard } from './overview/ExperimentsCard.js';
import { LiveRequests } from './overview/LiveRequests.js';
import { RequestsCard } from './overview/RequestsCard.js';
import { SavingsCard } from './overview/SavingsCard.js';
import { SpendCard } from './overview/SpendCard.js';

const LIVE_ROWS = 20;

async function loadOverview() {
  const [budget, days, tasks, models, experiments] = await Promise.all([api.budget(), api.usageMonth('', 'day'), api.usageMonth('', 'task'), api.usageMonth('', 'model'), api.experiments()]);
  return { budgets: budget.budgets, days, tasks, models, experiments: experiments.experiments };
}

function requestsOf(report: Report, key: string): string {
  const row = report.rows.find((item) => item.key === key);
  return `${formatCount(row?.requests ?? 0)} requests`;
}

/** Spend against the budgets, savings, the month day by day, and requests as they happen. */
export function Overview({ timeZone }: { timeZone: string }) {
  const overview = useResource(loadOverview, []);
  const [requests, setRequests] = useState<RequestEvent[]>([]);
  const [alert, setAlert] = useState<BudgetAlert | undefined>(undefined);
  const refresh = useThrottled(overview.reload, 300, 2000);

  // Under heavy traffic, requests arrive by the hundred a second: the list is redrawn at most
  // four times a second, with what came in between (as the terminal dashboard does).
  const pending = useRef<RequestEvent[]>([]);
  const flush = useThrottled(
    () => {
      const arrived = pending.current.reverse();
      pending.current = [];
      const ids = new Set(arrived.map((event) => event.id));
      setRequests((list) => [...arrived, ...list.filter((item) => !ids.has(item.id))].slice(0, LIVE_ROWS));
    },
    0,
    250,
  );
  const add = (event: RequestEvent) => {
    pending.current.push(event);
    if (pending.current.length > LIVE_ROWS) pending.current.shift();
    flush();
  };
  const live = useEvents(`types=request,budget&recent=${LIVE_ROWS}`, {
    // Replayed on connect: already in the totals.
    recent: (data) => add(data as RequestEvent),
    request: (data) => {
      add(data as RequestEvent);
      refresh();
    },
    budget: (data) => {
      setAlert(data as BudgetAlert);
      refresh();
    },
  });

  const data = overview.data;
  const today = todayIn(timeZone);
  const budget = (period: 'daily' | 'monthly') => data?.budgets.find((item) => item.scope === 'all' && item.period === period);
  const unpriced = data?.days.flags.unpricedModels ?? [];

  return (
    <>
      <div class="page-head">
        <h1>Overview</h1>
        <p class="muted">This month in {timeZone}, updated as requests arrive.</p>
      </div>
      {alert && (
        <div class={`notice ${alert.threshold >= 100 ? 'error' : 'warn'}`} role="alert">
          <span>{alert.message}</span>
          <button type="button" class="button small" onClick={() => setAlert(undefined)}>
            Dismiss
          </button>
        </div>
      )}
      {overview.error && <ErrorNote error={overview.error} retry={overview.reload} />}
      {!data && !overview.error && <Loading what="Loading this month" />}
      {data && (
        <div class="grid overview-grid">
          <SpendCard title="Spent today" testid="spend-today" spentUsd={data.days.rows.find((row) => row.key === today)?.costUsd ?? 0} budget={budget('daily')} detail={requestsOf(data.days, today)} />
          <SpendCard title="Spent this month" testid="spend-month" spentUsd={data.days.totals.costUsd} budget={budget('monthly')} detail={`${formatCount(data.days.totals.requests)} requests`} />
          <SavingsCard totals={data.days.totals} />
          <RequestsCard totals={data.days.totals} />
          {unpriced.length > 0 && (
            <div class="notice warn span-full" role="note">
              <span>No known price for {unpriced.join(', ')}: their requests are not in these costs. Add a price in Settings.</span>
            </div>
          )}
          <DailyChart report={data.days} today={today} />
          <Breakdown title="Requests by task" testid="requests-by-task" report={data.tasks} none="unclassified" />
          <Breakdown title="Requests by model" testid="requests-by-model" report={data.models} none="no model reached" />
          {data.experiments.length > 0 && <ExperimentsCard experiments={data.experiments} />}
          <LiveRequests requests={requests} live={live} timeZone={timeZone} />
        </div>
      )}
    </>
  );
}
