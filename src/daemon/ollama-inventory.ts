import type { OllamaProviderConfig } from '../config/defaults.js';
import { UpstreamClient } from '../providers/http/upstream-client.js';
import type { Logger } from '../shared/logger.js';

/**
 * Which local models exist: those named in config plus those Ollama lists in /api/tags,
 * refreshed in the background (never on a request's path).
 */
export class OllamaInventory {
  private readonly config: OllamaProviderConfig;
  private readonly logger: Logger;
  private tags: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private reachable: boolean | undefined;
  private readonly client: UpstreamClient;

  constructor(config: OllamaProviderConfig, logger: Logger) {
    this.config = config;
    this.logger = logger;
    // node:http rather than fetch: fetch would load a second HTTP stack (~20 MB) for this alone.
    this.client = new UpstreamClient('ollama', config.baseUrl, { ...config.timeouts, firstByteMs: 2000, requestMs: 2000, connectMs: 2000 }, { connections: 2 });
  }

  start(intervalMs = 30_000): void {
    if (!this.config.enabled) return;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    void this.client.close();
  }

  models(): string[] {
    const names = new Set(Object.keys(this.config.models));
    for (const tag of this.tags) names.add(tag);
    return [...names];
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
