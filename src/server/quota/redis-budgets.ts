import { RESERVE, SEED, SETTLE, STANDING } from './budget-scripts.js';
import { QuotaStoreUnavailable, REDIS_COMMAND_TIMEOUT_MS, type RedisCommander } from './redis-connection.js';
import { fromNano, MAX_USD, PeriodClock, periodExpiresAt, toNano, type TeamBudget } from './team-budgets.js';

/** Where one budget stands for its current period; amounts in USD. */
export interface BudgetStanding extends TeamBudget {
  periodKey: string;
  spentUsd: number;
  /** Held for requests in flight. */
  reservedUsd: number;
}

/** What reserve held, to hand back to settle: plain data, so that it can be kept (a spool, a retry) and settled later. */
export interface BudgetHold {
  requestId: string;
  teamId: string;
  periods: Array<{ budget: TeamBudget; periodKey: string }>;
}

export type ReserveResult =
  /** `before`: where each budget stood just before this hold; `over`: the soft ones this request takes over their limit. */
  | { ok: true; verified: true; hold: BudgetHold; before: BudgetStanding[]; over: BudgetStanding[] }
  /** Redis could not be asked and only soft budgets apply: admitted unchecked, settled when Redis answers again. */
  | { ok: true; verified: false; hold: BudgetHold; before: []; over: []; problem: string }
  /** A hard budget has no room: 402 (or a free model, where the team allows it). */
  | { ok: false; reason: 'budget'; budget: BudgetStanding }
  /** A hard budget applies and Redis can't be asked: refused (503), never admitted unchecked. */
  | { ok: false; reason: 'unavailable'; problem: string };

/** A period's spend so far from the ledger, to seed counters Redis lost (a restart without persistence, an eviction). */
export interface SpentSource {
  spentUsd(budget: TeamBudget, periodKey: string): Promise<number>;
}

export interface RedisBudgetsOptions {
  client: RedisCommander;
  /** The time zone periods are counted in (default UTC): a day and a month start at its midnight. */
  timeZone?: string;
  /** How long a hold stands with no settle before it gives its amount back (default 15 minutes: past the longest stream). */
  holdTtlMs?: number;
  /** How long a settled request is remembered, so that a retried settle is not counted twice (default 1 hour). */
  settledTtlMs?: number;
  timeoutMs?: number;
  /** Default `lodestar`. */
  keyPrefix?: string;
  spentSource?: SpentSource;
  /** The clock that picks the period (tests); hold deadlines use Redis's own clock. */
  now?: () => Date;
}

export interface ReserveRequest {
  /** The request's id (`x-lodestar-request-id`): a retried reserve or settle with it does nothing twice. */
  requestId: string;
  teamId: string;
  budgets: TeamBudget[];
  estimateUsd: number;
}

/**
 * Budgets held across every instance of the team server, in Redis: before a paid call, its
 * estimated cost is reserved against every budget the request falls under, all or nothing,
 * in one Lua script; after the call, settle replaces the hold by the actual cost.
 *
 * The rule, per hard budget, in whole nano-dollars: refused when
 *   spent + reserved + estimate > limit, or spent ≥ limit
 * (the second stops a request with no estimate, an unpriced model, once the limit is reached),
 * as the local daemon's BudgetTracker.blocking. Every admitted request keeps
 * spent + reserved ≤ limit true at the moment it is admitted, so spend passes a hard limit only
 * by what requests in flight cost beyond their estimates (their actual − estimate, where
 * positive), plus the cost of a request whose hold expired before it settled. A soft budget
 * never refuses; `over` says which ones this request takes past their limit.
 *
 * Spend counts in the period the request was admitted in. Every key of a request carries the
 * team's id as its hash tag, so a request's keys share one Redis Cluster slot.
 */
export class RedisBudgets {
  private readonly client: RedisCommander;
  private readonly clock: PeriodClock;
  private readonly holdTtlMs: number;
  private readonly settledTtlMs: number;
  private readonly timeoutMs: number;
  private readonly prefix: string;
  private readonly spentSource: SpentSource | undefined;
  private readonly now: () => Date;

  constructor(options: RedisBudgetsOptions) {
    this.client = options.client;
    this.clock = new PeriodClock(options.timeZone ?? 'UTC');
    this.holdTtlMs = positiveInteger(options.holdTtlMs ?? 15 * 60_000, 'holdTtlMs');
    this.settledTtlMs = positiveInteger(options.settledTtlMs ?? 60 * 60_000, 'settledTtlMs');
    this.timeoutMs = options.timeoutMs ?? REDIS_COMMAND_TIMEOUT_MS;
    this.prefix = options.keyPrefix ?? 'lodestar';
    this.spentSource = options.spentSource;
    this.now = options.now ?? (() => new Date());
  }

  async reserve(request: ReserveRequest): Promise<ReserveResult> {
    checkAmount(request.estimateUsd, 'estimateUsd');
    for (const budget of request.budgets) checkAmount(budget.limitUsd, 'limitUsd');
    const at = this.now();
    const hold: BudgetHold = {
      requestId: request.requestId,
      teamId: request.teamId,
      periods: request.budgets.map((budget) => ({ budget, periodKey: this.clock.periodKey(budget.period, at) })),
    };
    if (!hold.periods.length) return { ok: true, verified: true, hold, before: [], over: [] };
    try {
      let reply = await this.runReserve(hold, request.estimateUsd, this.spentSource !== undefined);
      if (reply[0] === 'cold') {
        await this.seed(hold, (reply.slice(1) as number[]).map((index) => hold.periods[index]!));
        reply = await this.runReserve(hold, request.estimateUsd, false);
      }
      return this.reserved(hold, request.estimateUsd, reply);
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      if (!request.budgets.some((budget) => budget.mode === 'hard')) return { ok: true, verified: false, hold, before: [], over: [], problem };
      // Refused, but a reserve that timed out may still run: its release goes behind it on the same connection, rather than leave the hold to expire.
      if (error instanceof QuotaStoreUnavailable && error.ambiguous) void this.settle(hold, 0).catch(() => undefined);
      return { ok: false, reason: 'unavailable', problem };
    }
  }

  /**
   * The call is over: its hold is released and its actual cost added, to the periods it was
   * reserved in. Idempotent by request id for `settledTtlMs`. Settle at 0 for a call that never
   * reached the provider; settle at the estimate for a success that can't be priced (never at 0:
   * that would make unpriced models free of every budget). Throws QuotaStoreUnavailable while
   * Redis can't be reached: retry later, it counts once.
   */
  async settle(hold: BudgetHold, actualUsd: number): Promise<'settled' | 'already'> {
    checkAmount(actualUsd, 'actualUsd');
    if (!hold.periods.length) return 'settled';
    const keys = [this.stateKey(hold), ...hold.periods.flatMap((period) => this.budgetKeys(hold.teamId, period.budget, period.periodKey))];
    const args = [hold.requestId, String(toNano(actualUsd)), String(this.settledTtlMs), ...hold.periods.map((period) => String(periodExpiresAt(period.periodKey)))];
    const reply = (await SETTLE.run(this.client, keys, args, this.timeoutMs)) as [string, number?];
    return reply[0] === 'already' ? 'already' : 'settled';
  }

  /** Where each budget stands now (expired holds swept first). Throws QuotaStoreUnavailable. */
  async standing(teamId: string, budgets: TeamBudget[]): Promise<BudgetStanding[]> {
    if (!budgets.length) return [];
    const at = this.now();
    const periods = budgets.map((budget) => ({ budget, periodKey: this.clock.periodKey(budget.period, at) }));
    const keys = periods.flatMap((period) => this.budgetKeys(teamId, period.budget, period.periodKey));
    const reply = (await STANDING.run(this.client, keys, [], this.timeoutMs)) as number[];
    return periods.map((period, index) => standingOf(period, reply[2 * index] ?? 0, reply[2 * index + 1] ?? 0));
  }

  private async runReserve(hold: BudgetHold, estimateUsd: number, seed: boolean): Promise<Array<string | number>> {
    const keys = [this.stateKey(hold), ...hold.periods.flatMap((period) => this.budgetKeys(hold.teamId, period.budget, period.periodKey))];
    const args = [hold.requestId, String(toNano(estimateUsd)), String(this.holdTtlMs), String(this.settledTtlMs), seed ? '1' : '0'];
    for (const { budget, periodKey } of hold.periods) args.push(String(toNano(budget.limitUsd)), budget.mode === 'hard' ? '1' : '0', String(periodExpiresAt(periodKey)));
    return (await RESERVE.run(this.client, keys, args, this.timeoutMs)) as Array<string | number>;
  }

  private reserved(hold: BudgetHold, estimateUsd: number, reply: Array<string | number>): ReserveResult {
    const [verdict] = reply;
    if (verdict === 'refused') {
      const [, index, spent, reserved] = reply as [string, number, number, number];
      return { ok: false, reason: 'budget', budget: standingOf(hold.periods[index]!, spent, reserved) };
    }
    if (verdict === 'repeat') {
      // The same request id again: a reserve retried after a timeout that had in fact run.
      if (reply[1] === 'held') return { ok: true, verified: true, hold, before: [], over: [] };
      throw new QuotaStoreUnavailable(`request ${hold.requestId} was settled already: a request id reserves once`, { ambiguous: false });
    }
    if (verdict !== 'ok') throw new QuotaStoreUnavailable(`unexpected reply from the reserve script: ${String(verdict)}`, { ambiguous: false });
    const before = hold.periods.map((period, index) => standingOf(period, reply[1 + 2 * index] as number, reply[2 + 2 * index] as number));
    const estimate = toNano(estimateUsd);
    const over = before.filter((standing) => toNano(standing.spentUsd) + toNano(standing.reservedUsd) + estimate > toNano(standing.limitUsd));
    return { ok: true, verified: true, hold, before, over };
  }

  private async seed(hold: BudgetHold, cold: BudgetHold['periods']): Promise<void> {
    const source = this.spentSource;
    if (!source || !cold.length) return;
    const spent = await Promise.all(cold.map((period) => source.spentUsd(period.budget, period.periodKey)));
    const keys = cold.map((period) => this.budgetKeys(hold.teamId, period.budget, period.periodKey)[0]!);
    const args = cold.flatMap((period, index) => [String(toNano(spent[index] ?? 0)), String(periodExpiresAt(period.periodKey))]);
    await SEED.run(this.client, keys, args, this.timeoutMs);
  }

  private stateKey(hold: BudgetHold): string {
    return `${this.prefix}:{${hold.teamId}}:request:${hold.requestId}`;
  }

  /** The counters and the holds' deadlines of one budget's period. */
  private budgetKeys(teamId: string, budget: TeamBudget, periodKey: string): [string, string] {
    const base = `${this.prefix}:{${teamId}}:budget:${budget.owner}:${budget.ownerId}:${budget.period}:${periodKey}`;
    return [base, `${base}:deadlines`];
  }
}

function standingOf(period: { budget: TeamBudget; periodKey: string }, spentNano: number, reservedNano: number): BudgetStanding {
  return { ...period.budget, periodKey: period.periodKey, spentUsd: fromNano(spentNano), reservedUsd: fromNano(reservedNano) };
}

function checkAmount(usd: number, name: string): void {
  if (!Number.isFinite(usd) || usd < 0 || usd > MAX_USD) throw new RangeError(`${name} must be a number of USD from 0 to ${Math.floor(MAX_USD)}, not ${usd}`);
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a whole number of milliseconds above 0, not ${value}`);
  return value;
}
