import type { IncomingMessage } from 'node:http';
import type { Tenancy, TenantAdmission, TenantAsk, TenantSettings } from '../../daemon/tenancy.js';
import type { RequestEvent } from '../../ledger/request-event.js';
import type { Candidate } from '../../router/resolve-model.js';
import { HttpError } from '../../shared/http-error.js';
import type { Logger } from '../../shared/logger.js';
import { presentedKey } from '../http/credentials.js';
import type { KeyRefusal } from '../identity/authenticate-key.js';
import type { KeyIdentity } from '../identity/identity-store.js';
import type { KeyCache } from '../identity/key-cache.js';
import type { PostgresLedgerWriter } from '../ledger/postgres-ledger-writer.js';
import type { BudgetHold, RedisBudgets } from '../quota/redis-budgets.js';
import type { RedisRateLimits } from '../quota/redis-rate-limits.js';
import { budgetsOf } from '../quota/team-budgets.js';
import type { TeamRoutingCache } from '../preferences/team-routing-cache.js';
import type { TeamRouting } from '../preferences/team-routing.js';
import { allowedBy, budgetRefusal, rateRefusal } from './refusals.js';
import { SettleQueue } from './settle-queue.js';

export interface TeamTenancyOptions {
  keys: Pick<KeyCache, 'authenticate'>;
  budgets: RedisBudgets;
  rates: RedisRateLimits;
  ledger: Pick<PostgresLedgerWriter, 'append'>;
  /**
   * Where settles and token corrections go, when not `budgets` and `rates`: the same scripts on a
   * Redis connection of their own, so that a request's admission never waits behind the settle of
   * the one before it on one connection.
   */
  settleOn?: { budgets: Pick<RedisBudgets, 'settle'>; rates: Pick<RedisRateLimits, 'correctTokens'> };
  logger: Logger;
  /** Each team's shared routing (floors, models, Claude Code classes, whether it allows free models over budget). */
  routing: Pick<TeamRoutingCache, 'get'>;
}

/** What the team server knows of a request between its key check and its end. */
interface Caller {
  identity: KeyIdentity;
  routing: TeamRouting;
  hold?: BudgetHold;
  estimateUsd: number;
  tokens: number;
}

const REFUSED: Record<KeyRefusal, string> = {
  malformed: 'This team server wants a Lodestar key: send "Authorization: Bearer lsk_..." (or x-api-key), the key your admin gave you',
  unknown: 'That Lodestar key is not known to this team server: ask your admin for a key (lodestar admin user add)',
  revoked: 'That Lodestar key was revoked: ask your admin for a new one',
};

/**
 * The team server's tenancy (daemon/tenancy.ts): a user's key names the user and their team;
 * their requests-per-minute and tokens-per-minute, then every budget they fall under (theirs and
 * their team's), are checked in Redis before any upstream is asked; the event goes to the team
 * ledger with who sent it, and the budget hold is settled at the request's real cost.
 */
export class TeamTenancy implements Tenancy {
  private readonly callers = new WeakMap<IncomingMessage, Caller>();
  private readonly settling: SettleQueue;
  private storeFailing = false;

  constructor(private readonly options: TeamTenancyOptions) {
    this.settling = new SettleQueue(options.settleOn?.budgets ?? options.budgets, options.settleOn?.rates ?? options.rates, options.logger);
  }

  async authenticate(request: IncomingMessage): Promise<void> {
    const check = await this.options.keys.authenticate(presentedKey(request)).catch((error: unknown) => {
      if (!this.storeFailing) this.options.logger.warn('keys can not be checked: the identity store does not answer (told once until it does)', { error: error instanceof Error ? error.message : String(error) });
      this.storeFailing = true;
      throw new HttpError(503, 'The team server cannot check keys right now (its database does not answer); try again shortly', { type: 'api_error', code: 'identity_store_unavailable', headers: { 'retry-after': '5' } });
    });
    this.storeFailing = false;
    if (!check.ok) throw new HttpError(401, REFUSED[check.reason], { type: 'authentication_error', code: 'invalid_api_key' });
    // From memory but for a team's first request here; a routing that can't be read fails closed (its forbidden models are never ignored).
    const routing = await this.options.routing.get(check.identity.team.id).catch((error: unknown) => {
      this.options.logger.warn("a team's routing could not be read", { team: check.identity.team.id, error: error instanceof Error ? error.message : String(error) });
      throw new HttpError(503, `The team server cannot read team ${check.identity.team.name}'s routing right now; try again shortly`, { type: 'api_error', code: 'team_routing_unavailable', headers: { 'retry-after': '5' } });
    });
    this.callers.set(request, { identity: check.identity, routing, estimateUsd: 0, tokens: 0 });
  }

  async admit(request: IncomingMessage, ask: TenantAsk): Promise<TenantAdmission> {
    const caller = this.callerOf(request);
    const { user, team } = caller.identity;
    const allowed = team.allowedModels;
    // A team that allows every model (most) filters nothing.
    const allow = allowed ? (candidates: readonly Candidate[]): Candidate[] => candidates.filter((candidate) => allowedBy(allowed, candidate)) : (candidates: readonly Candidate[]): Candidate[] => [...candidates];
    let candidates = allow(ask.candidates);
    if (!candidates.length) {
      throw new HttpError(403, `Team ${team.name} may not use ${ask.requestedModel}: its models are ${(team.allowedModels ?? []).join(', ')}. Ask for one of them (or lodestar/auto), or ask your admin`, {
        type: 'permission_error',
        code: 'model_not_allowed',
        param: 'model',
      });
    }
    // The rate limits and the budgets are asked at once (one round trip to Redis, not two): a
    // hold made for a request its rate then refuses is given back at once.
    const budgets = budgetsOf(caller.identity);
    const paid = candidates.some((candidate) => candidate.provider !== 'ollama');
    const [rate, reserved] = await Promise.all([
      this.options.rates.admit({ requestId: ask.requestId, teamId: team.id, userId: user.id, rpm: user.rpm, tpm: user.tpm, tokens: ask.tokens }),
      budgets.length && paid ? this.options.budgets.reserve({ requestId: ask.requestId, teamId: team.id, budgets, estimateUsd: ask.estimateUsd }) : undefined,
    ]);
    if (!rate.allowed) {
      if (reserved?.ok) this.settling.settle(reserved.hold, 0);
      throw rateRefusal(rate, user);
    }
    if (!rate.verified) this.options.logger.warn('rate limits not checked: Redis did not answer', { problem: rate.problem });
    caller.tokens = ask.tokens;
    if (!reserved) return { candidates, allow, headers: {}, budgetLimited: false };
    if (reserved.ok) {
      caller.hold = reserved.hold;
      caller.estimateUsd = ask.estimateUsd;
      if (!reserved.verified) this.options.logger.warn('soft budgets not checked: Redis did not answer', { problem: reserved.problem });
      for (const over of reserved.over) this.options.logger.info('a soft budget is spent', { owner: over.owner, ownerId: over.ownerId, period: over.periodKey, limitUsd: over.limitUsd });
      return { candidates, allow, headers: {}, budgetLimited: false };
    }
    const free = candidates.filter((candidate) => candidate.provider === 'ollama');
    if (reserved.reason === 'budget' && free.length && caller.routing.freeWhenOverBudget) {
      candidates = free;
      const freeOnly = (more: readonly Candidate[]): Candidate[] => allow(more).filter((candidate) => candidate.provider === 'ollama');
      return { candidates, allow: freeOnly, headers: { 'x-lodestar-budget': 'local-only' }, budgetLimited: true };
    }
    throw budgetRefusal(reserved, caller.identity, ask.requestedModel);
  }

  record(request: IncomingMessage, event: RequestEvent): void {
    const caller = this.callers.get(request);
    // Refused before its key was known (none: the route asks for one): no owner to name.
    this.options.ledger.append(event, { userId: caller?.identity.user.id, teamId: caller?.identity.team.id, keyId: caller?.identity.key.id });
    if (!caller) return;
    const { hold } = caller;
    caller.hold = undefined;
    if (hold) {
      // An answer with no price still spends: held at its estimate, never at 0 (an unpriced model would be free of every budget).
      const actualUsd = event.costUsd ?? (event.status === 'ok' ? caller.estimateUsd : 0);
      this.settling.settle(hold, actualUsd);
    }
    const { user, team } = caller.identity;
    if (user.tpm && caller.tokens && (event.usage.inputTokens !== undefined || event.status !== 'ok')) {
      this.settling.correctTokens({ requestId: event.id, teamId: team.id, userId: user.id, tokens: (event.usage.inputTokens ?? 0) + (event.usage.outputTokens ?? 0) });
    }
  }

  /** The team's routing as it is (frozen, the same object while unchanged): no copy a request. */
  settings(request: IncomingMessage): TenantSettings | undefined {
    return this.callers.get(request)?.routing;
  }

  /** Settles still waiting for Redis (after an outage), for shutdown and health. */
  pendingSettles(): number {
    return this.settling.pending();
  }

  close(): Promise<void> {
    return this.settling.drain();
  }

  private callerOf(request: IncomingMessage): Caller {
    const caller = this.callers.get(request);
    if (!caller) throw new Error('a team request reached admission without its key checked');
    return caller;
  }
}
