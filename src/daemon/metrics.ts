import type { RequestEvent } from '../ledger/request-event.js';
import type { CircuitState } from '../router/circuit-breaker.js';
import type { ProviderId } from '../shared/provider-ids.js';
import type { EventBus } from './event-bus.js';

/**
 * A family that a collector computes at scrape time (GPU utilization, VRAM, loaded models...).
 * Omit a sample whose value is unknown rather than reporting 0 or NaN: Prometheus then shows
 * the series as absent, which is what it is.
 */
export interface MetricFamily {
  /** `lodestar_` prefix, base units (seconds, bytes), `_total` for counters. */
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  samples: Array<{ labels?: Readonly<Record<string, string>>; value: number }>;
}

export type Collector = () => MetricFamily[];

export interface MetricsOptions {
  /** Told about a collector that threw or returned a family it may not (bad or taken name). */
  onError?: (error: Error) => void;
}

/** What Prometheus expects of a /metrics body in the text format this renders. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

// Bucket bounds, in seconds. A request runs from a one-line commit message (under a second)
// to an architect plan streamed for minutes.
const REQUEST_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300];
// The first token: a warm local model answers in tens of ms, a busy paid API in seconds.
const FIRST_TOKEN_SECONDS = [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 20, 30, 60];
// Lodestar's own time is a fraction of a millisecond when warm; the upper buckets catch the
// first requests (route tables and prices resolved) and anything that regressed.
const OVERHEAD_SECONDS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25];
// Ollama loading a model: near 0 when it is in VRAM already, up to a minute from a cold disk.
const MODEL_LOAD_SECONDS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60];

const NONE = 'none';
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * The daemon's Prometheus metrics: counters and histograms fed from the EventBus (one event per
 * finished request), plus families that collectors compute at scrape time. Counters start at 0
 * with the daemon, as Prometheus expects; the ledger is where history lives.
 */
export class Metrics {
  private readonly requests = new Counter('lodestar_requests_total', 'Requests that reached routing, by the provider and model that answered (for a failed request the last one tried; "none" when none was), task class and status (ok, error, aborted).', ['provider', 'model', 'task', 'status']);
  private readonly tokens = new Counter('lodestar_tokens_total', 'Tokens the upstreams reported (cache hits included, as in lodestar report), by kind: input (all read, cache reads and writes included), cached_input and cache_write (parts of input), output (all written, reasoning included), reasoning (part of output). Counts an upstream did not report are not added. Do not sum over kind.', ['provider', 'model', 'kind']);
  private readonly cost = new Counter('lodestar_cost_usd_total', 'What requests cost, in US dollars, as the ledger costs them. Requests whose price is unknown are left out (lodestar_unpriced_requests_total counts them).', ['provider', 'model']);
  private readonly baselineCost = new Counter('lodestar_baseline_cost_usd_total', 'What the same tokens would have cost on the baseline model, in US dollars, by the provider and model that served them; only for requests whose own cost is known, so that baseline minus cost is the saving.', ['provider', 'model']);
  private readonly unpriced = new Counter('lodestar_unpriced_requests_total', 'Requests with reported tokens but no known price: their cost is missing from lodestar_cost_usd_total.', ['provider', 'model']);
  private readonly fallbacks = new Counter('lodestar_fallbacks_total', 'Failed attempts at a provider after which Lodestar tried another candidate (or the same one again), by the provider that failed.', ['provider']);
  private readonly cacheHits = new Counter('lodestar_cache_hits_total', "Requests answered from Lodestar's response cache, at no cost.", []);
  private readonly duration = new Histogram('lodestar_request_duration_seconds', "Time from a request's arrival to its last byte, by the provider that answered; cache hits are left out (they say nothing of the provider).", ['provider'], REQUEST_SECONDS);
  private readonly firstToken = new Histogram('lodestar_time_to_first_token_seconds', 'Time from the arrival of a streamed request to its first content byte, by the provider that answered; cache hits are left out.', ['provider'], FIRST_TOKEN_SECONDS);
  private readonly overhead = new Histogram('lodestar_overhead_seconds', "Lodestar's own time in a request (reading, checking and routing it, translating the answer), not the time spent waiting on the upstream.", [], OVERHEAD_SECONDS);
  private readonly modelLoad = new Histogram('lodestar_model_load_seconds', 'Time Ollama took to load the model before answering (near 0 when it was already loaded; queue wait included), by model.', ['model'], MODEL_LOAD_SECONDS);
  private readonly families: ReadonlyArray<Counter | Histogram> = [
    this.requests,
    this.tokens,
    this.cost,
    this.baselineCost,
    this.unpriced,
    this.fallbacks,
    this.cacheHits,
    this.duration,
    this.firstToken,
    this.overhead,
    this.modelLoad,
  ];
  /** Every sample name the fixed families use, so that no collector can shadow one. */
  private readonly reserved = new Set<string>();
  private readonly collectors = new Set<Collector>();
  private readonly onError: (error: Error) => void;

  constructor(options: MetricsOptions = {}) {
    this.onError = options.onError ?? (() => undefined);
    for (const family of this.families) {
      this.reserved.add(family.name);
      if (family instanceof Histogram) for (const suffix of ['_bucket', '_sum', '_count']) this.reserved.add(family.name + suffix);
    }
  }

  /** Feeds every finished request on the bus to the metrics; returns the unsubscribe. */
  listen(events: EventBus): () => void {
    return events.subscribe((event) => {
      if (event.type !== 'request') return;
      // The bus drops a listener that throws: one odd event must not freeze the metrics.
      try {
        this.observe(event.data as RequestEvent);
      } catch (error) {
        this.onError(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Counts one finished request. On the request's path: a few map updates, nothing more. */
  observe(event: RequestEvent): void {
    const provider = event.provider ?? NONE;
    const model = event.model ?? NONE;
    this.requests.add([provider, model, event.task ?? NONE, event.status], 1);

    const usage = event.usage;
    this.tokens.add([provider, model, 'input'], usage.inputTokens);
    this.tokens.add([provider, model, 'cached_input'], usage.cachedInputTokens);
    this.tokens.add([provider, model, 'cache_write'], usage.cacheWriteTokens);
    this.tokens.add([provider, model, 'output'], usage.outputTokens);
    this.tokens.add([provider, model, 'reasoning'], usage.reasoningTokens);

    // The same rules as the ledger's rollups, so that these agree with `lodestar report`.
    if (event.costUsd !== undefined) {
      this.cost.add([provider, model], event.costUsd);
      this.baselineCost.add([provider, model], event.baselineCostUsd);
    } else if (usage.inputTokens !== undefined || usage.outputTokens !== undefined) {
      this.unpriced.add([provider, model], 1);
    }

    for (const attempt of event.fallbacks) this.fallbacks.add([attempt.provider], 1);
    if (event.cacheHit) {
      this.cacheHits.add([], 1);
    } else {
      this.duration.observe([provider], seconds(event.latencyMs));
      if (event.stream) this.firstToken.observe([provider], seconds(event.ttftMs));
    }
    this.overhead.observe([], seconds(event.overheadMs));
    if (event.loadDurationMs !== undefined) this.modelLoad.observe([model], seconds(event.loadDurationMs));
  }

  /** Adds families computed at each scrape; returns the removal. */
  addCollector(collector: Collector): () => void {
    this.collectors.add(collector);
    return () => this.collectors.delete(collector);
  }

  /** The Prometheus text format, version 0.0.4. */
  render(): string {
    const lines: string[] = [];
    for (const family of this.families) family.render(lines);
    const seen = new Set(this.reserved);
    for (const collector of this.collectors) {
      let families: MetricFamily[];
      try {
        families = collector();
      } catch (error) {
        this.onError(error instanceof Error ? error : new Error(String(error)));
        continue;
      }
      for (const family of families) {
        const problem = checkFamily(family, seen);
        if (problem) {
          // A bad family is left out rather than failing the scrape: the rest stays visible.
          this.onError(new Error(`metrics collector family ${JSON.stringify(family.name)} left out: ${problem}`));
          continue;
        }
        seen.add(family.name);
        header(lines, family.name, family.help, family.type);
        for (const sample of family.samples) lines.push(`${family.name}${labelSet(sample.labels ?? {})} ${formatNumber(sample.value)}`);
      }
    }
    lines.push('');
    return lines.join('\n');
  }
}

/** What the daemon knows at scrape time (a DaemonContext fits). */
export interface DaemonState {
  version: string;
  startedAt: Date;
  providers: ReadonlyMap<ProviderId, unknown>;
  breakers: { state(provider: ProviderId): CircuitState };
  cache: { readonly entries: number } | undefined;
  config: { cache: { store: 'memory' | 'disk' | 'redis' } };
}

const CIRCUIT_VALUE: Readonly<Record<CircuitState, number>> = { closed: 0, 'half-open': 1, open: 2 };

/** The daemon's own gauges: build info, start time, memory, each provider's circuit, the cache's size. */
export function daemonCollector(daemon: DaemonState): Collector {
  return () => {
    const families: MetricFamily[] = [
      { name: 'lodestar_info', help: 'Always 1; the version of the running daemon is in its label.', type: 'gauge', samples: [{ labels: { version: daemon.version }, value: 1 }] },
      { name: 'lodestar_start_time_seconds', help: 'When the daemon started, in seconds since the Unix epoch.', type: 'gauge', samples: [{ value: daemon.startedAt.getTime() / 1000 }] },
      { name: 'lodestar_process_resident_memory_bytes', help: "The daemon process's resident memory (RSS), in bytes.", type: 'gauge', samples: [{ value: process.memoryUsage.rss() }] },
      {
        name: 'lodestar_circuit_state',
        help: "Each configured provider's circuit breaker: 0 closed (in use), 1 half-open (one probe request may try it), 2 open (skipped after repeated failures).",
        type: 'gauge',
        samples: [...daemon.providers.keys()].map((provider) => ({ labels: { provider }, value: CIRCUIT_VALUE[daemon.breakers.state(provider)] })),
      },
    ];
    // Only the in-memory store counts its entries; the disk store's count would need a
    // directory listing per scrape, so it is left out rather than shown as 0.
    if (daemon.cache && daemon.config.cache.store === 'memory') {
      families.push({ name: 'lodestar_cache_entries', help: "Answers the in-memory response cache holds (expired ones included until they are read or evicted).", type: 'gauge', samples: [{ value: daemon.cache.entries }] });
    }
    return families;
  };
}

class Counter {
  readonly name: string;
  private readonly help: string;
  private readonly labelNames: readonly string[];
  private readonly series = new Map<string, { values: readonly string[]; value: number }>();

  constructor(name: string, help: string, labelNames: readonly string[]) {
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
    // An unlabeled counter exists from the start: a rate over it works before the first event.
    if (labelNames.length === 0) this.series.set('', { values: [], value: 0 });
  }

  /** Adds `amount`, skipping an unknown (undefined) one, and one that would break monotony. */
  add(values: readonly string[], amount: number | undefined): void {
    if (amount === undefined || !(amount >= 0) || amount === Infinity) return;
    const key = values.join('\u0000');
    const series = this.series.get(key);
    if (series) series.value += amount;
    else this.series.set(key, { values, value: amount });
  }

  render(lines: string[]): void {
    header(lines, this.name, this.help, 'counter');
    for (const { values, value } of this.series.values()) lines.push(`${this.name}${labels(this.labelNames, values)} ${formatNumber(value)}`);
  }
}

class Histogram {
  readonly name: string;
  private readonly help: string;
  private readonly labelNames: readonly string[];
  private readonly bounds: readonly number[];
  private readonly boundLabels: readonly string[];
  /** Per series, counts per bucket (not cumulative: cumulated at render), the +Inf one last. */
  private readonly series = new Map<string, { values: readonly string[]; counts: number[]; sum: number; count: number }>();

  constructor(name: string, help: string, labelNames: readonly string[], bounds: readonly number[]) {
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
    this.bounds = bounds;
    this.boundLabels = [...bounds.map(formatNumber), '+Inf'];
    if (labelNames.length === 0) this.series.set('', { values: [], counts: new Array<number>(bounds.length + 1).fill(0), sum: 0, count: 0 });
  }

  observe(values: readonly string[], value: number | undefined): void {
    if (value === undefined || !Number.isFinite(value) || value < 0) return;
    const key = values.join('\u0000');
    let series = this.series.get(key);
    if (!series) {
      series = { values, counts: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0 };
      this.series.set(key, series);
    }
    let index = 0;
    while (index < this.bounds.length && value > this.bounds[index]!) index++;
    series.counts[index]!++;
    series.sum += value;
    series.count++;
  }

  render(lines: string[]): void {
    header(lines, this.name, this.help, 'histogram');
    for (const { values, counts, sum, count } of this.series.values()) {
      let cumulative = 0;
      for (let index = 0; index < counts.length; index++) {
        cumulative += counts[index]!;
        lines.push(`${this.name}_bucket${labels([...this.labelNames, 'le'], [...values, this.boundLabels[index]!])} ${cumulative}`);
      }
      const own = labels(this.labelNames, values);
      lines.push(`${this.name}_sum${own} ${formatNumber(sum)}`);
      lines.push(`${this.name}_count${own} ${count}`);
    }
  }
}

function seconds(milliseconds: number | undefined): number | undefined {
  return milliseconds === undefined ? undefined : milliseconds / 1000;
}

function header(lines: string[], name: string, help: string, type: string): void {
  lines.push(`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${type}`);
}

function labels(names: readonly string[], values: readonly string[]): string {
  if (names.length === 0) return '';
  let text = '{';
  for (let index = 0; index < names.length; index++) text += `${index ? ',' : ''}${names[index]}="${escapeLabelValue(values[index] ?? '')}"`;
  return `${text}}`;
}

function labelSet(set: Readonly<Record<string, string>>): string {
  const names = Object.keys(set);
  return labels(names, names.map((name) => set[name]!));
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Go's ParseFloat, which Prometheus parses with, takes JavaScript's number forms but not its names for infinity. */
function formatNumber(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function checkFamily(family: MetricFamily, seen: ReadonlySet<string>): string | undefined {
  if (typeof family.name !== 'string' || !METRIC_NAME.test(family.name)) return 'not a valid metric name';
  if (seen.has(family.name)) return 'the name is taken by another family';
  if (family.type !== 'gauge' && family.type !== 'counter') return `type ${String(family.type)} is not gauge or counter`;
  for (const sample of family.samples) {
    if (typeof sample.value !== 'number') return 'a sample value is not a number';
    for (const [name, value] of Object.entries(sample.labels ?? {})) {
      if (!LABEL_NAME.test(name) || name.startsWith('__')) return `label name ${JSON.stringify(name)} is not valid`;
      if (typeof value !== 'string') return `label ${name} is not a string`;
    }
  }
  return undefined;
}
