import type { BudgetPeriod } from '../../shared/report-facts.js';
import type { BudgetMode, Team, User } from '../identity/identity-store.js';

/** One budget a request falls under: a user's or a team's, monthly or daily. */
export interface TeamBudget {
  owner: 'user' | 'team';
  /** The user's or the team's id. */
  ownerId: string;
  period: BudgetPeriod;
  limitUsd: number;
  mode: BudgetMode;
}

/**
 * Every budget a user's request falls under: the user's monthly and daily, the team's monthly and
 * daily, those that are set. A user's budgets are hard or soft as the user is set, else as the
 * team is. The limits come from the identity each request carries, never from Redis, so that a
 * budget an admin raises or lowers applies from the next request on.
 */
export function budgetsOf(identity: { user: User; team: Team }): TeamBudget[] {
  const { user, team } = identity;
  const userMode = user.budgetMode ?? team.budgetMode;
  const budgets: TeamBudget[] = [];
  const add = (owner: TeamBudget['owner'], ownerId: string, period: BudgetPeriod, limitUsd: number | undefined, mode: BudgetMode) => {
    if (limitUsd !== undefined) budgets.push({ owner, ownerId, period, limitUsd, mode });
  };
  add('user', user.id, 'monthly', user.monthlyBudgetUsd, userMode);
  add('user', user.id, 'daily', user.dailyBudgetUsd, userMode);
  add('team', team.id, 'monthly', team.monthlyBudgetUsd, team.budgetMode);
  add('team', team.id, 'daily', team.dailyBudgetUsd, team.budgetMode);
  return budgets;
}

/**
 * The period a moment falls in, in a time zone: `2026-08` for a month, `2026-08-14` for a day.
 * One formatter per zone, made once: Intl with a time zone is too slow to build on every request.
 */
export class PeriodClock {
  private readonly format: Intl.DateTimeFormat;

  constructor(readonly timeZone = 'UTC') {
    this.format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  }

  periodKey(period: BudgetPeriod, at: Date): string {
    const day = this.format.format(at);
    return period === 'monthly' ? day.slice(0, 7) : day;
  }
}

/**
 * When a period's counters may go: two days after the period ends in UTC, which is after it ends
 * in every time zone (±14 h) and leaves a day for requests still settling into it.
 */
export function periodExpiresAt(periodKey: string): number {
  const [year = 1970, month = 1, day] = periodKey.split('-').map(Number);
  const end = day === undefined ? Date.UTC(year, month, 1) : Date.UTC(year, month - 1, day + 1);
  return end + 2 * 86_400_000;
}

/**
 * Money in Redis is a whole number of nano-dollars, added with HINCRBY: floats drift under
 * INCRBYFLOAT (1000 + 0.1 is 1000.09999999999999998) and two instances must agree to the unit.
 * Lua holds numbers as doubles, exact up to 2^53 nano-dollars (about $9 million a counter).
 */
export const NANO_PER_USD = 1_000_000_000;
export const MAX_USD = Number.MAX_SAFE_INTEGER / NANO_PER_USD;

export function toNano(usd: number): number {
  return Math.round(usd * NANO_PER_USD);
}

export function fromNano(nano: number): number {
  return nano / NANO_PER_USD;
}
