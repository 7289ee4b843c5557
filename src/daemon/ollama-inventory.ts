import type { OllamaProviderConfig } from '../config/defaults.js';
import { UpstreamClient } from '../providers/http/upstream-client.js';
import type { Logger } from '../shared/logger.js';

/**
 * Which local models exist (Ollama's /api/tags) and which are in VRAM now (/api/ps), refreshed
 * in the background, never on a request's path. Before Ollama has answered once, the models
 * named in config stand in; while it does not answer, there are none.
 */
export class OllamaInventory {
  private readonly config: OllamaProviderConfig;
  private readonly logger: Logger;
  private tags: string[] = [];
  private inVram = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private psTimer: NodeJS.Timeout | undefined;
  private reachable: boolean | undefined;
  private readonly client: UpstreamClient;

  constructor(config: OllamaProviderConfig, logger: Logger) {
    this.config = config;
    this.logger = logger;
    // node:http rather than fetch: fetch would load a second HTTP stack (~20 MB) for this alone.
    this.client = new UpstreamClient('ollama', config.baseUrl, { ...config.timeouts, firstByteMs: 2000, requestMs: 2000, connectMs: 2000 }, { connections: 2 });
  }

  start(intervalMs = 30_000, psIntervalMs = 5000): void {
    if (!this.config.enabled) return;
    void this.refresh().then(() => this.refreshLoaded());
    this.timer = setInterval(() => void this.refresh(), intervalMs);
    this.timer.unref();
    this.psTimer = setInterval(() => void this.refreshLoaded(), psIntervalMs);
    this.psTimer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.psTimer) clearInterval(this.psTimer);
    void this.client.close();
  }

  models(): string[] {
    if (this.reachable === undefined) return Object.keys(this.config.models);
    return this.reachable ? [...this.tags] : [];
  }

  /** The local models in VRAM as of the last look at /api/ps. */
  loaded(): ReadonlySet<string> {
    return this.inVram;
  }

  async refreshLoaded(): Promise<void> {
    if (this.reachable !== true) {
      this.inVram = new Set();
      return;
    }
    try {
      const response = await this.client.get('/api/ps', { accept: 'application/json' }, { signal: new AbortController().signal, stream: false });
      const body = JSON.parse(await response.body.text()) as { models?: Array<{ name?: string; model?: string }> };
      this.inVram = new Set((body.models ?? []).map((entry) => shortName(entry.model ?? entry.name ?? '')).filter(Boolean));
    } catch {
      // /api/tags's next refresh says whether Ollama is gone; the set stays as it was meanwhile
    }
  }

  get isReachable(): boolean | undefined {
    return this.reachable;
  }

  async refresh(): Promise<void> {
    try {
      const response = await this.client.get('/api/tags', { accept: 'application/json' }, { signal: new AbortController().signal, stream: false });
      const body = JSON.parse(await response.body.text()) as { models?: Array<{ name?: string; model?: string }> };
      this.tags = (body.models ?? []).map((entry) => entry.model ?? entry.name ?? '').filter(Boolean).map(shortName);
      if (this.reachable !== true) this.logger.info('ollama answers', { url: this.config.baseUrl, models: this.tags.length });
      this.reachable = true;
    } catch (error) {
      if (this.reachable !== false) this.logger.warn('ollama does not answer', { url: this.config.baseUrl, error: error instanceof Error ? error.message : String(error) });
      this.reachable = false;
    }
  }
}

/** Ollama lists "llama3.2:latest"; users write "llama3.2". Both work; the short one is listed. */
function shortName(name: string): string {
  return name.endsWith(':latest') ? name.slice(0, -':latest'.length) : name;
}
