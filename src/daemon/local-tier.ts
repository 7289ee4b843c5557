import type { LodestarConfig } from '../config/defaults.js';
import { localModelSettings } from '../config/ollama-models.js';
import { ollamaVramBudgetMiB } from '../gpu/fit.js';
import { GpuMonitor, type GpuState } from '../gpu/gpu-monitor.js';
import { keepAliveMs } from '../gpu/keep-alive.js';
import { LocalQueue } from '../gpu/local-queue.js';
import type { OllamaApi } from '../gpu/ollama-api.js';
import { OllamaMonitor } from '../gpu/ollama-monitor.js';
import { Warmer, type WarmResult, type WarmTarget, type WarmWhy } from '../gpu/warmer.js';
import { UpstreamClient } from '../providers/http/upstream-client.js';
import type { ChatProvider } from '../providers/spec/provider.js';
import type { Logger } from '../shared/logger.js';
import type { SshTunnel } from '../gpu/ssh-tunnel.js';
import type { EventBus } from './event-bus.js';
import { gateProvider } from './local-gate.js';
import type { MetricFamily } from './metrics.js';

/** Ollama gives up on a load after OLLAMA_LOAD_TIMEOUT, 5 minutes by default. */
const LOAD_TIMEOUT_MS = 330_000;
const REPIN_RETRY_MS = 60_000;

export interface WarmupState {
  state: 'off' | 'waiting' | 'running' | 'done';
  results: WarmResult[];
  finishedAt?: string;
}

/**
 * The free tier on the user's own GPU: what Ollama has and holds (OllamaMonitor), the GPU
 * (GpuMonitor), the order local requests reach Ollama in (LocalQueue), and loading models
 * before they are needed (Warmer): at start, on `lodestar models warm`, and again for a pinned
 * model that Ollama unloaded.
 */
export class LocalTier {
  readonly monitor: OllamaMonitor;
  readonly gpu: GpuMonitor | undefined;
  readonly queue: LocalQueue;
  readonly warmer: Warmer;
  private readonly config: LodestarConfig;
  private readonly logger: Logger;
  private readonly events: EventBus;
  private readonly probe: UpstreamClient;
  private readonly loader: UpstreamClient;
  private warmup: WarmupState;
  private wasReachable = false;
  private readonly repinAfter = new Map<string, number>();
  private unsubscribe: Array<() => void> = [];
  private readonly warmLoads = new Map<WarmWhy, number>();
  private warmupClaimed = false;
  private warmupWaitLogged = false;
  /** What Ollama's models held in VRAM when the GPU was last read: the rest of "used" is other programs'. */
  private residentAtReading = 0;

  private readonly tunnel: SshTunnel | undefined;

  constructor(options: { config: LodestarConfig; env: NodeJS.ProcessEnv; logger: Logger; events: EventBus; tunnel?: SshTunnel }) {
    const { config, logger, events } = options;
    this.tunnel = options.tunnel;
    this.config = config;
    this.logger = logger;
    this.events = events;
    const ollama = config.providers.ollama;
    // node:http rather than fetch: fetch would load a second HTTP stack (~20 MB) for this alone.
    this.probe = new UpstreamClient('ollama', ollama.baseUrl, { ...ollama.timeouts, connectMs: 2000, firstByteMs: 2000, requestMs: 2000 }, { connections: 2 });
    this.loader = new UpstreamClient('ollama', ollama.baseUrl, { ...ollama.timeouts, firstByteMs: LOAD_TIMEOUT_MS, requestMs: LOAD_TIMEOUT_MS }, { connections: 1 });
    const api = this.api();
    this.gpu = config.gpu.enabled
      ? new GpuMonitor({
          host: { env: options.env, ...(ollama.ssh ? { ssh: { target: ollama.ssh, args: ollama.sshArgs } } : {}) },
          // Through ssh each reading opens a connection to the GPU box: not more than every 15 s.
          intervalMs: (ollama.ssh ? Math.max(15, config.gpu.pollSeconds) : config.gpu.pollSeconds) * 1000,
          logger,
          // /api/ps just before each reading, so that used VRAM splits into Ollama's and the rest.
          beforeRead: () => (ollama.enabled ? this.monitor.refreshLoaded() : Promise.resolve()),
        })
      : undefined;
    this.monitor = new OllamaMonitor({
      api,
      url: ollama.baseUrl,
      logger,
      configuredModels: () => Object.keys(ollama.models),
      numCtx: (model) => localModelSettings(ollama, model).numCtx,
      keepAliveMs: (model) => keepAliveMs(localModelSettings(ollama, model).keepAlive),
      vramBudgetMiB: () => ollamaVramBudgetMiB(this.firstGpu(), this.residentAtReading, ollama.vramMiB),
    });
    this.queue = new LocalQueue({
      parallel: ollama.parallel,
      switchWaitMs: ollama.switchWaitMs,
      loaded: () => this.monitor.loaded(),
      fits: (models) => this.monitor.fits(models),
      onStart: (model) => this.monitor.expect(model),
    });
    this.warmer = new Warmer({
      api,
      monitor: this.monitor,
      logger,
      loadTimeoutMs: LOAD_TIMEOUT_MS,
      turn: (model) => this.queue.acquire(model, new AbortController().signal),
      onResult: (result, why) => {
        if (result.outcome === 'loaded') this.warmLoads.set(why, (this.warmLoads.get(why) ?? 0) + 1);
        events.publish({ type: 'warmup', data: { ...result, why } });
      },
    });
    this.warmup = { state: ollama.enabled && ollama.warmup ? 'waiting' : 'off', results: [] };
  }

  start(firstLocalChoice: () => string | undefined): void {
    const ollama = this.config.providers.ollama;
    if (this.gpu) {
      this.unsubscribe.push(
        this.gpu.onSample((state) => {
          this.residentAtReading = this.monitor.residentMiB();
          this.events.publish({ type: 'gpu', data: gpuView(state) });
        }),
      );
      this.gpu.start();
    }

    if (!ollama.enabled) return;
    this.unsubscribe.push(
      this.monitor.onChange((snapshot, change) => {
        this.events.publish({ type: 'ollama', data: { ...change, reachable: snapshot.reachable, inVram: snapshot.loaded } });
      }),
    );
    this.monitor.start();
    if (this.warmup.state === 'waiting') void this.warmAtStart(firstLocalChoice);
    const repin = setInterval(() => {
      if (this.warmup.state === 'waiting') void this.warmAtStart(firstLocalChoice);
      else void this.repin();
    }, 5000);
    repin.unref();
    this.unsubscribe.push(() => clearInterval(repin));
  }

  async stop(): Promise<void> {
    for (const stop of this.unsubscribe) stop();
    this.unsubscribe = [];
    this.gpu?.stop();
    this.monitor.stop();
    await Promise.allSettled([this.probe.close(), this.loader.close()]);
  }

  /** Ollama's provider, with its requests queued per model (LocalQueue) before they go. */
  gate(provider: ChatProvider): ChatProvider {
    return gateProvider(this.queue, provider);
  }

  /** Loads these local models now (or, with none named, the ones warm-up loads). */
  async warm(models: readonly string[] | undefined, why: WarmWhy): Promise<WarmResult[]> {
    if (!this.config.providers.ollama.enabled) return [];
    if (this.monitor.isReachable === undefined) await this.monitor.refresh();
    if (this.monitor.isReachable === false) {
      const reason = `Ollama does not answer at ${this.config.providers.ollama.baseUrl}`;
      return (models ?? []).map((model) => ({ model, outcome: 'failed' as const, reason }));
    }
    await this.monitor.refreshLoaded();
    const targets = models ? models.map((model) => this.target(model)) : this.startTargets(undefined);
    return this.warmer.warm(targets, why);
  }

  warmupState(): WarmupState {
    return this.warmup;
  }

  /** The part of /health about Ollama and the GPU; `degraded` when Ollama should answer and does not. */
  health(): { ollama: Record<string, unknown>; gpu: Record<string, unknown>; degraded: boolean; pending: string[] } {
    const ollama = this.config.providers.ollama;
    const snapshot = this.monitor.snapshot();
    // A first reading not in yet is said as such, never shown as "no GPU" or "Ollama down".
    const pending: string[] = [];
    if (this.gpu && this.gpu.latest() === undefined) pending.push('gpu');
    if (ollama.enabled && snapshot.reachable === undefined) pending.push('ollama');
    if (snapshot.reachable) this.wasReachable = true;
    const expected = this.wasReachable || Object.keys(ollama.models).length > 0 || this.tunnel !== undefined;
    const degraded = ollama.enabled && snapshot.reachable === false && expected;
    const warnings = snapshot.loaded.filter((model) => model.offloaded).map((model) => `${model.name} is ${100 - model.gpuPercent}% on the CPU (it does not fit in VRAM): slow`);
    return {
      ollama: ollama.enabled
        ? {
            ...snapshot,
            ...(snapshot.reachable === undefined ? { pending: true, reason: 'the first check of Ollama is not done yet' } : {}),
            ...(this.tunnel ? { tunnel: this.tunnel.health() } : {}),
            models: snapshot.models.length,
            queue: this.queue.snapshot(),
            warmup: this.warmup,
            ...(warnings.length ? { warnings } : {}),
          }
        : { enabled: false },
      gpu: this.gpu ? gpuView(this.gpu.latest()) : { available: false, reason: 'the GPU monitor is off (gpu.enabled: false)' },
      degraded,
      pending,
    };
  }

  /** GPU, Ollama and queue gauges for /metrics, read at scrape time; unknown values are left out. */
  metrics(): MetricFamily[] {
    const families: MetricFamily[] = [];
    const gauge = (name: string, help: string, samples: MetricFamily['samples']): void => {
      families.push({ name, help, type: 'gauge', samples });
    };
    const state = this.gpu?.latest();
    const gpus = state?.kind === 'ok' ? state.gpus : [];
    gauge('lodestar_gpu_available', 'Whether nvidia-smi reads a GPU (1) or not (0: none, no driver, or not read yet).', [{ value: gpus.length ? 1 : 0 }]);
    const perGpu = (pick: (gpu: (typeof gpus)[number]) => number | undefined) =>
      gpus.flatMap((gpu) => {
        const value = pick(gpu);
        return value === undefined ? [] : [{ labels: { gpu: String(gpu.index), name: gpu.name }, value }];
      });
    const mib = 1024 * 1024;
    gauge('lodestar_gpu_utilization_ratio', 'Share of time the GPU ran kernels over the last sample period (nvidia-smi utilization.gpu / 100).', perGpu((gpu) => (gpu.utilizationPercent === undefined ? undefined : gpu.utilizationPercent / 100)));
    gauge('lodestar_gpu_memory_used_bytes', 'VRAM allocated by active contexts (nvidia-smi memory.used).', perGpu((gpu) => (gpu.memoryUsedMiB === undefined ? undefined : gpu.memoryUsedMiB * mib)));
    gauge('lodestar_gpu_memory_total_bytes', 'VRAM of the card (nvidia-smi memory.total).', perGpu((gpu) => (gpu.memoryTotalMiB === undefined ? undefined : gpu.memoryTotalMiB * mib)));
    gauge('lodestar_gpu_temperature_celsius', 'GPU core temperature.', perGpu((gpu) => gpu.temperatureC));
    gauge('lodestar_gpu_power_watts', 'Power draw (instantaneous on Turing cards such as the T600).', perGpu((gpu) => gpu.powerDrawW));
    const snapshot = this.monitor.snapshot();
    if (this.config.providers.ollama.enabled) {
      gauge('lodestar_ollama_up', 'Whether Ollama answered its last check (1) or not (0).', [{ value: snapshot.reachable ? 1 : 0 }]);
      gauge('lodestar_ollama_model_size_bytes', 'Memory a loaded local model takes (Ollama /api/ps size).', snapshot.loaded.map((model) => ({ labels: { model: model.name }, value: model.sizeMiB * mib })));
      gauge('lodestar_ollama_model_vram_bytes', 'Of a loaded local model, the part in VRAM; less than its size means part of it runs on the CPU.', snapshot.loaded.map((model) => ({ labels: { model: model.name }, value: model.vramMiB * mib })));
      const queue = this.queue.snapshot();
      gauge('lodestar_local_requests_in_flight', 'Local requests Ollama is serving now, by model.', Object.entries(queue.inFlight).map(([model, value]) => ({ labels: { model }, value })));
      gauge('lodestar_local_requests_waiting', 'Local requests waiting for their model\'s turn on the GPU, by model.', Object.entries(queue.queued).map(([model, value]) => ({ labels: { model }, value })));
      families.push({
        name: 'lodestar_warm_loads_total',
        help: 'Models loaded ahead of requests: at start, on `lodestar models warm`, or a pinned model loaded again.',
        type: 'counter',
        samples: (['start', 'request', 'pin'] as const).map((why) => ({ labels: { why }, value: this.warmLoads.get(why) ?? 0 })),
      });
    }
    return families;
  }

  private firstGpu() {
    const state = this.gpu?.latest();
    return state?.kind === 'ok' ? state.gpus[0] : undefined;
  }

  private api(): OllamaApi {
    const call = async (client: UpstreamClient, method: 'GET' | 'POST', path: string, body: unknown, timeoutMs: number): Promise<unknown> => {
      const signal = AbortSignal.timeout(timeoutMs);
      const headers = { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
      const response = method === 'GET' ? await client.get(path, headers, { signal, stream: false }) : await client.post(path, JSON.stringify(body), headers, { signal, stream: false });
      const text = await response.body.text();
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new Error(`ollama answered ${path} with something that is not JSON`);
      }
    };
    return {
      getJson: (path, timeoutMs) => call(this.probe, 'GET', path, undefined, timeoutMs),
      postJson: (path, body, timeoutMs) => call(this.loader, 'POST', path, body, timeoutMs),
      postQuickJson: (path, body, timeoutMs) => call(this.probe, 'POST', path, body, timeoutMs),
    };
  }

  private target(model: string): WarmTarget {
    const name = model.startsWith('ollama/') ? model.slice('ollama/'.length) : model;
    const settings = localModelSettings(this.config.providers.ollama, name);
    return { model: name, numCtx: settings.numCtx, keepAlive: settings.keepAlive, pinned: settings.pinned };
  }

  /**
   * Pinned models first, then those marked warm, in config order; with none, the router's first
   * local pick. Then the completion model (routing.taskModels.complete), beside them: the warmer
   * loads it only where it fits in VRAM with what it loaded before it (an editor's completions
   * then never wait for a load, nor push the chat model out).
   */
  private startTargets(firstLocalChoice: (() => string | undefined) | undefined): WarmTarget[] {
    const all = Object.keys(this.config.providers.ollama.models).map((model) => this.target(model));
    const marked = [...all.filter((target) => target.pinned), ...all.filter((target) => !target.pinned && localModelSettings(this.config.providers.ollama, target.model).warm)];
    const choice = marked.length ? undefined : firstLocalChoice?.();
    const targets = marked.length ? marked : choice ? [this.target(choice)] : [];
    const completion = this.completionModel();
    if (completion && !targets.some((target) => target.model === completion)) targets.push(this.target(completion));
    return targets;
  }

  /** The local model inline completions go to first, as config names it (routing.taskModels.complete), without "ollama/". */
  private completionModel(): string | undefined {
    const chosen = this.config.routing.taskModels.complete;
    return chosen?.startsWith('ollama/') ? chosen.slice('ollama/'.length) : undefined;
  }

  /**
   * Warm-up runs once Ollama first answers: at start, or later if Ollama (or the tunnel to it)
   * comes up after the daemon; meanwhile it is "waiting".
   */
  private async warmAtStart(firstLocalChoice: () => string | undefined): Promise<void> {
    if (this.warmupClaimed) return;
    if (!this.monitor.isReachable) await this.monitor.refresh();
    if (!this.monitor.isReachable || this.warmupClaimed) {
      if (!this.warmupWaitLogged) this.logger.info('warm-up waits for ollama', { url: this.config.providers.ollama.baseUrl });
      this.warmupWaitLogged = true;
      return;
    }
    this.warmupClaimed = true;
    // The GPU's first reading says what fits; warm-up waits for it (nvidia-smi takes ~0.1 s).
    await this.gpu?.poll();
    await this.monitor.refreshLoaded();
    const missing: WarmResult[] = [];
    const targets = this.startTargets(firstLocalChoice).filter((target) => this.monitor.models().includes(target.model) || !missing.push(this.reportMissing(target)));
    this.warmup = { state: 'running', results: missing };
    const results = await this.warmer.warm(targets, 'start');
    this.warmup = { state: 'done', results: [...missing, ...results], finishedAt: new Date().toISOString() };
  }

  /** A configured model Ollama does not have: said in the warm-up results and the log. */
  private reportMissing(target: WarmTarget): WarmResult {
    const result: WarmResult = { model: target.model, outcome: 'failed', reason: `not pulled; pull it with: ollama pull ${target.model}` };
    this.logger.warn('model not loaded', { model: target.model, why: 'start', reason: result.reason });
    this.events.publish({ type: 'warmup', data: { ...result, why: 'start' } });
    return result;
  }

  /** A pinned model Ollama unloaded (to make room, or `ollama stop`) is loaded again once the GPU is idle. */
  private async repin(): Promise<void> {
    if (this.warmup.state === 'waiting' || this.warmup.state === 'running' || this.warmer.busy || !this.monitor.isReachable) return;
    const loaded = this.monitor.loaded();
    const now = Date.now();
    const missing = Object.keys(this.config.providers.ollama.models)
      .filter((model) => localModelSettings(this.config.providers.ollama, model).pinned && !loaded.has(model))
      .filter((model) => this.monitor.models().includes(model) && (this.repinAfter.get(model) ?? 0) <= now);
    // Once the GPU has been idle as long as a switch may be made to wait: a pin does not push
    // out a model the user is working with between two of their requests.
    if (!missing.length || this.queue.idleMs() < Math.max(1000, this.config.providers.ollama.switchWaitMs)) return;
    for (const model of missing) this.logger.info('pinned model was unloaded; loading it again', { model });
    const results = await this.warmer.warm(missing.map((model) => this.target(model)), 'pin');
    for (const result of results) this.repinAfter.set(result.model, result.outcome === 'failed' || result.outcome === 'skipped' ? Date.now() + REPIN_RETRY_MS : 0);
  }
}

/** The GPU as /health, /api/events and the dashboard show it. */
export function gpuView(state: GpuState | undefined): Record<string, unknown> {
  if (!state) return { available: null, pending: true, reason: 'the first nvidia-smi reading is not in yet' };
  if (state.kind === 'none') return { available: false, reason: state.reason, at: state.at };
  return { available: true, at: state.at, gpus: state.gpus, ...(state.processes ? { processes: state.processes } : {}) };
}
