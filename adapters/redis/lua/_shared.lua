-- _shared.lua: helpers of the flashsale library (files starting with '_' are not functions).
-- Keys a helper builds all carry the sale's hash tag (the prefix of KEYS[1], 'fs:{S}:'), so
-- they live in the slot of the calling function's declared keys: safe on Redis Cluster.

-- 'fs:{S}:' from 'fs:{S}:meta'.
local function sale_prefix(meta_key)
  return string.sub(meta_key, 1, -5)
end

-- A TTL (ms) for a record written at `now` that should live `ttl`, but never longer than
-- `retention` after the sale's end (so an old sale's traces leave Redis); at least 1 ms.
local function capped_ttl(ttl, now, ends, retention)
  return math.max(1, math.min(ttl, math.max(ends, now) + retention - now))
end

-- A hold leaves the active set (used or expired): its record now answers replays, 409 and 410
-- for `life.record_ttl` ms, at most `life.retention` ms after the sale's end. (An active hold
-- has no TTL: it lives until the sweep or a redemption settles it.)
local function settle_hold(meta_key, hold_key, life)
  local ends = tonumber(redis.call('HGET', meta_key, 'ends_at') or '0')
  redis.call('PEXPIRE', hold_key, capped_ttl(life.record_ttl, life.now, ends, life.retention))
end

-- Gives the unit of a held checkout back: stock, the user's count, the held counter; the hold
-- becomes expired, leaves the active set, and units-returned is published. `h` is the hold's
-- {item, user, quantity}; `life` = {now, record_ttl, retention} (see settle_hold).
local function return_hold(meta_key, holds_key, bought_key, hold_key, code, h, channel, sale,
                           life)
  local prefix = sale_prefix(meta_key)
  local qty = tonumber(h[3])
  redis.call('INCRBY', prefix .. 'stock:' .. h[1], qty)
  if redis.call('HINCRBY', bought_key, h[2], -qty) <= 0 then
    redis.call('HDEL', bought_key, h[2])
  end
  redis.call('HINCRBY', meta_key, 'held:' .. h[1], -qty)
  redis.call('HINCRBY', meta_key, 'buyers_version', 1)
  redis.call('ZREM', holds_key, code)
  redis.call('HSET', hold_key, 'st', 'expired')
  settle_hold(meta_key, hold_key, life)
  redis.call('PUBLISH', channel, sale .. '/' .. h[1])
end

-- Token buckets (GCRA) over one or two buckets (a user's and an address's), all or nothing:
-- when both have a token one is taken from each, otherwise none. A bucket's state is its
-- theoretical arrival time (TAT) in microseconds. s1/s2: the stored TATs (nil or false when
-- none: a full bucket); i1/i2: microseconds per token; b1/b2: bursts; i2 nil for one bucket.
-- Unrolled for two buckets on purpose: tables and loops cost about 1.5 us more per call
-- (BENCHMARKS.md). Returns the verdict {allowed 1/0, binding bucket (0-based), remaining,
-- retry_after_us, reset_us} and, when allowed, the new TATs (to be stored by the caller).
local function gcra(now, s1, i1, b1, s2, i2, b2)
  local t1 = math.max(tonumber(s1) or 0, now)
  local w1 = t1 - now - (b1 - 1) * i1
  local t2, w2 = nil, 0
  if i2 then
    t2 = math.max(tonumber(s2) or 0, now)
    w2 = t2 - now - (b2 - 1) * i2
  end
  if w1 > 0 or w2 > 0 then
    if w2 > w1 then
      return {0, 1, 0, math.ceil(w2), math.ceil(t2 - now)}
    end
    return {0, 0, 0, math.ceil(w1), math.ceil(t1 - now)}
  end
  t1 = t1 + i1
  local left1 = math.floor((b1 * i1 - (t1 - now)) / i1 + 1e-9)
  if i2 then
    t2 = t2 + i2
    local left2 = math.floor((b2 * i2 - (t2 - now)) / i2 + 1e-9)
    if left2 < left1 then
      return {1, 1, left2, 0, math.ceil(t2 - now)}, t1, t2
    end
  end
  return {1, 0, left1, 0, math.ceil(t1 - now)}, t1, t2
end

-- Token buckets as keys (fs4_limit's buckets outside any sale), on the Redis server's clock:
-- keys[first] and keys[first + 1] (optional) each hold a TAT and expire when full again; their
-- interval and burst are args[arg0 + 1..arg0 + 4]. Returns gcra's verdict. (TATs are integers
-- below 2^53, which Redis writes out exactly.) The writes are not propagated (set_repl): soft
-- state that neither the AOF nor a replica keeps.
local function draw_tokens(keys, first, args, arg0)
  if #keys > first + 1 then
    error('at most two rate buckets')
  end
  local clock = redis.call('TIME')
  local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
  local k1, k2 = keys[first], keys[first + 1]
  local i1, b1 = tonumber(args[arg0 + 1]), tonumber(args[arg0 + 2])
  local i2, b2 = tonumber(args[arg0 + 3]), tonumber(args[arg0 + 4])
  local s1, s2 = redis.call('GET', k1), k2 and redis.call('GET', k2)
  local verdict, t1, t2 = gcra(now, s1, i1, b1, s2, i2, b2)
  if t1 then
    redis.set_repl(redis.REPL_NONE)
    redis.call('SET', k1, t1, 'PX', math.max(1, math.ceil((t1 - now) / 1000)))
    if k2 then
      redis.call('SET', k2, t2, 'PX', math.max(1, math.ceil((t2 - now) / 1000)))
    end
    redis.set_repl(redis.REPL_ALL)
  end
  return verdict
end

-- Token buckets as fields of one hash (a sale's fs:{S}:rl, drawn by fs4_reserve): one HMGET
-- reads both buckets and one HSET writes them, half the commands of a key per bucket. The
-- time is the caller's (args[arg0 + 1], microseconds): a TIME call would cost about 1 us per
-- purchase, and the sale's window already runs on the instances' clocks. Fields do not expire
-- (Redis 7.0 has no per-field TTL): the hash lives as long as its sale's other keys
-- (fs4_retire sets its expiry). Bucket 1's field, interval and burst are args[arg0 + 2..4],
-- the optional bucket 2's args[arg0 + 5..7]. Returns gcra's verdict. The HSET is not
-- propagated (set_repl): soft state that neither the AOF nor a replica keeps.
local function draw_hash_tokens(key, args, arg0)
  if #args > arg0 + 7 then
    error('at most two rate buckets')
  end
  local now = tonumber(args[arg0 + 1])
  local f1, i1, b1 = args[arg0 + 2], tonumber(args[arg0 + 3]), tonumber(args[arg0 + 4])
  local f2, i2, b2 = args[arg0 + 5], tonumber(args[arg0 + 6]), tonumber(args[arg0 + 7])
  local s = f2 and redis.call('HMGET', key, f1, f2) or redis.call('HMGET', key, f1)
  local verdict, t1, t2 = gcra(now, s[1], i1, b1, s[2], i2, b2)
  if t1 then
    redis.set_repl(redis.REPL_NONE)
    if f2 then
      redis.call('HSET', key, f1, t1, f2, t2)
    else
      redis.call('HSET', key, f1, t1)
    end
    redis.set_repl(redis.REPL_ALL)
  end
  return verdict
end

-- The answer stored for a purchase at `key` ("fingerprint|outcome|order_id|remaining|failed",
-- fs4_reserve and fs4_refuse) as their reply, replayed: {'duplicate_request', ...} when it was
-- stored for another payload; nil when nothing is stored.
local function replay_answer(key, fingerprint)
  local stored = redis.call('GET', key)
  if not stored then
    return nil
  end
  local fp, outcome, order_id, remaining, failed =
    string.match(stored, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
  if fp ~= fingerprint then
    return {'duplicate_request', '', 0, 0, 0, 0}
  end
  return {outcome, order_id, tonumber(remaining), 1, tonumber(failed), 0}
end
