import type { ApiKeyRecord, BudgetMode, Team, User } from './identity-store.js';

/**
 * The identity tables' columns and their rows as the store's objects. A query that joins tables
 * selects each table's columns under a prefix (`aliased('t', TEAM_COLUMNS)` gives
 * `t.id AS t_id, ...`) and reads them back with the same prefix. Column lists are constants here,
 * never input: every value in a query is a parameter.
 */
export const TEAM_COLUMNS = ['id', 'name', 'monthly_budget_usd', 'daily_budget_usd', 'budget_mode', 'allowed_models', 'created_at'] as const;
export const USER_COLUMNS = ['id', 'email', 'team_id', 'monthly_budget_usd', 'daily_budget_usd', 'budget_mode', 'rpm', 'tpm', 'created_at'] as const;
/** Not the hash: it is read only where a presented key is checked against it. */
export const KEY_COLUMNS = ['id', 'user_id', 'prefix', 'created_at', 'revoked_at', 'last_used_at'] as const;

type Row = Record<string, unknown>;

export function aliased(table: string, columns: readonly string[]): string {
  return columns.map((column) => `${table}.${column} AS ${table}_${column}`).join(', ');
}

export function teamFrom(row: Row, prefix = ''): Team {
  return {
    id: row[`${prefix}id`] as string,
    name: row[`${prefix}name`] as string,
    monthlyBudgetUsd: optional<number>(row[`${prefix}monthly_budget_usd`]),
    dailyBudgetUsd: optional<number>(row[`${prefix}daily_budget_usd`]),
    budgetMode: row[`${prefix}budget_mode`] as BudgetMode,
    allowedModels: optional<string[]>(row[`${prefix}allowed_models`]),
    createdAt: iso(row[`${prefix}created_at`]) as string,
  };
}

export function userFrom(row: Row, prefix = ''): User {
  return {
    id: row[`${prefix}id`] as string,
    email: row[`${prefix}email`] as string,
    teamId: row[`${prefix}team_id`] as string,
    monthlyBudgetUsd: optional<number>(row[`${prefix}monthly_budget_usd`]),
    dailyBudgetUsd: optional<number>(row[`${prefix}daily_budget_usd`]),
    budgetMode: optional<BudgetMode>(row[`${prefix}budget_mode`]),
    rpm: optional<number>(row[`${prefix}rpm`]),
    tpm: optional<number>(row[`${prefix}tpm`]),
    createdAt: iso(row[`${prefix}created_at`]) as string,
  };
}

export function keyFrom(row: Row, prefix = ''): ApiKeyRecord {
  return {
    id: row[`${prefix}id`] as string,
    userId: row[`${prefix}user_id`] as string,
    prefix: row[`${prefix}prefix`] as string,
    createdAt: iso(row[`${prefix}created_at`]) as string,
    revokedAt: iso(row[`${prefix}revoked_at`]),
    lastUsedAt: iso(row[`${prefix}last_used_at`]),
  };
}

function optional<T>(value: unknown): T | undefined {
  return value === null || value === undefined ? undefined : (value as T);
}

function iso(value: unknown): string | undefined {
  return value instanceof Date ? value.toISOString() : undefined;
}
