import type { Logger } from '../shared/logger.js';
import { readGpuProcesses, readGpus, type GpuProcess, type GpuReading, type NvidiaSmiHost } from './nvidia-smi.js';

export type GpuState = GpuReading & { processes?: GpuProcess[] };

export interface GpuMonitorOptions {
  host: NvidiaSmiHost;
  intervalMs: number;
  logger: Logger;
  /** Runs before each reading (the daemon looks at Ollama's /api/ps then). */
  beforeRead?: () => Promise<void>;
}

/**
 * The GPU as nvidia-smi sees it, one exec per poll (a long-lived `-l` loop returns
 * [Unknown Error] after the first sample on some GPUs: reference/ollama-gpu.md 7.1). No
 * nvidia-smi, or a driver error, is a state ("none", with the reason), never a failure; with no
 * nvidia-smi at all it looks again only every minute.
 */
export class GpuMonitor {
  private readonly options: GpuMonitorOptions;
  private state: GpuState | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(state: GpuState) => void>();
  private polling: Promise<GpuState> | undefined;
  private stopped = false;

  constructor(options: GpuMonitorOptions) {
    this.options = options;
  }

  start(): void {
    this.stopped = false;
    void this.poll().then(() => this.schedule());
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** The last reading; undefined before the first one. */
  latest(): GpuState | undefined {
    return this.state;
  }

  onSample(listener: (state: GpuState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reads now (joining a reading under way). */
  poll(): Promise<GpuState> {
    this.polling ??= this.read().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  private async read(): Promise<GpuState> {
    await this.options.beforeRead?.().catch(() => undefined);
    const reading = await readGpus(this.options.host.env, this.options.host.timeoutMs, this.options.host);
    const state: GpuState = reading.kind === 'ok' ? { ...reading, processes: await readGpuProcesses(this.options.host) } : reading;
    const before = this.state;
    if (state.kind !== before?.kind || (state.kind === 'none' && before.kind === 'none' && state.reason !== before.reason)) {
      if (state.kind === 'ok') this.options.logger.info('gpu found', { gpus: state.gpus.map((gpu) => `${gpu.name} (${gpu.memoryTotalMiB ?? '?'} MiB)`) });
      else this.options.logger.info('no gpu', { reason: state.reason });
    }
    this.state = state;
    for (const listener of this.listeners) {
      try {
        listener(state);
      } catch (error) {
        this.options.logger.warn('a gpu listener failed', { error: error instanceof Error ? error.message : String(error) });
      }
    }
    return state;
  }

  private schedule(): void {
    if (this.stopped) return;
    const absent = this.state?.kind === 'none' && /not on PATH/.test(this.state.reason);
    this.timer = setTimeout(() => void this.poll().then(() => this.schedule()), absent ? Math.max(60_000, this.options.intervalMs) : this.options.intervalMs);
    this.timer.unref();
  }
}
