import { readFileSync } from 'node:fs';
import type { BudgetLimit, BudgetsConfig } from '../config/defaults.js';
import { writeFileAtomic } from '../shared/files.js';
import type { Ledger } from './ledger.js';
import { lastDayOfMonth, localDayFormatter, today } from './report.js';
import type { RequestEvent } from './request-event.js';
import type { BudgetAlert, BudgetPeriod, BudgetStatus } from '../shared/report-facts.js';

export const ALERT_THRESHOLDS = [50, 80, 100] as const;

export type { BudgetAlert, BudgetPeriod, BudgetStatus } from '../shared/report-facts.js';

interface Definition {
  scope: string;
  period: BudgetPeriod;
  limit: BudgetLimit;
}

/**
 * Where each budget stands: spend this period (from the ledger's rollups, then kept up to
 * date event by event), plus what paid requests in flight are expected to cost (reserved before
 * the call, released after), so that concurrent requests can't overspend by more than what is
 * in flight. Alerts at 50, 80 and 100 % fire once per budget and period, and that they fired
 * survives restarts.
 */
/** Where the budgets that projects set in their own .lodestarrc come from (the daemon's project settings). */
export interface ProjectBudgets {
  of(project: string): BudgetsConfig['projects'][string] | undefined;
  all(): BudgetsConfig['projects'];
}

export class BudgetTracker {
  private config: BudgetsConfig;
  private readonly timeZone: string;
  private readonly ledger: Ledger;
  private readonly statePath: string;
  private readonly now: () => Date;
  private dayFormatter: ((slot: string) => string) | undefined;
  /** Spend per "scope|periodKey", once computed from the ledger. */
  private readonly spent = new Map<string, number>();
  private readonly reserved = new Map<string, number>();
  private fired: Record<string, number[]>;

  /** Budgets projects set in their own .lodestarrc; the global config's budgets.projects win. */
  private readonly projectBudgets: ProjectBudgets;

  constructor(options: { config: BudgetsConfig; timeZone: string; ledger: Ledger; statePath: string; now?: () => Date; projectBudgets?: ProjectBudgets }) {
    this.config = options.config;
    this.projectBudgets = options.projectBudgets ?? { of: () => undefined, all: () => ({}) };
    this.timeZone = options.timeZone;
    this.ledger = options.ledger;
    this.statePath = options.statePath;
    this.now = options.now ?? (() => new Date());
    this.fired = readState(this.statePath);
  }

  /** Made on first use: Intl with a time zone loads ICU's data, which a daemon without budgets never needs. */
  private dayOf(slot: string): string {
    this.dayFormatter ??= localDayFormatter(this.timeZone);
    return this.dayFormatter(slot);
  }

  reload(config: BudgetsConfig): void {
    this.config = config;
  }

  get alertsConfig(): BudgetsConfig['alerts'] {
    return this.config.alerts;
  }

  /** Every budget that applies to requests of `project` (the global ones and its own). */
  private definitions(project: string | undefined): Definition[] {
    const list: Definition[] = [];
    if (this.config.monthly) list.push({ scope: 'all', period: 'monthly', limit: this.config.monthly });
    if (this.config.daily) list.push({ scope: 'all', period: 'daily', limit: this.config.daily });
    const own = project ? (this.config.projects[project] ?? this.projectBudgets.of(project)) : undefined;
    if (project && own?.monthly) list.push({ scope: project, period: 'monthly', limit: own.monthly });
    if (project && own?.daily) list.push({ scope: project, period: 'daily', limit: own.daily });
    return list;
  }

  private periodKey(period: BudgetPeriod): string {
    const day = today(this.timeZone, this.now());
    return period === 'monthly' ? day.slice(0, 7) : day;
  }

  private key(definition: Definition, periodKey = this.periodKey(definition.period)): string {
    return `${definition.scope}|${definition.period}|${periodKey}`;
  }

  private spentFor(definition: Definition): number {
    const periodKey = this.periodKey(definition.period);
    const key = this.key(definition, periodKey);
    let value = this.spent.get(key);
    if (value === undefined) {
      const from = definition.period === 'monthly' ? `${periodKey}-01` : periodKey;
      const to = definition.period === 'monthly' ? lastDayOfMonth(periodKey) : periodKey;
      const report = this.ledger.report({ from, to, timeZone: this.timeZone, by: 'model', ...(definition.scope === 'all' ? {} : { project: definition.scope }) });
      value = report.totals.costUsd;
      this.spent.set(key, value);
    }
    return value;
  }

  status(project?: string): BudgetStatus[] {
    const scopes = project ? this.definitions(project) : this.allDefinitions();
    return scopes.map((definition) => this.describe(definition));
  }

  private allDefinitions(): Definition[] {
    const list = this.definitions(undefined);
    for (const project of new Set([...Object.keys(this.config.projects), ...Object.keys(this.projectBudgets.all())])) list.push(...this.definitions(project).filter((entry) => entry.scope === project));
    return list;
  }

  private describe(definition: Definition): BudgetStatus {
    const periodKey = this.periodKey(definition.period);
    const key = this.key(definition, periodKey);
    const spentUsd = this.spentFor(definition);
    const limitUsd = definition.limit.limitUsd;
    return {
      scope: definition.scope,
      period: definition.period,
      periodKey,
      limitUsd,
      mode: definition.limit.mode,
      spentUsd: round(spentUsd),
      reservedUsd: round(this.reserved.get(key) ?? 0),
      percent: limitUsd > 0 ? Math.round((spentUsd / limitUsd) * 1000) / 10 : spentUsd > 0 ? Infinity : 0,
      alertsFired: this.fired[key] ?? [],
      reached: spentUsd >= limitUsd,
    };
  }

  /**
   * The hard budget that forbids a paid request of this estimated cost for `project` now, if
   * any: spend so far, plus what is in flight, plus this estimate, over the limit.
   */
  blocking(project: string | undefined, estimateUsd: number): BudgetStatus | undefined {
    for (const definition of this.definitions(project)) {
      if (definition.limit.mode !== 'hard') continue;
      const key = this.key(definition);
      const total = this.spentFor(definition) + (this.reserved.get(key) ?? 0) + estimateUsd;
      if (total > definition.limit.limitUsd || this.spentFor(definition) >= definition.limit.limitUsd) return this.describe(definition);
    }
    return undefined;
  }

  /** Holds `amountUsd` against every budget of `project` until released. */
  reserve(project: string | undefined, amountUsd: number): () => void {
    if (amountUsd <= 0) return () => undefined;
    const keys = this.definitions(project).map((definition) => this.key(definition));
    for (const key of keys) this.reserved.set(key, (this.reserved.get(key) ?? 0) + amountUsd);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const key of keys) {
        const left = (this.reserved.get(key) ?? 0) - amountUsd;
        if (left > 1e-12) this.reserved.set(key, left);
        else this.reserved.delete(key);
      }
    };
  }

  /**
   * Counts a finished request (already in the ledger) and returns the alerts it set off.
   */
  record(event: RequestEvent): BudgetAlert[] {
    const alerts: BudgetAlert[] = [];
    const definitions = this.definitions(event.project);
    if (!definitions.length) return alerts;
    const day = this.dayOf(`${event.time.slice(0, 16)}`);
    for (const definition of definitions) {
      const periodKey = this.periodKey(definition.period);
      const eventPeriod = definition.period === 'monthly' ? day.slice(0, 7) : day;
      if (eventPeriod !== periodKey) continue;
      const key = this.key(definition, periodKey);
      if (this.spent.has(key)) this.spent.set(key, (this.spent.get(key) ?? 0) + (event.costUsd ?? 0));
      // Otherwise the first look reads the ledger, which has this event already.
      const spentUsd = this.spentFor(definition);
      const limitUsd = definition.limit.limitUsd;
      const percent = limitUsd > 0 ? (spentUsd / limitUsd) * 100 : spentUsd > 0 ? Infinity : 0;
      const fired = (this.fired[key] ??= []);
      for (const threshold of ALERT_THRESHOLDS) {
        if (percent < threshold || fired.includes(threshold)) continue;
        fired.push(threshold);
        alerts.push({
          scope: definition.scope,
          period: definition.period,
          periodKey,
          threshold,
          spentUsd: round(spentUsd),
          limitUsd,
          mode: definition.limit.mode,
          message: alertMessage(definition, periodKey, threshold, spentUsd),
        });
      }
    }
    if (alerts.length) this.saveState();
    return alerts;
  }

  private saveState(): void {
    try {
      writeFileAtomic(this.statePath, JSON.stringify(this.fired));
    } catch {
      // If this fails an alert may fire twice after a restart; never a reason to fail a request.
    }
  }
}

function alertMessage(definition: Definition, periodKey: string, threshold: number, spentUsd: number): string {
  const whose = definition.scope === 'all' ? 'The' : `Project ${definition.scope}'s`;
  const limit = `$${definition.limit.limitUsd.toFixed(2)}`;
  const spent = `$${spentUsd.toFixed(2)}`;
  const consequence =
    threshold >= 100 ? (definition.limit.mode === 'hard' ? ' Paid models are now blocked; free local models still serve.' : ' (soft: nothing is blocked).') : '';
  return `${whose} ${definition.period} budget for ${periodKey} is at ${threshold}%: ${spent} of ${limit}.${consequence}`;
}

function readState(path: string): Record<string, number[]> {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Record<string, number[]>;
    return typeof value === 'object' && value !== null ? value : {};
  } catch {
    return {};
  }
}

function round(value: number): number {
  return Math.round(value * 1e7) / 1e7;
}
