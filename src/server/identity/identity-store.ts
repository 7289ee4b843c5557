/**
 * Teams, users and their keys, behind one small interface: the team server's PostgreSQL
 * implementation (postgres-identity-store.ts), and whatever a test or a later store needs.
 * Inputs are checked by the store itself (validate-identity.ts), so that the admin API can pass
 * what it was sent and answer with the IdentityError it gets. Times are ISO 8601 UTC strings.
 */
export type BudgetMode = 'hard' | 'soft';

export interface Team {
  id: string;
  name: string;
  monthlyBudgetUsd: number | undefined;
  dailyBudgetUsd: number | undefined;
  budgetMode: BudgetMode;
  /** undefined: every model. */
  allowedModels: string[] | undefined;
  createdAt: string;
}

export interface User {
  id: string;
  email: string;
  teamId: string;
  monthlyBudgetUsd: number | undefined;
  dailyBudgetUsd: number | undefined;
  /** undefined: the team's. */
  budgetMode: BudgetMode | undefined;
  /** Requests and tokens per minute; undefined: no limit. */
  rpm: number | undefined;
  tpm: number | undefined;
  createdAt: string;
}

/** A key as the server knows it: never the key itself, which only its user holds. */
export interface ApiKeyRecord {
  id: string;
  userId: string;
  /** The key's first characters (`lsk_AbCd`), to tell keys apart in a list. */
  prefix: string;
  createdAt: string;
  revokedAt: string | undefined;
  lastUsedAt: string | undefined;
}

/** Who a key belongs to. A revoked key is still found (an audit can name it), and refused by authenticateKey. */
export interface KeyIdentity {
  key: ApiKeyRecord;
  user: User;
  team: Team;
}

export interface NewTeam {
  name: string;
  monthlyBudgetUsd?: number | undefined;
  dailyBudgetUsd?: number | undefined;
  /** Default soft, as the local daemon's budgets: a hard limit is asked for. */
  budgetMode?: BudgetMode | undefined;
  allowedModels?: string[] | undefined;
}

export interface NewUser {
  email: string;
  /** The team's name (any case) or id. */
  team: string;
  monthlyBudgetUsd?: number | undefined;
  dailyBudgetUsd?: number | undefined;
  budgetMode?: BudgetMode | undefined;
  rpm?: number | undefined;
  tpm?: number | undefined;
}

/** A key just made: `key` is shown to its user now and can't be had again. */
export interface IssuedKey {
  key: string;
  record: ApiKeyRecord;
}

export interface CreatedUser extends IssuedKey {
  user: User;
  team: Team;
}

export interface UserListing {
  user: User;
  team: Team;
  keys: ApiKeyRecord[];
}

/** The limits `budget set` changes. */
export type BudgetField = 'monthlyBudgetUsd' | 'dailyBudgetUsd' | 'budgetMode' | 'rpm' | 'tpm';

/**
 * What `budget set` changes, on one team or one user: a field left out stays as it is, null
 * clears it (no limit; a user's mode null: the team's mode again). rpm and tpm are a user's only.
 */
export interface BudgetChange {
  /** The team's name (any case) or id; or `user`, not both. */
  team?: string;
  /** The user's email (any case) or id. */
  user?: string;
  monthlyBudgetUsd?: number | null;
  dailyBudgetUsd?: number | null;
  budgetMode?: BudgetMode | null;
  rpm?: number | null;
  tpm?: number | null;
}

export interface BudgetUpdate {
  /** The team, or the user's team. */
  team: Team;
  /** The user whose limits were set; undefined when they were a team's. */
  user: User | undefined;
  /** Each field given, before and after (undefined: none, or the team's mode). */
  changes: Partial<Record<BudgetField, { from: number | string | undefined; to: number | string | undefined }>>;
}

export interface IdentityStore {
  createTeam(input: NewTeam): Promise<Team>;
  /** The user and a first key, together or not at all. */
  createUser(input: NewUser): Promise<CreatedUser>;
  /** Another key for a user (a second machine, a rotation). */
  createKey(userId: string): Promise<IssuedKey>;
  /** Every team, by name. */
  listTeams(): Promise<Team[]>;
  /** Every user, by email, or those of one team (name or id). */
  listUsers(filter?: { team?: string }): Promise<UserListing[]>;
  /** Revokes a key by id; revoking it again keeps the first revocation's time. */
  revokeKey(keyId: string): Promise<ApiKeyRecord>;
  /** Sets a team's or a user's budgets and limits, all the given fields or none; takes effect on each instance within its key cache's TTL. */
  setBudget(change: BudgetChange): Promise<BudgetUpdate>;
  /** Who a presented key belongs to, revoked or not; undefined for a key that isn't one. */
  lookupKey(key: string): Promise<KeyIdentity | undefined>;
}
