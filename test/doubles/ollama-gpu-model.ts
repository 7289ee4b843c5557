import { setTimeout as delay } from 'node:timers/promises';
import { DEFAULT_NUM_CTX, FOREVER_MS, GIB, type CatalogModel } from './ollama-wire.js';

/**
 * A simulated single-GPU Ollama scheduler (/work/shared/reference/ollama-gpu.md
 * sections 1.5-1.7, 4 and 10):
 * - loading takes time proportional to the loaded size; one load at a time;
 * - a model that does not fit next to the loaded ones evicts idle ones, shortest keep_alive first
 *   (then by name); busy ones are waited for; a model bigger than the whole GPU is loaded after
 *   evicting everything, partly offloaded (size_vram < size);
 * - requests are scheduled strictly FIFO: while the head waits for room or a load runs, every
 *   request behind it waits too, even for loaded models (ollama/ollama#5724);
 * - each model serves one request at a time (OLLAMA_NUM_PARALLEL=1), FIFO;
 * - a different num_ctx for a loaded model forces a reload (1.7);
 * - keep_alive is sticky per model, applied on load or when a request sets it (1.6); the model
 *   expires keep_alive after its last request ends; 0 unloads it right after the request.
 * Every wait is multiplied by timeScale (load times and keep_alive expiry alike).
 */
export interface GpuOptions {
  usableVramBytes: number;
  loadMsPerGiB: number;
  defaultKeepAliveMs: number;
  timeScale: number;
  /** Called whenever a model starts loading, unloads, or starts or stops working. */
  onChange?: () => void;
}

export interface ModelLoad {
  model: string;
  numCtx: number;
  /** When the load started (epoch ms). */
  at: number;
  durationMs: number;
}

export interface LoadedModel {
  name: string;
  sizeVram: number;
  size: number;
  expiresAt: Date;
  numCtx: number;
}

/** What a request holds while it runs on a model. */
export interface Lease {
  model: CatalogModel;
  numCtx: number;
  release(): void;
}

export interface ScheduleRequest {
  model: CatalogModel;
  numCtx: number | undefined;
  /** undefined: keep the model's current (sticky) keep_alive, or the default on first load. */
  keepAliveMs: number | undefined;
  signal: AbortSignal;
  /** Load-only requests (empty messages/prompt) wait for the load but not for the model's queue. */
  exclusive: boolean;
}

interface Waiter extends ScheduleRequest {
  numCtxResolved: number;
  resolve(lease: Lease | undefined): void;
}

interface Runner {
  model: CatalogModel;
  numCtx: number;
  size: number;
  sizeVram: number;
  keepAliveMs: number;
  loading: boolean;
  busy: boolean;
  queue: Waiter[];
  /** Epoch ms when an idle runner unloads; undefined while busy or loading. */
  expiresAt: number | undefined;
  timer: NodeJS.Timeout | undefined;
  removed: boolean;
}

/** Layers are offloaded whole; most of these models have ~28-32 layers. */
const LAYERS = 32;

export class OllamaGpu {
  readonly loads: ModelLoad[] = [];
  private readonly runners = new Map<string, Runner>();
  private pending: Waiter[] = [];
  private loading = false;
  private readonly shutdown = new AbortController();

  constructor(private readonly options: GpuOptions) {}

  /** Loaded size at a context length: the KV cache grows with num_ctx (ESTIMATE: 15% at 4k). */
  sizeAt(model: CatalogModel, numCtx: number): number {
    return Math.round(model.sizeBytes * (0.85 + (0.15 * numCtx) / DEFAULT_NUM_CTX));
  }

  /** Whether some model is generating right now. */
  isBusy(): boolean {
    return [...this.runners.values()].some((runner) => runner.busy || runner.loading);
  }

  isLoaded(name: string): boolean {
    return this.runners.has(name);
  }

  /** Waits until the model is loaded (and, if exclusive, free); undefined if the request was aborted. */
  acquire(request: ScheduleRequest): Promise<Lease | undefined> {
    return new Promise((resolve) => {
      this.pending.push({ ...request, numCtxResolved: request.numCtx ?? DEFAULT_NUM_CTX, resolve });
      this.pump();
    });
  }

  /** keep_alive 0 on an empty request: expire now, or as soon as the running request ends. */
  unloadSoon(name: string): void {
    const runner = this.runners.get(name);
    if (!runner) return;
    runner.keepAliveMs = 0;
    if (!runner.busy && !runner.loading && !runner.queue.length) this.unload(runner);
  }

  evict(name: string): void {
    const runner = this.runners.get(name);
    if (runner) this.unload(runner);
  }

  loaded(): LoadedModel[] {
    const now = Date.now();
    return [...this.runners.values()]
      .map((runner) => ({
        name: runner.model.name,
        sizeVram: runner.sizeVram,
        size: runner.size,
        // 1.7: while busy or loading, expires_at is an estimate of now + keep_alive.
        expiresAt: new Date(runner.expiresAt ?? this.expiryFrom(now, runner.keepAliveMs)),
        numCtx: runner.numCtx,
      }))
      .sort((a, b) => b.expiresAt.getTime() - a.expiresAt.getTime() || a.name.localeCompare(b.name));
  }

  /** Unloads everything and forgets the load history (used by reset()). */
  clear(): void {
    for (const runner of [...this.runners.values()]) this.unload(runner);
    this.loads.length = 0;
  }

  close(): void {
    this.shutdown.abort();
    for (const runner of [...this.runners.values()]) this.unload(runner);
    for (const waiter of this.pending) waiter.resolve(undefined);
    this.pending = [];
  }

  /** 1.6: "forever" shows as now + Go's max duration, ~292 years ahead. */
  private expiryFrom(now: number, keepAliveMs: number): number {
    return keepAliveMs === Infinity ? now + FOREVER_MS : now + keepAliveMs * this.options.timeScale;
  }

  private pump(): void {
    while (!this.loading && this.pending.length) {
      const head = this.pending[0] as Waiter;
      if (head.signal.aborted) {
        this.pending.shift();
        head.resolve(undefined);
        continue;
      }
      const runner = this.runners.get(head.model.name);
      if (runner && runner.numCtx === head.numCtxResolved) {
        this.pending.shift();
        this.admit(runner, head);
        continue;
      }
      if (runner) {
        // 1.7: num_ctx changed; the old runner must drain before it is replaced.
        if (runner.busy || runner.loading || runner.queue.length) return;
        this.unload(runner);
      }
      const size = this.sizeAt(head.model, head.numCtxResolved);
      const plan = this.planRoom(size);
      if (!plan) return; // wait for busy models to finish
      for (const victim of plan.evict) this.unload(victim);
      this.pending.shift();
      void this.load(head, size, plan.sizeVram);
      return;
    }
  }

  /** Which idle runners to evict so `size` fits, and how much of it lands in VRAM. */
  private planRoom(size: number): { evict: Runner[]; sizeVram: number } | undefined {
    const usable = this.options.usableVramBytes;
    const all = [...this.runners.values()];
    let free = usable - all.reduce((sum, runner) => sum + runner.sizeVram, 0);
    if (size <= free) return { evict: [], sizeVram: size };
    // 4: eviction picks the runner with the shortest keep_alive first (ByDurationAndName).
    const idle = all
      .filter((runner) => !runner.busy && !runner.loading && !runner.queue.length)
      .sort((a, b) => a.keepAliveMs - b.keepAliveMs || a.model.name.localeCompare(b.model.name));
    const evict: Runner[] = [];
    for (const runner of idle) {
      if (free >= size) break;
      evict.push(runner);
      free += runner.sizeVram;
    }
    if (free >= size) return { evict, sizeVram: size };
    if (evict.length < all.length) return undefined; // busy models hold the memory: wait
    // Bigger than the whole GPU: offload whole layers to the CPU (size_vram < size, 2.1).
    const layerBytes = size / LAYERS;
    return { evict, sizeVram: Math.floor(Math.floor(usable / layerBytes) * layerBytes) };
  }

  private async load(first: Waiter, size: number, sizeVram: number): Promise<void> {
    this.loading = true;
    const runner: Runner = {
      model: first.model,
      numCtx: first.numCtxResolved,
      size,
      sizeVram,
      keepAliveMs: first.keepAliveMs ?? this.options.defaultKeepAliveMs,
      loading: true,
      busy: false,
      queue: [first],
      expiresAt: undefined,
      timer: undefined,
      removed: false,
    };
    // 1.7: /api/ps lists a model as soon as its memory is allocated, while it still loads.
    this.runners.set(runner.model.name, runner);
    this.options.onChange?.();
    const at = Date.now();
    const durationMs = (size / GIB) * this.options.loadMsPerGiB * this.options.timeScale;
    try {
      await delay(durationMs, undefined, { signal: this.shutdown.signal });
    } catch {
      return; // closed while loading
    }
    this.loads.push({ model: runner.model.name, numCtx: runner.numCtx, at, durationMs: Date.now() - at });
    runner.loading = false;
    this.loading = false;
    this.next(runner);
    this.pump();
  }

  private admit(runner: Runner, waiter: Waiter): void {
    if (waiter.exclusive) {
      runner.queue.push(waiter);
      this.next(runner);
      return;
    }
    // A load-only request on a loaded model: refresh keep_alive and return at once.
    if (waiter.keepAliveMs !== undefined) runner.keepAliveMs = waiter.keepAliveMs;
    if (runner.loading) {
      runner.queue.push(waiter);
      return;
    }
    waiter.resolve(this.lease(runner, false));
    if (!runner.busy && !runner.queue.length) this.scheduleExpiry(runner);
  }

  private next(runner: Runner): void {
    if (runner.loading || runner.busy || runner.removed) return;
    while (runner.queue.length) {
      const waiter = runner.queue.shift() as Waiter;
      if (waiter.signal.aborted) {
        waiter.resolve(undefined);
        continue;
      }
      if (waiter.keepAliveMs !== undefined) runner.keepAliveMs = waiter.keepAliveMs;
      if (!waiter.exclusive) {
        waiter.resolve(this.lease(runner, false));
        continue;
      }
      runner.busy = true;
      this.cancelExpiry(runner);
      waiter.resolve(this.lease(runner, true));
      this.options.onChange?.();
      return;
    }
    this.scheduleExpiry(runner);
  }

  private lease(runner: Runner, holds: boolean): Lease {
    let released = false;
    return {
      model: runner.model,
      numCtx: runner.numCtx,
      release: () => {
        if (released || !holds) return;
        released = true;
        runner.busy = false;
        this.options.onChange?.();
        if (!runner.removed) {
          if (runner.queue.length) this.next(runner);
          else this.scheduleExpiry(runner);
        }
        this.pump();
      },
    };
  }

  private scheduleExpiry(runner: Runner): void {
    this.cancelExpiry(runner);
    if (runner.removed) return;
    if (runner.keepAliveMs === 0) return this.unload(runner);
    const now = Date.now();
    runner.expiresAt = this.expiryFrom(now, runner.keepAliveMs);
    if (runner.keepAliveMs === Infinity) return;
    runner.timer = setTimeout(() => this.unload(runner), runner.expiresAt - now);
    runner.timer.unref();
  }

  private cancelExpiry(runner: Runner): void {
    if (runner.timer) clearTimeout(runner.timer);
    runner.timer = undefined;
    runner.expiresAt = undefined;
  }

  private unload(runner: Runner): void {
    this.cancelExpiry(runner);
    runner.removed = true;
    if (this.runners.get(runner.model.name) === runner) this.runners.delete(runner.model.name);
    this.options.onChange?.();
    // Requests queued on a runner that disappears go back to the head of the scheduler's queue.
    this.pending.unshift(...runner.queue.splice(0));
    queueMicrotask(() => this.pump());
  }
}
