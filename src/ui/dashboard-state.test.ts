import { describe, expect, it } from 'vitest';
import { event } from '../../test/helpers/events.js';
import { HISTORY_SAMPLES, initialState, withBudgets, withEvent, withGpu, withHealth, withProblem, withRequest, withUsage } from './dashboard-state.js';

const usage = (costUsd: number, requests: number) => ({
  totals: { requests, inputTokens: 1000, outputTokens: 100, costUsd, baselineCostUsd: costUsd * 10, cacheHits: 1 },
  rows: [{ key: 'deepseek/deepseek-flash', requests, inputTokens: 1000, outputTokens: 100, costUsd }],
});

describe('the dashboard state', () => {
  it('starts from the usage, then counts each request into today, the month, its model, the budgets it falls under, and the latest', () => {
    let state = withBudgets(withUsage(initialState(), usage(0.1, 2), usage(1, 20)), {
      budgets: [
        { scope: 'all', period: 'monthly', limitUsd: 20, spentUsd: 1, mode: 'soft' },
        { scope: 'web', period: 'monthly', limitUsd: 5, spentUsd: 0.5, mode: 'hard' },
        { scope: 'cli', period: 'monthly', limitUsd: 5, spentUsd: 0, mode: 'hard' },
      ],
    });
    const now = new Date('2026-11-24T10:07:30.000Z');
    state = withRequest(state, event({ project: 'web', costUsd: 0.25, baselineCostUsd: 2, usage: { inputTokens: 500, outputTokens: 50 } }), new Date('2026-11-24T10:07:30.000Z'));
    state = withRequest(state, event({ project: 'web', model: 'ollama/qwen2.5-coder:3b', costUsd: 0, baselineCostUsd: 0.1, time: '2026-11-23T23:59:00.000Z' }), now);
    expect(state.today).toMatchObject({ requests: 3, costUsd: 0.35, inputTokens: 1500 });
    expect(state.month).toMatchObject({ requests: 22, costUsd: 1.25 });
    expect(state.month.baselineCostUsd).toBeCloseTo(12.1, 10);
    expect(state.byModel).toEqual([
      { model: 'deepseek/deepseek-flash', requests: 21, inputTokens: 1500, outputTokens: 150, costUsd: 1.25 },
      { model: 'ollama/qwen2.5-coder:3b', requests: 1, inputTokens: 1000, outputTokens: 100, costUsd: 0 },
    ]);
    expect(state.budgets.map((budget) => budget.spentUsd)).toEqual([1.25, 0.75, 0]);
    expect(state.recent.map((entry) => entry.model)).toEqual(['ollama/qwen2.5-coder:3b', 'deepseek/deepseek-flash']);
  });

  it('keeps a bounded GPU history of samples, never of /health reads, and forgets no history when the GPU goes away', () => {
    let state = initialState();
    for (let index = 0; index < HISTORY_SAMPLES + 5; index++) state = withGpu(state, { available: true, gpus: [{ name: 'NVIDIA T600', utilizationPercent: index, memoryUsedMiB: 100 + index, memoryTotalMiB: 4096 }] });
    expect(state.gpu.utilizationHistory).toHaveLength(HISTORY_SAMPLES);
    expect(state.gpu.utilizationHistory.at(-1)).toBe(HISTORY_SAMPLES + 4);
    state = withHealth(state, { providers: {}, gpu: { available: true, gpus: [{ name: 'NVIDIA T600', utilizationPercent: 99 }] } });
    expect(state.gpu.utilizationHistory).toHaveLength(HISTORY_SAMPLES);
    expect(state.gpu.utilizationPercent).toBe(99);
    state = withGpu(state, { available: false, reason: 'the NVIDIA driver is not loaded' });
    expect(state.gpu).toMatchObject({ available: false, reason: 'the NVIDIA driver is not loaded' });
    expect(state.gpu.utilizationHistory).toHaveLength(HISTORY_SAMPLES);
  });

  it('follows providers, Ollama and the daemon going away', () => {
    let state = withHealth(initialState(), { providers: { openai: { state: 'closed', latencyMs: 230 }, anthropic: { state: 'closed' } }, ollama: { reachable: true, loaded: [] } });
    expect(state.connected).toBe(true);
    state = withEvent(state, { type: 'provider', data: { provider: 'anthropic', state: 'open', lastError: 'anthropic answered 529: Overloaded' } });
    expect(state.providers).toEqual([
      { id: 'anthropic', state: 'open', lastError: 'anthropic answered 529: Overloaded' },
      { id: 'openai', state: 'closed', latencyMs: 230 },
    ]);
    state = withEvent(state, { type: 'ollama', data: { reachable: true, loaded: ['qwen2.5-coder:3b'], unloaded: [], inVram: [{ name: 'qwen2.5-coder:3b', sizeMiB: 2742, gpuPercent: 100 }] } });
    expect(state.ollama.loaded.map((model) => model.name)).toEqual(['qwen2.5-coder:3b']);
    state = withProblem(state, 'the daemon closed the event stream (it stopped?)');
    expect(state).toMatchObject({ connected: false, problem: 'the daemon closed the event stream (it stopped?)' });
    expect(withEvent(state, { type: 'budget', data: {} })).toBe(state);
  });
});

describe('requests from before the dashboard connected', () => {
  it('go to the latest list only: the usage snapshot already counts them', () => {
    const state = withEvent(withUsage(initialState(), usage(0.1, 2), usage(1, 20)), { type: 'recent', data: event({ model: 'openai/gpt-5', costUsd: 0.5 }) });
    expect(state.month.requests).toBe(20);
    expect(state.today.costUsd).toBe(0.1);
    expect(state.recent.map((entry) => entry.model)).toEqual(['openai/gpt-5']);
  });
});

describe('A/B experiments on the dashboard', () => {
  it('shows each running experiment in one line: the arms, and the verdict; stopped ones not', async () => {
    const { dashboardLines } = await import('./dashboard-lines.js');
    const { withExperiments } = await import('./dashboard-state.js');
    const state = withExperiments({ ...initialState(), connected: true }, {
      experiments: [
        { task: 'edit', verdict: 'not enough data yet: 3 edits on A and 1 on B, and a verdict wants 20 on each', arms: [{ arm: 'a', model: 'deepseek/deepseek-flash', requests: 3, costUsd: 0.00002, applyRate: 1 }, { arm: 'b', model: 'openai/gpt-5', requests: 1, costUsd: 0.0001, applyRate: undefined }] },
        { task: 'chat', stoppedAt: '2026-12-01T10:00:00.000Z', verdict: 'old', arms: [] },
      ],
    });
    // One column below 120: the line is cut to the width, the verdict's start kept.
    const lines = dashboardLines(state, { width: 110 }).filter((line) => line.text.startsWith('A/B'));
    expect(lines).toHaveLength(1);
    expect(lines[0]?.text).toMatch(/^A\/B edit: A deepseek-flash 3 req \$0\.000020 100% applied · B gpt-5 1 req \$0\.00010 · not enough data/);
    expect(lines[0]?.text.length).toBeLessThanOrEqual(110);
  });

  it("marks a consensus member's request, the one chosen, and an A/B arm's, in the latest requests", async () => {
    const { dashboardLines } = await import('./dashboard-lines.js');
    let state: ReturnType<typeof initialState> = { ...initialState(), connected: true };
    state = withEvent(state, { type: 'request', data: event({ consensus: { id: 'c1', role: 'member', chosen: false } }) });
    state = withEvent(state, { type: 'request', data: event({ consensus: { id: 'c1', role: 'member', chosen: true } }) });
    state = withEvent(state, { type: 'request', data: event({ ab: { experiment: 'ab-edit-1', arm: 'b' } }) });
    expect(state.recent.map((request) => request.mark)).toEqual(['B', 'chose', 'vote']);
    const latest = dashboardLines(state, { width: 110 }).filter((line) => /\b(vote|chose|B)\s*$/.test(line.text));
    expect(latest).toHaveLength(3);
  });
});
