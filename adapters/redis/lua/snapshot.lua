-- snapshot.lua: a sale's stock, read atomically (one consistent point in time).
-- KEYS[1] fs:{S}:meta
-- Returns {released_orders, item, remaining, held, item, remaining, held, ...}; {} for an
-- unknown sale.
local meta = redis.call('HMGET', KEYS[1], 'items', 'released')
if not meta[1] then
  return {}
end
local prefix = sale_prefix(KEYS[1])
local out = {tonumber(meta[2] or '0')}
for item in string.gmatch(meta[1], '[^,]+') do
  out[#out + 1] = item
  out[#out + 1] = tonumber(redis.call('GET', prefix .. 'stock:' .. item) or '0')
  out[#out + 1] = tonumber(redis.call('HGET', KEYS[1], 'held:' .. item) or '0')
end
return out
