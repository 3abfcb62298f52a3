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
-- otherwise none. A bucket is one key holding its theoretical arrival time in microseconds,
-- expiring when the bucket is full again; the time is the Redis server's, one clock for every
-- instance. The buckets are keys[first..#keys]; bucket i's interval (us per token) and burst
-- are args[arg0 + 2i - 1] and args[arg0 + 2i] (i from 1).
-- Returns {allowed 1/0, binding bucket (0-based), remaining, retry_after_us, reset_us}.
local function draw_tokens(keys, first, args, arg0)
  local clock = redis.call('TIME')
  local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
  local count = #keys - first + 1
  local tats, intervals, bursts = {}, {}, {}
  local binding, retry, reset = 0, 0, 0
  for i = 1, count do
    local interval = tonumber(args[arg0 + 2 * i - 1])
    local burst = tonumber(args[arg0 + 2 * i])
    local tat = math.max(tonumber(redis.call('GET', keys[first + i - 1]) or '0'), now)
    tats[i], intervals[i], bursts[i] = tat, interval, burst
    local wait = tat - now - (burst - 1) * interval
    if wait > retry then
      binding, retry, reset = i - 1, wait, tat - now
    end
  end
  if retry > 0 then
    return {0, binding, 0, math.ceil(retry), math.ceil(reset)}
  end
  local fewest = -1
  for i = 1, count do
    local next_tat = tats[i] + intervals[i]
    redis.call('SET', keys[first + i - 1], string.format('%.0f', next_tat), 'PX',
               math.max(1, math.ceil((next_tat - now) / 1000)))
    local left = math.floor((bursts[i] * intervals[i] - (next_tat - now)) / intervals[i] + 1e-9)
    if fewest < 0 or left < fewest then
      fewest, binding, reset = left, i - 1, next_tat - now
    end
  end
  return {1, binding, fewest, 0, math.ceil(reset)}
end
