-- close.lua: end a sale early (SaleRepository::Close's rule): ends_at = at when later, and
-- starts_at = at - 1 when the sale had not started. Reserve and checkout read the window on
-- every call, so every one after this is SaleNotActive; queued orders and holds are untouched.
-- KEYS[1] fs:{S}:meta   ARGV[1] at (ms)
-- Returns 1 when the end moved, 0 when the sale had ended by then, -1 for an unknown sale.
local window = redis.call('HMGET', KEYS[1], 'starts_at', 'ends_at')
if not window[2] then
  return -1
end
local at = tonumber(ARGV[1])
if tonumber(window[2]) <= at then
  return 0
end
redis.call('HSET', KEYS[1], 'starts_at', math.min(tonumber(window[1]), at - 1), 'ends_at', at)
return 1
