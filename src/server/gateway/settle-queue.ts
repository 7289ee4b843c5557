import type { Logger } from '../../shared/logger.js';
import type { BudgetHold, RedisBudgets } from '../quota/redis-budgets.js';
import type { RateRequest, RedisRateLimits } from '../quota/redis-rate-limits.js';

/** The first retry after a failed settle; doubled up to MAX_DELAY_MS. */
const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 10_000;
/** A hold expires in Redis after 15 minutes: a settle still failing by then has lost its hold anyway. */
const GIVE_UP_AFTER_MS = 15 * 60_000;

type TokenCorrection = Pick<RateRequest, 'requestId' | 'teamId' | 'userId' | 'tokens'>;
type Work = { kind: 'settle'; hold: BudgetHold; actualUsd: number } | { kind: 'tokens'; request: TokenCorrection };

/**
 * Settles budget holds and corrects rate-limit tokens after each request, off its path: a settle
 * that fails (Redis down) is retried with backoff until it lands; a settle is idempotent by
 * request id, so a retry after an ambiguous failure counts once.
 */
export class SettleQueue {
  private inFlight = 0;
  private readonly waiting = new Set<NodeJS.Timeout>();
  private idle: Array<() => void> = [];
  private failing = false;

  constructor(
    private readonly budgets: Pick<RedisBudgets, 'settle'>,
    private readonly rates: Pick<RedisRateLimits, 'correctTokens'>,
    private readonly logger: Logger,
  ) {}

  settle(hold: BudgetHold, actualUsd: number): void {
    this.run({ kind: 'settle', hold, actualUsd }, Date.now(), FIRST_DELAY_MS);
  }

  correctTokens(request: TokenCorrection): void {
    this.run({ kind: 'tokens', request }, Date.now(), FIRST_DELAY_MS);
  }

  pending(): number {
    return this.inFlight + this.waiting.size;
  }

  /** Resolves once every settle has landed or given up (or after `timeoutMs`). */
  drain(timeoutMs = 5000): Promise<void> {
    if (!this.pending()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref();
      this.idle.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private run(work: Work, since: number, delay: number): void {
    this.inFlight++;
    const call = work.kind === 'settle' ? this.budgets.settle(work.hold, work.actualUsd) : this.rates.correctTokens(work.request);
    call.then(
      () => {
        if (this.failing) this.logger.info('budget settles reach Redis again');
        this.failing = false;
      },
      (error: unknown) => {
        if (!this.failing) this.logger.warn('a budget settle failed; retrying until Redis answers', { error: error instanceof Error ? error.message : String(error) });
        this.failing = true;
        if (Date.now() - since > GIVE_UP_AFTER_MS) {
          this.logger.error('a budget settle was given up after 15 minutes', { kind: work.kind });
          return;
        }
        const timer = setTimeout(() => {
          this.waiting.delete(timer);
          this.run(work, since, Math.min(delay * 2, MAX_DELAY_MS));
          this.wake();
        }, delay);
        timer.unref();
        this.waiting.add(timer);
      },
    ).finally(() => {
      this.inFlight--;
      this.wake();
    });
  }

  private wake(): void {
    if (this.pending()) return;
    for (const resolve of this.idle.splice(0)) resolve();
  }
}
