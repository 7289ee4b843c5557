import type { WarmResult } from '../shared/model-facts.js';
import type { Logger } from '../shared/logger.js';
import type { OllamaApi } from './ollama-api.js';
import type { OllamaMonitor } from './ollama-monitor.js';

export interface WarmTarget {
  model: string;
  /** The num_ctx its requests are sent with: a load with another one would be reloaded by the first request. */
  numCtx: number;
  keepAlive: string | number;
  pinned: boolean;
}

export type WarmWhy = 'start' | 'request' | 'pin';

export type { WarmResult };

export interface WarmerOptions {
  api: OllamaApi;
  monitor: OllamaMonitor;
  logger: Logger;
  /** A cold load can take minutes on a slow disk; Ollama itself gives up after 5 (OLLAMA_LOAD_TIMEOUT). */
  loadTimeoutMs: number;
  /** Waits for the model's turn on the GPU (the daemon's LocalQueue); resolves with a release. */
  turn?: (model: string) => Promise<() => void>;
  onResult?: (result: WarmResult, why: WarmWhy) => void;
}

/** A load answered this fast found the model already in VRAM (a real load takes 0.5 s and more). */
const READY_MS = 150;

/**
 * Loads local models before they are needed (reference/ollama-gpu.md 1.5): an empty chat with
 * the model's own num_ctx and keep_alive, which returns once the model is in VRAM. One load at a
 * time, in the order given (pinned models first is the caller's job), skipping a model that
 * would not fit beside those already loaded by the same call, and saying which models a load
 * pushed out.
 */
export class Warmer {
  private readonly options: WarmerOptions;
  private chain: Promise<unknown> = Promise.resolve();
  private running = 0;

  constructor(options: WarmerOptions) {
    this.options = options;
  }

  get busy(): boolean {
    return this.running > 0;
  }

  warm(targets: readonly WarmTarget[], why: WarmWhy): Promise<WarmResult[]> {
    this.running++;
    const run = this.chain.then(() => this.warmAll(targets, why)).finally(() => this.running--);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async warmAll(targets: readonly WarmTarget[], why: WarmWhy): Promise<WarmResult[]> {
    const { monitor } = this.options;
    const results: WarmResult[] = [];
    const placed: string[] = [];
    for (const target of targets) {
      let result: WarmResult;
      const fits = monitor.fits([...placed, target.model]);
      if (fits === false) {
        const budget = monitor.budgetMiB();
        const need = Math.round(monitor.footprintMiB(target.model) ?? 0);
        result = {
          model: target.model,
          outcome: 'skipped',
          reason: placed.length
            ? `would not fit in VRAM beside ${placed.join(', ')} (needs ~${need} MiB; ${Math.round(budget ?? 0)} MiB usable)`
            : `would not fit in VRAM (needs ~${need} MiB; ${Math.round(budget ?? 0)} MiB usable)`,
        };
      } else {
        result = await this.load(target, placed);
      }
      if (result.outcome === 'loaded' || result.outcome === 'ready') placed.push(target.model);
      results.push(result);
      this.report(result, why);
    }
    return results;
  }

  private async load(target: WarmTarget, placed: readonly string[]): Promise<WarmResult> {
    const { api, monitor, loadTimeoutMs, turn } = this.options;
    const before = new Set(monitor.loaded());
    const release = turn ? await turn(target.model) : undefined;
    const started = performance.now();
    try {
      const body = (await api.postJson('/api/chat', { model: target.model, messages: [], keep_alive: target.keepAlive, options: { num_ctx: target.numCtx } }, loadTimeoutMs)) as { error?: unknown; done_reason?: unknown };
      if (typeof body?.error === 'string') throw new Error(body.error);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const missing = /not found/i.test(message);
      return { model: target.model, outcome: 'failed', reason: missing ? `${message}; pull it with: ollama pull ${target.model}` : message };
    } finally {
      release?.();
    }
    const ms = Math.round(performance.now() - started);
    monitor.expect(target.model);
    await monitor.refreshLoaded();
    const now = monitor.loaded();
    const evicted = [...before].filter((name) => !now.has(name) && name !== target.model);
    const lost = placed.filter((name) => !now.has(name));
    const result: WarmResult = { model: target.model, outcome: before.has(target.model) && ms < READY_MS ? 'ready' : 'loaded', ms };
    if (evicted.length) result.evicted = evicted;
    if (lost.length) result.reason = `loading it pushed ${lost.join(', ')} out of VRAM`;
    return result;
  }

  private report(result: WarmResult, why: WarmWhy): void {
    const fields = { model: result.model, why, ms: result.ms, reason: result.reason, evicted: result.evicted };
    if (result.outcome === 'failed') this.options.logger.warn('model not loaded', fields);
    else if (result.outcome === 'skipped') this.options.logger.info('model not loaded', fields);
    else this.options.logger.info(result.outcome === 'loaded' ? 'model loaded' : 'model already loaded', fields);
    this.options.onResult?.(result, why);
  }
}
