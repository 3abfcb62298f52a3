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

-- Token buckets (GCRA), all or nothing: when every bucket has a token one is taken from each,
-- otherwise none. A bucket's state is its theoretical arrival time (TAT) in microseconds on the
-- Redis server's clock (one clock for every instance). `tats[i]` is bucket i's stored TAT (nil
-- or false when it has none: a full bucket), `intervals[i]` its microseconds per token,
-- `bursts[i]` its size. Returns the verdict {allowed 1/0, binding bucket (0-based), remaining,
-- retry_after_us, reset_us} and, when allowed, the new TATs (to be stored by the caller).
local function gcra(now, tats, intervals, bursts)
  local count = #intervals
  local binding, retry, reset = 0, 0, 0
  local current = {}
  for i = 1, count do
    local tat = math.max(tonumber(tats[i] or '0') or 0, now)
    current[i] = tat
    local wait = tat - now - (bursts[i] - 1) * intervals[i]
    if wait > retry then
      binding, retry, reset = i - 1, wait, tat - now
    end
  end
  if retry > 0 then
    return {0, binding, 0, math.ceil(retry), math.ceil(reset)}, nil
  end
  local fewest = -1
  local next_tats = {}
  for i = 1, count do
    local next_tat = current[i] + intervals[i]
    next_tats[i] = next_tat
    local left = math.floor((bursts[i] * intervals[i] - (next_tat - now)) / intervals[i] + 1e-9)
    if fewest < 0 or left < fewest then
      fewest, binding, reset = left, i - 1, next_tat - now
    end
  end
  return {1, binding, fewest, 0, math.ceil(reset)}, next_tats
end

local function redis_now_us()
  local clock = redis.call('TIME')
  return tonumber(clock[1]) * 1000000 + tonumber(clock[2])
end

-- Token buckets as keys (fs3_limit's global buckets): bucket i is keys[first + i - 1], holding
-- its TAT and expiring when the bucket is full again; its interval and burst are
-- args[arg0 + 2i - 1] and args[arg0 + 2i]. Returns gcra's verdict.
local function draw_tokens(keys, first, args, arg0)
  local now = redis_now_us()
  local tats, intervals, bursts = {}, {}, {}
  for i = 1, #keys - first + 1 do
    intervals[i] = tonumber(args[arg0 + 2 * i - 1])
    bursts[i] = tonumber(args[arg0 + 2 * i])
    tats[i] = redis.call('GET', keys[first + i - 1])
  end
  local verdict, next_tats = gcra(now, tats, intervals, bursts)
  if next_tats then
    for i = 1, #next_tats do
      redis.call('SET', keys[first + i - 1], string.format('%.0f', next_tats[i]), 'PX',
                 math.max(1, math.ceil((next_tats[i] - now) / 1000)))
    end
  end
  return verdict
end

-- Token buckets as fields of one hash (a sale's fs:{S}:rl, drawn by fs3_reserve): one HMGET
-- reads every bucket and one HSET writes them, half the commands of a key per bucket. Fields
-- do not expire (Redis 7.0 has no per-field TTL): the hash lives as long as its sale's other
-- keys (fs3_retire sets its expiry). Bucket i's field, interval and burst are
-- args[arg0 + 3i - 2], args[arg0 + 3i - 1] and args[arg0 + 3i]. Returns gcra's verdict.
local function draw_hash_tokens(key, args, arg0)
  local now = redis_now_us()
  local fields, intervals, bursts = {}, {}, {}
  for i = 1, (#args - arg0) / 3 do
    fields[i] = args[arg0 + 3 * i - 2]
    intervals[i] = tonumber(args[arg0 + 3 * i - 1])
    bursts[i] = tonumber(args[arg0 + 3 * i])
  end
  local verdict, next_tats = gcra(now, redis.call('HMGET', key, unpack(fields)), intervals, bursts)
  if next_tats then
    local pairs_ = {}
    for i = 1, #next_tats do
      pairs_[2 * i - 1] = fields[i]
      pairs_[2 * i] = string.format('%.0f', next_tats[i])
    end
    redis.call('HSET', key, unpack(pairs_))
  end
  return verdict
end
