/**
 * Lua for worker membership and capacity. Time is Redis `TIME` (one clock for every
 * scheduler and worker host, so clock skew cannot make a live worker look lost). The
 * per-worker hash holds both the heartbeat fields and the capacity reservations, so each
 * script touches one key of a worker (plus the shared ZSET / lease keys).
 *
 * Hash `…:worker:<id>:hb`: at, load, jobs, capacity, incarnation, registeredAt, draining,
 * reserved (sum), n (count) and one field `r:<jobId>:<attempt>` = `<cost>:<ms>` per
 * reservation.
 */

const NOW = `local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS: hb, zset. ARGV: workerId, capacity, incarnation. Fresh hash (a new incarnation carries no reservations). */
export const REGISTER_SCRIPT = `${NOW}
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'at', now, 'load', 0, 'jobs', '[]', 'capacity', ARGV[2], 'incarnation', ARGV[3], 'registeredAt', now, 'reserved', 0, 'n', 0)
redis.call('ZADD', KEYS[2], now, ARGV[1])
return now`;

/** KEYS: hb, zset. ARGV: workerId, load, jobsJson, capacity, incarnation. 0 = not registered (re-register). */
export const HEARTBEAT_SCRIPT = `${NOW}
local inc = redis.call('HGET', KEYS[1], 'incarnation')
if not inc or inc ~= ARGV[5] then return 0 end
redis.call('HSET', KEYS[1], 'at', now, 'load', ARGV[2], 'jobs', ARGV[3], 'capacity', ARGV[4])
redis.call('ZADD', KEYS[2], now, ARGV[1])
return 1`;

/**
 * KEYS: hb. ARGV: field, cost, freshMs. Reserves atomically: only a live, non-draining worker
 * with max(reserved, observed load) + cost ≤ capacity. Idempotent per (job, attempt).
 * Returns 1 reserved, 2 already reserved, 0 does not fit / not live.
 */
export const RESERVE_SCRIPT = `${NOW}
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 2 end
local v = redis.call('HMGET', KEYS[1], 'capacity', 'reserved', 'load', 'at', 'draining')
if not v[1] or v[5] then return 0 end
if now - tonumber(v[4]) > tonumber(ARGV[3]) then return 0 end
local reserved = tonumber(v[2]) or 0
local used = math.max(reserved, tonumber(v[3]) or 0)
local cost = tonumber(ARGV[2])
if used + cost > tonumber(v[1]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. now)
redis.call('HINCRBY', KEYS[1], 'reserved', cost)
redis.call('HINCRBY', KEYS[1], 'n', 1)
return 1`;

/** KEYS: hb. ARGV: field. Returns the released cost (0 when there was no such reservation). */
export const RELEASE_SCRIPT = `
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return 0 end
local cost = tonumber(string.match(v, '^(%d+)'))
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HINCRBY', KEYS[1], 'reserved', -cost)
redis.call('HINCRBY', KEYS[1], 'n', -1)
return cost`;

/**
 * KEYS: hb, zset, lease. ARGV: workerId, leaseValue, timeoutMs. Fenced lost-declaration:
 * only the current lease holder, and only if the heartbeat is still older than the timeout
 * (a heartbeat that raced in wins). Removes the member and returns
 * `[lastHeartbeatMs, jobsJson, reservationFields…]`, or an empty list.
 */
export const DECLARE_LOST_SCRIPT = `${NOW}
if redis.call('GET', KEYS[3]) ~= ARGV[2] then return {} end
local score = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not score or now - tonumber(score) <= tonumber(ARGV[3]) then return {} end
local out = { score, redis.call('HGET', KEYS[1], 'jobs') or '[]' }
for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
  if string.sub(f, 1, 2) == 'r:' then table.insert(out, f) end
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return out`;

/** KEYS: lease, seq. ARGV: holder, ttlMs. Returns the fencing token held by `holder`, or 0. */
export const LEASE_ACQUIRE_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local holder, token = string.match(cur, '^(.*):(%d+)$')
  if holder == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]); return tonumber(token) end
  return 0
end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. token, 'PX', ARGV[2])
return token`;

/** KEYS: lease. ARGV: value, ttlMs. Compare-and-extend: 1 still held, 0 lost. */
export const LEASE_RENEW_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/** KEYS: lease. ARGV: value. Compare-and-delete. */
export const LEASE_RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Returns Redis time in ms (the membership clock). */
export const NOW_SCRIPT = `${NOW}
return now`;
