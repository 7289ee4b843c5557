import type pg from 'pg';
import type { SpentSource } from './redis-budgets.js';
import type { TeamBudget } from './team-budgets.js';

/**
 * A period's spend from the team ledger, for counters Redis lost (a restart without persistence,
 * an eviction): the sum of the owner's costs whose time falls in the period, in the budgets' time
 * zone. Parameterised; the owner's (id, time) index bounds the scan to a few weeks of theirs.
 */
export class LedgerSpentSource implements SpentSource {
  constructor(
    private readonly pool: pg.Pool,
    private readonly timeZone: string,
  ) {}

  async spentUsd(budget: TeamBudget, periodKey: string): Promise<number> {
    const column = budget.owner === 'user' ? 'user_id' : 'team_id';
    const format = budget.period === 'monthly' ? 'YYYY-MM' : 'YYYY-MM-DD';
    const result = await this.pool.query<{ spent: number | null }>(
      `SELECT sum(cost_usd) AS spent FROM ledger_events
        WHERE ${column} = $1 AND time > now() - interval '32 days' AND to_char(time AT TIME ZONE $2, '${format}') = $3`,
      [budget.ownerId, this.timeZone, periodKey],
    );
    return Number(result.rows[0]?.spent ?? 0);
  }
}
