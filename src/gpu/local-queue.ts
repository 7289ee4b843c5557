/**
 * The order in which local requests reach Ollama. A small GPU holds one or two models; Ollama
 * serves each model one request at a time and, when a request needs a model that does not fit,
 * unloads another (reference/ollama-gpu.md section 4). Sent in arrival order, two models used
 * in turn would push each other out on every request. So requests wait here, per model:
 * - a request for a model in VRAM goes as soon as the model has a free slot (`parallel`);
 * - a request for a model that is not loaded, and does not fit beside the models that have
 *   work, waits until their work is done, but never longer than `switchWaitMs`: after that,
 *   nothing new starts on the other models until it has gone.
 * Nothing here talks to Ollama; the daemon tells it what is loaded and what fits.
 */
export interface LocalQueueOptions {
  parallel: number;
  switchWaitMs: number;
  /** The models in VRAM now, as far as the daemon knows. */
  loaded: () => ReadonlySet<string>;
  /** Whether these models fit in VRAM together; undefined when that can't be told. */
  fits: (models: Iterable<string>) => boolean | undefined;
  /** A request is let through to `model`: it will be loaded if it was not. */
  onStart?: (model: string) => void;
}

export class QueueAbortedError extends Error {
  constructor() {
    super('the request was cancelled while it waited for the GPU');
    this.name = 'QueueAbortedError';
  }
}

interface Waiter {
  model: string;
  at: number;
  signal: AbortSignal;
  grant(release: () => void): void;
  fail(error: Error): void;
  onAbort: () => void;
}

export class LocalQueue {
  private readonly options: LocalQueueOptions;
  private readonly waiters: Waiter[] = [];
  private readonly inFlight = new Map<string, number>();
  private idleSince = performance.now();
  private timer: NodeJS.Timeout | undefined;
  /** Requests that waited here (for the bench and /metrics). */
  waited = 0;

  constructor(options: LocalQueueOptions) {
    this.options = options;
  }

  /** Resolves with a release function once the request may go to Ollama; call it exactly when done. */
  acquire(model: string, signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(new QueueAbortedError());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        model,
        at: performance.now(),
        signal,
        grant: resolve,
        fail: reject,
        onAbort: () => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(new QueueAbortedError());
          this.pump();
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
      this.pump();
      if (this.waiters.includes(waiter)) this.waited++;
    });
  }

  /** What is running and waiting, per model. */
  snapshot(): { inFlight: Record<string, number>; queued: Record<string, number> } {
    const queued: Record<string, number> = {};
    for (const waiter of this.waiters) queued[waiter.model] = (queued[waiter.model] ?? 0) + 1;
    return { inFlight: Object.fromEntries(this.inFlight), queued };
  }

  /** How long nothing has run or waited, ms (0 while busy). */
  idleMs(): number {
    return this.inFlight.size || this.waiters.length ? 0 : performance.now() - this.idleSince;
  }

  private pump(): void {
    const now = performance.now();
    for (let index = 0; index < this.waiters.length; index++) {
      const waiter = this.waiters[index] as Waiter;
      if ((this.inFlight.get(waiter.model) ?? 0) >= this.options.parallel) continue;
      const overdue = now - waiter.at >= this.options.switchWaitMs;
      if (this.mayStart(waiter.model, overdue)) {
        this.waiters.splice(index--, 1);
        this.start(waiter);
        continue;
      }
      // Overdue: it goes next; nothing new starts on the models in its way meanwhile.
      if (overdue) break;
    }
    this.armTimer(now);
  }

  private mayStart(model: string, overdue: boolean): boolean {
    const loaded = this.options.loaded();
    if (loaded.has(model)) return true;
    const inWay = new Set<string>();
    for (const [name, count] of this.inFlight) if (count > 0 && name !== model) inWay.add(name);
    // Queued work on a loaded model is in the way too, until this request is overdue.
    if (!overdue) for (const waiter of this.waiters) if (waiter.model !== model && loaded.has(waiter.model)) inWay.add(waiter.model);
    if (!inWay.size) return true;
    return this.options.fits([...inWay, model]) === true;
  }

  private start(waiter: Waiter): void {
    waiter.signal.removeEventListener('abort', waiter.onAbort);
    this.inFlight.set(waiter.model, (this.inFlight.get(waiter.model) ?? 0) + 1);
    this.options.onStart?.(waiter.model);
    let released = false;
    waiter.grant(() => {
      if (released) return;
      released = true;
      const left = (this.inFlight.get(waiter.model) ?? 1) - 1;
      if (left > 0) this.inFlight.set(waiter.model, left);
      else this.inFlight.delete(waiter.model);
      if (!this.inFlight.size) this.idleSince = performance.now();
      this.pump();
    });
  }

  /** Wakes the queue when its oldest waiter becomes overdue (nothing else may change meanwhile). */
  private armTimer(now: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const oldest = this.waiters[0];
    if (!oldest) return;
    const due = Math.max(0, oldest.at + this.options.switchWaitMs - now) + 1;
    this.timer = setTimeout(() => this.pump(), due);
    this.timer.unref();
  }
}
