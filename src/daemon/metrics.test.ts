import { describe, expect, it, vi } from 'vitest';
import type { RequestEvent } from '../ledger/request-event.js';
import { CircuitBreakers } from '../router/circuit-breaker.js';
import { EventBus } from './event-bus.js';
import { daemonCollector, Metrics, type MetricFamily } from './metrics.js';
import { parsePrometheus, type ParsedFamily } from '../../test/helpers/prometheus.js';


/** Every family of the exposition by name, after checking what every family must have. */
function families(text: string): Map<string, ParsedFamily> {
  expect(text.endsWith('\n')).toBe(true);
  const parsed = parsePrometheus(text);
  const byName = new Map<string, ParsedFamily>();
  for (const family of parsed) {
    expect(byName.has(family.name), `${family.name} appears once`).toBe(false);
    expect(family.help, `${family.name} has HELP`).not.toBe('');
    expect(['COUNTER', 'GAUGE', 'HISTOGRAM'], `${family.name} has TYPE`).toContain(family.type);
    byName.set(family.name, family);
  }
  return byName;
}

/**
 * The samples of one series name (`x_bucket`, `x_sum` and `x_count` included). The parser folds
 * a histogram's series into one and drops its labels (yunyu/parse-prometheus-text-format#13),
 * so histograms are read here as untyped series, each sample line still parsed by it.
 */
function samples(text: string, name: string): Array<{ labels: Record<string, string>; value: number }> {
  const untyped = text.replace(/^# TYPE (\S+) histogram$/gm, '# TYPE $1 untyped');
  // Read untyped, one histogram's series interleave (buckets, sum, count, next label set...),
  // so one name can come back as several families.
  return parsePrometheus(untyped)
    .filter((family) => family.name === name)
    .flatMap((family) => family.metrics.map((metric) => ({ labels: metric.labels ?? {}, value: Number(metric.value) })));
}

function value(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  return samples(text, name).find((sample) => sameLabels(sample.labels, labels))?.value;
}

function sameLabels(left: Record<string, string>, right: Record<string, string>): boolean {
  const keys = Object.keys(left);
  return keys.length === Object.keys(right).length && keys.every((key) => left[key] === right[key]);
}

/** A histogram series read back: its buckets by le, sum and count, checked for consistency. */
function histogram(text: string, name: string, labels: Record<string, string> = {}): { buckets: Map<string, number>; sum: number; count: number } {
  const buckets = new Map<string, number>();
  for (const sample of samples(text, `${name}_bucket`)) {
    const { le, ...rest } = sample.labels;
    if (le !== undefined && sameLabels(rest, labels)) buckets.set(le, sample.value);
  }
  const sum = value(text, `${name}_sum`, labels);
  const count = value(text, `${name}_count`, labels);
  expect(sum, `${name}_sum`).toBeDefined();
  expect(count, `${name}_count`).toBeDefined();
  expect(buckets.get('+Inf'), `${name} has le="+Inf"`).toBe(count);
  const ordered = [...buckets.entries()].sort(([left], [right]) => Number(left) - Number(right));
  for (let index = 1; index < ordered.length; index++) expect(ordered[index]![1], `${name} buckets are cumulative`).toBeGreaterThanOrEqual(ordered[index - 1]![1]);
  return { buckets, sum: sum!, count: count! };
}

function requestEvent(overrides: Partial<RequestEvent> = {}): RequestEvent {
  return {
    id: 'event',
    time: '2026-11-24T10:00:00.000Z',
    project: undefined,
    client: undefined,
    task: 'edit',
    requestedModel: 'lodestar/auto',
    model: 'openai/gpt-4o-mini',
    provider: 'openai',
    stream: false,
    status: 'ok',
    httpStatus: 200,
    error: undefined,
    usage: { inputTokens: 1000, outputTokens: 100 },
    costUsd: 0.001,
    price: undefined,
    baselineModel: 'anthropic/claude-sonnet-5',
    baselineCostUsd: 0.01,
    baselinePrice: undefined,
    finishReason: 'stop',
    latencyMs: 800,
    ttftMs: undefined,
    overheadMs: 0.4,
    fallbacks: [],
    loadDurationMs: undefined,
    ...overrides,
  };
}

/** A registry fed through a real bus, as the daemon feeds it. */
function fed(...events: RequestEvent[]): { metrics: Metrics; text: string } {
  const metrics = new Metrics();
  const bus = new EventBus();
  metrics.listen(bus);
  for (const event of events) bus.publish({ type: 'request', data: event });
  return { metrics, text: metrics.render() };
}

describe('request counters', () => {
  it('counts requests by provider, model, task and status, with "none" where there was none', () => {
    const { text } = fed(
      requestEvent(),
      requestEvent(),
      requestEvent({ task: 'commit', status: 'error', httpStatus: 429, usage: {}, costUsd: undefined }),
      requestEvent({ status: 'aborted', httpStatus: 499 }),
      // Refused before any upstream (unknown model): no provider, no model.
      requestEvent({ model: undefined, provider: undefined, task: undefined, status: 'error', httpStatus: 404, usage: {}, costUsd: undefined, baselineCostUsd: undefined }),
    );
    const parsed = families(text);
    expect(parsed.get('lodestar_requests_total')?.type).toBe('COUNTER');
    expect(value(text, 'lodestar_requests_total', { provider: 'openai', model: 'openai/gpt-4o-mini', task: 'edit', status: 'ok' })).toBe(2);
    expect(value(text, 'lodestar_requests_total', { provider: 'openai', model: 'openai/gpt-4o-mini', task: 'commit', status: 'error' })).toBe(1);
    expect(value(text, 'lodestar_requests_total', { provider: 'openai', model: 'openai/gpt-4o-mini', task: 'edit', status: 'aborted' })).toBe(1);
    expect(value(text, 'lodestar_requests_total', { provider: 'none', model: 'none', task: 'none', status: 'error' })).toBe(1);
    expect(samples(text, 'lodestar_requests_total')).toHaveLength(4);
  });

  it('adds only the token counts an upstream reported: unknown is never 0, a reported 0 is', () => {
    const { text } = fed(
      requestEvent({ usage: { inputTokens: 1000, cachedInputTokens: 800, outputTokens: 100, reasoningTokens: 0 } }),
      requestEvent({ usage: { inputTokens: 500, outputTokens: 50 } }),
      requestEvent({ model: 'anthropic/claude-haiku-4-5', provider: 'anthropic', usage: { inputTokens: 3000, cachedInputTokens: 1000, cacheWriteTokens: 500, outputTokens: 200 } }),
      // A local model that never reported usage: no token series at all, not zeros.
      requestEvent({ model: 'ollama/qwen2.5-coder:3b', provider: 'ollama', usage: {}, costUsd: 0 }),
    );
    families(text);
    const openai = { provider: 'openai', model: 'openai/gpt-4o-mini' };
    expect(value(text, 'lodestar_tokens_total', { ...openai, kind: 'input' })).toBe(1500);
    expect(value(text, 'lodestar_tokens_total', { ...openai, kind: 'cached_input' })).toBe(800);
    expect(value(text, 'lodestar_tokens_total', { ...openai, kind: 'output' })).toBe(150);
    expect(value(text, 'lodestar_tokens_total', { ...openai, kind: 'reasoning' })).toBe(0);
    expect(value(text, 'lodestar_tokens_total', { ...openai, kind: 'cache_write' })).toBeUndefined();
    const anthropic = { provider: 'anthropic', model: 'anthropic/claude-haiku-4-5' };
    expect(value(text, 'lodestar_tokens_total', { ...anthropic, kind: 'cache_write' })).toBe(500);
    expect(value(text, 'lodestar_tokens_total', { ...anthropic, kind: 'reasoning' })).toBeUndefined();
    expect(samples(text, 'lodestar_tokens_total').filter((sample) => sample.labels.provider === 'ollama')).toEqual([]);
  });

  it('sums costs and baseline costs as the ledger does, and counts the requests it could not price', () => {
    const { text } = fed(
      requestEvent({ costUsd: 0.25, baselineCostUsd: 1 }),
      requestEvent({ costUsd: 0.5, baselineCostUsd: 2 }),
      // Unknown price: no cost, and no baseline either (savings compare like with like).
      requestEvent({ model: 'openrouter/some-new-model', provider: 'openrouter', costUsd: undefined, baselineCostUsd: 3 }),
      // Failed before any token: nothing to price, so not "unpriced".
      requestEvent({ status: 'error', usage: {}, costUsd: undefined, baselineCostUsd: undefined }),
      requestEvent({ model: 'ollama/qwen2.5-coder:3b', provider: 'ollama', costUsd: 0, baselineCostUsd: 0.75 }),
    );
    families(text);
    expect(value(text, 'lodestar_cost_usd_total', { provider: 'openai', model: 'openai/gpt-4o-mini' })).toBeCloseTo(0.75, 12);
    expect(value(text, 'lodestar_baseline_cost_usd_total', { provider: 'openai', model: 'openai/gpt-4o-mini' })).toBeCloseTo(3, 12);
    expect(value(text, 'lodestar_cost_usd_total', { provider: 'ollama', model: 'ollama/qwen2.5-coder:3b' })).toBe(0);
    expect(value(text, 'lodestar_baseline_cost_usd_total', { provider: 'ollama', model: 'ollama/qwen2.5-coder:3b' })).toBe(0.75);
    expect(value(text, 'lodestar_cost_usd_total', { provider: 'openrouter', model: 'openrouter/some-new-model' })).toBeUndefined();
    expect(value(text, 'lodestar_baseline_cost_usd_total', { provider: 'openrouter', model: 'openrouter/some-new-model' })).toBeUndefined();
    expect(samples(text, 'lodestar_unpriced_requests_total')).toEqual([{ labels: { provider: 'openrouter', model: 'openrouter/some-new-model' }, value: 1 }]);
  });

  it('counts each failed attempt by the provider that failed, and cache hits', () => {
    const { text } = fed(
      requestEvent({
        model: 'openai/gpt-5',
        fallbacks: [
          { model: 'anthropic/claude-sonnet-5', provider: 'anthropic', error: 'anthropic answered 529', status: 529 },
          { model: 'deepseek/deepseek-chat', provider: 'deepseek', error: 'deepseek answered 500', status: 500 },
        ],
      }),
      requestEvent({ fallbacks: [{ model: 'anthropic/claude-sonnet-5', provider: 'anthropic', error: 'timed out' }] }),
      requestEvent({ cacheHit: true, costUsd: 0 }),
      requestEvent({ cacheHit: true, costUsd: 0 }),
    );
    families(text);
    expect(value(text, 'lodestar_fallbacks_total', { provider: 'anthropic' })).toBe(2);
    expect(value(text, 'lodestar_fallbacks_total', { provider: 'deepseek' })).toBe(1);
    expect(value(text, 'lodestar_fallbacks_total', { provider: 'openai' })).toBeUndefined();
    expect(value(text, 'lodestar_cache_hits_total')).toBe(2);
  });

  it('shows every fixed family with HELP and TYPE before the first request, the unlabeled counters at 0', () => {
    const text = new Metrics().render();
    const parsed = families(text);
    for (const name of ['lodestar_requests_total', 'lodestar_tokens_total', 'lodestar_cost_usd_total', 'lodestar_baseline_cost_usd_total', 'lodestar_unpriced_requests_total', 'lodestar_fallbacks_total', 'lodestar_cache_hits_total']) {
      expect(parsed.get(name)?.type, name).toBe('COUNTER');
    }
    for (const name of ['lodestar_request_duration_seconds', 'lodestar_time_to_first_token_seconds', 'lodestar_overhead_seconds', 'lodestar_model_load_seconds']) {
      expect(parsed.get(name)?.type, name).toBe('HISTOGRAM');
    }
    expect(value(text, 'lodestar_cache_hits_total')).toBe(0);
    expect(histogram(text, 'lodestar_overhead_seconds')).toMatchObject({ count: 0, sum: 0 });
    expect(text).not.toMatch(/NaN/);
  });
});

describe('histograms', () => {
  it('puts latencies in cumulative buckets (le inclusive), with _sum in seconds and _count', () => {
    const { text } = fed(requestEvent({ latencyMs: 40 }), requestEvent({ latencyMs: 1000 }), requestEvent({ latencyMs: 1001 }), requestEvent({ latencyMs: 400_000 }), requestEvent({ provider: 'anthropic', latencyMs: 3000 }));
    families(text);
    const openai = histogram(text, 'lodestar_request_duration_seconds', { provider: 'openai' });
    expect(openai.count).toBe(4);
    expect(openai.sum).toBeCloseTo(402.041, 9);
    expect(openai.buckets.get('0.05')).toBe(1);
    expect(openai.buckets.get('1')).toBe(2);
    expect(openai.buckets.get('2.5')).toBe(3);
    expect(openai.buckets.get('300')).toBe(3);
    expect(openai.buckets.get('+Inf')).toBe(4);
    const anthropic = histogram(text, 'lodestar_request_duration_seconds', { provider: 'anthropic' });
    expect(anthropic).toMatchObject({ count: 1, sum: 3 });
    expect(anthropic.buckets.get('2.5')).toBe(0);
    expect(anthropic.buckets.get('5')).toBe(1);
  });

  it('times the first token of streams only, and leaves cache hits out of provider latency', () => {
    const { text } = fed(
      requestEvent({ stream: true, ttftMs: 300, latencyMs: 2000 }),
      requestEvent({ stream: false, ttftMs: undefined, latencyMs: 900 }),
      requestEvent({ stream: true, cacheHit: true, ttftMs: 1, latencyMs: 2, costUsd: 0 }),
    );
    families(text);
    const firstToken = histogram(text, 'lodestar_time_to_first_token_seconds', { provider: 'openai' });
    expect(firstToken).toMatchObject({ count: 1, sum: 0.3 });
    expect(firstToken.buckets.get('0.25')).toBe(0);
    expect(firstToken.buckets.get('0.5')).toBe(1);
    expect(histogram(text, 'lodestar_request_duration_seconds', { provider: 'openai' }).count).toBe(2);
    // Lodestar's own time counts for every request, cache hits too.
    expect(histogram(text, 'lodestar_overhead_seconds').count).toBe(3);
  });

  it('resolves overhead below a millisecond, and model loads from 0.1 s to a minute', () => {
    const { text } = fed(
      requestEvent({ overheadMs: 0.08 }),
      requestEvent({ overheadMs: 0.3 }),
      requestEvent({ overheadMs: 2 }),
      requestEvent({ model: 'ollama/qwen2.5-coder:3b', provider: 'ollama', loadDurationMs: 12 }),
      requestEvent({ model: 'ollama/qwen2.5-coder:3b', provider: 'ollama', loadDurationMs: 7500 }),
      requestEvent({ model: 'ollama/qwen2.5-coder:7b', provider: 'ollama', loadDurationMs: 90_000 }),
    );
    families(text);
    const overhead = histogram(text, 'lodestar_overhead_seconds');
    expect(overhead.count).toBe(6);
    expect(overhead.buckets.get('0.0001')).toBe(1);
    expect(overhead.buckets.get('0.0005')).toBe(5);
    expect(overhead.buckets.get('0.001')).toBe(5);
    expect(overhead.buckets.get('0.0025')).toBe(6);
    const small = histogram(text, 'lodestar_model_load_seconds', { model: 'ollama/qwen2.5-coder:3b' });
    expect(small).toMatchObject({ count: 2, sum: 7.512 });
    expect(small.buckets.get('0.1')).toBe(1);
    expect(small.buckets.get('5')).toBe(1);
    expect(small.buckets.get('10')).toBe(2);
    const large = histogram(text, 'lodestar_model_load_seconds', { model: 'ollama/qwen2.5-coder:7b' });
    expect(large.buckets.get('60')).toBe(0);
    expect(large.buckets.get('+Inf')).toBe(1);
    // Only Ollama reports load times: the other requests add no series.
    expect(samples(text, 'lodestar_model_load_seconds_count')).toHaveLength(2);
  });
});

describe('the format', () => {
  it('escapes backslashes, double quotes and newlines in label values so that they parse back', () => {
    const weird = 'openrouter/we"ird\\model\nname';
    const { text } = fed(requestEvent({ model: weird, provider: 'openrouter', stream: true, ttftMs: 100 }));
    families(text);
    expect(value(text, 'lodestar_requests_total', { provider: 'openrouter', model: weird, task: 'edit', status: 'ok' })).toBe(1);
    expect(value(text, 'lodestar_tokens_total', { provider: 'openrouter', model: weird, kind: 'input' })).toBe(1000);
    // One line per sample: the newline in the value did not break the line.
    for (const line of text.split('\n')) expect(line === '' || line.startsWith('#') || /^[a-z_]+(\{.*\})? \S+$/.test(line), line).toBe(true);
  });

  it('never lets a NaN, a negative or an infinite amount into a counter or a histogram', () => {
    const { text } = fed(requestEvent({ costUsd: Number.NaN, latencyMs: Number.NaN, overheadMs: -1, usage: { inputTokens: -5, outputTokens: Number.POSITIVE_INFINITY } }));
    families(text);
    expect(text).not.toMatch(/NaN|Inf /);
    expect(value(text, 'lodestar_requests_total', { provider: 'openai', model: 'openai/gpt-4o-mini', task: 'edit', status: 'ok' })).toBe(1);
    expect(samples(text, 'lodestar_tokens_total')).toEqual([]);
    expect(histogram(text, 'lodestar_overhead_seconds')).toMatchObject({ count: 0, sum: 0 });
  });

  it('keeps listening after an event it cannot read', () => {
    const onError = vi.fn();
    const metrics = new Metrics({ onError });
    const bus = new EventBus();
    metrics.listen(bus);
    bus.publish({ type: 'request', data: { status: 'ok' } });
    bus.publish({ type: 'budget-alert', data: { percent: 80 } });
    bus.publish({ type: 'request', data: requestEvent() });
    expect(bus.size).toBe(1);
    expect(onError).toHaveBeenCalledTimes(1);
    const text = metrics.render();
    expect(value(text, 'lodestar_requests_total', { provider: 'openai', model: 'openai/gpt-4o-mini', task: 'edit', status: 'ok' })).toBe(1);
  });
});

describe('collectors', () => {
  const gpu = (): MetricFamily[] => [
    { name: 'lodestar_gpu_utilization_ratio', help: 'GPU busy share, 0..1.\nFrom nvidia-smi \\ utilization.gpu.', type: 'gauge', samples: [{ labels: { gpu: '0', name: 'NVIDIA T600 "Laptop"' }, value: 0.42 }] },
    { name: 'lodestar_gpu_memory_total_bytes', help: 'VRAM.', type: 'gauge', samples: [{ labels: { gpu: '0' }, value: Number.POSITIVE_INFINITY }] },
  ];

  it('renders families computed at scrape time, with HELP escaped, until removed', () => {
    const metrics = new Metrics();
    let utilization = 0.42;
    const remove = metrics.addCollector(() => gpu().map((family) => (family.name === 'lodestar_gpu_utilization_ratio' ? { ...family, samples: [{ ...family.samples[0]!, value: utilization }] } : family)));
    let parsed = families(metrics.render());
    expect(parsed.get('lodestar_gpu_utilization_ratio')).toEqual({
      name: 'lodestar_gpu_utilization_ratio',
      help: 'GPU busy share, 0..1.\nFrom nvidia-smi \\ utilization.gpu.',
      type: 'GAUGE',
      metrics: [{ labels: { gpu: '0', name: 'NVIDIA T600 "Laptop"' }, value: '0.42' }],
    });
    expect(parsed.get('lodestar_gpu_memory_total_bytes')?.metrics).toEqual([{ labels: { gpu: '0' }, value: '+Inf' }]);
    utilization = 0.9;
    expect(value(metrics.render(), 'lodestar_gpu_utilization_ratio', { gpu: '0', name: 'NVIDIA T600 "Laptop"' })).toBe(0.9);
    remove();
    parsed = families(metrics.render());
    expect(parsed.has('lodestar_gpu_utilization_ratio')).toBe(false);
  });

  it('leaves out a collector that throws and a family with a bad or taken name, and says so', () => {
    const onError = vi.fn();
    const metrics = new Metrics({ onError });
    metrics.addCollector(() => {
      throw new Error('nvidia-smi went away');
    });
    metrics.addCollector(() => [
      { name: 'lodestar_requests_total', help: 'taken', type: 'counter', samples: [{ value: 1 }] },
      { name: 'lodestar_overhead_seconds_count', help: 'taken by a histogram series', type: 'gauge', samples: [{ value: 1 }] },
      { name: 'lodestar-bad-name', help: 'bad', type: 'gauge', samples: [{ value: 1 }] },
      { name: 'lodestar_bad_label', help: 'bad', type: 'gauge', samples: [{ labels: { 'gpu-id': '0' }, value: 1 }] },
      ...gpu(),
      { name: 'lodestar_gpu_utilization_ratio', help: 'twice', type: 'gauge', samples: [{ value: 1 }] },
    ]);
    const text = metrics.render();
    const parsed = families(text);
    expect(parsed.get('lodestar_gpu_utilization_ratio')?.metrics).toHaveLength(1);
    expect(parsed.has('lodestar_bad_label')).toBe(false);
    expect(samples(text, 'lodestar_requests_total')).toEqual([]);
    expect(onError).toHaveBeenCalledTimes(6);
    expect(String(onError.mock.calls[0]?.[0])).toContain('nvidia-smi went away');
  });
});

describe("the daemon's own gauges", () => {
  it('shows build info, start time, memory, each circuit as 0/1/2 and the in-memory cache size', () => {
    let now = 1_000_000;
    const breakers = new CircuitBreakers({ failureThreshold: 1, cooldownMs: 1000 }, () => now);
    breakers.failure('anthropic', 'anthropic answered 529');
    breakers.failure('deepseek', 'deepseek answered 500');
    now += 500;
    breakers.failure('deepseek', 'deepseek answered 500');
    now += 600; // anthropic's cooldown is over (half-open); deepseek's, reopened later, is not
    const metrics = new Metrics();
    const startedAt = new Date('2026-11-24T10:00:00.500Z');
    metrics.addCollector(
      daemonCollector({
        version: '0.1.0',
        startedAt,
        providers: new Map([['ollama', {}], ['openai', {}], ['anthropic', {}], ['deepseek', {}]]),
        breakers,
        cache: { entries: 3 },
        config: { cache: { store: 'memory' } },
      }),
    );
    const text = metrics.render();
    const parsed = families(text);
    expect(parsed.get('lodestar_circuit_state')?.help).toContain('0 closed');
    expect(samples(text, 'lodestar_circuit_state')).toEqual([
      { labels: { provider: 'ollama' }, value: 0 },
      { labels: { provider: 'openai' }, value: 0 },
      { labels: { provider: 'anthropic' }, value: 1 },
      { labels: { provider: 'deepseek' }, value: 2 },
    ]);
    expect(samples(text, 'lodestar_info')).toEqual([{ labels: { version: '0.1.0' }, value: 1 }]);
    expect(value(text, 'lodestar_start_time_seconds')).toBe(startedAt.getTime() / 1000);
    expect(value(text, 'lodestar_process_resident_memory_bytes')).toBeGreaterThan(1024 * 1024);
    expect(value(text, 'lodestar_cache_entries')).toBe(3);
  });

  it('leaves the cache size out when the cache is off or on disk, rather than showing 0', () => {
    const base = { version: '0.1.0', startedAt: new Date(), providers: new Map(), breakers: new CircuitBreakers({ failureThreshold: 1, cooldownMs: 1000 }) };
    for (const daemon of [
      { ...base, cache: undefined, config: { cache: { store: 'memory' as const } } },
      { ...base, cache: { entries: 0 }, config: { cache: { store: 'disk' as const } } },
    ]) {
      const metrics = new Metrics();
      metrics.addCollector(daemonCollector(daemon));
      expect(families(metrics.render()).has('lodestar_cache_entries')).toBe(false);
    }
  });
});
