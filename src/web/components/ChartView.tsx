import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  PointElement,
  Tooltip,
  type ChartData,
  type ChartOptions,
} from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';

// Only the pieces the page draws: bars and lines on a category axis, with a tooltip and legend.
Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend);
Chart.defaults.font.size = 12;
Chart.defaults.color = '#6b7280';
Chart.defaults.borderColor = '#eef0f3';
Chart.defaults.plugins.legend.labels.boxWidth = 12;
Chart.defaults.plugins.legend.labels.boxHeight = 12;

type Kind = 'bar' | 'line';
export type Data = ChartData<Kind, number[], string>;
export type Options = ChartOptions<Kind>;

interface Props {
  type: Kind;
  data: Data;
  options: Options;
  label: string;
}

/** A Chart.js chart on a canvas, made once and updated in place when its data change. */
export function ChartView({ type, data, options, label }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<Kind> | undefined>(undefined);

  useEffect(() => {
    if (!canvas.current) return;
    Chart.defaults.font.family = getComputedStyle(canvas.current).fontFamily;
    chart.current = new Chart<Kind>(canvas.current, { type, data, options: { responsive: true, maintainAspectRatio: false, animation: false, ...options } });
    return () => {
      chart.current?.destroy();
      chart.current = undefined;
    };
  }, [type]);

  useEffect(() => {
    if (!chart.current) return;
    chart.current.data = data;
    chart.current.update('none');
  }, [data]);

  return (
    <div class="chart">
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}
