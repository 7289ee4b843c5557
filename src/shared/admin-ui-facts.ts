import type { BudgetMode, BudgetPeriod } from './report-facts.js';

/**
 * What the team server's admin pages are sent (GET /admin-ui/api/*): one definition for the
 * server that answers and the pages that show it. Times are ISO 8601 UTC; a field left out of a
 * team or a user is no limit.
 */

export interface AdminSessionView {
  version: string;
  /** The server's time zone: a month and a day are its. */
  timeZone: string;
  /** How the caller came in: the pages' session cookie, or an admin key (a script). */
  via: 'session' | 'key';
  /** The prefix of the admin key the session was opened with (lsa_ and four more). */
  key: string | null;
}

export interface TeamView {
  id: string;
  name: string;
  monthlyBudgetUsd?: number;
  dailyBudgetUsd?: number;
  budgetMode: BudgetMode;
  /** Absent: every model. */
  allowedModels?: string[];
  createdAt: string;
  members: number;
  activeKeys: number;
}

export interface KeyView {
  id: string;
  /** lsk_ and four more characters: never the key. */
  prefix: string;
  createdAt: string;
  revokedAt?: string;
  lastUsedAt?: string;
}

export interface UserListingView {
  user: {
    id: string;
    email: string;
    teamId: string;
    monthlyBudgetUsd?: number;
    dailyBudgetUsd?: number;
    /** Absent: the team's. */
    budgetMode?: BudgetMode;
    rpm?: number;
    tpm?: number;
    createdAt: string;
  };
  team: { id: string; name: string; budgetMode: BudgetMode };
  keys: KeyView[];
}

/** One budget and where it stands in its current period; spent and reserved null while Redis can't be asked. */
export interface QuotaStanding {
  owner: 'user' | 'team';
  id: string;
  /** The user's email or the team's name. */
  name: string;
  team: { id: string; name: string };
  period: BudgetPeriod;
  /** "2026-11" or "2026-11-24" in the server's time zone; null while Redis can't be asked. */
  periodKey: string | null;
  limitUsd: number;
  mode: BudgetMode;
  spentUsd: number | null;
  /** Held for requests in flight. */
  reservedUsd: number | null;
}

export interface QuotaView {
  timeZone: string;
  /** The standings come from Redis, as the server enforces them: without it, the limits alone. */
  redis: { reachable: true } | { reachable: false; problem: string };
  budgets: QuotaStanding[];
  /** Each user with per-minute limits (null: none). */
  rates: Array<{ id: string; email: string; team: { id: string; name: string }; rpm: number | null; tpm: number | null }>;
}

/** A request of the ledger with who sent it: the user, the team and the key as they are named now. */
export interface LiveRequest {
  id: string;
  time: string;
  /** null: a request no key was found for (refused before it was known whose it was). */
  user: { id: string; email: string | null } | null;
  team: { id: string; name: string | null } | null;
  key: { id: string; prefix: string | null } | null;
  project: string | null;
  tool: string | null;
  task: string | null;
  requestedModel: string;
  model: string | null;
  provider: string | null;
  stream: boolean;
  status: 'ok' | 'error' | 'aborted';
  httpStatus: number;
  error: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  /** null: unknown (an unpriced model, an error), never 0 for unknown. */
  costUsd: number | null;
  latencyMs: number;
  cacheHit: boolean | null;
  budgetLimited: boolean | null;
}
