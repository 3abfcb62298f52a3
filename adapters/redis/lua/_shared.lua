-- _shared.lua: helpers of the flashsale library (files starting with '_' are not functions).
-- Keys a helper builds all carry the sale's hash tag (the prefix of KEYS[1], 'fs:{S}:'), so
-- they live in the slot of the calling function's declared keys: safe on Redis Cluster.

-- 'fs:{S}:' from 'fs:{S}:meta'.
local function sale_prefix(meta_key)
  return string.sub(meta_key, 1, -5)
end

-- Gives the unit of a held checkout back: stock, the user's count, the held counter; the hold
-- becomes expired, leaves the active set, and units-returned is published. `h` is the hold's
-- {item, user, quantity}.
local function return_hold(meta_key, holds_key, bought_key, hold_key, code, h, channel, sale)
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
  redis.call('PUBLISH', channel, sale .. '/' .. h[1])
end

-- A TTL (ms) for a record written at `now` that should live `ttl`, but never longer than
-- `retention` after the sale's end (so an old sale's traces leave Redis); at least 1 ms.
local function capped_ttl(ttl, now, ends, retention)
  return math.max(1, math.min(ttl, math.max(ends, now) + retention - now))
end
