import type { GpuView } from '../../api.js';
import { Card } from '../../components/Card.js';
import { Meter } from '../../components/Meter.js';
import { Badge, Empty } from '../../components/Status.js';
import { formatMiB } from '../../format.js';

/** The GPU now: VRAM used of total, utilization and temperature; or why there is none. */
export function GpuCard({ gpu }: { gpu: GpuView }) {
  if (gpu.available !== true || !gpu.gpus?.length) {
    return (
      <Card title="GPU" testid="gpu-status" aside={<Badge tone="muted">{gpu.available === null ? 'reading…' : 'none'}</Badge>}>
        <Empty>{gpu.available === null ? `Reading the GPU: ${gpu.reason ?? 'the first reading is not in yet'}.` : `No GPU: ${gpu.reason ?? 'nvidia-smi found none'}.`}</Empty>
      </Card>
    );
  }
  return (
    <Card title="GPU" testid="gpu-status">
      {gpu.gpus.map((card, index) => {
        const used = card.memoryUsedMiB;
        const total = card.memoryTotalMiB;
        return (
          <div class="gpu" key={card.index ?? index}>
            <p class="gpu-name">{card.name}</p>
            <div class="budget-line-text">
              <span>VRAM</span>
              <span data-testid="gpu-vram">{used !== undefined && total !== undefined ? `${formatMiB(used)} of ${formatMiB(total)}` : 'unknown'}</span>
            </div>
            {used !== undefined && total ? <Meter percent={(used / total) * 100} label="VRAM used" /> : null}
            <div class="stats">
              <div>
                <span class="stat-label">Utilization</span>
                <span class="stat-value">{card.utilizationPercent === undefined ? '–' : `${card.utilizationPercent}%`}</span>
              </div>
              <div>
                <span class="stat-label">Temperature</span>
                <span class="stat-value">{card.temperatureC === undefined ? '–' : `${card.temperatureC} °C`}</span>
              </div>
            </div>
          </div>
        );
      })}
    </Card>
  );
}
