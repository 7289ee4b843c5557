import { describe, expect, it } from 'vitest';
import type { RequestEvent } from './request-event.js';
import { addEvent, toolOf, type Bucket } from './rollup.js';

const event = (overrides: Partial<RequestEvent>): RequestEvent =>
  ({ id: 'x', time: '2026-12-03T10:07:00.000Z', project: 'shop', client: undefined, task: 'edit', requestedModel: 'lodestar/auto', model: 'deepseek/deepseek-flash', provider: 'deepseek', stream: false, status: 'ok', httpStatus: 200, error: undefined, usage: { inputTokens: 10, outputTokens: 2 }, costUsd: 0.001, price: undefined, baselineModel: 'anthropic/claude-sonnet-5', baselineCostUsd: 0.002, baselinePrice: undefined, finishReason: 'stop', latencyMs: 5, ttftMs: undefined, overheadMs: 0.3, fallbacks: [], loadDurationMs: undefined, ...overrides }) as RequestEvent;

describe('the tool of a request', () => {
  it('is what the event says, else Claude Code by its user agent, else aider for a session from before the field, else other', () => {
    expect(toolOf(event({ tool: 'claude' }))).toBe('claude');
    expect(toolOf(event({ client: 'claude-cli/2.1.5 (external, cli)' }))).toBe('claude');
    expect(toolOf(event({ session: '20261203-1007-abc123' }))).toBe('aider');
    expect(toolOf(event({ client: 'curl/8.5.0' }))).toBe('other');
  });

  it('keeps the tools apart in the rollups', () => {
    const buckets = new Map<string, Bucket>();
    addEvent(buckets, event({ tool: 'aider' }));
    addEvent(buckets, event({ tool: 'claude' }));
    addEvent(buckets, event({ tool: 'claude' }));
    expect([...buckets.values()].map((bucket) => [bucket.tool, bucket.metrics[0]])).toEqual([
      ['aider', 1],
      ['claude', 2],
    ]);
  });
});
