import type { RequestEvent } from '../../src/ledger/request-event.js';

/** A finished request's event with plausible values; tests override what they look at. */
export function event(overrides: Partial<RequestEvent> = {}): RequestEvent {
  return {
    id: `id-${Math.random()}`,
    time: '2026-11-24T10:07:00.000Z',
    project: 'web',
    client: 'test',
    task: 'edit',
    requestedModel: 'lodestar/auto',
    model: 'deepseek/deepseek-flash',
    provider: 'deepseek',
    stream: true,
    status: 'ok',
    httpStatus: 200,
    error: undefined,
    usage: { inputTokens: 1000, cachedInputTokens: 200, outputTokens: 100 },
    costUsd: 0.001,
    price: { source: 'lodestar', matched: 'deepseek-flash', inputPerMTok: 0.15, outputPerMTok: 0.6 },
    baselineModel: 'anthropic/claude-sonnet-5',
    baselineCostUsd: 0.01,
    baselinePrice: { source: 'genai-prices', matched: 'claude-sonnet-5', inputPerMTok: 2, outputPerMTok: 10 },
    finishReason: 'stop',
    latencyMs: 100,
    ttftMs: 10,
    overheadMs: 0.2,
    fallbacks: [],
    loadDurationMs: undefined,
    ...overrides,
  };
}

