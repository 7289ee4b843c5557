import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { MatchLogic, ModelInfo, ModelPrice } from '@pydantic/genai-prices';
import type { Usage } from '../../providers/spec/usage.js';
import type { ProviderId } from '../../shared/provider-ids.js';
import { computeCost, type Rates } from './compute-cost.js';
import { PRICE_OVERRIDES, type OverridePrice } from './price-overrides.js';
import type { CostResult, PriceRecord } from './price-record.js';

/** genai-prices names Gemini's provider "google". */
const TABLE_PROVIDER: Readonly<Record<ProviderId, string | undefined>> = {
  ollama: undefined,
  openai: 'openai',
  anthropic: 'anthropic',
  deepseek: 'deepseek',
  openrouter: 'openrouter',
  gemini: 'google',
  groq: 'groq',
  mistral: 'mistral',
};

const require = createRequire(import.meta.url);
const TABLE_MODULE = '@pydantic/genai-prices';

/**
 * The bundled price table is ~10 MB once loaded. It is loaded (synchronously, from its CommonJS
 * build) only to resolve a model not resolved before, and dropped from the module cache right
 * after, so that a long-running daemon does not keep it.
 */
export function withTable<T>(use: (table: typeof import('@pydantic/genai-prices')) => T): T {
  const table = require(TABLE_MODULE) as typeof import('@pydantic/genai-prices');
  try {
    return use(table);
  } finally {
    delete require.cache[require.resolve(TABLE_MODULE)];
  }
}

export interface TableEntry {
  info: ModelInfo;
  approximate: boolean;
}

/** The script that resolves models in a process of its own (see prefetchApart). */
const CHILD_SCRIPT = fileURLToPath(new URL('./price-table-child.js', import.meta.url));

/**
 * Prices a request. In order: the user's own prices from config, Lodestar's override table,
 * local models at $0, then the bundled @pydantic/genai-prices table (offline). A model found
 * nowhere is unknown (cost undefined), never $0; a model the table matched only loosely (a
 * near id) is flagged approximate.
 */
export class Pricing {
  private userPrices: Readonly<Record<string, Rates>>;
  private readonly table = new Map<string, TableEntry | null>();

  constructor(userPrices: Readonly<Record<string, Rates>> = {}) {
    this.userPrices = userPrices;
  }

  /** The user's own prices (config `prices`) changed: they apply from the next request. */
  setUserPrices(prices: Readonly<Record<string, Rates>>): void {
    this.userPrices = prices;
  }

  /** The price of `usage` on `provider/model` at `at`. */
  cost(provider: ProviderId, model: string, usage: Usage, at: Date): CostResult {
    const price = this.rates(provider, model, usage, at);
    // OpenRouter says what it charged: that is the cost, whatever the table thinks.
    if (usage.providerCostUsd !== undefined) {
      return { costUsd: usage.providerCostUsd, price: { ...(price ?? { matched: `${provider}/${model}`, inputPerMTok: 0, outputPerMTok: 0 }), source: 'provider' } };
    }
    if (!price) return { costUsd: undefined, price: undefined };
    return { costUsd: computeCost(usage, price), price };
  }

  /** The same usage on a "<provider>/<model>" id (the baseline). */
  costOf(modelId: string, usage: Usage, at: Date): CostResult {
    const slash = modelId.indexOf('/');
    const provider = modelId.slice(0, slash) as ProviderId;
    const { providerCostUsd: _ignored, ...tokens } = usage;
    return this.cost(provider, modelId.slice(slash + 1), tokens, at);
  }

  /** The rates that apply to this request (tiers and peak hours resolved), or undefined. */
  rates(provider: ProviderId, model: string, usage: Usage, at: Date): PriceRecord | undefined {
    const id = `${provider}/${model}`;
    const user = this.userPrices[id];
    if (user) return { source: 'config', matched: id, ...user };
    const override = PRICE_OVERRIDES[id];
    if (override) return fromOverride(override, at);
    if (provider === 'ollama') return { source: 'local', matched: id, inputPerMTok: 0, outputPerMTok: 0 };
    const entry = this.lookup(provider, model, at);
    if (!entry) return undefined;
    const prices = selectPrices(entry.info.prices, at);
    const input = usage.inputTokens ?? 0;
    const record: PriceRecord = {
      source: 'genai-prices',
      matched: entry.info.id,
      inputPerMTok: rate(prices.input_mtok, input) ?? 0,
      outputPerMTok: rate(prices.output_mtok, input) ?? 0,
    };
    const read = rate(prices.cache_read_mtok, input);
    const write = rate(prices.cache_write_mtok, input);
    if (read !== undefined) record.cacheReadPerMTok = read;
    if (write !== undefined) record.cacheWritePerMTok = write;
    if (entry.approximate) record.approximate = true;
    return record;
  }

  /**
   * Resolves these models now, with one load of the table (the daemon does it at start for the
   * models it knows), so that requests find their prices in the cache.
   */
  prefetch(models: ReadonlyArray<{ provider: ProviderId; model: string }>, at: Date = new Date()): void {
    const missing = models.filter(({ provider, model }) => !this.table.has(`${provider}/${model}`));
    if (!missing.length) return;
    withTable((table) => {
      for (const { provider, model } of missing) this.resolve(table, provider, model, at);
    });
  }

  /**
   * As prefetch, but in a short-lived process of its own: loading the table leaves the process
   * that loads it about 14 MB bigger for good (the parser's memory is not given back), which a
   * daemon that runs all day should not carry. Falls back to prefetch if that process fails.
   * Says where the prices were resolved.
   */
  async prefetchApart(models: ReadonlyArray<{ provider: ProviderId; model: string }>, at: Date = new Date()): Promise<'apart' | 'in-process' | 'cached'> {
    const missing = models.filter(({ provider, model }) => !this.table.has(`${provider}/${model}`));
    if (!missing.length) return 'cached';
    try {
      const entries = await resolveApart(missing, at);
      for (const { provider, model } of missing) {
        const key = `${provider}/${model}`;
        if (!(key in entries)) throw new Error(`the price process did not answer for ${key}`);
        this.table.set(key, entries[key] ?? null);
      }
      return 'apart';
    } catch {
      this.prefetch(missing, at);
      return 'in-process';
    }
  }

  /** Resolved once per model: matching a model id against the table takes up to 30 µs. */
  private lookup(provider: ProviderId, model: string, at: Date): TableEntry | undefined {
    const cached = this.table.get(`${provider}/${model}`);
    if (cached !== undefined) return cached ?? undefined;
    return withTable((table) => this.resolve(table, provider, model, at));
  }

  private resolve(table: typeof import('@pydantic/genai-prices'), provider: ProviderId, model: string, at: Date): TableEntry | undefined {
    const entry = resolveInTable(table, provider, model, at);
    this.table.set(`${provider}/${model}`, entry);
    return entry ?? undefined;
  }
}

/** One model's entry in the table (null: not there). */
export function resolveInTable(table: typeof import('@pydantic/genai-prices'), provider: ProviderId, model: string, at: Date): TableEntry | null {
  const providerId = TABLE_PROVIDER[provider];
  if (!providerId) return null;
  const found = table.calcPrice({ input_tokens: 1, output_tokens: 1 }, model, { providerId, timestamp: at });
  return found ? { info: found.model, approximate: !isExactMatch(model, found.model) } : null;
}

/** Resolves models in CHILD_SCRIPT, on the same Node, and returns its entries by "provider/model". */
function resolveApart(models: ReadonlyArray<{ provider: ProviderId; model: string }>, at: Date): Promise<Record<string, TableEntry | null>> {
  if (!existsSync(CHILD_SCRIPT)) return Promise.reject(new Error(`${CHILD_SCRIPT} is missing`));
  const request = JSON.stringify({ at: at.toISOString(), models: models.map(({ provider, model }) => ({ provider, model })) });
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CHILD_SCRIPT, request], { timeout: 30_000, maxBuffer: 64 * 1024 * 1024, windowsHide: true }, (error, stdout) => {
      if (error) {
        reject(error);
        return;
      }
      try {
        resolve(JSON.parse(stdout) as Record<string, TableEntry | null>);
      } catch (parseError) {
        reject(parseError as Error);
      }
    });
  });
}

function fromOverride(override: OverridePrice, at: Date): PriceRecord {
  const rates = override.peak?.isPeak(at) ? override.peak.rates : override.rates;
  return { source: 'lodestar', matched: override.matched, ...rates };
}

/**
 * Conditional prices: the last entry whose constraint holds at `at` (a start date passed, or
 * the time of day inside its window); an entry without a constraint always holds.
 */
function selectPrices(prices: ModelInfo['prices'], at: Date): ModelPrice {
  if (!Array.isArray(prices)) return prices;
  let chosen: ModelPrice = prices[0]?.prices ?? {};
  for (const option of prices) {
    const constraint = option.constraint;
    if (!constraint) chosen = option.prices;
    else if (constraint.type === 'start_date' && at.getTime() >= Date.parse(constraint.start_date)) chosen = option.prices;
    else if (constraint.type === 'time_of_date' && inWindow(at, constraint.start_time, constraint.end_time)) chosen = option.prices;
  }
  return chosen;
}

function inWindow(at: Date, start: string, end: string): boolean {
  const seconds = (text: string): number => {
    const [hours = 0, minutes = 0, secs = 0] = text.replace(/Z$/, '').split(':').map(Number);
    return hours * 3600 + minutes * 60 + secs;
  };
  const now = at.getUTCHours() * 3600 + at.getUTCMinutes() * 60 + at.getUTCSeconds();
  const from = seconds(start);
  const to = seconds(end);
  return from <= to ? now >= from && now < to : now >= from || now < to;
}

/** A flat rate, or the tier the whole prompt falls in (long-context prices apply to all of it). */
function rate(price: ModelPrice[string], inputTokens: number): number | undefined {
  if (price === undefined) return undefined;
  if (typeof price === 'number') return price;
  let value = price.base;
  for (const tier of price.tiers) if (inputTokens >= tier.start) value = tier.price;
  return value;
}

const DATED = /^(-\d{8}|-\d{4}-\d{2}-\d{2}|@\d{8}|-latest)$/;

/**
 * Exact: the table names this very id, or the id is one of its names plus a snapshot date.
 * Anything else that matched (claude-sonnet-5-5 by the prefix claude-sonnet-5) is a guess.
 */
export function isExactMatch(model: string, info: ModelInfo): boolean {
  if (model === info.id) return true;
  return matchesExactly(model, info.match);
}

function matchesExactly(model: string, logic: MatchLogic): boolean {
  if ('equals' in logic) return logic.equals === model;
  if ('starts_with' in logic) return model === logic.starts_with || DATED.test(model.slice(logic.starts_with.length)) && model.startsWith(logic.starts_with);
  if ('or' in logic) return logic.or.some((inner) => matchesExactly(model, inner));
  if ('and' in logic) return logic.and.every((inner) => matchesExactly(model, inner));
  return false;
}
