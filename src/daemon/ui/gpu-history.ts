import type { GpuState } from '../../gpu/gpu-monitor.js';

export interface GpuPoint {
  at: string;
  gpus: Array<{ name: string; memoryUsedMiB: number | undefined; memoryTotalMiB: number | undefined; utilizationPercent: number | undefined; temperatureC: number | undefined }>;
}

/** The GPU over the last hour, for the web UI's chart: one point a reading, the oldest dropped. */
export class GpuHistory {
  private readonly points: GpuPoint[] = [];
  private readonly windowMs: number;

  constructor(windowMs = 60 * 60_000) {
    this.windowMs = windowMs;
  }

  add(state: GpuState): void {
    if (state.kind !== 'ok') return;
    this.points.push({
      at: state.at,
      gpus: state.gpus.map((gpu) => ({ name: gpu.name, memoryUsedMiB: gpu.memoryUsedMiB, memoryTotalMiB: gpu.memoryTotalMiB, utilizationPercent: gpu.utilizationPercent, temperatureC: gpu.temperatureC })),
    });
    const oldest = Date.parse(state.at) - this.windowMs;
    while (this.points.length && Date.parse((this.points[0] as GpuPoint).at) < oldest) this.points.shift();
  }

  list(): GpuPoint[] {
    return [...this.points];
  }
}
