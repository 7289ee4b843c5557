import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { event } from '../../test/helpers/events.js';
import { renderAt } from '../../test/helpers/ink.js';
import { DashboardApp, DashboardView, type DashboardSource } from './Dashboard.js';
import { initialState, withBudgets, withEvent, withGpu, withHealth, withUsage, type DashboardState } from './dashboard-state.js';

const ANSI = /\u001b\[[0-9;]*m/g;
const lines = (frame: string | undefined): string[] => (frame ?? '').replace(ANSI, '').split('\n');

const USAGE = {
  totals: { requests: 120, inputTokens: 2_400_000, outputTokens: 96_000, costUsd: 3.1, baselineCostUsd: 44.3, cacheHits: 7 },
  rows: [
    { key: 'deepseek/deepseek-flash', requests: 80, inputTokens: 1_900_000, outputTokens: 70_000, costUsd: 2.4 },
    { key: 'openai/gpt-5', requests: 6, inputTokens: 300_000, outputTokens: 20_000, costUsd: 0.7 },
    { key: 'ollama/qwen2.5-coder:3b', requests: 34, inputTokens: 200_000, outputTokens: 6_000, costUsd: 0 },
  ],
};
const HEALTH = {
  status: 'ok',
  providers: { deepseek: { state: 'closed', latencyMs: 410 }, openai: { state: 'closed', latencyMs: 230 }, anthropic: { state: 'open', lastError: 'anthropic answered 529: Overloaded' } },
  ollama: { reachable: true, loaded: [{ name: 'qwen2.5-coder:3b', sizeMiB: 2742, gpuPercent: 100 }] },
  gpu: { available: true, gpus: [{ name: 'NVIDIA T600 Laptop GPU', utilizationPercent: 97, memoryUsedMiB: 2747, memoryTotalMiB: 4096, temperatureC: 71, powerDrawW: 33.8 }] },
};

function busyState(): DashboardState {
  let state = withBudgets(withUsage(withHealth({ ...initialState(), url: 'http://127.0.0.1:4141', updatedAt: '2026-11-24T10:07:30.000Z' }, HEALTH), USAGE, USAGE), {
    budgets: [{ scope: 'all', period: 'monthly', limitUsd: 20, spentUsd: 3.1, mode: 'soft' }],
  });
  for (const utilization of [5, 40, 97, 60]) state = withGpu(state, { ...HEALTH.gpu, gpus: [{ ...HEALTH.gpu.gpus[0], utilizationPercent: utilization }] });
  state = withEvent(state, { type: 'request', data: event({ task: 'commit', model: 'ollama/qwen2.5-coder:3b', provider: 'ollama', costUsd: 0, latencyMs: 812 }) });
  state = withEvent(state, { type: 'request', data: event({ task: 'edit', latencyMs: 4100, cacheHit: true }) });
  return state;
}

describe('DashboardView', () => {
  it.each([80, 120])('fits %i columns and shows every panel', (width) => {
    const frame = lines(renderAt(<DashboardView state={busyState()} width={width} height={40} compact={false} />, width).lastFrame());
    for (const line of frame) expect([...line].length, line).toBeLessThanOrEqual(width);
    const text = frame.join('\n');
    expect(text).toContain('Today');
    expect(text).toContain('month $3.10 (122 requests)');
    expect(text).toMatch(/Saved \$41\.2\d \(93\.0%\) vs anthropic\/claude-sonnet-5/);
    if (width === 80) expect(text).toContain('claude-sonnet-5, 8 from cache');
    expect(text).toMatch(/all monthly \[█+░+\] 16% \$3\.10 of \$20\.00 soft/);
    expect(text).toMatch(/deepseek\/deepseek-flash\s+81\s/);
    expect(text).toMatch(/NVIDIA T600 Laptop GPU: 60% busy/);
    expect(text).toContain('VRAM 2.7 of 4.0 GiB');
    expect(text).toContain('71 °C, 33.8 W');
    expect(text).toContain('In memory: qwen2.5-coder:3b 2.7 GiB');
    expect(text).toMatch(/● openai 230 ms/);
    expect(text).toContain('○ anthropic open');
    expect(text).toContain('anthropic: anthropic answered 529: Overloaded');
    expect(text).toMatch(/edit\s+deepseek\/deepseek-flash\s+1\.10k\s+\$0\.0010\s+4\.1 s cache/);
    expect(text).toMatch(/commit\s+ollama\/qwen2\.5-coder:3b\s+1\.10k\s+\$0\s+812 ms/);
    if (width >= 120) expect(frame.some((line) => line.includes('── Spend') && line.includes('── GPU'))).toBe(true);
  });

  it('says plainly when the daemon is not running, and is three lines when compact', () => {
    const down = lines(renderAt(<DashboardView state={{ ...initialState(), connected: false, problem: 'the daemon is not running' }} width={80} height={24} compact={false} />, 80).lastFrame()).join('\n');
    expect(down).toContain('Lodestar is not running: the daemon is not running.');
    expect(down).toContain('Start it with `lodestar start`');
    const compact = lines(renderAt(<DashboardView state={busyState()} width={80} height={24} compact />, 80).lastFrame());
    expect(compact).toHaveLength(3);
    expect(compact[0]).toMatch(/^Lodestar: today \$[0-9.]+, month \$3\.10 of \$20\.00 \(all\), saved \$41\.2\d/);
    expect(compact[2]).toContain('last:');
  });
});

/** A daemon in memory: snapshots on demand, events pushed by the test. */
function fakeSource() {
  let onEvent: ((event: { type: string; data: unknown }) => void) | undefined;
  let onEnd: ((problem: string) => void) | undefined;
  let up = true;
  const source: DashboardSource & { unsubscribed: number } = {
    unsubscribed: 0,
    snapshot: vi.fn(async () => {
      if (!up) throw new Error('the daemon is not running');
      return { url: 'http://127.0.0.1:4141', today: USAGE, month: USAGE, budgets: { budgets: [] }, health: HEALTH };
    }),
    health: vi.fn(async () => HEALTH),
    subscribe: vi.fn(async (events, end) => {
      onEvent = events;
      onEnd = end;
      return () => {
        source.unsubscribed++;
      };
    }),
  };
  return {
    source,
    emit: (type: string, data: unknown) => onEvent?.({ type, data }),
    stop: () => {
      up = false;
      onEnd?.('the daemon closed the event stream (it stopped?)');
    },
    start: () => {
      up = true;
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

/**
 * Fake time forward by `ms`, then a real turn of the event loop: React schedules its renders
 * with setImmediate, which stays real here (faking it would stop React, not time).
 */
async function tick(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
}

describe('DashboardApp', () => {
  it('redraws at most every 250 ms however many events arrive, and shows the latest', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const daemon = fakeSource();
    const app = render(<DashboardApp source={daemon.source} width={80} />);
    await tick(300);
    expect(lines(app.lastFrame()).join('\n')).toContain('month $3.10 (120 requests)');
    const before = app.frames.length;
    for (let index = 0; index < 100; index++) daemon.emit('request', event({ task: 'commit', model: `ollama/model-${index}`, costUsd: 0 }));
    await tick(100);
    expect(app.frames.length).toBe(before);
    await tick(200);
    expect(app.frames.length - before).toBeLessThanOrEqual(1);
    const text = lines(app.lastFrame()).join('\n');
    expect(text).toContain('ollama/model-99');
    expect(text).toContain('month $3.10 (220 requests)');
    app.unmount();
  });

  it('says when the daemon goes away, and reconnects by itself when it is back', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const daemon = fakeSource();
    const app = render(<DashboardApp source={daemon.source} width={80} />);
    await tick(300);
    daemon.stop();
    await tick(300);
    expect(lines(app.lastFrame()).join('\n')).toContain('Lodestar is not running: the daemon closed the event stream (it stopped?).');
    await tick(2500);
    expect(lines(app.lastFrame()).join('\n')).toContain('Lodestar is not running: the daemon is not running.');
    daemon.start();
    await tick(2500);
    expect(lines(app.lastFrame()).join('\n')).toContain('month $3.10');
    expect(daemon.source.subscribe).toHaveBeenCalledTimes(2);
    app.unmount();
  });

  it('follows the terminal when it is resized', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const daemon = fakeSource();
    const app = renderAt(<DashboardApp source={daemon.source} />, 120);
    await tick(300);
    const wide = lines(app.lastFrame());
    expect(wide.some((line) => line.includes('── Spend') && line.includes('── GPU'))).toBe(true);
    app.resize(80);
    await tick(300);
    const narrow = lines(app.lastFrame());
    expect(narrow.some((line) => line.includes('── Spend') && line.includes('── GPU'))).toBe(false);
    for (const line of narrow) expect([...line].length).toBeLessThanOrEqual(80);
    expect(narrow.join('\n')).toContain('month $3.10');
    app.unmount();
  });

  it('quits on q, letting go of the event stream', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const daemon = fakeSource();
    const app = render(<DashboardApp source={daemon.source} width={80} />);
    await tick(300);
    app.stdin.write('q');
    await tick(50);
    expect(daemon.source.unsubscribed).toBe(1);
  });
});
