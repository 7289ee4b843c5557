import type { IncomingMessage } from 'node:http';
import type { RequestEvent } from '../ledger/request-event.js';
import type { Candidate } from '../router/resolve-model.js';
import type { ProjectSettings } from './project-settings.js';

/**
 * Team mode's hooks into the daemon's request path (ARCHITECTURE.md: "the same daemon with other
 * stores behind the same small interfaces"). The local daemon has none: one user, its token, its
 * JSONL ledger and its own budgets. The team server (src/server/gateway) implements this over
 * PostgreSQL and Redis; the daemon's routes call it at three points and know nothing else of it.
 */
export interface Tenancy {
  /**
   * Who sent the request (a user's key, `lsk_...`), before its body is read: an unknown or revoked
   * key is an HttpError 401, thrown into the route's own error envelope. Remembered for the request.
   */
  authenticate(request: IncomingMessage): Promise<void>;
  /**
   * After routing, before any upstream: the caller's rate limits and budgets. Resolves to the
   * candidates the caller may use (the team's allowed models; only free ones when a hard budget
   * is spent and the team allows that), with their estimate held against every budget until
   * `record`. Refused: an HttpError (402 budget, 429 rate with retry-after, 403 a model the team
   * does not allow, 503 the quota store unreachable under a hard budget).
   */
  admit(request: IncomingMessage, ask: TenantAsk): Promise<TenantAdmission>;
  /**
   * The request's end, synchronously: its event stored (the team ledger, with who sent it) and
   * its hold settled at the real cost. Throws only when the event could not be kept at all.
   */
  record(request: IncomingMessage, event: RequestEvent): void;
  /**
   * The routing settings over the server's own for this request (its team's floors, preferred and
   * forbidden models, task models, Claude Code classes), in place of a project's; undefined: none.
   */
  settings(request: IncomingMessage): TenantSettings | undefined;
}

export type TenantSettings = Pick<ProjectSettings, 'floors' | 'preferred' | 'forbidden' | 'taskModels' | 'claude'>;

export interface TenantAsk {
  /** The request's id (x-lodestar-request-id): a retried settle counts once. */
  requestId: string;
  requestedModel: string;
  candidates: readonly Candidate[];
  /** The most any remaining candidate is estimated to cost (prompt in, output ceiling out). */
  estimateUsd: number;
  /** Prompt estimate plus output ceiling, for tokens-per-minute. */
  tokens: number;
}

export interface TenantAdmission {
  candidates: Candidate[];
  /** Of candidates worked out later (fallbacks): those the caller may use. */
  allow(candidates: readonly Candidate[]): Candidate[];
  /** Response headers to add (x-lodestar-budget when only free models were left). */
  headers: Record<string, string>;
  /** A hard budget left the paid candidates out. */
  budgetLimited: boolean;
}
