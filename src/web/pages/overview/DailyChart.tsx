import { useMemo } from 'preact/hooks';
import { formatMoney } from '../../../shared/format.js';
import type { Report } from '../../api.js';
import { Card } from '../../components/Card.js';
import { ChartView, type Data, type Options } from '../../components/ChartView.js';
import { Empty } from '../../components/Status.js';
import { dayLabel, daysBetween, monthLabel } from '../../format.js';

const money = (value: number | string) => formatMoney(Number(value));

const OPTIONS: Options = {
  interaction: { mode: 'index', intersect: false },
  scales: {
    x: { grid: { display: false } },
    y: { beginAtZero: true, ticks: { callback: money, maxTicksLimit: 6 } },
  },
  plugins: {
    // Spent, then Saved: the line is drawn over the bars (order 1), the legend keeps their place.
    legend: { position: 'bottom', labels: { sort: (a, b) => (a.datasetIndex ?? 0) - (b.datasetIndex ?? 0) } },
    tooltip: { callbacks: { label: (item) => `${item.dataset.label ?? ''}: ${money(item.parsed.y ?? 0)}` } },
  },
};

/** Spend and savings per day of the month, from the 1st to today (0 on days without traffic). */
export function DailyChart({ report, today }: { report: Report; today: string }) {
  const data = useMemo<Data>(() => {
    const last = report.period.to < today ? report.period.to : today;
    const days = daysBetween(report.period.from, last);
    const rows = new Map(report.rows.map((row) => [row.key, row]));
    return {
      labels: days.map(dayLabel),
      datasets: [
        { type: 'bar', label: 'Spent', data: days.map((day) => rows.get(day)?.costUsd ?? 0), backgroundColor: '#4f46e5', borderRadius: 3, maxBarThickness: 22, order: 2 },
        { type: 'line', label: 'Saved', data: days.map((day) => rows.get(day)?.savedUsd ?? 0), borderColor: '#059669', backgroundColor: '#059669', pointRadius: 2, borderWidth: 2, tension: 0.25, order: 1 },
      ],
    };
  }, [report, today]);

  return (
    <Card title={`Daily spend and savings · ${monthLabel(report.period.from)}`} class="span-full" testid="daily-chart">
      {report.totals.requests === 0 ? <Empty>No requests yet this month.</Empty> : <ChartView type="bar" data={data} options={OPTIONS} label="Spend and savings per day this month" />}
    </Card>
  );
}
