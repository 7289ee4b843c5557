import type { Logger } from '../shared/logger.js';
import { estimateLoadedMiB } from './fit.js';
import { OllamaCapabilities, type TaggedModel } from './ollama-capabilities.js';
import { shortModelName, type OllamaApi } from './ollama-api.js';

const MIB = 1024 * 1024;

/** A model in VRAM as /api/ps reports it (reference/ollama-gpu.md 2.1). */
export interface LoadedModelInfo {
  name: string;
  sizeMiB: number;
  vramMiB: number;
  /** Part of it runs on the CPU (size_vram < size): much slower. */
  offloaded: boolean;
  /** Percent of it in VRAM; 100 when all of it. */
  gpuPercent: number;
  /** ISO time Ollama will unload it; undefined for "forever" (pinned). */
  expiresAt: string | undefined;
  contextLength: number | undefined;
}

export interface OllamaSnapshot {
  url: string;
  /** undefined until the first answer or failure. */
  reachable: boolean | undefined;
  lastError: string | undefined;
  /** Of the last /api/tags, ms. */
  latencyMs: number | undefined;
  checkedAt: string | undefined;
  /** Pulled models, short names. */
  models: string[];
  loaded: LoadedModelInfo[];
}

export interface OllamaMonitorOptions {
  api: OllamaApi;
  url: string;
  logger: Logger;
  /** The models config names, standing in for /api/tags until Ollama has answered once. */
  configuredModels: () => string[];
  /** The fixed num_ctx each model is sent with (for the footprint of a model not yet seen loaded). */
  numCtx: (model: string) => number;
  /** keep_alive per model in ms (Infinity: pinned), for Ollama's eviction order. */
  keepAliveMs: (model: string) => number;
  /** The VRAM Ollama may fill, MiB; undefined: unknown. */
  vramBudgetMiB: () => number | undefined;
}

type Listener = (snapshot: OllamaSnapshot, change: { loaded: string[]; unloaded: string[] }) => void;

/**
 * What Ollama has (/api/tags) and holds in VRAM (/api/ps), refreshed in the background, never
 * on a request's path. Between two looks at /api/ps, what the daemon itself sent counts too:
 * a request to a model loads it, and a model that does not fit beside it is taken as evicted
 * (expect()), so that the router's "prefer the loaded model" is not 5 s behind the GPU.
 */
export class OllamaMonitor {
  private readonly options: OllamaMonitorOptions;
  /** What each pulled model can do (/api/show), learned in the background as models appear. */
  readonly capabilities: OllamaCapabilities;
  private tags = new Map<string, { diskBytes: number | undefined }>();
  private ps: LoadedModelInfo[] = [];
  private believed = new Set<string>();
  /** Models the daemon sent work to, with when: newer than the last /api/ps request, they still count. */
  private readonly expected = new Map<string, number>();
  private observedMiB = new Map<string, number>();
  private reachable: boolean | undefined;
  private lastError: string | undefined;
  private latencyMs: number | undefined;
  private checkedAt: string | undefined;
  private readonly listeners = new Set<Listener>();
  private tagsTimer: NodeJS.Timeout | undefined;
  private psTimer: NodeJS.Timeout | undefined;
  private psInFlight: Promise<void> | undefined;
  private stopped = false;

  constructor(options: OllamaMonitorOptions) {
    this.options = options;
    this.capabilities = new OllamaCapabilities({ api: options.api, logger: options.logger });
  }

  start(tagsIntervalMs = 30_000, psIntervalMs = 5000): void {
    void this.refresh().then(() => this.refreshLoaded());
    this.tagsTimer = setInterval(() => void this.refresh(), tagsIntervalMs);
    this.tagsTimer.unref();
    this.psTimer = setInterval(() => void this.refreshLoaded(), psIntervalMs);
    this.psTimer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.tagsTimer) clearInterval(this.tagsTimer);
    if (this.psTimer) clearInterval(this.psTimer);
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get isReachable(): boolean | undefined {
    return this.reachable;
  }

  /** Pulled models; the configured ones before Ollama first answered; none while it does not. */
  models(): string[] {
    if (this.reachable === undefined) return this.options.configuredModels();
    return this.reachable ? [...this.tags.keys()] : [];
  }

  /** The local models in VRAM, as far as the daemon knows. */
  loaded(): ReadonlySet<string> {
    return this.believed;
  }

  snapshot(): OllamaSnapshot {
    return {
      url: this.options.url,
      reachable: this.reachable,
      lastError: this.lastError,
      latencyMs: this.latencyMs,
      checkedAt: this.checkedAt,
      models: this.models(),
      loaded: this.ps.map((entry) => ({ ...entry })),
    };
  }

  /** A model's footprint in VRAM, MiB: as last seen in /api/ps, else estimated from its size on disk. */
  footprintMiB(model: string): number | undefined {
    const seen = this.observedMiB.get(model);
    if (seen !== undefined) return seen;
    const disk = this.tags.get(model)?.diskBytes;
    return disk === undefined ? undefined : estimateLoadedMiB(disk, this.options.numCtx(model));
  }

  /** The VRAM budget now, MiB (undefined: unknown). */
  budgetMiB(): number | undefined {
    return this.options.vramBudgetMiB();
  }

  /** What Ollama's models hold in VRAM as of the last /api/ps, MiB. */
  residentMiB(): number {
    return this.ps.reduce((sum, entry) => sum + entry.vramMiB, 0);
  }

  /** Whether these models fit in VRAM together; undefined when a size or the budget is unknown. */
  fits(models: Iterable<string>): boolean | undefined {
    const budget = this.budgetMiB();
    if (budget === undefined) return undefined;
    let total = 0;
    for (const model of new Set(models)) {
      const size = this.footprintMiB(model);
      if (size === undefined) return undefined;
      total += size;
    }
    return total <= budget;
  }

  /**
   * The daemon is sending work to `model`: it will be in VRAM, and whatever does not fit beside
   * it will not (evicted the way Ollama does, shortest keep_alive first). With no way to tell
   * what fits, only `model` is taken as loaded: a wrong "not loaded" costs nothing, a wrong
   * "loaded" makes the router pick a model that needs a load.
   */
  expect(model: string): void {
    this.expected.set(model, performance.now());
    const before = new Set(this.believed);
    this.believed = this.withExpected(this.believed, model);
    this.notify(before);
  }

  async refresh(): Promise<void> {
    const started = performance.now();
    try {
      const body = (await this.options.api.getJson('/api/tags', 2000)) as { models?: Array<{ name?: string; model?: string; size?: number; digest?: unknown; capabilities?: unknown }> };
      const tags = new Map<string, { diskBytes: number | undefined }>();
      const tagged: TaggedModel[] = [];
      for (const entry of body.models ?? []) {
        const name = entry.model ?? entry.name;
        if (!name) continue;
        tags.set(shortModelName(name), { diskBytes: typeof entry.size === 'number' ? entry.size : undefined });
        const capabilities = Array.isArray(entry.capabilities) ? entry.capabilities.filter((item): item is string => typeof item === 'string') : undefined;
        tagged.push({ name: shortModelName(name), digest: typeof entry.digest === 'string' ? entry.digest : undefined, capabilities });
      }
      this.tags = tags;
      this.capabilities.update(tagged);
      this.latencyMs = Math.round(performance.now() - started);
      if (this.reachable !== true) this.options.logger.info('ollama answers', { url: this.options.url, models: tags.size });
      this.reachable = true;
      this.lastError = undefined;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (this.reachable !== false) this.options.logger.warn('ollama does not answer', { url: this.options.url, error: message });
      this.reachable = false;
      this.lastError = message;
      const before = new Set(this.believed);
      this.ps = [];
      this.believed = new Set();
      this.notify(before);
    } finally {
      this.checkedAt = new Date().toISOString();
    }
  }

  /** Looks at /api/ps now (one look at a time: a caller during a look waits for it). */
  refreshLoaded(): Promise<void> {
    this.psInFlight ??= this.lookAtPs().finally(() => {
      this.psInFlight = undefined;
    });
    return this.psInFlight;
  }

  private async lookAtPs(): Promise<void> {
    if (this.stopped) return;
    // Not answering: look again for Ollama itself, as often as for what it holds, so that an
    // `ollama serve` (or a tunnel) that comes up after the daemon is seen within seconds.
    if (this.reachable !== true) await this.refresh();
    if (this.reachable !== true || this.stopped) return;
    const askedAt = performance.now();
    let body: { models?: Array<Record<string, unknown>> };
    try {
      body = (await this.options.api.getJson('/api/ps', 2000)) as typeof body;
    } catch {
      return; // /api/tags's next refresh says whether Ollama is gone; the view stays as it was meanwhile
    }
    const ps = (body.models ?? []).map(toLoadedInfo).filter((entry): entry is LoadedModelInfo => entry !== undefined);
    for (const entry of ps) this.observedMiB.set(entry.name, entry.sizeMiB);
    this.ps = ps;
    // What /api/ps says wins, except for work the daemon sent after asking it.
    for (const [model, at] of this.expected) if (at < askedAt) this.expected.delete(model);
    let view = new Set(ps.map((entry) => entry.name));
    for (const model of [...this.expected.entries()].sort((a, b) => a[1] - b[1]).map(([name]) => name)) view = this.withExpected(view, model);
    const before = this.believed;
    this.believed = view;
    this.notify(before);
  }

  private withExpected(current: ReadonlySet<string>, model: string): Set<string> {
    const budget = this.budgetMiB();
    const size = this.footprintMiB(model);
    if (budget === undefined || size === undefined) return new Set([model]);
    const others = [...current].filter((name) => name !== model);
    // Ollama evicts the shortest keep_alive first, then by name (reference 4).
    others.sort((a, b) => this.options.keepAliveMs(a) - this.options.keepAliveMs(b) || a.localeCompare(b));
    let used = size + others.reduce((sum, name) => sum + (this.footprintMiB(name) ?? 0), 0);
    const kept = new Set(others);
    for (const name of others) {
      if (used <= budget) break;
      kept.delete(name);
      used -= this.footprintMiB(name) ?? 0;
    }
    kept.add(model);
    return kept;
  }

  private notify(before: ReadonlySet<string>): void {
    const loaded = [...this.believed].filter((name) => !before.has(name));
    const unloaded = [...before].filter((name) => !this.believed.has(name));
    if (!loaded.length && !unloaded.length) return;
    const snapshot = this.snapshot();
    for (const listener of this.listeners) {
      try {
        listener(snapshot, { loaded, unloaded });
      } catch (error) {
        this.options.logger.warn('an ollama listener failed', { error: error instanceof Error ? error.message : String(error) });
      }
    }
  }
}

function toLoadedInfo(entry: Record<string, unknown>): LoadedModelInfo | undefined {
  const name = typeof entry.model === 'string' ? entry.model : typeof entry.name === 'string' ? entry.name : undefined;
  if (!name) return undefined;
  const size = typeof entry.size === 'number' ? entry.size : 0;
  const sizeVram = typeof entry.size_vram === 'number' ? entry.size_vram : size;
  const expires = typeof entry.expires_at === 'string' ? entry.expires_at : undefined;
  // "Forever" shows as ~292 years ahead (reference 1.6).
  const forever = expires !== undefined && Date.parse(expires) - Date.now() > 100 * 365 * 86_400_000;
  return {
    name: shortModelName(name),
    sizeMiB: Math.round(size / MIB),
    vramMiB: Math.round(sizeVram / MIB),
    offloaded: sizeVram < size,
    gpuPercent: size > 0 ? Math.round((sizeVram / size) * 100) : 100,
    expiresAt: forever ? undefined : expires,
    contextLength: typeof entry.context_length === 'number' ? entry.context_length : undefined,
  };
}
