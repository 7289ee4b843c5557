import type pg from 'pg';
import type { LiveRequest, QuotaStanding, QuotaView } from '../../shared/admin-ui-facts.js';
import type { Team, UserListing } from '../identity/identity-store.js';
import type { RedisBudgets } from '../quota/redis-budgets.js';
import { budgetsOf, type TeamBudget } from '../quota/team-budgets.js';

/**
 * Every budget set, a team's and its members', and where each stands now: one Redis call a team
 * (a team's keys share its hash tag, so the call is one script on one node), every team at once.
 */
export async function quotaView(teams: Team[], users: UserListing[], budgets: Pick<RedisBudgets, 'standing'>, timeZone: string): Promise<QuotaView> {
  const problems: string[] = [];
  const rows = await Promise.all(
    teams.map(async (team) => {
      const members = users.filter((listing) => listing.team.id === team.id);
      const owned = [...teamBudgets(team), ...members.flatMap((listing) => budgetsOf(listing).filter((budget) => budget.owner === 'user'))];
      const standings = await budgets.standing(team.id, owned).catch((error: unknown) => {
        problems.push(error instanceof Error ? error.message : String(error));
        return undefined;
      });
      return owned.map((budget, index): QuotaStanding => {
        const standing = standings?.[index];
        const name = budget.owner === 'team' ? team.name : (members.find((listing) => listing.user.id === budget.ownerId)?.user.email ?? budget.ownerId);
        return {
          owner: budget.owner,
          id: budget.ownerId,
          name,
          team: { id: team.id, name: team.name },
          period: budget.period,
          periodKey: standing?.periodKey ?? null,
          limitUsd: budget.limitUsd,
          mode: budget.mode,
          spentUsd: standing?.spentUsd ?? null,
          reservedUsd: standing?.reservedUsd ?? null,
        };
      });
    }),
  );
  return {
    timeZone,
    redis: problems.length ? { reachable: false, problem: problems[0] as string } : { reachable: true },
    budgets: rows.flat(),
    rates: users.filter((listing) => listing.user.rpm !== undefined || listing.user.tpm !== undefined).map((listing) => ({
      id: listing.user.id,
      email: listing.user.email,
      team: { id: listing.team.id, name: listing.team.name },
      rpm: listing.user.rpm ?? null,
      tpm: listing.user.tpm ?? null,
    })),
  };
}

/** A team's own budgets, as budgetsOf counts them for each member's request. */
function teamBudgets(team: Team): TeamBudget[] {
  const budgets: TeamBudget[] = [];
  if (team.monthlyBudgetUsd !== undefined) budgets.push({ owner: 'team', ownerId: team.id, period: 'monthly', limitUsd: team.monthlyBudgetUsd, mode: team.budgetMode });
  if (team.dailyBudgetUsd !== undefined) budgets.push({ owner: 'team', ownerId: team.id, period: 'daily', limitUsd: team.dailyBudgetUsd, mode: team.budgetMode });
  return budgets;
}

export const LIVE_LIMIT_DEFAULT = 50;
export const LIVE_LIMIT_MAX = 200;

interface LiveRow {
  id: string;
  time: Date;
  user_id: string | null;
  email: string | null;
  team_id: string | null;
  team_name: string | null;
  key_id: string | null;
  key_prefix: string | null;
  project: string | null;
  tool: string | null;
  task: string | null;
  requested_model: string;
  model: string | null;
  provider: string | null;
  stream: boolean;
  status: LiveRequest['status'];
  http_status: number;
  error: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
  latency_ms: number;
  cache_hit: boolean | null;
  budget_limited: boolean | null;
}

/**
 * The latest requests of every instance, newest first: as they reach PostgreSQL (the ledger's
 * writer batches them within ~150 ms of the answer). The ledger's (time) index, read backwards,
 * finds them without a scan.
 */
export async function latestRequests(pool: pg.Pool, limit: number): Promise<LiveRequest[]> {
  const { rows } = await pool.query<LiveRow>(
    `SELECT e.id, e.time, e.user_id, u.email, e.team_id, t.name AS team_name, e.key_id, k.prefix AS key_prefix,
            e.project, e.tool, e.task, e.requested_model, e.model, e.provider, e.stream, e.status, e.http_status, e.error,
            e.input_tokens, e.output_tokens, e.cost_usd, e.latency_ms, e.cache_hit, e.budget_limited
       FROM (SELECT * FROM ledger_events ORDER BY time DESC LIMIT $1) e
       LEFT JOIN users u ON u.id = e.user_id
       LEFT JOIN teams t ON t.id = e.team_id
       LEFT JOIN api_keys k ON k.id = e.key_id
      ORDER BY e.time DESC, e.id`,
    [limit],
  );
  return rows.map((row) => ({
    id: row.id,
    time: row.time.toISOString(),
    user: row.user_id === null ? null : { id: row.user_id, email: row.email },
    team: row.team_id === null ? null : { id: row.team_id, name: row.team_name },
    key: row.key_id === null ? null : { id: row.key_id, prefix: row.key_prefix },
    project: row.project,
    tool: row.tool,
    task: row.task,
    requestedModel: row.requested_model,
    model: row.model,
    provider: row.provider,
    stream: row.stream,
    status: row.status,
    httpStatus: row.http_status,
    error: row.error,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    costUsd: row.cost_usd,
    latencyMs: row.latency_ms,
    cacheHit: row.cache_hit,
    budgetLimited: row.budget_limited,
  }));
}
