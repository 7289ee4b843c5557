import type { UpstreamClient } from '../http/upstream-client.js';
import type { ProviderModel } from '../spec/provider.js';
import { isNumber } from '../spec/usage.js';

/**
 * OpenRouter's GET /models: each model's context_length and its top provider's
 * max_completion_tokens (null where the provider sets none: then the window bounds it). The
 * other OpenAI-compatible lists (OpenAI's own, DeepSeek's, Groq's) state no limits.
 */
export async function listOpenRouterModels(client: UpstreamClient, headers: Record<string, string>, signal: AbortSignal): Promise<ProviderModel[]> {
  const response = await client.get('/models', headers, { signal, stream: false });
  const body = JSON.parse(await response.body.text()) as { data?: unknown };
  if (!Array.isArray(body.data)) return [];
  const models: ProviderModel[] = [];
  for (const entry of body.data as Array<Record<string, unknown>>) {
    if (typeof entry.id !== 'string') continue;
    const top = (entry.top_provider ?? {}) as Record<string, unknown>;
    const window = isNumber(entry.context_length) ? entry.context_length : isNumber(top.context_length) ? top.context_length : undefined;
    const output = isNumber(top.max_completion_tokens) ? top.max_completion_tokens : undefined;
    models.push({ model: entry.id, ...(window !== undefined ? { contextWindow: window } : {}), ...(output !== undefined ? { maxOutputTokens: output } : {}) });
  }
  return models;
}
