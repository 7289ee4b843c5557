import { RedisScript } from './redis-connection.js';

/**
 * The budgets' Lua scripts. Redis runs a script alone (no other command in between), so each
 * of them reads, decides and writes as one step on every instance's behalf.
 *
 * Layout, per budget and period: a hash of counters (`spent`, `reserved`, `seeded`, and one
 * `h:<request id>` field per hold with its amount) and a sorted set of the holds' deadlines
 * (request id, scored by the millisecond it expires). Per request, a state key: `held`, then
 * `settled`. Amounts are whole nano-dollars; every ARGV amount is an integer string, passed to
 * HINCRBY as it came. Times come from Redis's own clock (TIME), the same for every instance.
 *
 * KEYS for reserve and settle: the request's state key, then each budget's counters and
 * deadlines, in pairs.
 */

const NOW = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
`;

/** Takes a hold's amount off `reserved` (never as "-0", which HINCRBY refuses). */
const RELEASE = `
local function release(counters, amount)
  local value = tonumber(amount)
  if value ~= 0 then redis.call('HINCRBY', counters, 'reserved', -value) end
end
`;

/** Holds whose deadline passed give their amount back (a crashed instance's holds end here). At most 256 a call, to bound a script's time. */
const SWEEP = `
local function sweep(counters, deadlines)
  local expired = redis.call('ZRANGEBYSCORE', deadlines, '-inf', now, 'LIMIT', 0, 256)
  for _, hold in ipairs(expired) do
    local amount = redis.call('HGET', counters, 'h:' .. hold)
    if amount then
      redis.call('HDEL', counters, 'h:' .. hold)
      release(counters, amount)
    end
    redis.call('ZREM', deadlines, hold)
  end
end
`;

/**
 * ARGV: request id, estimate, hold ms, keep ms (how long a settled request is remembered), seed
 * (1: answer `cold` for counters never seeded), then per budget: limit, hard (1 or 0), expire-at ms.
 * Replies: {'ok', spent1, reserved1, spent2, reserved2, ...} (before this hold);
 * {'refused', index (from 0), spent, reserved}; {'cold', index, ...}; {'repeat', state}.
 */
export const RESERVE = new RedisScript(`${NOW}${RELEASE}${SWEEP}
local id, estimate = ARGV[1], tonumber(ARGV[2])
local holdMs, keepMs, seed = tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5] == '1'
local budgets = (#KEYS - 1) / 2

local state = redis.call('GET', KEYS[1])
if state then return {'repeat', state} end

local spent, reserved, cold = {}, {}, {'cold'}
for i = 1, budgets do
  sweep(KEYS[2 * i], KEYS[2 * i + 1])
  local values = redis.call('HMGET', KEYS[2 * i], 'spent', 'reserved', 'seeded')
  spent[i] = tonumber(values[1] or '0')
  reserved[i] = tonumber(values[2] or '0')
  if seed and not values[3] then cold[#cold + 1] = i - 1 end
end
if #cold > 1 then return cold end

for i = 1, budgets do
  local limit, hard = tonumber(ARGV[3 + 3 * i]), ARGV[4 + 3 * i] == '1'
  if hard and (spent[i] + reserved[i] + estimate > limit or spent[i] >= limit) then
    return {'refused', i - 1, spent[i], reserved[i]}
  end
end

local reply = {'ok'}
for i = 1, budgets do
  local counters, deadlines, expireAt = KEYS[2 * i], KEYS[2 * i + 1], ARGV[5 + 3 * i]
  redis.call('HINCRBY', counters, 'reserved', ARGV[2])
  redis.call('HSET', counters, 'h:' .. id, ARGV[2])
  redis.call('ZADD', deadlines, now + holdMs, id)
  redis.call('PEXPIREAT', counters, expireAt)
  redis.call('PEXPIREAT', deadlines, expireAt)
  reply[#reply + 1] = spent[i]
  reply[#reply + 1] = reserved[i]
end
redis.call('SET', KEYS[1], 'held', 'PX', holdMs + keepMs)
return reply
`);

/**
 * ARGV: request id, actual cost, keep ms, then per budget its expire-at ms. Releases the hold where
 * it still stands (an expired one gave its amount back already) and adds the cost, once: a request
 * already settled is left alone. A request with no state (its hold and memory both expired, or a
 * reservation that never reached Redis) is still counted: spend that happened is not dropped.
 * Replies: {'settled', holds released} or {'already'}.
 */
export const SETTLE = new RedisScript(`${RELEASE}
local id = ARGV[1]
if redis.call('GET', KEYS[1]) == 'settled' then return {'already'} end
local released = 0
for i = 1, (#KEYS - 1) / 2 do
  local counters, deadlines = KEYS[2 * i], KEYS[2 * i + 1]
  local amount = redis.call('HGET', counters, 'h:' .. id)
  if amount then
    redis.call('HDEL', counters, 'h:' .. id)
    release(counters, amount)
    released = released + 1
  end
  redis.call('ZREM', deadlines, id)
  redis.call('HINCRBY', counters, 'spent', ARGV[2])
  redis.call('PEXPIREAT', counters, ARGV[3 + i])
end
redis.call('SET', KEYS[1], 'settled', 'PX', ARGV[3])
return {'settled', released}
`);

/**
 * KEYS: counters. ARGV per budget: spend so far from the ledger, expire-at ms. Seeds a period's
 * counters once (the first to set `seeded` wins), on top of whatever was settled into them meanwhile.
 */
export const SEED = new RedisScript(`
for i = 1, #KEYS do
  if redis.call('HSETNX', KEYS[i], 'seeded', '1') == 1 then
    redis.call('HINCRBY', KEYS[i], 'spent', ARGV[2 * i - 1])
    redis.call('PEXPIREAT', KEYS[i], ARGV[2 * i])
  end
end
return 'ok'
`);

/** KEYS: counters and deadlines in pairs. Sweeps, then replies {spent1, reserved1, ...}. */
export const STANDING = new RedisScript(`${NOW}${RELEASE}${SWEEP}
local reply = {}
for i = 1, #KEYS / 2 do
  sweep(KEYS[2 * i - 1], KEYS[2 * i])
  local values = redis.call('HMGET', KEYS[2 * i - 1], 'spent', 'reserved')
  reply[#reply + 1] = tonumber(values[1] or '0')
  reply[#reply + 1] = tonumber(values[2] or '0')
end
return reply
`);
