import type { OllamaModelConfig, OllamaProviderConfig } from './defaults.js';

export interface LocalModelSettings {
  /** The one num_ctx this model is always sent with: another value would make Ollama reload it. */
  numCtx: number;
  /** keep_alive as Ollama reads it; a pinned model's is forever (-1). */
  keepAlive: string | number;
  pinned: boolean;
  /** Load it when the daemon starts. */
  warm: boolean;
}

/** What config says of one local model, with the provider's defaults filled in. */
export function localModelSettings(config: OllamaProviderConfig, model: string): LocalModelSettings {
  const entry: OllamaModelConfig | undefined = config.models[model] ?? config.models[model.endsWith(':latest') ? model.slice(0, -7) : `${model}:latest`];
  const pinned = entry?.pin === true;
  return {
    numCtx: entry?.numCtx ?? config.numCtx,
    // Every request sets keep_alive, so a pinned model must be sent "forever" each time, or its
    // first request would shorten the pin to the default (reference/ollama-gpu.md 1.6).
    keepAlive: pinned ? -1 : (entry?.keepAlive ?? config.keepAlive),
    pinned,
    warm: pinned || entry?.warm === true,
  };
}
