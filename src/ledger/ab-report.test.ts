import { describe, expect, it } from 'vitest';
import { abReport, wilson } from './ab-report.js';
import type { RequestEvent } from './request-event.js';

let serial = 0;
const event = (arm: 'a' | 'b', overrides: Partial<RequestEvent> = {}): RequestEvent =>
  ({ id: `e${serial++}`, time: '2026-12-03T10:00:00.000Z', project: 'shop', session: `s${serial % 40}`, client: undefined, task: 'edit', requestedModel: 'lodestar/auto', model: arm === 'a' ? 'deepseek/deepseek-flash' : 'openai/gpt-5', provider: arm === 'a' ? 'deepseek' : 'openai', stream: true, status: 'ok', httpStatus: 200, error: undefined, usage: { inputTokens: 1000, outputTokens: 100 }, costUsd: arm === 'a' ? 0.0002 : 0.0025, price: undefined, baselineModel: 'anthropic/claude-sonnet-5', baselineCostUsd: 0.003, baselinePrice: undefined, finishReason: 'stop', latencyMs: 1000, ttftMs: undefined, overheadMs: 0.3, fallbacks: [], loadDurationMs: undefined, ab: { experiment: 'ab-edit-1', arm }, ...overrides }) as RequestEvent;
const MODELS = ['deepseek/deepseek-flash', 'openai/gpt-5'] as const;

describe('abReport', () => {
  it('says there is not enough data until each arm has 20 edits', () => {
    const report = abReport([...Array.from({ length: 19 }, () => event('a')), ...Array.from({ length: 30 }, () => event('b'))], MODELS, []);
    expect(report.enoughData).toBe(false);
    expect(report.verdict).toBe('not enough data yet: 19 edits on A and 30 on B, and a verdict wants 20 on each');
  });

  it('finds the arm whose edits apply more often, and the cheaper one, with intervals', () => {
    // A: 40 edits, 12 of them followed by Aider's "did not apply" reply; B: 40 edits, 1.
    const a = [...Array.from({ length: 28 }, () => event('a')), ...Array.from({ length: 12 }, () => event('a', { editFailed: true }))];
    const b = [...Array.from({ length: 39 }, () => event('b')), event('b', { editFailed: true })];
    const report = abReport([...a, ...b], MODELS, [{ arm: 'b', verdict: 'good' }, { arm: 'a', verdict: 'bad' }]);
    expect(report.arms[0]).toMatchObject({ edits: 40, failedEdits: 12, applyRate: 0.7, ratings: { good: 0, bad: 1 } });
    expect(report.arms[1]).toMatchObject({ edits: 40, failedEdits: 1, applyRate: 0.975, ratings: { good: 1, bad: 0 } });
    expect(report.arms[1].applyInterval?.[0]).toBeGreaterThan(0.85);
    expect(report.verdict).toBe("B's edits apply more often (98% against 70%, p < 0.05), and A is cheaper ($0.00020 against $0.0025 an edit): the better one costs more, your call.");
  });

  it('prefers an arm that is cheaper and applies as often', () => {
    const report = abReport([...Array.from({ length: 30 }, () => event('a')), ...Array.from({ length: 30 }, () => event('b'))], MODELS, []);
    expect(report.verdict).toBe('The edits apply about as often (100% on A, 100% on B: no difference at 95%), and A is cheaper ($0.00020 against $0.0025 an edit): prefer A (deepseek/deepseek-flash).');
  });

  it('computes Wilson intervals', () => {
    const [low, high] = wilson(28, 40);
    expect(low).toBeCloseTo(0.546, 2);
    expect(high).toBeCloseTo(0.819, 2);
  });
});
