import type { RequestEvent } from '../../src/ledger/request-event.js';
import type { EventOwner } from '../../src/server/ledger/event-row.js';

const MODELS = [
  ['anthropic/claude-sonnet-4-5', 'anthropic'],
  ['deepseek/deepseek-chat', 'deepseek'],
  ['ollama/qwen2.5-coder:3b', 'ollama'],
  ['openai/gpt-5-mini', 'openai'],
] as const;

/** A plausible answered request, different for each `index`, with the id `${prefix}-${index}`. */
export function syntheticEvent(prefix: string, index: number): RequestEvent {
  const [model, provider] = MODELS[index % MODELS.length] as (typeof MODELS)[number];
  const input = 1_000 + (index % 997) * 13;
  const output = 50 + (index % 89) * 7;
  return {
    id: `${prefix}-${index}`,
    time: new Date(Date.UTC(2026, 11, 1) + index * 1_000).toISOString(),
    project: index % 3 === 0 ? 'web' : 'api',
    session: `session-${index % 17}`,
    client: 'aider/0.86.1',
    tool: 'aider',
    task: index % 2 ? 'edit' : 'commit',
    requestedModel: 'lodestar/auto',
    model,
    provider,
    stream: index % 2 === 0,
    status: 'ok',
    httpStatus: 200,
    error: undefined,
    usage: { inputTokens: input, cachedInputTokens: Math.floor(input / 2), outputTokens: output },
    costUsd: provider === 'ollama' ? 0 : (input * 3 + output * 15) / 1e6,
    price: provider === 'ollama' ? undefined : { source: 'genai-prices', matched: model, inputPerMTok: 3, outputPerMTok: 15 },
    baselineModel: 'anthropic/claude-sonnet-4-5',
    baselineCostUsd: (input * 3 + output * 15) / 1e6,
    baselinePrice: { source: 'genai-prices', matched: 'claude-sonnet-4-5', inputPerMTok: 3, outputPerMTok: 15 },
    finishReason: 'stop',
    latencyMs: 100 + (index % 500),
    ttftMs: 20 + (index % 50),
    overheadMs: 0.25,
    fallbacks: [],
    loadDurationMs: undefined,
  };
}

export const SYNTHETIC_OWNER: EventOwner = {
  userId: '00000000-0000-4000-8000-000000000001',
  teamId: '00000000-0000-4000-8000-000000000002',
  keyId: '00000000-0000-4000-8000-000000000003',
};
