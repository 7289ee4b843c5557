import type { UpstreamClient } from '../http/upstream-client.js';
import type { ProviderModel } from '../spec/provider.js';
import { isNumber } from '../spec/usage.js';

/** Pages of Anthropic's model list read at most: a thousand models a page, far more than it has. */
const MAX_PAGES = 5;

/**
 * Anthropic's GET /v1/models (reference/providers.md 2.6): each model's max_input_tokens and
 * max_tokens (its output limit), page by page. The input limit is taken as the whole window
 * (prompt and answer together), which is what Anthropic's context window means and the
 * cautious reading when the two could differ.
 */
export async function listAnthropicModels(client: UpstreamClient, headers: Record<string, string>, signal: AbortSignal): Promise<ProviderModel[]> {
  const models: ProviderModel[] = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = `?limit=1000${after ? `&after_id=${encodeURIComponent(after)}` : ''}`;
    const response = await client.get(`/v1/models${query}`, headers, { signal, stream: false });
    const body = JSON.parse(await response.body.text()) as { data?: unknown; has_more?: unknown; last_id?: unknown };
    if (!Array.isArray(body.data)) break;
    for (const entry of body.data as Array<Record<string, unknown>>) {
      if (typeof entry.id !== 'string') continue;
      const input = isNumber(entry.max_input_tokens) ? entry.max_input_tokens : undefined;
      const output = isNumber(entry.max_tokens) ? entry.max_tokens : undefined;
      models.push({ model: entry.id, ...(output !== undefined ? { maxOutputTokens: output } : {}), ...(input !== undefined ? { contextWindow: input } : {}) });
    }
    if (body.has_more !== true || typeof body.last_id !== 'string') break;
    after = body.last_id;
  }
  return models;
}
