import { useMemo } from 'preact/hooks';
import type { GpuHistory } from '../../api.js';
import { Card } from '../../components/Card.js';
import { ChartView, type Data, type Options } from '../../components/ChartView.js';
import { Empty } from '../../components/Status.js';
import { clockTime } from '../../format.js';

const OPTIONS: Options = {
  interaction: { mode: 'index', intersect: false },
  elements: { point: { radius: 0, hoverRadius: 3 }, line: { borderWidth: 2, tension: 0.2 } },
  scales: {
    x: { grid: { display: false }, ticks: { maxTicksLimit: 7, maxRotation: 0 } },
    vram: { type: 'linear', position: 'left', beginAtZero: true, title: { display: true, text: 'VRAM (GiB)' } },
    util: { type: 'linear', position: 'right', min: 0, max: 100, grid: { display: false }, title: { display: true, text: 'Utilization (%)' } },
  },
  plugins: { legend: { position: 'bottom' } },
};

/** VRAM used and utilization of the first GPU over the last hour. */
export function GpuChart({ history, timeZone, noGpu }: { history: GpuHistory['history']; timeZone: string; noGpu: boolean }) {
  const points = useMemo(() => history.filter((point) => point.gpus.length > 0), [history]);
  const data = useMemo<Data>(
    () => ({
      labels: points.map((point) => clockTime(point.at, timeZone, false)),
      datasets: [
        { type: 'line', label: 'VRAM used (GiB)', yAxisID: 'vram', data: points.map((point) => Math.round(((point.gpus[0]?.memoryUsedMiB ?? 0) / 1024) * 100) / 100), borderColor: '#4f46e5', backgroundColor: '#4f46e5' },
        { type: 'line', label: 'Utilization (%)', yAxisID: 'util', data: points.map((point) => point.gpus[0]?.utilizationPercent ?? 0), borderColor: '#f59e0b', backgroundColor: '#f59e0b' },
      ],
    }),
    [points, timeZone],
  );
  return (
    <Card title={`GPU, last hour${points[0]?.gpus[0] ? ` · ${points[0].gpus[0].name}` : ''}`} class="span-full" testid="gpu-chart">
      {noGpu ? <Empty>No GPU: nothing to chart.</Empty> : points.length < 2 ? <Empty>Not enough readings yet: the chart fills as the GPU monitor samples.</Empty> : <ChartView type="line" data={data} options={OPTIONS} label="VRAM used and GPU utilization over the last hour" />}
    </Card>
  );
}
