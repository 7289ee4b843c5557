import { describe, expect, it } from 'vitest';
import type { Team, User } from '../identity/identity-store.js';
import { budgetsOf, fromNano, PeriodClock, periodExpiresAt, toNano } from './team-budgets.js';

const team: Team = { id: 't1', name: 'Platform', monthlyBudgetUsd: 500, dailyBudgetUsd: 40, budgetMode: 'hard', allowedModels: undefined, createdAt: '2026-01-01T00:00:00.000Z' };
const user: User = { id: 'u1', email: 'a@example.com', teamId: 't1', monthlyBudgetUsd: 50, dailyBudgetUsd: undefined, budgetMode: undefined, rpm: 60, tpm: undefined, createdAt: '2026-01-01T00:00:00.000Z' };

describe('the budgets a request falls under', () => {
  it("are the user's and the team's that are set, the user's hard or soft as the team unless the user says otherwise", () => {
    expect(budgetsOf({ user, team })).toEqual([
      { owner: 'user', ownerId: 'u1', period: 'monthly', limitUsd: 50, mode: 'hard' },
      { owner: 'team', ownerId: 't1', period: 'monthly', limitUsd: 500, mode: 'hard' },
      { owner: 'team', ownerId: 't1', period: 'daily', limitUsd: 40, mode: 'hard' },
    ]);
    expect(budgetsOf({ user: { ...user, budgetMode: 'soft', dailyBudgetUsd: 0 }, team: { ...team, monthlyBudgetUsd: undefined, dailyBudgetUsd: undefined } })).toEqual([
      { owner: 'user', ownerId: 'u1', period: 'monthly', limitUsd: 50, mode: 'soft' },
      { owner: 'user', ownerId: 'u1', period: 'daily', limitUsd: 0, mode: 'soft' },
    ]);
  });

  it("fall in periods of the team's time zone, and their counters outlive the period by two days", () => {
    const at = new Date('2026-12-31T23:30:00Z');
    expect(new PeriodClock().periodKey('daily', at)).toBe('2026-12-31');
    expect(new PeriodClock('Asia/Tokyo').periodKey('daily', at)).toBe('2027-01-01');
    expect(new PeriodClock('Asia/Tokyo').periodKey('monthly', at)).toBe('2027-01');
    expect(new PeriodClock('America/Los_Angeles').periodKey('monthly', at)).toBe('2026-12');
    expect(periodExpiresAt('2026-12')).toBe(Date.UTC(2027, 0, 3));
    expect(periodExpiresAt('2026-12-31')).toBe(Date.UTC(2027, 0, 3));
    expect(periodExpiresAt('2028-02-28')).toBe(Date.UTC(2028, 2, 2)); // a leap year: the 29th comes first
    expect(periodExpiresAt('2028-02')).toBe(Date.UTC(2028, 2, 3));
  });

  it('count money in whole nano-dollars, so that $0.1 + $0.2 is $0.3 on every instance', () => {
    expect(toNano(0.1) + toNano(0.2)).toBe(toNano(0.3));
    expect(fromNano(toNano(0.03) * 33)).toBe(0.99);
  });
});
