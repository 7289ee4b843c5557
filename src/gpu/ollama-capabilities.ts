import type { Logger } from '../shared/logger.js';
import type { OllamaApi } from './ollama-api.js';

/** One model of /api/tags, as far as capabilities go: newer servers list them there too (2.2). */
export interface TaggedModel {
  name: string;
  digest: string | undefined;
  capabilities: readonly string[] | undefined;
}

/** As long as the daemon gives /api/tags: a local Ollama answers /api/show in milliseconds. */
const SHOW_TIMEOUT_MS = 2000;

/**
 * What each pulled model can do, as Ollama says (/api/show `capabilities`, reference/ollama-gpu.md
 * 2.3: "completion", "tools", "insert", "vision", "thinking", "embedding"): "insert" means its
 * template takes a suffix, so it can fill in the middle. Asked once per model and digest, in the
 * background, one model at a time; a model pulled again (another digest) is asked again. A
 * server too old to say stays unknown (undefined), never "none".
 */
export class OllamaCapabilities {
  private readonly api: OllamaApi;
  private readonly logger: Logger;
  private readonly known = new Map<string, { digest: string | undefined; capabilities: readonly string[] | undefined }>();
  /** Models to ask, in order; each name at most once, until its answer is in. */
  private readonly wanted = new Map<string, TaggedModel>();
  private learning: Promise<void> | undefined;
  private changes = 0;

  constructor(options: { api: OllamaApi; logger: Logger }) {
    this.api = options.api;
    this.logger = options.logger;
  }

  /** Bumped whenever what is known changes: what the router's cached profiles are keyed by. */
  get version(): number {
    return this.changes;
  }

  /** The model's capabilities, or undefined while not known. */
  of(model: string): readonly string[] | undefined {
    return this.known.get(model)?.capabilities;
  }

  /** Whether the model fills in the middle (capability "insert"); undefined while not known. */
  insert(model: string): boolean | undefined {
    return this.of(model)?.includes('insert');
  }

  /** What /api/tags listed now: those it gives capabilities for are known at once; the others are asked. */
  update(models: readonly TaggedModel[]): void {
    for (const model of models) {
      const known = this.known.get(model.name);
      if (model.capabilities) {
        if (!known || known.digest !== model.digest || !same(known.capabilities, model.capabilities)) this.set(model.name, model.digest, model.capabilities);
      } else if ((!known || known.digest !== model.digest) && this.wanted.get(model.name)?.digest !== model.digest) {
        this.wanted.set(model.name, model);
      }
    }
    if (this.wanted.size) void this.learn();
  }

  /** The look under way, if any (a request that needs capabilities waits for it); undefined when none. */
  pending(): Promise<void> | undefined {
    return this.learning;
  }

  /** Asks /api/show for the models wanted (one look at a time: a caller during a look waits for it). */
  learn(): Promise<void> {
    this.learning ??= this.askAll().finally(() => {
      this.learning = undefined;
    });
    return this.learning;
  }

  private async askAll(): Promise<void> {
    for (const [name, model] of this.wanted) {
      try {
        const body = (await this.api.postQuickJson('/api/show', { model: model.name }, SHOW_TIMEOUT_MS)) as { capabilities?: unknown };
        const capabilities = Array.isArray(body?.capabilities) ? body.capabilities.filter((entry): entry is string => typeof entry === 'string') : undefined;
        this.set(model.name, model.digest, capabilities);
      } catch (error) {
        // Asked again at the next /api/tags (30 s): a model being pulled may not show yet.
        this.logger.debug('ollama did not say what a model can do', { model: model.name, error: error instanceof Error ? error.message : String(error) });
      }
      // Unless /api/tags meanwhile listed it anew (pulled again: another digest).
      if (this.wanted.get(name) === model) this.wanted.delete(name);
    }
  }

  private set(model: string, digest: string | undefined, capabilities: readonly string[] | undefined): void {
    this.known.set(model, { digest, capabilities });
    this.changes++;
  }
}

function same(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((entry, index) => entry === b[index]);
}
