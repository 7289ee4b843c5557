import { REDIS_COMMAND_TIMEOUT_MS, RedisScript, type RedisCommander } from './redis-connection.js';

/**
 * Sliding log, one per user: a sorted set of the requests admitted in the last window (request
 * id scored by the millisecond Redis admitted it) and a hash of their tokens with their `sum`.
 * Exact, where a fixed window lets up to twice the limit through across a boundary; memory is
 * one entry per request admitted in the last minute. Times come from Redis's clock (TIME).
 *
 * KEYS: the log, the tokens. ARGV: request id, window ms, rpm (0: none), tpm (0: none), tokens.
 * Replies: {'ok'}, {'limited', ms to wait, 'rpm' | 'tpm'}, {'too_large'}.
 */
const ADMIT = new RedisScript(`
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local log, weights = KEYS[1], KEYS[2]
local id, windowMs = ARGV[1], tonumber(ARGV[2])
local rpm, tpm, tokens = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local from = now - windowMs

local gone = redis.call('ZRANGEBYSCORE', log, '-inf', from)
for _, request in ipairs(gone) do
  local weight = tonumber(redis.call('HGET', weights, request) or '0')
  redis.call('HDEL', weights, request)
  if weight ~= 0 then redis.call('HINCRBY', weights, 'sum', -weight) end
end
if #gone > 0 then redis.call('ZREMRANGEBYSCORE', log, '-inf', from) end

if redis.call('ZSCORE', log, id) then return {'ok'} end
if tpm > 0 and tokens > tpm then return {'too_large'} end

local count = redis.call('ZCARD', log)
local wait, limit = 0, ''
if rpm > 0 and count >= rpm then
  -- Room comes back when the (count - rpm + 1)-th oldest request leaves the window.
  local leaving = redis.call('ZRANGE', log, count - rpm, count - rpm, 'WITHSCORES')
  wait, limit = tonumber(leaving[2]) + windowMs - now, 'rpm'
end
local sum = tonumber(redis.call('HGET', weights, 'sum') or '0')
if tpm > 0 and sum + tokens > tpm then
  local entries = redis.call('ZRANGE', log, 0, -1, 'WITHSCORES')
  local freed, fits = 0, windowMs
  for i = 1, #entries, 2 do
    freed = freed + tonumber(redis.call('HGET', weights, entries[i]) or '0')
    if sum - freed + tokens <= tpm then
      fits = tonumber(entries[i + 1]) + windowMs - now
      break
    end
  end
  if fits > wait then wait, limit = fits, 'tpm' end
end
if wait > 0 then return {'limited', wait, limit} end

redis.call('ZADD', log, now, id)
redis.call('PEXPIRE', log, windowMs)
if tpm > 0 then
  redis.call('HSET', weights, id, ARGV[5])
  if tokens ~= 0 then redis.call('HINCRBY', weights, 'sum', ARGV[5]) end
  redis.call('PEXPIRE', weights, windowMs)
end
return {'ok'}
`);

/** KEYS: the log, the tokens. ARGV: request id, tokens. Sets a request's tokens to what it really used, while it is in the window. */
const CORRECT = new RedisScript(`
local old = redis.call('HGET', KEYS[2], ARGV[1])
if not old then return 0 end
local delta = tonumber(ARGV[2]) - tonumber(old)
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if delta ~= 0 then redis.call('HINCRBY', KEYS[2], 'sum', delta) end
return 1
`);

export type RateDecision =
  | { allowed: true; verified: true }
  /** Redis could not be asked: admitted unchecked (a rate limit shares capacity fairly; the money is the hard budgets', which fail closed). */
  | { allowed: true; verified: false; problem: string }
  /** 429 with `retry-after: retryAfterSeconds`. */
  | { allowed: false; limit: 'rpm' | 'tpm'; retryAfterSeconds: number }
  /** More tokens than the user's tpm allows in a whole window: no wait makes it fit. */
  | { allowed: false; limit: 'tpm'; retryAfterSeconds: undefined };

export interface RateRequest {
  requestId: string;
  teamId: string;
  userId: string;
  /** Requests and tokens a window allows; undefined or 0: no limit. */
  rpm: number | undefined;
  tpm: number | undefined;
  /** What the request is expected to use, in and out (the prompt's estimate and its output cap); corrected after by correctTokens. */
  tokens: number;
}

export interface RedisRateLimitsOptions {
  client: RedisCommander;
  /** Default 60 s: per minute. */
  windowMs?: number;
  timeoutMs?: number;
  keyPrefix?: string;
}

/**
 * Per-user requests-per-minute and tokens-per-minute limits, held across instances: a request
 * is admitted when, counting it, at most `rpm` requests and `tpm` tokens were admitted in the
 * last 60 s (a sliding window). Refused: the seconds to wait until it would fit, for `retry-after`
 * (rounded up, at least 1). A request refused here takes no room; a request admitted here and
 * then refused for its budget keeps its place in the window (it was a request).
 */
export class RedisRateLimits {
  private readonly client: RedisCommander;
  private readonly windowMs: number;
  private readonly timeoutMs: number;
  private readonly prefix: string;

  constructor(options: RedisRateLimitsOptions) {
    this.client = options.client;
    this.windowMs = options.windowMs ?? 60_000;
    this.timeoutMs = options.timeoutMs ?? REDIS_COMMAND_TIMEOUT_MS;
    this.prefix = options.keyPrefix ?? 'lodestar';
    if (!Number.isInteger(this.windowMs) || this.windowMs <= 0) throw new RangeError(`windowMs must be a whole number of milliseconds above 0, not ${this.windowMs}`);
  }

  async admit(request: RateRequest): Promise<RateDecision> {
    const rpm = limitOf(request.rpm, 'rpm');
    const tpm = limitOf(request.tpm, 'tpm');
    if (!Number.isInteger(request.tokens) || request.tokens < 0) throw new RangeError(`tokens must be a whole number from 0, not ${request.tokens}`);
    if (rpm === 0 && tpm === 0) return { allowed: true, verified: true };
    let reply: [string, number?, string?];
    try {
      reply = (await ADMIT.run(this.client, this.keys(request), [request.requestId, String(this.windowMs), String(rpm), String(tpm), String(request.tokens)], this.timeoutMs)) as typeof reply;
    } catch (error) {
      return { allowed: true, verified: false, problem: error instanceof Error ? error.message : String(error) };
    }
    if (reply[0] === 'too_large') return { allowed: false, limit: 'tpm', retryAfterSeconds: undefined };
    if (reply[0] === 'limited') return { allowed: false, limit: reply[2] === 'tpm' ? 'tpm' : 'rpm', retryAfterSeconds: Math.max(1, Math.ceil((reply[1] ?? this.windowMs) / 1000)) };
    return { allowed: true, verified: true };
  }

  /** After the call: the tokens it really used replace its estimate in the window (idempotent). Throws QuotaStoreUnavailable. */
  async correctTokens(request: Pick<RateRequest, 'requestId' | 'teamId' | 'userId' | 'tokens'>): Promise<void> {
    if (!Number.isInteger(request.tokens) || request.tokens < 0) throw new RangeError(`tokens must be a whole number from 0, not ${request.tokens}`);
    await CORRECT.run(this.client, this.keys(request), [request.requestId, String(request.tokens)], this.timeoutMs);
  }

  private keys(request: Pick<RateRequest, 'teamId' | 'userId'>): string[] {
    const base = `${this.prefix}:{${request.teamId}}:rate:${request.userId}`;
    return [base, `${base}:tokens`];
  }
}

function limitOf(value: number | undefined, name: string): number {
  if (value === undefined) return 0;
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number from 0, not ${value}`);
  return value;
}
