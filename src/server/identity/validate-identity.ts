import { IdentityError } from './identity-error.js';
import type { BudgetChange, BudgetField, BudgetMode, NewTeam, NewUser } from './identity-store.js';

/**
 * The identity store's inputs, checked and normalised (trimmed, de-duplicated) before any query.
 * Values arrive as the admin API received them, so every check takes `unknown`.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// The control characters of Latin-1 and Unicode's line and paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export interface CheckedTeam {
  name: string;
  monthlyBudgetUsd: number | undefined;
  dailyBudgetUsd: number | undefined;
  budgetMode: BudgetMode;
  allowedModels: string[] | undefined;
}

export interface CheckedUser {
  email: string;
  team: string;
  monthlyBudgetUsd: number | undefined;
  dailyBudgetUsd: number | undefined;
  budgetMode: BudgetMode | undefined;
  rpm: number | undefined;
  tpm: number | undefined;
}

export function checkTeam(input: NewTeam): CheckedTeam {
  const value = record(input, 'team');
  return {
    name: name(value.name, 'name', 'a team'),
    monthlyBudgetUsd: usd(value.monthlyBudgetUsd, 'monthlyBudgetUsd'),
    dailyBudgetUsd: usd(value.dailyBudgetUsd, 'dailyBudgetUsd'),
    budgetMode: budgetMode(value.budgetMode, 'budgetMode') ?? 'soft',
    allowedModels: models(value.allowedModels, 'allowedModels'),
  };
}

export function checkUser(input: NewUser): CheckedUser {
  const value = record(input, 'user');
  return {
    email: email(value.email),
    team: teamReference(value.team),
    monthlyBudgetUsd: usd(value.monthlyBudgetUsd, 'monthlyBudgetUsd'),
    dailyBudgetUsd: usd(value.dailyBudgetUsd, 'dailyBudgetUsd'),
    budgetMode: budgetMode(value.budgetMode, 'budgetMode'),
    rpm: perMinute(value.rpm, 'rpm'),
    tpm: perMinute(value.tpm, 'tpm'),
  };
}

export interface CheckedBudgetChange {
  target: { kind: 'team' | 'user'; reference: string };
  /** The fields given, in a fixed order; null clears. Never empty. */
  values: Partial<Record<BudgetField, number | BudgetMode | null>>;
}

/** `budget set`'s input: one team or one user, and at least one field, each valid for it. */
export function checkBudgetChange(input: BudgetChange): CheckedBudgetChange {
  const value = record(input, 'budget');
  const given = (field: string): boolean => value[field] !== undefined;
  if (given('team') && given('user')) throw new IdentityError('invalid', 'user', 'name a team or a user, not both');
  if (!given('team') && !given('user')) throw new IdentityError('invalid', 'team', `give team (a team's name or id) or user (a user's email or id): whose budget to set`);
  const kind = given('team') ? 'team' : 'user';
  const reference = kind === 'team' ? teamReference(value.team) : userReference(value.user);
  const values: CheckedBudgetChange['values'] = {};
  for (const field of ['monthlyBudgetUsd', 'dailyBudgetUsd'] as const) {
    if (given(field)) values[field] = value[field] === null ? null : (usd(value[field], field) as number);
  }
  if (given('budgetMode')) {
    if (value.budgetMode === null && kind === 'team') throw new IdentityError('invalid', 'budgetMode', `a team's budgetMode is "hard" or "soft"; it can't be cleared`);
    values.budgetMode = value.budgetMode === null ? null : (budgetMode(value.budgetMode, 'budgetMode') as BudgetMode);
  }
  for (const field of ['rpm', 'tpm'] as const) {
    if (!given(field)) continue;
    if (kind === 'team') throw new IdentityError('invalid', field, `${field} is a user's limit, not a team's: set it on the team's users`);
    values[field] = value[field] === null ? null : (perMinute(value[field], field) as number);
  }
  if (Object.keys(values).length === 0) {
    throw new IdentityError('invalid', 'budget', `nothing to set: give monthlyBudgetUsd, dailyBudgetUsd, budgetMode${kind === 'user' ? ', rpm or tpm' : ''}`);
  }
  return { target: { kind, reference }, values };
}

/** A user's email or id. */
export function userReference(value: unknown, field = 'user'): string {
  if (typeof value !== 'string' || value.trim() === '') throw new IdentityError('invalid', field, `${field} must name a user (their email or id)`);
  return value.trim();
}

/** A team's name or id, as `user add --team T` gives it. */
export function teamReference(value: unknown, field = 'team'): string {
  if (typeof value !== 'string' || value.trim() === '') throw new IdentityError('invalid', field, `${field} must name a team (its name or id)`);
  return value.trim();
}

/** An id the database made (a uuid); anything else names nothing, and is never sent to a query. */
export function id(value: unknown, field: string, what: string): string {
  if (typeof value !== 'string' || !UUID.test(value.trim())) throw new IdentityError('not_found', field, `no ${what} with ${field} ${JSON.stringify(value)}`);
  return value.trim().toLowerCase();
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new IdentityError('invalid', what, `a new ${what} must be an object`);
  return value as Record<string, unknown>;
}

function name(value: unknown, field: string, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new IdentityError('invalid', field, `${what}'s ${field} must not be empty`);
  const trimmed = value.trim();
  if (trimmed.length > 100) throw new IdentityError('invalid', field, `${what}'s ${field} is longer than 100 characters`);
  if (CONTROL.test(trimmed)) throw new IdentityError('invalid', field, `${what}'s ${field} holds a control character`);
  // An id-shaped name would be ambiguous wherever a team is named by name or id.
  if (isUuid(trimmed)) throw new IdentityError('invalid', field, `${what}'s ${field} must not look like an id`);
  return trimmed;
}

function email(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new IdentityError('invalid', 'email', 'email must not be empty');
  const trimmed = value.trim();
  // Deliberately loose (RFC 5322 allows more than anyone types): one @, something either side, no spaces.
  if (trimmed.length > 254 || !/^[^\s@]+@[^\s@]+$/.test(trimmed) || CONTROL.test(trimmed)) {
    throw new IdentityError('invalid', 'email', `email ${JSON.stringify(trimmed)} is not an email address`);
  }
  return trimmed;
}

function usd(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new IdentityError('invalid', field, `${field} must be an amount of USD, 0 or more (got ${JSON.stringify(value)})`);
  return value;
}

function budgetMode(value: unknown, field: string): BudgetMode | undefined {
  if (value === undefined || value === null) return undefined;
  if (value !== 'hard' && value !== 'soft') throw new IdentityError('invalid', field, `${field} must be "hard" or "soft" (got ${JSON.stringify(value)})`);
  return value;
}

function perMinute(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 2_147_483_647) {
    throw new IdentityError('invalid', field, `${field} must be a whole number, 1 or more (got ${JSON.stringify(value)}); leave it out for no limit`);
  }
  return value;
}

/** A team's allowed models (team add --models, a team's routing): trimmed, de-duplicated; undefined is every model. */
export function models(value: unknown, field: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new IdentityError('invalid', field, `${field} must be a list of models`);
  const list = value.map((model) => (typeof model === 'string' ? model.trim() : ''));
  if (list.some((model) => model === '' || CONTROL.test(model))) throw new IdentityError('invalid', field, `${field} must hold model names only (got ${JSON.stringify(value)})`);
  if (list.length === 0) throw new IdentityError('invalid', field, `${field} must list at least one model; leave it out to allow every model`);
  return [...new Set(list)];
}
